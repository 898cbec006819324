import { describe, expect, it } from 'vitest';
import { decodeDynamicMemoryV1 } from '../../lib/decode/dynamic-memory.js';
import { be32, be64, cat } from '../helpers/cells.js';

function entry(base: bigint, drc: number, aa: number, flags: number, reserved = 0): Uint8Array {
  return cat(be64(base), be32(drc, reserved, aa, flags));
}

describe('decodeDynamicMemoryV1', () => {
  it('decodes every field of every entry', () => {
    const bytes = cat(be32(2), entry(0n, 0, 0xffffffff, 0xa0), entry(0x1_0000_0000n, 0x80000010, 1, 0x8, 7));
    const r = decodeDynamicMemoryV1(bytes);
    expect(r.issues).toEqual([]);
    const l = r.value.lmbs;
    expect(r.value.declared).toBe(2);
    expect(l.count).toBe(2);
    expect([...l.base]).toEqual([0n, 0x1_0000_0000n]);
    expect([...l.drc]).toEqual([0, 0x80000010]);
    expect([...l.aa]).toEqual([0xffffffff, 1]);
    expect([...l.flags]).toEqual([0xa0, 0x8]);
    expect([...l.reserved!]).toEqual([0, 7]);
  });

  it('count larger than the data: decodes what fits, error at offset 0', () => {
    const bytes = cat(be32(3), entry(0n, 1, 0, 8), entry(0x10000000n, 2, 0, 8));
    const r = decodeDynamicMemoryV1(bytes);
    expect(r.value.lmbs.count).toBe(2);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: 'lmb-count-mismatch', offset: 0, severity: 'error' });
  });

  it('count smaller than the data: reads only N like the kernel, reports the extra entries where they start', () => {
    const bytes = cat(be32(1), entry(0n, 1, 0, 8), entry(0x10000000n, 2, 0, 8));
    const r = decodeDynamicMemoryV1(bytes);
    expect(r.value.lmbs.count).toBe(1);
    expect(r.issues[0]).toMatchObject({ code: 'lmb-count-mismatch', offset: 28 });
  });

  it('a truncated last entry is reported at its offset and the complete ones still decode', () => {
    const full = cat(be32(2), entry(0n, 1, 0, 8), entry(0x10000000n, 2, 0, 8));
    const r = decodeDynamicMemoryV1(full.subarray(0, full.length - 5));
    expect(r.value.lmbs.count).toBe(1);
    expect(r.value.lmbs.drc[0]).toBe(1);
    expect(r.issues.map((i) => i.code).sort()).toEqual(['entry-truncated', 'lmb-count-mismatch']);
    expect(r.issues.find((i) => i.code === 'entry-truncated')!.offset).toBe(28);
  });

  it('empty or tiny property: no LMBs, one error, no throw', () => {
    for (const b of [new Uint8Array(0), new Uint8Array(3)]) {
      const r = decodeDynamicMemoryV1(b);
      expect(r.value.lmbs.count).toBe(0);
      expect(r.issues[0]!.code).toBe('property-too-short');
    }
  });

  it('honours #address-cells 1 (5-cell entries)', () => {
    const bytes = cat(be32(1), be32(0x20000000, 0x80000002, 0, 1, 0x8));
    const r = decodeDynamicMemoryV1(bytes, 1);
    expect(r.issues).toEqual([]);
    expect(r.value.entrySize).toBe(20);
    expect(r.value.lmbs.base[0]).toBe(0x20000000n);
    expect(r.value.lmbs.aa[0]).toBe(1);
  });

  it('decodes 262,144 LMBs (6.3 MB) quickly into typed arrays', () => {
    const n = 262_144;
    const buf = Buffer.alloc(4 + 24 * n);
    buf.writeUInt32BE(n, 0);
    for (let i = 0; i < n; i++) {
      const o = 4 + 24 * i;
      buf.writeBigUInt64BE(BigInt(i) * 0x10000000n, o);
      buf.writeUInt32BE((0x80000000 + i) >>> 0, o + 8);
      buf.writeUInt32BE(i % 4, o + 16);
      buf.writeUInt32BE(8, o + 20);
    }
    const t0 = performance.now();
    const r = decodeDynamicMemoryV1(buf);
    const ms = performance.now() - t0;
    expect(r.value.lmbs.count).toBe(n);
    expect(r.value.lmbs.base[n - 1]).toBe(BigInt(n - 1) * 0x10000000n);
    expect(r.value.lmbs.drc[n - 1]).toBe(0x80000000 + n - 1);
    expect(ms).toBeLessThan(1000);
  });
});
