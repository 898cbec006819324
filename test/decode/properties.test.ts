import { describe, expect, it } from 'vitest';
import { decodeArchVec5 } from '../../lib/decode/arch-vec5.js';
import { decodeAssociativity, decodeAssociativityDomains, decodeLookupArrays, decodeReferencePoints, lookupArray } from '../../lib/decode/associativity.js';
import { decodeLmbSize } from '../../lib/decode/lmb-size.js';
import { decodeMemoryFlagsMask, lmbFlagNames, lmbFlagsText, unknownLmbFlags } from '../../lib/decode/lmb-flags.js';
import { decodeMyDrcIndex, decodeReg } from '../../lib/decode/memory-node.js';
import { decodeNumaDistanceTable, decodeNumaLookupIndexTable, distanceMatrix } from '../../lib/decode/numa-form2.js';
import { issuesToFindings } from '../../lib/decode/result.js';
import { be32, be64, cat } from '../helpers/cells.js';

describe('ibm,lmb-size', () => {
  it('u64 with #size-cells 2, incl. 4 GiB', () => {
    expect(decodeLmbSize(be64(0x10000000n))).toEqual({ value: 0x10000000n, issues: [] });
    expect(decodeLmbSize(be32(1, 0)).value).toBe(0x1_0000_0000n);
  });
  it('one cell only: read with an issue; odd length: null', () => {
    const r = decodeLmbSize(be32(0x10000000));
    expect(r.value).toBe(0x10000000n);
    expect(r.issues[0]!.code).toBe('property-too-short');
    expect(decodeLmbSize(new Uint8Array(3)).value).toBeNull();
  });
  it('zero is reported', () => {
    expect(decodeLmbSize(be64(0n)).issues[0]!.code).toBe('lmb-size-zero');
  });
});

describe('flags', () => {
  it('names every bit in bit order and reports unknown bits', () => {
    expect(lmbFlagNames(0x1e8)).toEqual(['ASSIGNED', 'DRC_INVALID', 'AI_INVALID', 'RESERVED', 'HOTREMOVABLE']);
    expect(lmbFlagsText(0xa0)).toBe('DRC_INVALID|RESERVED');
    expect(lmbFlagsText(0)).toBe('0');
    expect(unknownLmbFlags(0x80000108)).toBe(0x80000000);
    expect(lmbFlagsText(0x10008)).toBe('ASSIGNED|0x10000');
  });
  it('ibm,memory-flags-mask', () => {
    expect(decodeMemoryFlagsMask(be32(0xff)).value).toEqual({ mask: 0xff, names: ['ASSIGNED', 'DRC_INVALID', 'AI_INVALID', 'RESERVED'], unknown: 0x17 });
    expect(decodeMemoryFlagsMask(new Uint8Array(2)).value).toBeNull();
  });
});

describe('associativity', () => {
  it('lookup arrays FORM1 (real 6.1 sample)', () => {
    const r = decodeLookupArrays(be32(2, 4, 0, 0, 0, 0, 0, 0, 0, 1));
    expect(r.issues).toEqual([]);
    expect(r.value!.kernelValid).toBe(true);
    expect(lookupArray(r.value!, 1)).toEqual([0, 0, 0, 1]);
    expect(lookupArray(r.value!, 2)).toBeUndefined();
  });
  it('short lookup arrays: the kernel rejects them, complete arrays still shown', () => {
    const r = decodeLookupArrays(be32(3, 2, 0, 1, 0, 2));
    expect(r.value!.kernelValid).toBe(false);
    expect(r.value!.cells.length).toBe(4);
    expect(r.issues[0]).toMatchObject({ code: 'lookup-arrays-short', severity: 'error', offset: 0 });
    expect(decodeLookupArrays(be32(1)).value).toBeNull();
  });
  it('ibm,associativity with length cell; short list reported; extra cells kept', () => {
    expect(decodeAssociativity(be32(4, 0, 0, 0, 1)).value).toEqual({ declared: 4, domains: [0, 0, 0, 1], extra: [] });
    expect(decodeAssociativity(be32(5, 0, 0, 0, 0, 1, 9)).value!.extra).toEqual([9]);
    const s = decodeAssociativity(be32(4, 0, 1));
    expect(s.value!.domains).toEqual([0, 1]);
    expect(s.issues[0]!.code).toBe('associativity-short');
    expect(decodeAssociativity(new Uint8Array(0)).value).toBeNull();
  });
  it('reference points and domains', () => {
    expect(decodeReferencePoints(be32(4, 3, 2, 1)).value).toEqual([4, 3, 2, 1]);
    expect(decodeReferencePoints(cat(be32(1), new Uint8Array(2))).issues[0]).toMatchObject({ code: 'cell-misaligned', offset: 4 });
    expect(decodeAssociativityDomains(be32(4, 2, 2, 2, 2)).value).toEqual({ levels: 4, maxima: [2, 2, 2, 2] });
    expect(decodeAssociativityDomains(be32(3, 2)).issues[0]!.code).toBe('associativity-domains-length');
  });
});

describe('vec5', () => {
  it('real QEMU 7.2 / Linux 6.1 vector: FORM1+FORM2, DRCONF, DRMEM_V2, no DRC_INFO', () => {
    const b = Buffer.from('19002000 00a00500 00000000 00000000 00000000 00008040 400040'.replace(/ /g, ''), 'hex');
    const r = decodeArchVec5(b);
    expect(r.issues).toEqual([]);
    expect(r.value!.form).toBe(2);
    expect(r.value!.bits).toMatchObject({ DRCONF_MEMORY: true, FORM1_AFFINITY: true, FORM2_AFFINITY: true, DRMEM_V2: true, DRC_INFO: false, PRRN: false, HP_EVT: true });
  });
  it('FORM1 only, short vector, wrong length byte', () => {
    const b = new Uint8Array(8);
    b[0] = 9;
    b[5] = 0x80;
    const r = decodeArchVec5(b);
    expect(r.value!.form).toBe(1);
    expect(r.value!.bits.DRMEM_V2).toBe(false);
    expect(r.issues[0]!.code).toBe('vec5-length');
  });
});

describe('FORM2 tables', () => {
  it('lookup index table and distance table (real 7.2 sample)', () => {
    expect(decodeNumaLookupIndexTable(be32(2, 0, 1)).value).toEqual([0, 1]);
    const d = decodeNumaDistanceTable(be32(4, 0x0a14140a), 2);
    expect(d.issues).toEqual([]);
    expect(distanceMatrix(d.value!)).toEqual([
      [10, 20],
      [20, 10],
    ]);
  });
  it('size mismatches', () => {
    expect(decodeNumaLookupIndexTable(be32(3, 0, 1)).issues[0]!.code).toBe('numa-table-length');
    expect(decodeNumaDistanceTable(be32(9, 0x0a14140a), 3).issues[0]).toMatchObject({ code: 'numa-table-length', severity: 'error' });
    expect(decodeNumaDistanceTable(be32(4, 0x0a14140a), 3).issues[0]!.code).toBe('numa-table-length');
  });
});

describe('memory@ node', () => {
  it('reg pairs and a truncated tail', () => {
    expect(decodeReg(be64(0n, 0x40000000n, 0x40000000n, 0x40000000n)).value).toEqual([
      { address: 0n, size: 0x40000000n },
      { address: 0x40000000n, size: 0x40000000n },
    ]);
    const r = decodeReg(cat(be64(0n, 0x40000000n), be32(1)));
    expect(r.value).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: 'entry-truncated', offset: 16 });
    expect(decodeReg(be32(0x1000, 0x2000), 1, 1).value).toEqual([{ address: 0x1000n, size: 0x2000n }]);
  });
  it('ibm,my-drc-index', () => {
    expect(decodeMyDrcIndex(be32(0x80000004)).value).toBe(0x80000004);
    expect(decodeMyDrcIndex(new Uint8Array(2)).value).toBeNull();
  });
});

describe('issuesToFindings', () => {
  it('adds node, property and offset', () => {
    expect(issuesToFindings([{ code: 'x', offset: 8, message: 'bad' }], '/ibm,dynamic-reconfiguration-memory', 'ibm,lmb-size')).toEqual([
      { code: 'x', severity: 'warning', node: '/ibm,dynamic-reconfiguration-memory', property: 'ibm,lmb-size', offset: 8, message: '/ibm,dynamic-reconfiguration-memory/ibm,lmb-size: bad' },
    ]);
  });
});
