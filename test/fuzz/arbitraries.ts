// fast-check arbitraries for device-tree property bytes: pure noise, cell
// lists biased towards boundary values, and valid v1/v2/lookup properties
// with one structural lie (count cell, truncation, garbage tail).
import fc from 'fast-check';

/** cell values that break naive code: 0, 1, sign bit, all ones, huge counts */
export const edgeCell = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 6, 24, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x1000000, 0x10000000),
  fc.integer({ min: 0, max: 64 }),
  fc.integer({ min: 0, max: 0xffffffff }),
);

export function be32(vals: readonly number[]): Uint8Array {
  const b = new Uint8Array(vals.length * 4);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setUint32(4 * i, v >>> 0));
  return b;
}

export const noise = fc.uint8Array({ maxLength: 512 });

/** cells, then cut or extended by a few bytes (misaligned lengths) */
export const cellBytes = fc
  .tuple(fc.array(edgeCell, { maxLength: 120 }), fc.integer({ min: -3, max: 3 }), fc.uint8Array({ maxLength: 3 }))
  .map(([cells, cut, tail]) => {
    const b = be32(cells);
    if (cut < 0) return b.subarray(0, Math.max(0, b.length + cut));
    return cut > 0 ? Uint8Array.from([...b, ...tail.subarray(0, cut)]) : b;
  });

/** any property bytes: noise or structured-but-wrong */
export const propBytes = fc.oneof(noise, cellBytes);

/** A realistic LMB entry (address, drc, aa, flags) list. */
export const lmbEntries = fc.array(
  fc.record({
    base: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    drc: edgeCell,
    reserved: fc.constantFrom(0, 0, 0, 0xffffffff),
    aa: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constant(0xffffffff), edgeCell),
    flags: fc.oneof(fc.constantFrom(0, 0x8, 0x108, 0xa0, 0x20, 0x40, 0x88), edgeCell),
  }),
  { maxLength: 40 },
);

export type Entry = { base: bigint; drc: number; reserved: number; aa: number; flags: number };

export function encodeV1Entries(es: readonly Entry[], count = es.length): Uint8Array {
  const b = new Uint8Array(4 + 24 * es.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, count >>> 0);
  es.forEach((e, i) => {
    const o = 4 + 24 * i;
    dv.setBigUint64(o, e.base);
    dv.setUint32(o + 8, e.drc >>> 0);
    dv.setUint32(o + 12, e.reserved >>> 0);
    dv.setUint32(o + 16, e.aa >>> 0);
    dv.setUint32(o + 20, e.flags >>> 0);
  });
  return b;
}

export type V2Set = { seq: number; base: bigint; drc: number; aa: number; flags: number };

export const v2Sets = fc.array(
  fc.record({
    seq: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0, 1, 0xffffffff, 0x7fffffff, 0x1000000, 0xffffff)),
    base: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    drc: edgeCell,
    aa: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constant(0xffffffff)),
    flags: fc.constantFrom(0, 0x8, 0x108, 0xa0, 0xffffffff),
  }),
  { maxLength: 12 },
);

export function encodeV2Sets(sets: readonly V2Set[], count = sets.length): Uint8Array {
  const b = new Uint8Array(4 + 24 * sets.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, count >>> 0);
  sets.forEach((s, i) => {
    const o = 4 + 24 * i;
    dv.setUint32(o, s.seq >>> 0);
    dv.setBigUint64(o + 4, s.base);
    dv.setUint32(o + 12, s.drc >>> 0);
    dv.setUint32(o + 16, s.aa >>> 0);
    dv.setUint32(o + 20, s.flags >>> 0);
  });
  return b;
}

/** Lie about a well-formed property: wrong count cell, cut short, garbage appended, or a flipped byte. */
export const mangle = fc.oneof(
  fc.constant((b: Uint8Array) => b),
  fc.integer({ min: 0, max: 0xffffffff }).map((n) => (b: Uint8Array) => {
    const c = Uint8Array.from(b);
    if (c.length >= 4) new DataView(c.buffer).setUint32(0, n);
    return c;
  }),
  fc.nat().map((k) => (b: Uint8Array) => b.subarray(0, b.length === 0 ? 0 : k % b.length)),
  fc.uint8Array({ minLength: 1, maxLength: 30 }).map((t) => (b: Uint8Array) => Uint8Array.from([...b, ...t])),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]) => (b: Uint8Array) => {
    const c = Uint8Array.from(b);
    if (c.length > 0) c[at % c.length] = v;
    return c;
  }),
);

export const cellCounts = fc.constantFrom(0, 1, 2, 3, 4, 5, -1, 99);
