import { describe, expect, it } from 'vitest';
import { decodeDynamicMemoryV1 } from '../../lib/decode/dynamic-memory.js';
import { decodeDynamicMemoryV2, expandDrmemV2 } from '../../lib/decode/dynamic-memory-v2.js';
import { be32, be64, cat } from '../helpers/cells.js';

const MB256 = 0x10000000n;
function set(seq: number, base: bigint, drc: number, aa: number, flags: number): Uint8Array {
  return cat(be32(seq), be64(base), be32(drc, aa, flags));
}

// the real pseries-7.2-numa2 02 property (SUMMARY.md)
const REAL = Buffer.from(
  '0000000400000008000000000000000000000000ffffffff000000a00000000400000000800000008000000800000001000000080000000200000000c00000008000000c00000000000000080000001200000000e00000008000000effffffff00000000',
  'hex',
);

describe('decodeDynamicMemoryV2 / expandDrmemV2', () => {
  it('decodes the real QEMU/Linux property and expands it to 32 LMBs', () => {
    const r = decodeDynamicMemoryV2(REAL);
    expect(r.issues).toEqual([]);
    expect(r.value.count).toBe(4);
    expect([...r.value.seq]).toEqual([8, 4, 2, 18]);
    expect([...r.value.aa]).toEqual([0xffffffff, 1, 0, 0xffffffff]);
    const e = expandDrmemV2(r.value, MB256);
    expect(e.issues).toEqual([]);
    const l = e.value;
    expect(l.count).toBe(32);
    // boot set: drc increments from 0 even though it is DRC_INVALID (kernel behaviour)
    expect([...l.drc.subarray(0, 3)]).toEqual([0, 1, 2]);
    expect(l.base[13]).toBe(0xd0000000n);
    expect(l.drc[13]).toBe(0x8000000d);
    expect(l.aa[13]).toBe(0);
    expect(l.flags[13]).toBe(8);
    expect(l.set![13]).toBe(2);
    expect(l.position![13]).toBe(1);
    expect(l.base[31]).toBe(0x1f0000000n);
  });

  it('count cell larger than the data: decodes the complete sets, error', () => {
    const b = cat(be32(3), set(2, 0n, 0x80000000, 0, 8), set(1, 2n * MB256, 0x80000002, 0xffffffff, 0));
    const r = decodeDynamicMemoryV2(b);
    expect(r.value.count).toBe(2);
    expect(r.issues[0]).toMatchObject({ code: 'lmb-set-count-mismatch', offset: 0, severity: 'error' });
    expect(expandDrmemV2(r.value, MB256).value.count).toBe(3);
  });

  it('truncated set: reported at its offset', () => {
    const b = cat(be32(2), set(2, 0n, 0x80000000, 0, 8), set(1, 2n * MB256, 0x80000002, 0xffffffff, 0)).subarray(0, 4 + 24 + 10);
    const r = decodeDynamicMemoryV2(b);
    expect(r.value.count).toBe(1);
    expect(r.issues.find((i) => i.code === 'entry-truncated')).toMatchObject({ offset: 28 });
  });

  it('no lmb-size: addresses cannot be expanded and that is said', () => {
    const r = decodeDynamicMemoryV2(cat(be32(1), set(3, 0x80000000n, 0x80000008, 0, 8)));
    const e = expandDrmemV2(r.value, null);
    expect(e.value.count).toBe(3);
    expect(e.issues[0]!.code).toBe('lmb-size-missing');
  });

  it('an absurd seq_lmbs is capped instead of allocating billions', () => {
    const r = decodeDynamicMemoryV2(cat(be32(2), set(4, 0n, 1, 0, 8), set(0xffffffff, 4n * MB256, 5, 0, 8)));
    const e = expandDrmemV2(r.value, MB256);
    expect(e.value.count).toBe(4);
    expect(e.issues[0]).toMatchObject({ code: 'lmb-count-too-large', offset: 28 });
  });

  it('one absurd set is skipped and the sets after it are still expanded (bad/v2seq-huge-set2.dtb)', () => {
    const r = decodeDynamicMemoryV2(cat(be32(4), set(8, 0n, 0, 0xffffffff, 0x80), set(4, 8n * MB256, 0x80000008, 1, 8), set(0xfffffff0, 12n * MB256, 0x8000000c, 0, 8), set(18, 14n * MB256, 0x8000000e, 0xffffffff, 0)));
    const e = expandDrmemV2(r.value, MB256);
    expect(e.value.count).toBe(8 + 4 + 18);
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ code: 'lmb-count-too-large', offset: 4 + 2 * 24, severity: 'error' });
    expect(e.issues[0]!.message).toBe('set 2 has seq_lmbs 4294967280 (0xfffffff0), which would take the sets past 4194304 LMBs (12 before it): set 2 is skipped, the other sets are decoded');
    // set 3 keeps its own index, drc and base
    expect(e.value.set![12]).toBe(3);
    expect(e.value.position![12]).toBe(0);
    expect(e.value.drc[12]).toBe(0x8000000e);
    expect(e.value.base[29]).toBe(31n * MB256);
  });

  it('several huge sets, the first one included: each is skipped, the others expand', () => {
    const r = decodeDynamicMemoryV2(cat(be32(4), set(0xffffffff, 0n, 0, 0, 8), set(5, 0n, 0x10, 0, 8), set(0x80000000, 0n, 0, 0, 8), set(3, 0n, 0x20, 0, 8)));
    const e = expandDrmemV2(r.value, MB256);
    expect(e.value.count).toBe(8);
    expect([...e.value.drc]).toEqual([0x10, 0x11, 0x12, 0x13, 0x14, 0x20, 0x21, 0x22]);
    expect(e.issues.map((i) => i.offset)).toEqual([4, 4 + 2 * 24]);
  });

  it('#address-cells 0 or 0xffffffff is an error (entries are read with 2 cells), for v1 and v2 alike', () => {
    for (const ac of [0, 5, 0xffffffff]) {
      const v2 = decodeDynamicMemoryV2(cat(be32(1), set(2, 0n, 1, 0, 8)), ac);
      expect(v2.value.count).toBe(1);
      expect(v2.issues).toEqual([{ code: 'address-cells-invalid', offset: 0, severity: 'error', message: `root #address-cells is ${ac} (0x${ac.toString(16)}); an LMB address needs 1 to 4 cells: entries read with 2 address cells, the pseries value` }]);
      const v1 = decodeDynamicMemoryV1(cat(be32(1), be64(0n), be32(1, 0, 0, 8)), ac);
      expect(v1.issues.map((i) => i.code)).toEqual(['address-cells-invalid']);
    }
    for (const ac of [1, 2, 4]) expect(decodeDynamicMemoryV2(cat(be32(0)), ac).issues).toEqual([]);
  });

  it('zero-length set is reported as info', () => {
    const r = decodeDynamicMemoryV2(cat(be32(1), set(0, 0n, 1, 0, 8)));
    expect(r.issues[0]).toMatchObject({ code: 'lmb-set-empty', severity: 'info', offset: 4 });
  });

  it('expands 262,144 LMBs fast', () => {
    const b = cat(be32(2), set(131072, 0n, 0x80000000, 0, 8), set(131072, 131072n * MB256, 0x80020000, 1, 0));
    const t0 = performance.now();
    const e = expandDrmemV2(decodeDynamicMemoryV2(b).value, MB256);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(e.value.count).toBe(262144);
    expect(e.value.drc[262143]).toBe(0x8003ffff);
    expect(e.value.base[262143]).toBe(262143n * MB256);
  });
});
