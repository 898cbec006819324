// Pair the LMBs of two tables. By DRC index first (the identity the kernel and
// drmgr use), never by position or v2 set. LMBs whose DRC index is not a real DRC
// (QEMU's boot RAM: DRC_INVALID, drc 0 repeated in v1, 0,1,2... in an expanded v2
// set) are paired by address instead, so a v1 <-> v2 change does not show them as
// removed and added.
import { LmbFlag, type Lmb } from '../model/lmb.js';

export interface LmbMatch {
  /** before index paired with each after index, -1 when none */
  beforeOfAfter: Int32Array;
  /** before indexes with no partner, ascending */
  removed: number[];
  /** after indexes with no partner, ascending */
  added: number[];
}

function drcUsable(l: Lmb): boolean {
  return (l.flags & LmbFlag.DRC_INVALID) === 0;
}

/** DRC indexes of the usable LMBs strictly increasing (PowerVM and QEMU tables are) */
function increasing(lmbs: readonly Lmb[]): boolean {
  let prev = -1;
  for (const l of lmbs) {
    if (!drcUsable(l)) continue;
    if (l.drcIndex <= prev) return false;
    prev = l.drcIndex;
  }
  return true;
}

export function matchLmbs(before: readonly Lmb[], after: readonly Lmb[]): LmbMatch {
  const bTaken = new Uint8Array(before.length);
  const beforeOfAfter = new Int32Array(after.length).fill(-1);
  const link = (bi: number, ai: number) => {
    bTaken[bi] = 1;
    beforeOfAfter[ai] = bi;
  };

  // pass 1: DRC index, when it occurs exactly once on both sides and is a real DRC there
  if (increasing(before) && increasing(after)) {
    // the common case: a linear merge join, no hashing (262,144 LMBs in a few ms)
    let i = 0;
    let j = 0;
    while (i < before.length && j < after.length) {
      const b = before[i]!;
      const a = after[j]!;
      if (!drcUsable(b)) i++;
      else if (!drcUsable(a)) j++;
      else if (b.drcIndex === a.drcIndex) link(i++, j++);
      else if (b.drcIndex < a.drcIndex) i++;
      else j++;
    }
  } else {
    // DRC indexes are >= 0x80000000: as int32 they stay V8 small integers
    const bByDrc = uniqueIndex(before, (l) => (drcUsable(l) ? l.drcIndex | 0 : undefined));
    const aByDrc = uniqueIndex(after, (l) => (drcUsable(l) ? l.drcIndex | 0 : undefined));
    for (const [drc, ai] of aByDrc) {
      const bi = bByDrc.get(drc);
      if (ai >= 0 && bi !== undefined && bi >= 0) link(bi, ai);
    }
  }
  // pass 2: address, among what is left (unique on both sides)
  const restB: number[] = [];
  const restA: number[] = [];
  for (let i = 0; i < before.length; i++) if (!bTaken[i]) restB.push(i);
  for (let i = 0; i < after.length; i++) if (beforeOfAfter[i]! < 0) restA.push(i);
  if (restB.length && restA.length) {
    const bByAddr = uniqueIndexOf(before, restB, (l) => l.address);
    const aByAddr = uniqueIndexOf(after, restA, (l) => l.address);
    for (const [addr, ai] of aByAddr) {
      const bi = bByAddr.get(addr);
      if (ai >= 0 && bi !== undefined && bi >= 0) link(bi, ai);
    }
    // pass 3: k-th remaining occurrence of a DRC index before <-> k-th after
    const queue = new Map<number, number[]>();
    for (const i of restB) {
      if (bTaken[i]) continue;
      const d = before[i]!.drcIndex | 0;
      let q = queue.get(d);
      if (!q) queue.set(d, (q = []));
      q.push(i);
    }
    for (const i of restA) {
      if (beforeOfAfter[i]! >= 0) continue;
      const bi = queue.get(after[i]!.drcIndex | 0)?.shift();
      if (bi !== undefined) link(bi, i);
    }
  }
  const added: number[] = [];
  for (let i = 0; i < after.length; i++) if (beforeOfAfter[i]! < 0) added.push(i);
  const removed: number[] = [];
  for (let i = 0; i < before.length; i++) if (!bTaken[i]) removed.push(i);
  return { beforeOfAfter, removed, added };
}

/** key -> index when the key occurs once, -1 when it repeats */
function uniqueIndex<K>(lmbs: readonly Lmb[], key: (l: Lmb) => K | undefined): Map<K, number> {
  const m = new Map<K, number>();
  for (let i = 0; i < lmbs.length; i++) {
    const k = key(lmbs[i]!);
    if (k === undefined) continue;
    m.set(k, m.has(k) ? -1 : i);
  }
  return m;
}

function uniqueIndexOf<K>(lmbs: readonly Lmb[], which: readonly number[], key: (l: Lmb) => K): Map<K, number> {
  const m = new Map<K, number>();
  for (const i of which) {
    const k = key(lmbs[i]!);
    m.set(k, m.has(k) ? -1 : i);
  }
  return m;
}
