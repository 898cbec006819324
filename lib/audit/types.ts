// The audit's plug-in surface: a check reads the snapshots/steps and returns
// findings. Other modules add checks with registerCheck() (and their codes with
// registerCode() in catalogue.ts).
import type { Snapshot } from '../diff/diff.js';
import { runLabel } from '../diff/lmb-diff.js';
import { LmbFlag } from '../model/lmb.js';
import { sizeAt, type LmbColumnTable } from '../model/lmb-columns.js';
import type { Finding } from '../model/finding.js';
import type { Step } from './steps.js';

export interface AuditContext {
  /** oldest first; boot FDT snapshots included */
  snapshots: readonly Snapshot[];
  steps: readonly Step[];
}

export interface AuditCheck {
  id: string;
  /** codes this check can emit (all in the catalogue) */
  codes: readonly string[];
  run(ctx: AuditContext): Finding[];
}

/** "80000010" / "80000010–8000001f" (lsslot-style DRC index, no 0x) */
export function drcRange(first: number, last: number): string {
  const f = first.toString(16).padStart(8, '0');
  return first === last ? f : `${f}–${last.toString(16).padStart(8, '0')}`;
}

/** Compact run list of DRC indexes: "80000008–8000000b, 80000010" (at most `max` runs, then "…") */
export function drcRuns(drcs: readonly number[], max = 8): string {
  const sorted = [...drcs].sort((a, b) => a - b);
  const runs: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(drcRange(sorted[i]!, sorted[j]!));
    i = j + 1;
  }
  return runs.length > max ? `${runs.slice(0, max).join(', ')}, … (${runs.length} runs)` : runs.join(', ');
}

export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

export function bytesText(n: bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  let v = n;
  while (u < units.length - 1 && v >= 1024n && v % 1024n === 0n) {
    v /= 1024n;
    u++;
  }
  return `${v} ${units[u]}`;
}

/**
 * Compact run list of LMBs given as rows of a table: "80000008–8000000b, 80000010", and
 * LMBs without a real DRC index (DRC_INVALID, or a DRC index repeated, as v1 boot RAM
 * repeats drc 0) by address: "@0x0–0x7fffffff". At most `max` runs, then "…".
 */
export function rowsText(t: LmbColumnTable, rows: readonly number[], max = 8): string {
  const sorted = [...new Set(rows)].sort((a, b) => a - b);
  const seen = new Map<number, number>();
  for (const k of sorted) seen.set(t.drc[k]! | 0, (seen.get(t.drc[k]! | 0) ?? 0) + 1);
  const invalid = (k: number) => (t.flags[k]! & LmbFlag.DRC_INVALID) !== 0 || seen.get(t.drc[k]! | 0)! > 1;
  const lmb = (k: number) => ({ drcIndex: t.drc[k]!, address: t.address[k]!, size: sizeAt(t, k) });
  const runs: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const inv = invalid(sorted[i]!);
    let j = i;
    while (j + 1 < sorted.length) {
      const a = sorted[j]!;
      const b = sorted[j + 1]!;
      if (invalid(b) !== inv) break;
      if (inv ? t.address[b]! !== t.address[a]! + sizeAt(t, a) : t.drc[b]! !== t.drc[a]! + 1) break;
      j++;
    }
    let text = runLabel(lmb(sorted[i]!), lmb(sorted[j]!), j - i + 1, inv);
    // a connector flagged DRC_INVALID (e.g. by a hypervisor update) that keeps a real, unique
    // DRC index: name it by address and by that index, so findings that see it from the other
    // side of a step (where it is a plain connector) name the same LMBs
    if (inv && realDrcRun(t, sorted, i, j, seen)) text += ` (DRC ${runLabel(lmb(sorted[i]!), lmb(sorted[j]!), j - i + 1, false)})`;
    runs.push(text);
    i = j + 1;
  }
  return runs.length > max ? `${runs.slice(0, max).join(', ')}, … (${runs.length} runs)` : runs.join(', ');
}

/** rows sorted[i..j] carry unique DRC indexes that look like real connectors (type bits set, stepping by 1) */
function realDrcRun(t: LmbColumnTable, sorted: readonly number[], i: number, j: number, seen: ReadonlyMap<number, number>): boolean {
  for (let x = i; x <= j; x++) {
    const drc = t.drc[sorted[x]!]!;
    // QEMU's DRC_INVALID boot RAM: drc 0 repeated (v1) or 0, 1, 2... (v2 expansion): no type bits
    if (drc < 0x10000000 || seen.get(drc | 0)! > 1) return false;
    if (x > i && drc !== t.drc[sorted[x - 1]!]! + 1) return false;
  }
  return true;
}
