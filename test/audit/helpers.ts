// Synthetic snapshots for diff/audit tests: a small pseries tree (drconf node,
// lookup arrays, reference points, vec5 form bit) plus an optional sysfs view,
// run through the real model (lmbColumnsFromTree) so tests see what commands see.
import type { Snapshot } from '../../lib/diff/diff.js';
import { memFileView, type MemEntry } from '../../lib/dt/file-view.js';
import { ensureNode, newTree, type DtTree } from '../../lib/dt/tree.js';
import { encodeLookupArrays, encodeV1, encodeV2 } from '../../lib/model/kernel-rewrite.js';
import { lmbColumnsFromTree } from '../../lib/model/lmbs-from-tree.js';
import type { LmbArrays } from '../../lib/decode/lmb-arrays.js';

export const LMB = 0x10000000n;
export const D = (n: number) => 0x80000000 + n;

export interface SynLmb {
  drc: number;
  aa: number;
  flags: number;
  /** base address; default drc-based (index * 256 MiB) */
  base?: bigint;
  reserved?: number;
}

export interface SynSpec {
  label: string;
  lmbs: SynLmb[];
  arrays: number[][];
  form?: 1 | 2;
  format?: 'v1' | 'v2';
  /** raw v2 sets instead of the canonical encoding: [seq, base, drc, aa, flags] */
  v2Sets?: Array<[number, bigint, number, number, number]>;
  /** sysfs memory blocks: block id -> node; undefined = no sysfs view */
  sysfs?: Record<number, number>;
  origin?: Snapshot['origin'];
  bootId?: string;
  /** extra root properties (e.g. to make the generic diff see something) */
  rootProps?: Record<string, Uint8Array>;
}

/** n consecutive LMBs starting at DRC 0x80000000 + first */
export function run(first: number, n: number, aa: number, flags: number): SynLmb[] {
  return Array.from({ length: n }, (_, i) => ({ drc: D(first + i), aa, flags }));
}

function arraysOf(lmbs: SynLmb[]): LmbArrays {
  const n = lmbs.length;
  const a: LmbArrays = { count: n, base: new BigUint64Array(n), drc: new Uint32Array(n), aa: new Uint32Array(n), flags: new Uint32Array(n) };
  lmbs.forEach((l, i) => {
    a.base[i] = l.base ?? BigInt(l.drc - 0x80000000) * LMB;
    a.drc[i] = l.drc;
    a.aa[i] = l.aa;
    a.flags[i] = l.flags;
  });
  return a;
}

function u32s(...v: number[]): Uint8Array {
  const b = new Uint8Array(4 * v.length);
  const dv = new DataView(b.buffer);
  v.forEach((x, i) => dv.setUint32(4 * i, x >>> 0));
  return b;
}

export function synTree(spec: SynSpec): DtTree {
  const form = spec.form ?? 2;
  const width = spec.arrays[0]?.length ?? (form === 2 ? 1 : 4);
  const t = newTree();
  t.root.setProp('#address-cells', u32s(2));
  t.root.setProp('#size-cells', u32s(2));
  for (const [k, v] of Object.entries(spec.rootProps ?? {})) t.root.setProp(k, v);
  const vec5 = new Uint8Array(24);
  vec5[0] = 22;
  vec5[2] = 0x20;
  vec5[5] = form === 2 ? 0x20 : 0x80;
  ensureNode(t, '/chosen').setProp('ibm,architecture-vec-5', vec5);
  ensureNode(t, '/rtas').setProp('ibm,associativity-reference-points', form === 2 ? u32s(1) : u32s(4, 3, 2, 1));
  const dr = ensureNode(t, '/ibm,dynamic-reconfiguration-memory');
  dr.setProp('ibm,lmb-size', u32s(0, Number(LMB)));
  dr.setProp('ibm,associativity-lookup-arrays', encodeLookupArrays(width, spec.arrays));
  const a = arraysOf(spec.lmbs);
  if ((spec.format ?? 'v2') === 'v1') {
    const v1 = encodeV1(a);
    const dv = new DataView(v1.buffer);
    spec.lmbs.forEach((l, i) => dv.setUint32(4 + 24 * i + 12, l.reserved ?? 0));
    dr.setProp('ibm,dynamic-memory', v1);
  } else if (spec.v2Sets) {
    const b = new Uint8Array(4 + 24 * spec.v2Sets.length);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, spec.v2Sets.length);
    spec.v2Sets.forEach(([seq, base, drc, aa, flags], i) => {
      const o = 4 + 24 * i;
      dv.setUint32(o, seq);
      dv.setBigUint64(o + 4, base);
      dv.setUint32(o + 12, drc);
      dv.setUint32(o + 16, aa >>> 0);
      dv.setUint32(o + 20, flags);
    });
    dr.setProp('ibm,dynamic-memory-v2', b);
  } else dr.setProp('ibm,dynamic-memory-v2', encodeV2(a));
  return t;
}

function sysfsView(blocks: Record<number, number>) {
  const m = new Map<string, MemEntry>();
  const enc = new TextEncoder();
  m.set('/sys/devices/system/memory/block_size_bytes', { kind: 'file', data: enc.encode('10000000\n') });
  const byNode = new Map<number, number[]>();
  for (const [id, nid] of Object.entries(blocks)) {
    m.set(`/sys/devices/system/memory/memory${id}/state`, { kind: 'file', data: enc.encode('online\n') });
    const l = byNode.get(nid) ?? [];
    l.push(Number(id));
    byNode.set(nid, l);
  }
  for (const [nid, ids] of byNode) m.set(`/sys/devices/system/node/node${nid}/memory-links`, { kind: 'file', data: enc.encode(ids.map((i) => `memory${i}\n`).join('')) });
  if (byNode.size === 0) m.set('/sys/devices/system/memory', { kind: 'dir' });
  return memFileView(m, 'sysfs');
}

export function snap(spec: SynSpec): Snapshot {
  const tree = synTree(spec);
  const files = spec.sysfs ? sysfsView(spec.sysfs) : undefined;
  const s: Snapshot = { label: spec.label, tree, table: lmbColumnsFromTree(tree, files), origin: spec.origin ?? 'tree' };
  if (spec.bootId) s.bootId = spec.bootId;
  return s;
}

/** sysfs blocks for every ASSIGNED LMB (block id = drc - 0x80000000) on the node its aa names */
export function blocksFor(lmbs: SynLmb[], arrays: number[][]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const l of lmbs) if (l.flags & 8) out[l.drc - 0x80000000] = arrays[l.aa]![arrays[l.aa]!.length - 1]!;
  return out;
}
