// writeJsonText (streamed, used by lmbs --json at 262,144 LMBs) must give the
// same bytes as toJsonText, and a PlainJsonArray the same as a plain array.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlainJsonArray, toJsonText, writeJsonText } from '../../lib/render/json.js';
import { fuzzParams, fuzzTimeout } from './fuzz-runs.js';

const leaf = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constant(undefined), fc.uint32Array({ maxLength: 4 }));
const doc = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(leaf, fc.array(leaf, { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 4 }), leaf, { maxKeys: 4 })), { maxKeys: 6 });

function streamed(d: unknown, depth?: number): string {
  const parts: Uint8Array[] = [];
  writeJsonText(d, (s) => parts.push(s), depth);
  return Buffer.concat(parts).toString('utf8');
}

describe('streamed JSON equals toJsonText', () => {
  it(
    'random documents, depths 0-3',
    () => {
      fc.assert(
        fc.property(doc, fc.integer({ min: 0, max: 3 }), (d, depth) => {
          expect(streamed(d, depth)).toBe(toJsonText(d, depth));
        }),
        fuzzParams(300),
      );
    },
    fuzzTimeout(),
  );

  it(
    'a PlainJsonArray serialises like the mapped plain array, at any depth',
    () => {
      const items = fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 20 });
      fc.assert(
        fc.property(items, fc.integer({ min: 0, max: 3 }), (xs, depth) => {
          const wrap = (x: unknown) => ({ v: x });
          const plain = { schemaVersion: 1, list: xs.map(wrap), tail: [] };
          const lazy = { schemaVersion: 1, list: new PlainJsonArray(xs, wrap), tail: [] };
          const want = toJsonText(plain, depth);
          expect(toJsonText(lazy, depth)).toBe(want);
          expect(streamed(lazy, depth)).toBe(want);
        }),
        fuzzParams(300),
      );
    },
    fuzzTimeout(),
  );

  it('flushes in pieces: a large array is not one string', () => {
    const parts: Uint8Array[] = [];
    writeJsonText({ lmbs: new PlainJsonArray(Array.from({ length: 50_000 }, (_, i) => i), (i) => ({ drcIndex: `0x${(0x80000000 + i).toString(16)}`, pad: 'x'.repeat(40) })) }, (s) => parts.push(s));
    expect(parts.length).toBeGreaterThan(1);
    expect(JSON.parse(Buffer.concat(parts).toString('utf8')).lmbs).toHaveLength(50_000);
  });
});
