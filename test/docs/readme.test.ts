import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { assembleReadme, README_PARTS } from '../../scripts/readme.mjs';

describe('README.md', () => {
  it('is exactly docs/readme/*.md in order (npm run readme rewrites it)', () => {
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toBe(assembleReadme());
  });

  it('holds the two set-up commands CI follows', () => {
    const text = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(text).toContain('npm ci && npm start');
    expect(text).toContain('npm ci && npm test');
    expect(readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8')).toMatch(/^npm ci\nnpm test$/m);
  });

  it('names every part once', () => {
    expect(new Set(README_PARTS).size).toBe(README_PARTS.length);
  });
});
