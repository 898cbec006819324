#!/usr/bin/env node
// npm run readme: README.md is assembled from docs/readme/*.md, one file per
// part of the tool, so each part can be edited next to the others without a
// 1,300-line file. test/docs/readme.test.ts fails when README.md and the parts
// disagree, so the README that CI follows is always the one in the parts.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));

/** the parts in reading order */
export const README_PARTS = ['00-head', 'sources', 'lmbs', 'diff-audit', 'capture', 'compat', 'real-lpm', 'performance', 'development'];

/** README.md's text from the parts: each ends with one newline, a blank line between */
export function assembleReadme(read = (name) => readFileSync(join(here, 'docs', 'readme', `${name}.md`), 'utf8')) {
  return `${README_PARTS.map((p) => read(p).replace(/\n*$/, '\n')).join('\n')}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = assembleReadme();
  const path = join(here, 'README.md');
  const check = process.argv[2] === '--check';
  const old = (() => { try { return readFileSync(path, 'utf8'); } catch { return ''; } })();
  if (check) {
    if (old !== text) {
      process.stderr.write('README.md differs from docs/readme/*.md: run npm run readme\n');
      process.exitCode = 1;
    }
  } else if (old !== text) {
    writeFileSync(path, text);
    process.stderr.write(`README.md written (${text.length} bytes)\n`);
  }
}
