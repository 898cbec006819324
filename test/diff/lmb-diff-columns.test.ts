// diffLmbs works on the column tables (no Lmb objects); its field changes must be
// what comparing the two Lmb records gives. The oracle below is the object-wise
// comparison diffLmbs used to do, run on lmbTableFromTree's records.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lmbFlagNames } from '../../lib/decode/lmb-flags.js';
import { diffLmbs, type LmbFieldChange } from '../../lib/diff/lmb-diff.js';
import { matchLmbs } from '../../lib/diff/match.js';
import { memFileView, type MemEntry } from '../../lib/dt/file-view.js';
import { LmbFlag, type Lmb } from '../../lib/model/lmb.js';
import { lmbColumnsFromTree, lmbTableFromTree } from '../../lib/model/lmbs-from-tree.js';
import { MB256, memoryNode, pseriesTree, v1Entry, v2Set } from '../model/tree-builder.js';

function oracle(b: Lmb, a: Lmb): LmbFieldChange[] {
  const c: LmbFieldChange[] = [];
  if (b.assigned !== a.assigned) c.push({ field: 'assigned', before: b.assigned, after: a.assigned });
  const bothDrcInvalid = (b.flags & a.flags & LmbFlag.DRC_INVALID) !== 0;
  if (b.drcIndex !== a.drcIndex && !bothDrcInvalid) c.push({ field: 'drcIndex', before: b.drcIndex, after: a.drcIndex });
  if (b.address !== a.address) c.push({ field: 'address', before: b.address, after: a.address });
  if (b.size !== a.size) c.push({ field: 'size', before: b.size, after: a.size });
  if (b.aaIndex !== a.aaIndex) c.push({ field: 'aaIndex', before: b.aaIndex, after: a.aaIndex });
  if (b.node !== a.node) c.push({ field: 'node', before: b.node, after: a.node });
  const diffBits = (b.flags ^ a.flags) & ~LmbFlag.ASSIGNED;
  if (diffBits) {
    const named = lmbFlagNames(diffBits);
    for (const name of named) c.push({ field: 'flag', flag: name, before: (b.flags & LmbFlag[name]) !== 0, after: (a.flags & LmbFlag[name]) !== 0 });
    let unknown = diffBits;
    for (const name of named) unknown &= ~LmbFlag[name];
    for (let bit = 1; unknown; bit = (bit << 1) >>> 0) {
      if (unknown & bit) {
        c.push({ field: 'flag', flag: `0x${bit.toString(16)}`, before: (b.flags & bit) !== 0, after: (a.flags & bit) !== 0 });
        unknown &= ~bit;
      }
    }
  }
  if (b.blocks !== undefined && a.blocks !== undefined) {
    const bp = b.blocks.length > 0;
    const ap = a.blocks.length > 0;
    if (bp !== ap) c.push({ field: 'sysfsBlock', before: bp, after: ap });
    else if (bp && ap && b.blocks[0]!.node !== a.blocks[0]!.node) c.push({ field: 'sysfsNode', before: b.blocks[0]!.node, after: a.blocks[0]!.node });
  }
  return c;
}

const enc = new TextEncoder();
function sysfs(blocks: Map<number, number | null>) {
  const m = new Map<string, MemEntry>();
  m.set('/sys/devices/system/memory/block_size_bytes', { kind: 'file', data: enc.encode('10000000\n') });
  m.set('/sys/devices/system/memory', { kind: 'dir' });
  for (const [id, nid] of blocks) {
    m.set(`/sys/devices/system/memory/memory${id}/state`, { kind: 'file', data: enc.encode('online\n') });
    if (nid !== null) m.set(`/sys/devices/system/memory/memory${id}/node${nid}`, { kind: 'dir' });
  }
  return memFileView(m, 'sysfs');
}

const LOOKUPS = [
  [3, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xffff],
  [3, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1],
];
const lmb = fc.record({
  drc: fc.oneof(fc.integer({ min: 0, max: 12 }).map((i) => 0x80000000 + i), fc.constant(0)),
  aa: fc.constantFrom(0, 1, 2, 5, 0xffffffff),
  flags: fc.constantFrom(0, 0x8, 0x108, 0x20, 0x28, 0x48, 0xa0, 0x208),
  slot: fc.integer({ min: 0, max: 14 }),
});
type SynLmb = { drc: number; aa: number; flags: number; slot: number };
interface Side {
  format: 'v1' | 'v2';
  lmbSize: bigint;
  lookup: number;
  lmbs: SynLmb[];
  blocks: [number, number | null][] | null;
  bootRam: boolean;
}
const blocksArb = fc.option(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.constantFrom<number | null>(0, 1, null)), { maxLength: 20 }));
const side = fc.record({
  format: fc.constantFrom('v1' as const, 'v2' as const),
  lmbSize: fc.constantFrom(MB256, MB256 * 2n),
  lookup: fc.constantFrom(0, 1),
  lmbs: fc.array(lmb, { maxLength: 14 }),
  blocks: blocksArb,
  bootRam: fc.boolean(),
});
/** a later snapshot of `s`: a few LMBs changed, the rest as they were; other arrays, other blocks, maybe */
const later = (s: Side) =>
  fc.record({
    format: fc.constantFrom(s.format, s.format, 'v1' as const, 'v2' as const),
    lmbSize: fc.constantFrom(s.lmbSize, s.lmbSize, MB256),
    lookup: fc.constantFrom(s.lookup, 0, 1),
    lmbs: fc.tuple(...s.lmbs.map((l) => fc.oneof({ weight: 3, arbitrary: fc.constant(l) }, { weight: 1, arbitrary: lmb.map((m) => ({ ...l, ...(m.slot % 3 === 0 ? { aa: m.aa } : m.slot % 3 === 1 ? { flags: m.flags } : { drc: m.drc, slot: m.slot }) })) }))),
    extra: fc.array(lmb, { maxLength: 2 }),
    blocks: fc.oneof(fc.constant(s.blocks), blocksArb, fc.constant(s.blocks?.map(([id, n]): [number, number | null] => [id, n === 0 ? 1 : n === 1 ? null : 0]) ?? null)),
    bootRam: fc.constantFrom(s.bootRam, s.bootRam, !s.bootRam),
  }).map(({ extra, lmbs, ...r }): Side => ({ ...r, lmbs: [...lmbs, ...extra] }));

function build(s: Side) {
  const entries = s.lmbs.map((l) => (s.format === 'v1' ? v1Entry(BigInt(l.slot) * MB256, l.drc, l.aa, l.flags) : v2Set(1, BigInt(l.slot) * MB256, l.drc, l.aa, l.flags)));
  const t = pseriesTree({ form: 1, refPoints: [4, 3, 2, 1], lookup: LOOKUPS[s.lookup], maxDomains: [4, 2, 2, 2, 2], lmbSize: s.lmbSize, ...(s.format === 'v1' ? { v1: entries } : { v2: entries }) });
  if (s.bootRam) {
    t.root.children.delete('ibm,dynamic-reconfiguration-memory');
    memoryNode(t, 0n, MB256, [4, 0, 0, 0, 1], 0x80000001);
    memoryNode(t, MB256, 2n * MB256, [4, 0, 0, 0, 0]);
  }
  const files = s.blocks ? sysfs(new Map(s.blocks)) : undefined;
  return { cols: lmbColumnsFromTree(t, files), objs: lmbTableFromTree(t, files) };
}

describe('diffLmbs on columns = field-by-field comparison of the Lmb records', () => {
  it('random pairs of tables (property)', () => {
    fc.assert(
      fc.property(side.chain((b) => fc.tuple(fc.constant(b), later(b))), ([sb, sa]) => {
        const b = build(sb);
        const a = build(sa);
        const deltas = diffLmbs(b.cols, a.cols);
        const m = matchLmbs(b.cols, a.cols);
        const want = new Map<number, LmbFieldChange[]>();
        for (let ai = 0; ai < a.cols.count; ai++) {
          const bi = m.beforeOfAfter[ai]!;
          if (bi >= 0) want.set(ai, oracle(b.objs.lmbs[bi]!, a.objs.lmbs[ai]!));
        }
        for (const d of deltas) {
          if (d.kind !== 'changed') continue;
          expect(d.changes).toEqual(want.get(d.afterIndex!));
          const l = a.objs.lmbs[d.afterIndex!]!;
          expect([d.drcIndex, d.address, d.size]).toEqual([l.drcIndex, l.address, l.size]);
        }
        const changed = new Set(deltas.filter((d) => d.kind === 'changed').map((d) => d.afterIndex));
        for (const [ai, ch] of want) if (!changed.has(ai)) expect(ch).toEqual([]);
        expect(deltas.filter((d) => d.kind === 'added').map((d) => d.afterIndex)).toEqual(m.added);
        expect(deltas.filter((d) => d.kind === 'removed').map((d) => d.beforeIndex)).toEqual(m.removed);
      }),
      { numRuns: 400 },
    );
  });
});
