// writeLmbJson (the byte writer behind lmbs --json) must produce exactly the
// UTF-8 bytes of JSON.stringify(lmbJson(l)) for any LMB, including the odd
// ones (names needing escapes, non-ASCII, addresses past 2^53, huge entry
// numbers, legacy origins, blocks with every optional field).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LmbFlag, type Lmb, type LmbFlagName } from '../../lib/model/lmb.js';
import { ByteSink } from '../../lib/render/byte-sink.js';
import { lmbJson } from '../../lib/render/lmbs.js';
import { writeLmbJson } from '../../lib/render/lmb-json-bytes.js';
import { fuzzParams } from '../fuzz/fuzz-runs.js';

function bytesOf(write: (s: ByteSink) => void, chunk?: number): string {
  const parts: Uint8Array[] = [];
  const s = new ByteSink((c) => parts.push(c), chunk);
  write(s);
  s.flush();
  return Buffer.concat(parts).toString('utf8');
}

const names = Object.keys(LmbFlag) as LmbFlagName[];
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const text = fc.oneof(fc.constantFrom('LMB 12', 'a"b', 'back\\slash', 'tab\t', 'é', '😀', ''), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }));
const nullableNat = fc.option(fc.nat(), { nil: null });
const lmb: fc.Arbitrary<Lmb> = fc.record(
  {
    drcIndex: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constant(0x80000000)),
    name: text,
    address: fc.oneof(u64, fc.bigInt({ min: 0n, max: 1n << 40n }), fc.constant((1n << 53n) - 1n), fc.constant(1n << 53n), fc.constant((1n << 53n) + 1n)),
    size: fc.oneof(u64, fc.constant(0x10000000n)),
    aaIndex: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: null }),
    flags: fc.integer({ min: 0, max: 0xffffffff }),
    flagNames: fc.subarray(names),
    unknownFlags: fc.nat(),
    assigned: fc.boolean(),
    node: nullableNat,
    associativity: fc.array(fc.nat(), { maxLength: 5 }),
    origin: fc.oneof(
      fc.record({ kind: fc.constant('v1' as const), entry: fc.oneof(fc.nat(), fc.constant(2 ** 40)) }),
      fc.record({ kind: fc.constant('v2' as const), set: fc.nat(), position: fc.nat() }),
      fc.record({ kind: fc.constant('legacy' as const), node: text }),
    ),
    blocks: fc.array(
      fc.record({ index: fc.nat(), state: text, node: nullableNat, removable: fc.boolean(), validZones: text }, { requiredKeys: ['index', 'node'] }),
      { maxLength: 3 },
    ),
    blockIndexes: fc.array(fc.nat(), { maxLength: 3 }),
    memoryNode: fc.record({ path: text, node: nullableNat }),
    reservedCell: fc.integer({ min: 0, max: 0xffffffff }),
  },
  { requiredKeys: ['drcIndex', 'address', 'size', 'aaIndex', 'flags', 'flagNames', 'unknownFlags', 'assigned', 'node', 'origin'] },
);

describe('writeLmbJson', () => {
  it('equals JSON.stringify(lmbJson(l)) for random LMBs, alone and in runs', () => {
    fc.assert(
      fc.property(fc.array(lmb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 300 }), (ls, chunk) => {
        // runs share the middle part: repeat each LMB with a new DRC index too
        const run = ls.flatMap((l) => [l, { ...l, drcIndex: (l.drcIndex + 1) >>> 0 }]);
        const want = run.map((l) => JSON.stringify(lmbJson(l))).join('\n');
        const got = bytesOf((s) => run.forEach((l, i) => { if (i > 0) s.text('\n'); writeLmbJson(l, s); }), chunk);
        expect(got).toBe(want);
      }),
      fuzzParams(500),
    );
  });
});

describe('ByteSink', () => {
  it('hex and dec digits', () => {
    for (const n of [0, 1, 15, 16, 255, 0x10000000, 0x80000000, 0xffffffff, 0x100000000, 0x123456789ab, 2 ** 53 - 1]) {
      expect(bytesOf((s) => { s.reserve(32); s.hex(n); })).toBe(n.toString(16));
      expect(bytesOf((s) => { s.reserve(32); s.dec(n); })).toBe(String(n));
    }
  });
  it('text keeps non-ASCII and crosses chunk boundaries; every chunk is a fresh buffer', () => {
    const parts: Uint8Array[] = [];
    const copies: number[][] = [];
    const s = new ByteSink((c) => { parts.push(c); copies.push(Array.from(c)); }, 8);
    const t = 'abc€😀défghijklmnop';
    s.text(t);
    s.text(t);
    s.flush();
    expect(Buffer.concat(parts).toString('utf8')).toBe(t + t);
    // a chunk handed out is never written again (a full pipe may still hold it)
    expect(parts.map((p) => Array.from(p))).toEqual(copies);
  });
});
