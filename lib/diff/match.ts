// Pair the LMBs of two tables. By DRC index first (the identity the kernel and
// drmgr use), never by position or v2 set. LMBs whose DRC index is not a real DRC
// (QEMU's boot RAM: DRC_INVALID, drc 0 repeated in v1, 0,1,2... in an expanded v2
// set) are paired by address instead, so a v1 <-> v2 change does not show them as
// removed and added. Works on the columns (no object per LMB).
import { LmbFlag } from '../model/lmb.js';
import type { LmbColumnTable } from '../model/lmb-columns.js';

export interface LmbMatch {
  /** before index paired with each after index, -1 when none */
  beforeOfAfter: Int32Array;
  /** before indexes with no partner, ascending */
  removed: number[];
  /** after indexes with no partner, ascending */
  added: number[];
}

/** DRC indexes of the usable LMBs strictly increasing (PowerVM and QEMU tables are) */
function increasing(t: LmbColumnTable): boolean {
  const { drc, flags } = t;
  let prev = -1;
  for (let k = 0; k < t.count; k++) {
    if (flags[k]! & LmbFlag.DRC_INVALID) continue;
    if (drc[k]! <= prev) return false;
    prev = drc[k]!;
  }
  return true;
}

export function matchLmbs(before: LmbColumnTable, after: LmbColumnTable): LmbMatch {
  const nb = before.count;
  const na = after.count;
  const bTaken = new Uint8Array(nb);
  const beforeOfAfter = new Int32Array(na).fill(-1);
  const link = (bi: number, ai: number) => {
    bTaken[bi] = 1;
    beforeOfAfter[ai] = bi;
  };
  const bDrc = before.drc;
  const aDrc = after.drc;
  const bFlags = before.flags;
  const aFlags = after.flags;

  // pass 1: DRC index, when it occurs exactly once on both sides and is a real DRC there
  if (increasing(before) && increasing(after)) {
    // the common case: a linear merge join, no hashing (262,144 LMBs in a few ms)
    let i = 0;
    let j = 0;
    while (i < nb && j < na) {
      if (bFlags[i]! & LmbFlag.DRC_INVALID) i++;
      else if (aFlags[j]! & LmbFlag.DRC_INVALID) j++;
      else if (bDrc[i] === aDrc[j]) link(i++, j++);
      else if (bDrc[i]! < aDrc[j]!) i++;
      else j++;
    }
  } else {
    // DRC indexes are >= 0x80000000: as int32 they stay V8 small integers
    const bByDrc = uniqueDrcIndex(before);
    const aByDrc = uniqueDrcIndex(after);
    for (const [drc, ai] of aByDrc) {
      const bi = bByDrc.get(drc);
      if (ai >= 0 && bi !== undefined && bi >= 0) link(bi, ai);
    }
  }
  // pass 2: address, among what is left (unique on both sides), only where the DRC index is not
  // a real DRC on at least one side (DRC_INVALID: QEMU's boot RAM, drc 0 repeated in v1 and
  // 0,1,2... in v2; a connector the hypervisor turned into one). Two real, different DRC
  // indexes at one address are different connectors: an entry gone and a new entry.
  const invalid = (bi: number, ai: number) => ((bFlags[bi]! | aFlags[ai]!) & LmbFlag.DRC_INVALID) !== 0;
  const restB: number[] = [];
  const restA: number[] = [];
  for (let i = 0; i < nb; i++) if (!bTaken[i]) restB.push(i);
  for (let i = 0; i < na; i++) if (beforeOfAfter[i]! < 0) restA.push(i);
  if (restB.length && restA.length) {
    const bByAddr = uniqueAddressIndex(before, restB);
    const aByAddr = uniqueAddressIndex(after, restA);
    for (const [addr, ai] of aByAddr) {
      const bi = bByAddr.get(addr);
      if (ai >= 0 && bi !== undefined && bi >= 0 && invalid(bi, ai)) link(bi, ai);
    }
    // pass 3: k-th remaining occurrence of a DRC index before <-> k-th after
    const queue = new Map<number, number[]>();
    for (const i of restB) {
      if (bTaken[i]) continue;
      const d = bDrc[i]! | 0;
      let q = queue.get(d);
      if (!q) queue.set(d, (q = []));
      q.push(i);
    }
    for (const i of restA) {
      if (beforeOfAfter[i]! >= 0) continue;
      const bi = queue.get(aDrc[i]! | 0)?.shift();
      if (bi !== undefined) link(bi, i);
    }
  }
  const added: number[] = [];
  for (let i = 0; i < na; i++) if (beforeOfAfter[i]! < 0) added.push(i);
  const removed: number[] = [];
  for (let i = 0; i < nb; i++) if (!bTaken[i]) removed.push(i);
  return { beforeOfAfter, removed, added };
}

/** drc (as int32) -> index when the DRC index occurs once among the usable LMBs, -1 when it repeats */
function uniqueDrcIndex(t: LmbColumnTable): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < t.count; i++) {
    if (t.flags[i]! & LmbFlag.DRC_INVALID) continue;
    const k = t.drc[i]! | 0;
    m.set(k, m.has(k) ? -1 : i);
  }
  return m;
}

function uniqueAddressIndex(t: LmbColumnTable, which: readonly number[]): Map<bigint, number> {
  const m = new Map<bigint, number>();
  for (const i of which) {
    const k = t.address[i]!;
    m.set(k, m.has(k) ? -1 : i);
  }
  return m;
}
