// Property-based fuzzing of every decoder in lib/decode: random bytes and
// structured-but-wrong properties. Contract under test (team brief): a decoder
// never throws, never hangs, and reports bad content as issues/findings that
// carry a stable code and a byte offset inside the value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeArchVec5 } from '../../lib/decode/arch-vec5.js';
import { decodeAssociativity, decodeAssociativityDomains, decodeLookupArrays, decodeReferencePoints, lookupArray } from '../../lib/decode/associativity.js';
import { MAX_DRC_ENTRIES, decodeDrcClassic, decodeDrcInfo } from '../../lib/decode/drc.js';
import { decodeDynamicMemoryV1 } from '../../lib/decode/dynamic-memory.js';
import { decodeDynamicMemoryV2, expandDrmemV2 } from '../../lib/decode/dynamic-memory-v2.js';
import { decodeMemoryFlagsMask, lmbFlagsText } from '../../lib/decode/lmb-flags.js';
import { decodeLmbSize } from '../../lib/decode/lmb-size.js';
import { decodeReg } from '../../lib/decode/memory-node.js';
import { decodeNumaDistanceTable, decodeNumaLookupIndexTable, distanceMatrix } from '../../lib/decode/numa-form2.js';
import type { DecodeIssue, Decoded } from '../../lib/decode/result.js';
import type { Finding } from '../../lib/model/finding.js';
import { be32, cellCounts, encodeV1Entries, encodeV2Sets, lmbEntries, mangle, propBytes, v2Sets } from './arbitraries.js';
import { fuzzParams, fuzzTimeout, timed } from './fuzz-runs.js';

const CODE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SEVERITIES = new Set(['info', 'warning', 'error', undefined]);
/** one call on <= 1 KB of input; anything slower is a hang or a blow-up */
const LIMIT_MS = 250;

function checkIssues(issues: readonly DecodeIssue[], length: number): void {
  for (const i of issues) {
    expect(i.code).toMatch(CODE);
    expect(Number.isInteger(i.offset) && i.offset >= 0 && i.offset <= length, `offset ${i.offset} of ${length} (${i.code})`).toBe(true);
    expect(typeof i.message).toBe('string');
    expect(i.message.length).toBeGreaterThan(0);
    expect(SEVERITIES.has(i.severity)).toBe(true);
  }
}

function checkFindings(fs: readonly Finding[], length: (prop: string) => number): void {
  for (const f of fs) {
    expect(f.code).toMatch(CODE);
    expect(SEVERITIES.has(f.severity)).toBe(true);
    expect(f.message.length).toBeGreaterThan(0);
    if (f.offset !== undefined) expect(f.offset >= 0 && f.offset <= length(f.property ?? ''), `${f.code} offset ${f.offset}`).toBe(true);
  }
}

// root #address-cells/#size-cells as the model passes them: any u32 the tree holds
const rootCellValue = fc.oneof(fc.constantFrom(2, 2, 2, 1, 3, 4, 0, 5), fc.constantFrom(0x80000000, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }));
const ac = rootCellValue;

describe('fuzz: lib/decode never throws and reports bad bytes as issues', () => {
  it(
    'ibm,dynamic-memory (v1): noise and mangled valid properties',
    () => {
      fc.assert(
        fc.property(fc.oneof(propBytes, fc.tuple(lmbEntries, mangle).map(([es, m]) => m(encodeV1Entries(es)))), ac, (bytes, cells) => {
          const r = timed('decodeDynamicMemoryV1', LIMIT_MS, () => decodeDynamicMemoryV1(bytes, cells));
          checkIssues(r.issues, bytes.length);
          const l = r.value.lmbs;
          expect(l.count).toBeLessThanOrEqual(Math.max(0, Math.floor((bytes.length - 4) / r.value.entrySize)));
          for (const a of [l.base, l.drc, l.aa, l.flags]) expect(a.length).toBe(l.count);
          // a property whose size disagrees with its count cell must say so
          if (bytes.length >= 4 && bytes.length !== 4 + r.value.entrySize * r.value.declared) expect(r.issues.length).toBeGreaterThan(0);
        }),
        fuzzParams(400),
      );
    },
    fuzzTimeout(),
  );

  it(
    'ibm,dynamic-memory (v1): well-formed input decodes exactly, with no error issues',
    () => {
      fc.assert(
        fc.property(lmbEntries, (es) => {
          const bytes = encodeV1Entries(es);
          const r = decodeDynamicMemoryV1(bytes);
          expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
          expect(r.value.lmbs.count).toBe(es.length);
          es.forEach((e, i) => {
            expect(r.value.lmbs.base[i]).toBe(e.base);
            expect(r.value.lmbs.drc[i]).toBe(e.drc >>> 0);
            expect(r.value.lmbs.aa[i]).toBe(e.aa >>> 0);
            expect(r.value.lmbs.flags[i]).toBe(e.flags >>> 0);
          });
        }),
        fuzzParams(200),
      );
    },
    fuzzTimeout(),
  );

  it(
    'ibm,dynamic-memory-v2: decode + expand on noise and mangled sets',
    () => {
      const lmbSize = fc.constantFrom<bigint | null>(null, 0n, 1n, 0x10000000n, 0x100000000n, (1n << 64n) - 1n);
      fc.assert(
        fc.property(fc.oneof(propBytes, fc.tuple(v2Sets, mangle).map(([s, m]) => m(encodeV2Sets(s)))), ac, lmbSize, (bytes, cells, size) => {
          const r = timed('decodeDynamicMemoryV2', LIMIT_MS, () => decodeDynamicMemoryV2(bytes, cells));
          checkIssues(r.issues, bytes.length);
          expect(r.value.count).toBeLessThanOrEqual(Math.max(0, Math.floor((bytes.length - 4) / r.value.entrySize)));
          // expansion is bounded by the sum of seq_lmbs; keep this test's memory sane and check the cap separately
          const total = r.value.seq.reduce((s, n) => s + n, 0);
          if (total > 1 << 20) return;
          const e = timed('expandDrmemV2', 4 * LIMIT_MS, () => expandDrmemV2(r.value, size));
          checkIssues(e.issues, bytes.length);
          expect(e.value.count).toBe(total);
          for (const a of [e.value.base, e.value.drc, e.value.aa, e.value.flags]) expect(a.length).toBe(e.value.count);
        }),
        fuzzParams(400),
      );
    },
    fuzzTimeout(),
  );

  it(
    'ibm,dynamic-memory-v2: well-formed sets expand like the kernel (drc + j, base + j*size)',
    () => {
      const small = v2Sets.map((ss) => ss.map((s) => ({ ...s, seq: s.seq % 50 })));
      fc.assert(
        fc.property(small, (sets) => {
          const r = decodeDynamicMemoryV2(encodeV2Sets(sets));
          expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
          const e = expandDrmemV2(r.value, 0x10000000n);
          let k = 0;
          for (const s of sets) {
            for (let j = 0; j < s.seq; j++, k++) {
              expect(e.value.drc[k]).toBe((s.drc + j) >>> 0);
              expect(e.value.base[k]).toBe(BigInt.asUintN(64, s.base + BigInt(j) * 0x10000000n));
              expect(e.value.flags[k]).toBe(s.flags >>> 0);
            }
          }
          expect(e.value.count).toBe(k);
        }),
        fuzzParams(200),
      );
    },
    fuzzTimeout(),
  );

  it(
    'lookup arrays, associativity, reference points, domains',
    () => {
      const lookup = fc.oneof(
        propBytes,
        fc
          .tuple(cellCounts, cellCounts, fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 60 }), mangle)
          .map(([a, e, cells, m]) => m(be32([a, e, ...cells]))),
      );
      fc.assert(
        fc.property(lookup, fc.integer({ min: -2, max: 70 }), (bytes, idx) => {
          const r = timed('decodeLookupArrays', LIMIT_MS, () => decodeLookupArrays(bytes));
          checkIssues(r.issues, bytes.length);
          if (r.value) {
            expect(r.value.cells.length).toBeLessThanOrEqual(Math.max(0, (bytes.length - 8) / 4));
            const row = lookupArray(r.value, idx);
            if (row) expect(row.length).toBe(r.value.cellsPerArray);
          }
          for (const dec of [decodeAssociativity, decodeReferencePoints, decodeAssociativityDomains, decodeNumaLookupIndexTable]) {
            const d = timed(dec.name, LIMIT_MS, () => dec(bytes));
            checkIssues(d.issues, bytes.length);
          }
        }),
        fuzzParams(400),
      );
    },
    fuzzTimeout(),
  );

  it(
    'lmb-size, reg, vec5, flags mask, FORM2 distance table, flag text',
    () => {
      fc.assert(
        fc.property(propBytes, rootCellValue, rootCellValue, fc.option(fc.integer({ min: 0, max: 300 })), (bytes, a, s, lookupCount) => {
          for (const [name, f] of [
            ['decodeLmbSize', () => decodeLmbSize(bytes, s)],
            ['decodeReg', () => decodeReg(bytes, a, s)],
            ['decodeArchVec5', () => decodeArchVec5(bytes)],
            ['decodeMemoryFlagsMask', () => decodeMemoryFlagsMask(bytes)],
            ['decodeNumaDistanceTable', () => decodeNumaDistanceTable(bytes, lookupCount ?? undefined)],
          ] as [string, () => Decoded<unknown>][]) {
            const r = timed(name, LIMIT_MS, f);
            checkIssues(r.issues, bytes.length);
          }
          const t = decodeNumaDistanceTable(bytes).value;
          if (t) distanceMatrix(t);
          if (bytes.length >= 4) expect(lmbFlagsText(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0))).toMatch(/^[A-Z_|0-9x a-f]+$/);
        }),
        fuzzParams(400),
      );
    },
    fuzzTimeout(),
  );

  it(
    'DRC lists: ibm,drc-info and the classic four',
    () => {
      fc.assert(
        fc.property(propBytes, propBytes, propBytes, propBytes, fc.boolean(), (a, b, c, d, someMissing) => {
          const info = timed('decodeDrcInfo', 8 * LIMIT_MS, () => decodeDrcInfo(a, '/'));
          checkFindings(info.findings, () => a.length);
          const props = someMissing ? { names: a, indexes: c } : { names: a, types: b, indexes: c, powerDomains: d };
          const lens: Record<string, number> = { 'ibm,drc-names': a.length, 'ibm,drc-types': b.length, 'ibm,drc-indexes': c.length, 'ibm,drc-power-domains': d.length, 'ibm,drc-info': a.length };
          const cl = timed('decodeDrcClassic', LIMIT_MS, () => decodeDrcClassic(props, '/'));
          checkFindings(cl.findings, (p) => lens[p] ?? 0);
          expect(cl.entries.length).toBeLessThanOrEqual(a.length);
          expect(info.entries.length).toBeLessThanOrEqual(MAX_DRC_ENTRIES);
        }),
        fuzzParams(400),
      );
    },
    fuzzTimeout(),
  );

  it('ibm,drc-info: a 2^31-element set from 30 bytes is refused quickly (found by this fuzzer: 9.6 s, then OOM)', () => {
    const huge = Uint8Array.from([...be32([1]), ...Buffer.from('MEM\0LMB \0'), ...be32([0x80000000, 0, 0x7fffffff, 1, 0xffffffff])]);
    const r = timed('decodeDrcInfo', LIMIT_MS, () => decodeDrcInfo(huge, '/'));
    expect(r.entries).toEqual([]);
    expect(r.findings.map((f) => f.code)).toEqual(['drc-info-too-large']);
    expect(r.findings[0]!.offset).toBe(4 + 9 + 8);
  });
});
