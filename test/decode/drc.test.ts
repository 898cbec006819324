import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDrcClassic, decodeDrcInfo, drcByIndex, drcFind, drcInfoSetsOf, drcListForC, drcListOfNode, drcListUsableByC, MAX_DRC_ENTRIES, type DrcEntry } from '../../lib/decode/drc.js';
import { DtNode } from '../../lib/dt/tree.js';
import { be32, cat, str } from '../helpers/cells.js';
import { fuzzParams, fuzzTimeout } from '../fuzz/fuzz-runs.js';

const drcInfoSet = (type: string, prefix: string, start: number, suffix: number, count: number, inc: number, dom: number) =>
  cat(str(type, prefix), be32(start, suffix, count, inc, dom));

describe('decodeDrcInfo', () => {
  it('expands sets: index = start + i*inc, name = prefix + (suffix + i*inc)', () => {
    const v = cat(be32(2), drcInfoSet('CPU', 'CPU ', 0x10000000, 0, 3, 8, 0xffffffff), drcInfoSet('MEM', 'LMB ', 0x80000000, 0, 2, 1, 0xffffffff));
    const r = decodeDrcInfo(v, '/cpus');
    expect(r.findings).toEqual([]);
    expect(r.entries.map((e) => [e.index.toString(16), e.name, e.type])).toEqual([
      ['10000000', 'CPU 0', 'CPU'],
      ['10000008', 'CPU 8', 'CPU'],
      ['10000010', 'CPU 16', 'CPU'],
      ['80000000', 'LMB 0', 'MEM'],
      ['80000001', 'LMB 1', 'MEM'],
    ]);
  });
  it('skips sets with count <= 0 and reports truncation with an offset', () => {
    const v = cat(be32(2), drcInfoSet('CPU', 'CPU ', 1, 0, 0, 1, 0), str('MEM'));
    const r = decodeDrcInfo(v, '/x');
    expect(r.entries).toEqual([]);
    expect(r.findings.map((f) => f.code)).toEqual(['drc-info-empty-set', 'drc-info-truncated']);
    expect(r.findings[1]!.offset).toBe(4 + 9 + 20);
  });
  it('never throws on short input', () => {
    expect(decodeDrcInfo(new Uint8Array([0, 0]), '/x').findings[0]!.code).toBe('drc-info-truncated');
  });
});

describe('decodeDrcClassic', () => {
  it('walks the four lists in parallel, count taken from names', () => {
    const r = decodeDrcClassic(
      { names: cat(be32(2), str('PHB 1', 'PHB 2')), types: cat(be32(2), str('PHB', 'PHB')), indexes: be32(2, 0x20000001, 0x20000002), powerDomains: be32(2, 0xffffffff, 0xffffffff) },
      '/',
    );
    expect(r.findings).toEqual([]);
    expect(r.entries).toEqual([
      { index: 0x20000001, name: 'PHB 1', type: 'PHB', powerDomain: 0xffffffff },
      { index: 0x20000002, name: 'PHB 2', type: 'PHB', powerDomain: 0xffffffff },
    ]);
  });
  it('reports short and mismatched lists', () => {
    const r = decodeDrcClassic({ names: cat(be32(2), str('A', 'B')), types: cat(be32(2), str('X', 'Y')), indexes: be32(1, 5), powerDomains: be32(2, 0, 0) }, '/n');
    expect(r.entries.map((e) => e.index)).toEqual([5, 0]);
    expect(r.findings.map((f) => f.code).sort()).toEqual(['drc-list-count-mismatch', 'drc-list-truncated']);
  });
});

describe('drcListOfNode', () => {
  it('prefers ibm,drc-info and knows what the C tools accept', () => {
    const n = new DtNode('cpus', new DtNode(''));
    n.setProp('ibm,drc-info', cat(be32(1), drcInfoSet('CPU', 'CPU ', 0x10, 0, 1, 1, 0)));
    n.setProp('ibm,drc-names', cat(be32(1), str('other')));
    const l = drcListOfNode(n);
    expect(l.format).toBe('drc-info');
    expect(l.entries[0]!.name).toBe('CPU 0');
    expect(drcListUsableByC(n, l)).toBe(true);
    const m = new DtNode('x', new DtNode(''));
    m.setProp('ibm,drc-names', cat(be32(1), str('a')));
    m.setProp('ibm,drc-types', cat(be32(1), str('t')));
    m.setProp('ibm,drc-indexes', be32(1, 1));
    m.setProp('ibm,drc-power-domains', new Uint8Array());
    expect(drcListUsableByC(m, drcListOfNode(m))).toBe(false);
  });
});

/** the expansion decodeDrcInfo made before it kept the sets: every entry and name up front */
function expandedDrcInfo(value: Uint8Array): DrcEntry[] {
  const out: DrcEntry[] = [];
  if (value.length < 4) return out;
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const cstr = (off: number) => {
    let e = off;
    while (e < value.length && value[e] !== 0) e++;
    return { s: Buffer.from(value.subarray(off, e)).toString('latin1'), end: e < value.length ? e + 1 : -1 };
  };
  const sets = dv.getUint32(0);
  let off = 4;
  for (let s = 0; s < sets; s++) {
    const type = cstr(off);
    const prefix = type.end < 0 ? type : cstr(type.end);
    if (type.end < 0 || prefix.end < 0 || prefix.end + 20 > value.length) break;
    const p = prefix.end;
    const [start, suffix, count, inc, domain] = [0, 4, 8, 12, 16].map((o) => dv.getUint32(p + o)) as [number, number, number, number, number];
    off = p + 20;
    if ((count | 0) <= 0) continue;
    if (out.length + count > MAX_DRC_ENTRIES) break;
    for (let i = 0; i < count; i++) out.push({ index: (start + i * inc) >>> 0, name: `${prefix.s}${(suffix + i * inc) | 0}`, type: type.s, powerDomain: domain });
  }
  return out;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** sets as firmware writes them (disjoint increasing runs) and as it must not (overlaps, inc 0, runs that wrap, counts <= 0) */
const drcSet = fc.record({
  type: fc.constantFrom('CPU', 'MEM', 'PHB', 'SLOT', '28', ''),
  prefix: fc.constantFrom('CPU ', 'LMB ', 'PHB ', 'U9080.HEX.1234567-V1-C', ''),
  start: fc.oneof(u32, fc.constantFrom(0, 0x10000000, 0x20000000, 0x80000000, 0xfffffffe), fc.integer({ min: 0x80000000, max: 0x80000040 })),
  suffix: fc.oneof(u32, fc.integer({ min: 0, max: 64 })),
  count: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(0, -1, 0x80000000)),
  inc: fc.oneof(fc.constantFrom(0, 1, 2, 8), u32),
  domain: u32,
});
const encodeSets = (sets: { type: string; prefix: string; start: number; suffix: number; count: number; inc: number; domain: number }[], countCell = sets.length) =>
  cat(be32(countCell), ...sets.map((x) => cat(str(x.type, x.prefix), be32(x.start, x.suffix, x.count >>> 0, x.inc, x.domain))));
/** set k+1 starting next to the last index of set k (before, on or after it): touching and overlapping runs */
const chained = fc.array(fc.tuple(drcSet, fc.integer({ min: -1, max: 1 }), fc.constantFrom(1, 2, 8), fc.integer({ min: 1, max: 40 })), { maxLength: 6 }).map((xs) => {
  let next = 0x80000000;
  return xs.map(([x, d, inc, count]) => {
    const start = (next + d) >>> 0;
    next = (start + (count - 1) * inc) >>> 0;
    return { ...x, start, inc, count };
  });
});
/** a property: well-formed sets, sometimes cut short, a wrong set count or trailing bytes */
const drcInfoBytes = fc
  .tuple(fc.oneof(fc.array(drcSet, { maxLength: 8 }), chained), fc.integer({ min: -2, max: 2 }), fc.nat(60), fc.boolean())
  .map(([sets, countDelta, cut, doCut]) => {
    const b = encodeSets(sets, Math.max(0, sets.length + countDelta));
    return doCut ? b.subarray(0, Math.max(0, b.length - cut)) : b;
  });

describe('ibm,drc-info computed from its sets (same results as the full expansion)', () => {
  it('entries, index -> entry map, find and the C view equal the expanded list (random and broken sets)', () => {
    fc.assert(
      fc.property(drcInfoBytes, fc.array(u32, { maxLength: 8 }), (bytes, probes) => {
        const want = expandedDrcInfo(bytes);
        const r = decodeDrcInfo(bytes, '/');
        expect(r.entries.length).toBe(want.length);
        expect([...r.entries]).toEqual(want);
        expect(r.entries.map((e) => e.name)).toEqual(want.map((e) => e.name));
        const sets = drcInfoSetsOf(r.entries)!;
        expect(sets.count).toBe(want.length);
        const wantMap = new Map<number, DrcEntry>();
        for (const e of want) if (!wantMap.has(e.index)) wantMap.set(e.index, e);
        const m = drcByIndex({ format: 'drc-info', ...r });
        expect(m.size).toBe(wantMap.size);
        expect([...m]).toEqual([...wantMap]);
        expect([...m.keys()]).toEqual([...wantMap.keys()]);
        expect([...m.values()]).toEqual([...wantMap.values()]);
        const each: [number, DrcEntry][] = [];
        m.forEach((v, k) => each.push([k, v]));
        expect(each).toEqual([...wantMap]);
        // present indexes, their neighbours, random ones
        for (const x of [...want.slice(0, 50).flatMap((e) => [e.index, e.index + 1, e.index - 1]), ...probes]) {
          expect(m.get(x)).toEqual(wantMap.get(x));
          expect(m.has(x)).toBe(wantMap.has(x));
          expect(drcFind(r.entries, x)).toEqual(want.find((e) => e.index === x));
        }
        const list = { format: 'drc-info' as const, ...r };
        const n = new DtNode('x', new DtNode(''));
        n.setProp('ibm,drc-info', bytes);
        expect(drcListForC(n, list).entries?.map((e) => ({ ...e }))).toEqual(want.length ? want : undefined);
      }),
      fuzzParams(400),
    );
  }, fuzzTimeout());
  it('behaves as an array everywhere: JSON, slice, spread, keys, in, mutation', () => {
    const v = cat(be32(2), drcInfoSet('PHB', 'PHB ', 0x20000001, 1, 3, 1, 0xffffffff), drcInfoSet('CPU', 'CPU ', 0x10000000, 0, 2, 8, 0));
    const want = expandedDrcInfo(v);
    const e = decodeDrcInfo(v, '/').entries;
    expect(Array.isArray(e)).toBe(true);
    expect(JSON.stringify(e)).toBe(JSON.stringify(want));
    expect(e.slice(1, 3)).toEqual(want.slice(1, 3));
    expect(Object.keys(e)).toEqual(['0', '1', '2', '3', '4']);
    expect(3 in e && !(5 in e) && !('01' in e)).toBe(true);
    expect(e[5]).toBeUndefined();
    expect(e.at(-1)).toEqual(want.at(-1));
    expect(e.findIndex((x) => x.name === 'CPU 8')).toBe(4);
    const f = decodeDrcInfo(v, '/').entries;
    f.push({ index: 1, name: 'X', type: 'T', powerDomain: 0 });
    expect(f).toEqual([...want, { index: 1, name: 'X', type: 'T', powerDomain: 0 }]);
    f[0]!.name = 'renamed';
    expect(f[0]!.name).toBe('renamed');
    const m = drcByIndex({ format: 'drc-info', entries: decodeDrcInfo(v, '/').entries, findings: [] });
    m.set(7, { index: 7, name: 'seven', type: 'T', powerDomain: 0 });
    m.delete(0x20000002);
    expect([...m.keys()]).toEqual([0x20000001, 0x20000003, 0x10000000, 0x10000008, 7]);
  });
  it('a set of 2^20 connectors costs nothing until asked (was 1.6 s to name them all)', () => {
    const v = cat(be32(3), drcInfoSet('CPU', 'CPU ', 0x10000000, 0, 1024, 8, 0xffffffff), drcInfoSet('MEM', 'LMB ', 0x80000000, 0, MAX_DRC_ENTRIES - 1024 - 64, 1, 0xffffffff), drcInfoSet('PHB', 'PHB ', 0x20000000, 0, 64, 1, 0xffffffff));
    const t0 = performance.now();
    const l = drcListOfNode(nodeWith(v));
    const m = drcByIndex(l);
    let named = 0;
    for (let k = 0; k < 10_000; k++) if (m.get((0x80000000 + k * 97) >>> 0)?.name === `LMB ${k * 97}`) named++;
    const ms = performance.now() - t0;
    expect(l.entries.length).toBe(MAX_DRC_ENTRIES);
    expect(named).toBe(10_000);
    expect(m.get(0x20000000 + 63)?.name).toBe('PHB 63');
    expect(drcFind(l.entries, 0x10000000 + 8 * 1023)?.name).toBe('CPU 8184');
    expect(m.size).toBe(MAX_DRC_ENTRIES);
    expect(ms).toBeLessThan(400);
  });
  it('overlapping sets and an increment of 0: the first entry of an index wins, as in the expanded map', () => {
    const v = cat(be32(3), drcInfoSet('A', 'a', 10, 0, 3, 0, 0), drcInfoSet('B', 'b', 8, 0, 4, 1, 0), drcInfoSet('C', 'c', 0xfffffffe, 0, 4, 1, 0));
    const l = drcListOfNode(nodeWith(v));
    const m = drcByIndex(l);
    expect([...m].map(([k, e]) => [k, e.name])).toEqual([[10, 'a0'], [8, 'b0'], [9, 'b1'], [11, 'b3'], [0xfffffffe, 'c0'], [0xffffffff, 'c1'], [0, 'c2'], [1, 'c3']]);
    expect(m.size).toBe(8);
    expect(drcFind(l.entries, 10)?.name).toBe('a0');
    expect(drcFind(l.entries, 0)?.name).toBe('c2');
  });
});

function nodeWith(drcInfo: Uint8Array): DtNode {
  const n = new DtNode('cpus', new DtNode(''));
  n.setProp('ibm,drc-info', drcInfo);
  return n;
}
