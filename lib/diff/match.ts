// Pair the LMBs of two tables. By DRC index first (the identity the kernel and
// drmgr use), never by position or v2 set. LMBs whose DRC index is not a real DRC
// (QEMU's boot RAM: DRC_INVALID, drc 0 repeated in v1, 0,1,2... in an expanded v2
// set) are paired by address instead, so a v1 <-> v2 change does not show them as
// removed and added.
import { LmbFlag, type Lmb } from '../model/lmb.js';

export interface LmbMatch {
  /** pairs of indexes into before.lmbs / after.lmbs, in after order then removed */
  pairs: Array<[number, number]>;
  removed: number[];
  added: number[];
}

function drcUsable(l: Lmb): boolean {
  return (l.flags & LmbFlag.DRC_INVALID) === 0;
}

export function matchLmbs(before: readonly Lmb[], after: readonly Lmb[]): LmbMatch {
  const bTaken = new Uint8Array(before.length);
  const aTaken = new Uint8Array(after.length);
  const pairOfAfter = new Int32Array(after.length).fill(-1);

  // pass 1: DRC index, when it occurs exactly once on both sides and is a real DRC there
  const bByDrc = countIndex(before, (l) => (drcUsable(l) ? l.drcIndex : undefined));
  const aByDrc = countIndex(after, (l) => (drcUsable(l) ? l.drcIndex : undefined));
  for (const [drc, ai] of aByDrc) {
    const bi = bByDrc.get(drc);
    if (ai >= 0 && bi !== undefined && bi >= 0) link(bi, ai);
  }
  // pass 2: address, among what is left (unique on both sides)
  const bByAddr = countIndex(before, (l, i) => (bTaken[i] ? undefined : l.address));
  const aByAddr = countIndex(after, (l, i) => (aTaken[i] ? undefined : l.address));
  for (const [addr, ai] of aByAddr) {
    const bi = bByAddr.get(addr);
    if (ai >= 0 && bi !== undefined && bi >= 0) link(bi, ai);
  }
  // pass 3: k-th remaining occurrence of a DRC index before <-> k-th after
  const queue = new Map<number, number[]>();
  for (let i = 0; i < before.length; i++) {
    if (bTaken[i]) continue;
    const d = before[i]!.drcIndex;
    let q = queue.get(d);
    if (!q) queue.set(d, (q = []));
    q.push(i);
  }
  for (let i = 0; i < after.length; i++) {
    if (aTaken[i]) continue;
    const q = queue.get(after[i]!.drcIndex);
    const bi = q?.shift();
    if (bi !== undefined) link(bi, i);
  }

  const pairs: Array<[number, number]> = [];
  const added: number[] = [];
  for (let i = 0; i < after.length; i++) {
    const bi = pairOfAfter[i]!;
    if (bi >= 0) pairs.push([bi, i]);
    else added.push(i);
  }
  const removed: number[] = [];
  for (let i = 0; i < before.length; i++) if (!bTaken[i]) removed.push(i);
  return { pairs, removed, added };

  function link(bi: number, ai: number): void {
    bTaken[bi] = 1;
    aTaken[ai] = 1;
    pairOfAfter[ai] = bi;
  }
}

/** key -> index when the key occurs once, -1 when it repeats */
function countIndex<K>(lmbs: readonly Lmb[], key: (l: Lmb, i: number) => K | undefined): Map<K, number> {
  const m = new Map<K, number>();
  for (let i = 0; i < lmbs.length; i++) {
    const k = key(lmbs[i]!, i);
    if (k === undefined) continue;
    m.set(k, m.has(k) ? -1 : i);
  }
  return m;
}
