// The frame both LMB properties share: count cell vs length, cut entries, bad #address-cells.
import { describe, expect, it } from 'vitest';
import { countedEntries, V1_WORDS, V2_WORDS } from '../../lib/decode/counted-entries.js';
import type { DecodeIssue } from '../../lib/decode/result.js';

const prop = (count: number, entries: number, extra = 0, entrySize = 24) => {
  const b = new Uint8Array(4 + entries * entrySize + extra);
  new DataView(b.buffer).setUint32(0, count);
  return b;
};
const run = (b: Uint8Array, ac = 2, w = V1_WORDS) => {
  const issues: DecodeIssue[] = [];
  const r = countedEntries(b, ac, w, issues);
  return { ...r, dv: r.dv !== undefined, issues };
};

describe('countedEntries', () => {
  it('count equal to the entries: no issue', () => {
    expect(run(prop(3, 3))).toEqual({ declared: 3, count: 3, entrySize: 24, addressCells: 2, dv: true, issues: [] });
  });
  it('count above what fits: decodes what fits, error at offset 0', () => {
    const r = run(prop(5, 2), 2, V2_WORDS);
    expect(r.count).toBe(2);
    expect(r.issues).toEqual([{ code: 'lmb-set-count-mismatch', offset: 0, severity: 'error', message: 'count cell says 5 sets but the 52-byte property holds 2 complete sets (expected 124 bytes); decoded 2' }]);
  });
  it('count below the entries: the kernel reads only the count; warning at the first extra entry', () => {
    const r = run(prop(1, 3));
    expect(r.count).toBe(1);
    expect(r.issues).toEqual([{ code: 'lmb-count-mismatch', offset: 28, message: 'count cell says 1 LMBs but the property holds 3 entries; the kernel reads only 1, the 2 extra entries are ignored' }]);
  });
  it('a cut last entry and an unusable #address-cells', () => {
    const r = run(prop(1, 1, 5), 7, V2_WORDS);
    expect([r.addressCells, r.entrySize, r.count]).toEqual([2, 24, 1]);
    expect(r.issues.map((i) => [i.code, i.offset])).toEqual([['address-cells-invalid', 0], ['entry-truncated', 28]]);
    expect(r.issues[1]!.message).toBe('5 trailing byte(s) at 0x1c: a truncated 24-byte set');
  });
  it('no count cell', () => {
    expect(run(new Uint8Array(3))).toMatchObject({ declared: 0, count: 0, dv: false, issues: [{ code: 'property-too-short', message: '3 bytes: no LMB count cell' }] });
  });
});
