// DRC index -> row of its first LMB in a column table, without a Map entry per
// LMB when the table's DRC indexes are strictly increasing (firmware tables
// are): then a check of the row the caller expects (same layout on both sides)
// and a binary search otherwise.
import type { LmbColumnTable } from '../model/lmb-columns.js';

export interface DrcLookup {
  /** the first row holding `drc`, -1 when none; `hint`: the row to try first */
  rowOf(drc: number, hint: number): number;
}

const cache = new WeakMap<LmbColumnTable, DrcLookup>();

export function drcLookup(t: LmbColumnTable): DrcLookup {
  let l = cache.get(t);
  if (!l) cache.set(t, (l = build(t)));
  return l;
}

function build(t: LmbColumnTable): DrcLookup {
  const drc = t.drc;
  const n = t.count;
  let increasing = true;
  for (let k = 1; k < n && increasing; k++) if (drc[k]! <= drc[k - 1]!) increasing = false;
  if (increasing) {
    return {
      rowOf(d, hint) {
        if (hint >= 0 && hint < n && drc[hint] === d) return hint;
        let lo = 0;
        let hi = n - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          const v = drc[mid]!;
          if (v < d) lo = mid + 1;
          else if (v > d) hi = mid - 1;
          else return mid;
        }
        return -1;
      },
    };
  }
  // int32 keys: DRC indexes >= 0x80000000 would be heap numbers as Map keys
  const m = new Map<number, number>();
  for (let k = 0; k < n; k++) if (!m.has(drc[k]! | 0)) m.set(drc[k]! | 0, k);
  return {
    rowOf: (d) => m.get(d | 0) ?? -1,
  };
}
