// Make one large LPAR snapshot for profiling by hand:
//   npx esbuild bench/generate.ts --bundle --platform=node --format=esm --packages=external --outfile=build/generate.mjs
//   node build/generate.mjs OUT [--lmbs 262144] [--format v1|v2] [--root] [--no-blocks] [--mutate 0.1] [--seed 1]
// writes OUT.dtb always, and OUT/ as a --root directory (device tree, sysfs, cpuinfo) with --root.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { FsPort } from '../lib/io.js';
import { encodeLparDtb } from './dtb.js';
import { lparLmbs, lparTree, type LmbFormat } from './lpar-tree.js';
import { writeRoot } from './write-root.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    lmbs: { type: 'string', default: '262144' },
    format: { type: 'string', default: 'v1' },
    root: { type: 'boolean', default: false },
    'no-blocks': { type: 'boolean', default: false },
    mutate: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const out = positionals[0];
if (!out) {
  process.stderr.write('usage: generate OUT [--lmbs N] [--format v1|v2] [--root] [--no-blocks] [--mutate FRACTION] [--seed N]\n');
  process.exit(2);
}
const format = values.format as LmbFormat;
const l = lparLmbs({ lmbs: Number(values.lmbs), format, ...(values.mutate ? { mutate: { fraction: Number(values.mutate), seed: Number(values.seed) } } : {}) });
const tree = lparTree(l, format);
fs.writeFileSync(`${out}.dtb`, encodeLparDtb(tree));
let blocks = 0;
if (values.root) blocks = writeRoot(fs as unknown as FsPort, out, tree, l, { blocks: !values['no-blocks'] });
process.stderr.write(`${out}.dtb${values.root ? ` and ${out}/ (${blocks} memory blocks)` : ''}: ${l.drc.length} LMBs, ${format}\n`);
