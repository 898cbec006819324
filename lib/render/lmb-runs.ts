// Compress LMB columns into runs of LMBs with equal aa_index and flags whose
// drc index steps by 0 or 1 and address by a fixed positive stride: how `show`
// summarises a 262,144-entry v1 property in a few lines.
import type { LmbArrays } from '../decode/lmb-arrays.js';

export interface Run {
  count: number;
  base: bigint;
  drc: number;
  aa: number;
  flags: number;
  /** 1 when drc indexes increase inside the run, 0 when repeated (QEMU v1 boot entries all have drc 0) */
  drcStep?: number;
  addressStep?: bigint;
}

export function lmbRuns(a: LmbArrays): Run[] {
  const runs: Run[] = [];
  let cur: Run | undefined;
  for (let i = 0; i < a.count; i++) {
    const base = a.base[i]!;
    const drc = a.drc[i]!;
    const aa = a.aa[i]!;
    const flags = a.flags[i]!;
    if (cur && aa === cur.aa && flags === cur.flags) {
      if (cur.count === 1) {
        const ds = (drc - cur.drc) >>> 0;
        if ((ds === 0 || ds === 1) && base > cur.base) {
          cur.drcStep = ds;
          cur.addressStep = base - cur.base;
          cur.count++;
          continue;
        }
      } else if (drc === ((cur.drc + cur.drcStep! * cur.count) >>> 0) && base === cur.base + cur.addressStep! * BigInt(cur.count)) {
        cur.count++;
        continue;
      }
    }
    cur = { count: 1, base, drc, aa, flags };
    runs.push(cur);
  }
  return runs;
}
