// Changes of the NUMA description: affinity form, reference points, primary
// domain index and the associativity lookup arrays (appended at the tail -- what
// the kernel does on DLPAR add -- versus changed in place, which only the
// hypervisor does, e.g. after an LPM).
import type { NumaInfo } from '../model/lmb.js';

export interface LookupArraysDiff {
  countBefore: number | null;
  countAfter: number | null;
  cellsPerArrayBefore: number | null;
  cellsPerArrayAfter: number | null;
  /** indexes present after, absent before, with the earlier arrays unchanged */
  appended: Array<{ index: number; cells: number[] }>;
  /** indexes present on both sides whose cells differ */
  changed: Array<{ index: number; before: number[]; after: number[] }>;
  /** indexes present before, absent after */
  removed: Array<{ index: number; cells: number[] }>;
  /** arrays exist on one side only */
  presence?: 'added' | 'removed';
}

export interface NumaDiff {
  form?: { before: number; after: number };
  referencePoints?: { before: number[]; after: number[] };
  primaryDomainIndex?: { before: number | null; after: number | null };
  lookupArrays?: LookupArraysDiff;
}

function sameCells(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function diffNuma(b: NumaInfo, a: NumaInfo): NumaDiff {
  const d: NumaDiff = {};
  if (b.form !== a.form) d.form = { before: b.form, after: a.form };
  if (!sameCells(b.referencePoints, a.referencePoints)) d.referencePoints = { before: b.referencePoints, after: a.referencePoints };
  if (b.primaryDomainIndex !== a.primaryDomainIndex) d.primaryDomainIndex = { before: b.primaryDomainIndex, after: a.primaryDomainIndex };
  const la = diffLookupArrays(b.lookupArrays, a.lookupArrays);
  if (la) d.lookupArrays = la;
  return d;
}

export function diffLookupArrays(b: NumaInfo['lookupArrays'], a: NumaInfo['lookupArrays']): LookupArraysDiff | undefined {
  if (!b && !a) return undefined;
  const out: LookupArraysDiff = {
    countBefore: b?.count ?? null,
    countAfter: a?.count ?? null,
    cellsPerArrayBefore: b?.cellsPerArray ?? null,
    cellsPerArrayAfter: a?.cellsPerArray ?? null,
    appended: [],
    changed: [],
    removed: [],
  };
  if (!b || !a) {
    out.presence = a ? 'added' : 'removed';
    return out;
  }
  const n = Math.min(b.arrays.length, a.arrays.length);
  for (let i = 0; i < n; i++) if (!sameCells(b.arrays[i]!, a.arrays[i]!)) out.changed.push({ index: i, before: b.arrays[i]!, after: a.arrays[i]! });
  for (let i = n; i < a.arrays.length; i++) out.appended.push({ index: i, cells: a.arrays[i]! });
  for (let i = n; i < b.arrays.length; i++) out.removed.push({ index: i, cells: b.arrays[i]! });
  const same = out.appended.length === 0 && out.changed.length === 0 && out.removed.length === 0 && b.cellsPerArray === a.cellsPerArray && b.count === a.count;
  return same ? undefined : out;
}

/** true when the only change is arrays appended at the end (the kernel's find_aa_index) */
export function onlyAppended(d: LookupArraysDiff | undefined): boolean {
  return d !== undefined && d.presence === undefined && d.changed.length === 0 && d.removed.length === 0 && d.cellsPerArrayBefore === d.cellsPerArrayAfter && d.appended.length > 0;
}
