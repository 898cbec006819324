// One step = what happened between two consecutive snapshots: which LMBs a DLPAR
// added/removed, whether the kernel evidently rewrote the property (drmem_update_dt
// runs at the end of every memory DLPAR) and whether the hypervisor did (LPM/PRRN).
import { bytesEqual, getNode } from '../dt/tree.js';
import type { Snapshot } from '../diff/diff.js';
import { diffLmbs, type LmbDelta } from '../diff/lmb-diff.js';
import { diffNuma, onlyAppended, type NumaDiff } from '../diff/numa-diff.js';
import type { DrconfLmbs } from '../model/drconf.js';
import { blocksListed } from '../model/lmb-columns.js';
import { v2Canonical } from '../diff/encoding.js';

export { v2Canonical };

export interface Evidence {
  /** stable key: "dlpar", "lookup-appended", "lookup-changed", ... */
  kind: string;
  text: string;
}

export interface Step {
  /** snapshots[index - 1] -> snapshots[index] */
  index: number;
  from: Snapshot;
  to: Snapshot;
  /** the boot FDTs differ: the kernel re-read everything from firmware */
  reboot: boolean;
  lmbs: LmbDelta[];
  numa: NumaDiff;
  /** DRC indexes whose assignment changed (DLPAR add / remove) */
  added: number[];
  removed: number[];
  /** LMB deltas that are not a DLPAR but changed aa index, flags or the ASSIGNED bit */
  other: LmbDelta[];
  kernelRewrite: Evidence[];
  hypervisorUpdate: Evidence[];
}

const DRCONF = '/ibm,dynamic-reconfiguration-memory';

/** the drconf properties as decoded (v2 sets, v1 reserved cells): the table keeps what it was built from */
export function rawDrconf(s: Snapshot): DrconfLmbs | undefined {
  return s.table.drconf;
}

export function v1ReservedNonZero(d: DrconfLmbs | undefined): number {
  const r = d?.format === 'v1' ? d.lmbs?.reserved : undefined;
  if (!r) return 0;
  let n = 0;
  for (let i = 0; i < r.length; i++) if (r[i] !== 0) n++;
  return n;
}

function lmbPropBytes(s: Snapshot): Uint8Array | undefined {
  const n = getNode(s.tree, DRCONF);
  return n?.prop('ibm,dynamic-memory') ?? n?.prop('ibm,dynamic-memory-v2');
}

/**
 * A DLPAR add/remove: the assignment changed and, when both snapshots have a sysfs
 * view, the memory block appeared/disappeared with it (the kernel adds/removes the
 * block in the same request). An ASSIGNED flip with the block unchanged is the
 * hypervisor's flag (PAPR: ASSIGNED marks LMBs present at boot), not a DLPAR.
 */
export function isDlpar(d: LmbDelta, from: Snapshot, to: Snapshot): boolean {
  if (d.kind !== 'changed' || !d.changes.some((c) => c.field === 'assigned')) return false;
  if (!blocksListed(from.table, d.beforeIndex!) || !blocksListed(to.table, d.afterIndex!)) return true;
  return d.changes.some((c) => c.field === 'sysfsBlock');
}

export function buildSteps(snapshots: readonly Snapshot[]): Step[] {
  const steps: Step[] = [];
  for (let i = 1; i < snapshots.length; i++) steps.push(buildStep(i, snapshots[i - 1]!, snapshots[i]!));
  return steps;
}

export function buildStep(index: number, from: Snapshot, to: Snapshot): Step {
  const lmbs = diffLmbs(from.table, to.table);
  const numa = diffNuma(from.table.numa, to.table.numa);
  const added: number[] = [];
  const removed: number[] = [];
  const other: LmbDelta[] = [];
  let entriesChanged = 0;
  for (const d of lmbs) {
    if (d.kind !== 'changed') {
      entriesChanged++;
      continue;
    }
    if (isDlpar(d, from, to)) (d.changes.some((c) => c.field === 'assigned' && c.after === true) ? added : removed).push(d.drcIndex);
    else if (d.changes.some((c) => c.field === 'aaIndex' || c.field === 'flag' || c.field === 'assigned')) other.push(d);
  }
  const reboot = from.bootId !== undefined && to.bootId !== undefined && from.bootId !== to.bootId;
  const step: Step = { index, from, to, reboot, lmbs, numa, added, removed, other, kernelRewrite: [], hypervisorUpdate: [] };
  if (reboot) return step;

  const k = step.kernelRewrite;
  const h = step.hypervisorUpdate;
  if (added.length || removed.length) k.push({ kind: 'dlpar', text: `${added.length} LMB(s) hot-added and ${removed.length} hot-removed (every memory DLPAR ends with drmem_update_dt rewriting the whole property)` });
  const la = numa.lookupArrays;
  if (la && onlyAppended(la)) k.push({ kind: 'lookup-appended', text: `${la.appended.length} lookup array(s) appended at the end (kernel find_aa_index on DLPAR add)` });
  else if (la) h.push({ kind: 'lookup-changed', text: `lookup arrays replaced (${la.countBefore ?? 'none'} -> ${la.countAfter ?? 'none'} arrays, ${la.changed.length} changed in place)` });
  if (numa.referencePoints || numa.form) h.push({ kind: 'numa-changed', text: 'affinity form or reference points changed' });
  if (entriesChanged) {
    // the kernel writes the LMB set it read at boot: in a DLPAR interval a different set
    // means it replaced the one the hypervisor had sent; otherwise the hypervisor changed it
    if (added.length || removed.length) k.push({ kind: 'lmb-set-rewritten', text: `${entriesChanged} LMB entr(y/ies) appeared or disappeared in a DLPAR interval (drmem_update_dt writes the LMB set read at boot, whatever the hypervisor sent since)` });
    else h.push({ kind: 'lmb-set-changed', text: `${entriesChanged} LMB entr(y/ies) appeared or disappeared (the kernel never changes the LMB count)` });
  }

  const rf = rawDrconf(from);
  const rt = rawDrconf(to);
  const bf = lmbPropBytes(from);
  const bt = lmbPropBytes(to);
  const propChanged = bf !== undefined && bt !== undefined && !bytesEqual(bf, bt);
  if (propChanged && rt?.format === 'v1' && rf?.format === 'v1') {
    const nzBefore = v1ReservedNonZero(rf);
    const nzAfter = v1ReservedNonZero(rt);
    if (nzBefore > 0 && nzAfter === 0) k.push({ kind: 'v1-reserved-zeroed', text: `${nzBefore} non-zero v1 reserved cell(s) became 0 (drmem_update_dt_v1 never copies them)` });
    else if (nzAfter > 0) h.push({ kind: 'v1-reserved-set', text: `${nzAfter} v1 reserved cell(s) are non-zero (the kernel writes 0)` });
  }
  if (propChanged && rt?.format === 'v2') {
    const cb = v2Canonical(rf);
    const ca = v2Canonical(rt);
    if (ca === false) h.push({ kind: 'v2-non-canonical', text: 'the new v2 property has adjacent sets with equal aa index and flags, which drmem_update_dt_v2 never writes' });
    else if (ca === true && cb === false) k.push({ kind: 'v2-regrouped', text: 'v2 sets were regrouped into canonical (aa index, flags) runs' });
  }
  if (rf && rt && rf.format !== rt.format && rf.format !== 'none' && rt.format !== 'none') h.push({ kind: 'format-changed', text: `property format ${rf.format} -> ${rt.format}` });
  if (!added.length && !removed.length && other.length) h.push({ kind: 'lmbs-changed-without-dlpar', text: `${other.length} LMB(s) changed aa index or flags with no DLPAR in the interval` });
  return step;
}

/** DRC indexes whose non-zero v1 reserved cell became 0 in this step */
export function zeroedReserved(st: Step): number[] {
  const f = rawDrconf(st.from)?.lmbs;
  const t = rawDrconf(st.to)?.lmbs;
  if (!f?.reserved || !t?.reserved) return [];
  const had = new Map<number, number>();
  for (let i = 0; i < f.count; i++) if (f.reserved[i] !== 0) had.set(f.drc[i]! | 0, f.reserved[i]!);
  const out: number[] = [];
  for (let i = 0; i < t.count; i++) if (t.reserved[i] === 0 && had.has(t.drc[i]! | 0)) out.push(t.drc[i]!);
  return out;
}
