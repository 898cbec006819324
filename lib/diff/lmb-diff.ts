// LMB-level changes between two tables: added / removed LMBs and, per matched
// pair, every field that differs (address, aa index, node as each side's lookup
// arrays imply it, assignment, each other flag bit, sysfs block and its node).
import { lmbFlagNames } from '../decode/lmb-flags.js';
import { LmbFlag, type Lmb, type LmbTable } from '../model/lmb.js';
import { matchLmbs } from './match.js';

export type LmbField = 'drcIndex' | 'address' | 'size' | 'aaIndex' | 'node' | 'assigned' | 'flag' | 'sysfsBlock' | 'sysfsNode';

export interface LmbFieldChange {
  field: LmbField;
  /** flag name ("HOTREMOVABLE") or unknown bit ("0x200") for field "flag" */
  flag?: string;
  before: number | bigint | boolean | null;
  after: number | bigint | boolean | null;
}

export interface LmbDelta {
  kind: 'added' | 'removed' | 'changed';
  drcIndex: number;
  address: bigint;
  size: bigint;
  /** indexes into before.lmbs / after.lmbs */
  beforeIndex?: number;
  afterIndex?: number;
  changes: LmbFieldChange[];
}

/** Deltas in after order (changed + added), then removed ones in before order. */
export function diffLmbs(before: LmbTable, after: LmbTable): LmbDelta[] {
  const m = matchLmbs(before.lmbs, after.lmbs);
  const out: LmbDelta[] = [];
  const pairByAfter = m.beforeOfAfter;
  for (let ai = 0; ai < after.lmbs.length; ai++) {
    const a = after.lmbs[ai]!;
    const bi = pairByAfter[ai]!;
    if (bi < 0) {
      out.push({ kind: 'added', drcIndex: a.drcIndex, address: a.address, size: a.size, afterIndex: ai, changes: [] });
      continue;
    }
    const changes = lmbChanges(before.lmbs[bi]!, a);
    if (changes.length) out.push({ kind: 'changed', drcIndex: a.drcIndex, address: a.address, size: a.size, beforeIndex: bi, afterIndex: ai, changes });
  }
  for (const bi of m.removed) {
    const b = before.lmbs[bi]!;
    out.push({ kind: 'removed', drcIndex: b.drcIndex, address: b.address, size: b.size, beforeIndex: bi, changes: [] });
  }
  return out;
}

export function lmbChanges(b: Lmb, a: Lmb): LmbFieldChange[] {
  const c: LmbFieldChange[] = [];
  if (b.assigned !== a.assigned) c.push({ field: 'assigned', before: b.assigned, after: a.assigned });
  const bothDrcInvalid = (b.flags & a.flags & LmbFlag.DRC_INVALID) !== 0;
  // a DRC_INVALID LMB's index is not a real DRC (v2 expansion numbers them 0,1,2...)
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
    else if (bp && ap) {
      const bn = b.blocks[0]!.node;
      const an = a.blocks[0]!.node;
      if (bn !== an) c.push({ field: 'sysfsNode', before: bn, after: an });
    }
  }
  return c;
}

/** Signature of a delta without what naturally varies along a run (drc, address). */
export function deltaSignature(d: LmbDelta): string {
  const parts = d.changes.map((ch) => {
    if (ch.field === 'address') return `address+${(BigInt(ch.after as bigint) - BigInt(ch.before as bigint)).toString()}`;
    if (ch.field === 'drcIndex') return `drc+${(ch.after as number) - (ch.before as number)}`;
    return `${ch.field}${ch.flag ? `:${ch.flag}` : ''}=${String(ch.before)}>${String(ch.after)}`;
  });
  return `${d.kind}|${d.size}|${parts.join(',')}`;
}

export interface DeltaRun {
  first: LmbDelta;
  last: LmbDelta;
  count: number;
  /** total bytes of the LMBs in the run */
  bytes: bigint;
}

/** Group consecutive deltas (drc index + 1, same signature) into runs, for human output. */
export function groupRuns(deltas: readonly LmbDelta[]): DeltaRun[] {
  const runs: DeltaRun[] = [];
  let cur: DeltaRun | undefined;
  let sig = '';
  for (const d of deltas) {
    const s = deltaSignature(d);
    if (cur && s === sig && (d.drcIndex === ((cur.last.drcIndex + 1) >>> 0) || d.drcIndex === cur.last.drcIndex) && d.address === cur.last.address + cur.last.size) {
      cur.last = d;
      cur.count++;
      cur.bytes += d.size;
      continue;
    }
    cur = { first: d, last: d, count: 1, bytes: d.size };
    sig = s;
    runs.push(cur);
  }
  return runs;
}
