// LMB-level changes between two tables: added / removed LMBs and, per matched
// pair, every field that differs (address, aa index, node as each side's lookup
// arrays imply it, assignment, each other flag bit, sysfs block and its node).
import { lmbFlagNames } from '../decode/lmb-flags.js';
import { LmbFlag } from '../model/lmb.js';
import { aaAt, addressWords, BLOCKS_UNLISTED, NO_NODE, nodeAt, sizeAt, type LmbColumnTable } from '../model/lmb-columns.js';
import { matchLmbs } from './match.js';

export type LmbField = 'drcIndex' | 'address' | 'size' | 'aaIndex' | 'node' | 'assigned' | 'flag' | 'reserved' | 'sysfsBlock' | 'sysfsNode';

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
  /** indexes into the before / after tables */
  beforeIndex?: number;
  afterIndex?: number;
  changes: LmbFieldChange[];
}

/** Deltas in after order (changed + added), then removed ones in before order. */
export function diffLmbs(before: LmbColumnTable, after: LmbColumnTable): LmbDelta[] {
  const m = matchLmbs(before, after);
  const out: LmbDelta[] = [];
  const pairByAfter = m.beforeOfAfter;
  const cmp = new PairCompare(before, after);
  for (let ai = 0; ai < after.count; ai++) {
    const bi = pairByAfter[ai]!;
    if (bi < 0) {
      out.push({ kind: 'added', drcIndex: after.drc[ai]!, address: after.address[ai]!, size: sizeAt(after, ai), afterIndex: ai, changes: [] });
      continue;
    }
    if (cmp.same(bi, ai)) continue;
    const changes = lmbChanges(before, bi, after, ai);
    if (changes.length) out.push({ kind: 'changed', drcIndex: after.drc[ai]!, address: after.address[ai]!, size: sizeAt(after, ai), beforeIndex: bi, afterIndex: ai, changes });
  }
  for (const bi of m.removed) out.push({ kind: 'removed', drcIndex: before.drc[bi]!, address: before.address[bi]!, size: sizeAt(before, bi), beforeIndex: bi, changes: [] });
  return out;
}

/** Equal in every column lmbChanges() looks at: nothing to report, nothing allocated (most pairs). */
class PairCompare {
  private readonly bWords: Uint32Array;
  private readonly aWords: Uint32Array;
  private readonly sizesEqual: boolean;
  private readonly blocks: boolean;
  private readonly bRes: Uint32Array | undefined;
  private readonly aRes: Uint32Array | undefined;
  constructor(
    private readonly b: LmbColumnTable,
    private readonly a: LmbColumnTable,
  ) {
    this.bWords = addressWords(b);
    this.aWords = addressWords(a);
    this.sizesEqual = b.size !== null && b.size === a.size;
    this.blocks = b.block !== null && a.block !== null;
    this.bRes = reservedColumn(b);
    this.aRes = reservedColumn(a);
  }
  same(bi: number, ai: number): boolean {
    const { b, a } = this;
    if (b.flags[bi] !== a.flags[ai] || b.drc[bi] !== a.drc[ai] || b.node[bi] !== a.node[ai]) return false;
    if (this.bWords[2 * bi] !== this.aWords[2 * ai] || this.bWords[2 * bi + 1] !== this.aWords[2 * ai + 1]) return false;
    if (!this.sizesEqual || b.aa === null || a.aa === null || b.aa[bi] !== a.aa[ai]) return false;
    if (this.bRes && this.aRes && this.bRes[bi] !== this.aRes[ai]) return false;
    if (this.blocks) {
      const x = b.block![bi]!;
      const y = a.block![ai]!;
      // lmbChanges compares presence and, when both have one, the first block's node
      if (x !== BLOCKS_UNLISTED && y !== BLOCKS_UNLISTED && x !== y) return false;
    }
    return true;
  }
}

/** the v1 reserved cell of every LMB (v2 and memory@ tables have none) */
export function reservedColumn(t: LmbColumnTable): Uint32Array | undefined {
  return t.drconf?.format === 'v1' ? t.drconf.lmbs?.reserved : undefined;
}

/** every field of before[bi] -> after[ai] that differs, in a fixed order */
export function lmbChanges(B: LmbColumnTable, bi: number, A: LmbColumnTable, ai: number): LmbFieldChange[] {
  const c: LmbFieldChange[] = [];
  const bFlags = B.flags[bi]!;
  const aFlags = A.flags[ai]!;
  const bAssigned = (bFlags & LmbFlag.ASSIGNED) !== 0;
  const aAssigned = (aFlags & LmbFlag.ASSIGNED) !== 0;
  if (bAssigned !== aAssigned) c.push({ field: 'assigned', before: bAssigned, after: aAssigned });
  const bothDrcInvalid = (bFlags & aFlags & LmbFlag.DRC_INVALID) !== 0;
  // a DRC_INVALID LMB's index is not a real DRC (v2 expansion numbers them 0,1,2...)
  if (B.drc[bi] !== A.drc[ai] && !bothDrcInvalid) c.push({ field: 'drcIndex', before: B.drc[bi]!, after: A.drc[ai]! });
  const bAddr = B.address[bi]!;
  const aAddr = A.address[ai]!;
  if (bAddr !== aAddr) c.push({ field: 'address', before: bAddr, after: aAddr });
  const bSize = sizeAt(B, bi);
  const aSize = sizeAt(A, ai);
  if (bSize !== aSize) c.push({ field: 'size', before: bSize, after: aSize });
  const bAa = aaAt(B, bi);
  const aAa = aaAt(A, ai);
  if (bAa !== aAa) c.push({ field: 'aaIndex', before: bAa, after: aAa });
  if (B.node[bi] !== A.node[ai]) c.push({ field: 'node', before: nodeAt(B, bi), after: nodeAt(A, ai) });
  const diffBits = (bFlags ^ aFlags) & ~LmbFlag.ASSIGNED;
  if (diffBits) {
    const named = lmbFlagNames(diffBits);
    for (const name of named) c.push({ field: 'flag', flag: name, before: (bFlags & LmbFlag[name]) !== 0, after: (aFlags & LmbFlag[name]) !== 0 });
    let unknown = diffBits;
    for (const name of named) unknown &= ~LmbFlag[name];
    for (let bit = 1; unknown; bit = (bit << 1) >>> 0) {
      if (unknown & bit) {
        c.push({ field: 'flag', flag: `0x${bit.toString(16)}`, before: (bFlags & bit) !== 0, after: (aFlags & bit) !== 0 });
        unknown &= ~bit;
      }
    }
  }
  // v1 only: the cell firmware may set and drmem_update_dt_v1 always writes as 0
  const bRes = reservedColumn(B);
  const aRes = reservedColumn(A);
  if (bRes && aRes && bRes[bi] !== aRes[ai]) c.push({ field: 'reserved', before: bRes[bi]!, after: aRes[ai]! });
  const bBlock = B.block === null ? BLOCKS_UNLISTED : B.block[bi]!;
  const aBlock = A.block === null ? BLOCKS_UNLISTED : A.block[ai]!;
  if (bBlock !== BLOCKS_UNLISTED && aBlock !== BLOCKS_UNLISTED) {
    const bp = bBlock >= NO_NODE;
    const ap = aBlock >= NO_NODE;
    if (bp !== ap) c.push({ field: 'sysfsBlock', before: bp, after: ap });
    else if (bp && ap) {
      const bn = bBlock === NO_NODE ? null : bBlock;
      const an = aBlock === NO_NODE ? null : aBlock;
      if (bn !== an) c.push({ field: 'sysfsNode', before: bn, after: an });
    }
  }
  return c;
}

/** Signature of a delta without what naturally varies along a run (drc, address). */
export function deltaSignature(d: LmbDelta): string {
  const parts = d.changes.map((ch) => {
    if (ch.field === 'address') return `address+${(BigInt(ch.after as bigint) - BigInt(ch.before as bigint)).toString()}`;
    // the DRC indexes of a run step by 0 or 1 on each side (groupRuns checks): a renumbering by a
    // constant, DRC_INVALID boot RAM (drc 0 repeated) given real indexes or the other way round
    if (ch.field === 'drcIndex') return 'drc';
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

/** the DRC index of a delta before the change (changed entries: its drcIndex change, if any) */
export function drcBefore(d: LmbDelta): number {
  const c = d.changes.find((x) => x.field === 'drcIndex');
  return c ? (c.before as number) : d.drcIndex;
}

/** the size of a delta's LMB before the change */
function sizeBefore(d: LmbDelta): bigint {
  const c = d.changes.find((x) => x.field === 'size');
  return c ? (c.before as bigint) : d.size;
}

/** b directly follows a: DRC indexes step by 0 or 1 on both sides, addresses contiguous (by the old or the new LMB size) */
function follows(a: LmbDelta, b: LmbDelta): boolean {
  const stepAfter = (b.drcIndex - a.drcIndex) >>> 0;
  const stepBefore = (drcBefore(b) - drcBefore(a)) >>> 0;
  if (stepAfter > 1 || stepBefore > 1) return false;
  return b.address === a.address + a.size || b.address === a.address + sizeBefore(a);
}

/** Group consecutive deltas (drc index + 1 or repeated, contiguous addresses, same signature) into runs, for human output. */
export function groupRuns(deltas: readonly LmbDelta[]): DeltaRun[] {
  const runs: DeltaRun[] = [];
  let cur: DeltaRun | undefined;
  let sig = '';
  for (const d of deltas) {
    const s = deltaSignature(d);
    if (cur && s === sig && follows(cur.last, d)) {
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

/**
 * How to name a run of LMBs: "80000010–8000001f" (DRC indexes), or by address
 * ("@0x0–0x7fffffff") when the LMBs have no real DRC index (DRC_INVALID in `table`,
 * the side the run is read from) or share one (v1 boot RAM repeats drc 0).
 */
export function runLabel(first: { drcIndex: number; address: bigint }, last: { drcIndex: number; address: bigint; size: bigint }, count: number, invalid: boolean): string {
  const h = (n: number) => n.toString(16).padStart(8, '0');
  if (invalid || (count > 1 && first.drcIndex === last.drcIndex)) return `@0x${first.address.toString(16)}–0x${(last.address + last.size - 1n).toString(16)}`;
  return first.drcIndex === last.drcIndex ? h(first.drcIndex) : `${h(first.drcIndex)}–${h(last.drcIndex)}`;
}

/** the LMB of a delta has no real DRC index on the side it is read from (after; before for removed entries) */
export function deltaDrcInvalid(d: LmbDelta, before: LmbColumnTable, after: LmbColumnTable): boolean {
  const f = d.kind === 'removed' ? before.flags[d.beforeIndex!]! : after.flags[d.afterIndex!]!;
  return (f & LmbFlag.DRC_INVALID) !== 0;
}
