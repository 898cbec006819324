// One step = what happened between two consecutive snapshots: which LMBs a DLPAR
// added/removed, whether the kernel evidently rewrote the property (drmem_update_dt
// runs at the end of every memory DLPAR) and whether the hypervisor did (LPM/PRRN).
import { bytesEqual, getNode } from '../dt/tree.js';
import type { Snapshot } from '../diff/diff.js';
import { diffLmbs, type LmbDelta } from '../diff/lmb-diff.js';
import { diffNuma, onlyAppended, type NumaDiff } from '../diff/numa-diff.js';
import type { DrconfLmbs } from '../model/drconf.js';
import { blocksListed } from '../model/lmb-columns.js';
import { analyseKernel, zeroedReservedRows, type StepKernel } from './kernel-table.js';
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
  /** the boot FDTs differ (or, without boot FDTs, /chosen boot-time properties do): the kernel re-read everything from firmware */
  reboot: boolean;
  /** what shows the reboot when no boot FDTs tell ("/chosen/bootargs differs") */
  rebootEvidence?: string;
  lmbs: LmbDelta[];
  numa: NumaDiff;
  /** DRC indexes whose assignment changed (DLPAR add / remove) */
  added: number[];
  removed: number[];
  /** LMB deltas that are not a DLPAR but changed aa index, flags or the ASSIGNED bit */
  other: LmbDelta[];
  kernelRewrite: Evidence[];
  hypervisorUpdate: Evidence[];
  /** what the kernel's table explains in this step (set by buildSteps, lib/audit/kernel-table.ts) */
  kernel?: StepKernel;
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
  analyseKernel(snapshots[0], steps);
  return steps;
}

/**
 * /chosen properties the boot path writes once (firmware, prom_init, the boot loader) and
 * nothing rewrites at run time (an LPM does not touch /chosen): different values mean
 * another boot. Used only when a side has no boot FDT to compare.
 */
const BOOT_TIME_CHOSEN = ['bootargs', 'linux,initrd-start', 'linux,initrd-end', 'linux,kernel-end', 'linux,booted-from-kexec', 'linux,elfcorehdr', 'linux,crashkernel-base', 'linux,crashkernel-size', 'qemu,boot-kernel', 'rng-seed', 'kaslr-seed'];

export function chosenRebootEvidence(from: Snapshot, to: Snapshot): string | undefined {
  const a = getNode(from.tree, '/chosen');
  const b = getNode(to.tree, '/chosen');
  if (!a || !b) return undefined;
  const differ = BOOT_TIME_CHOSEN.filter((p) => {
    const x = a.prop(p);
    const y = b.prop(p);
    return x !== undefined && y !== undefined && !bytesEqual(x, y);
  });
  return differ.length ? `/chosen ${differ.join(', ')} differ${differ.length === 1 ? 's' : ''}` : undefined;
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
  const bothBootIds = from.bootId !== undefined && to.bootId !== undefined;
  const rebootEvidence = bothBootIds ? undefined : chosenRebootEvidence(from, to);
  const reboot = bothBootIds ? from.bootId !== to.bootId : rebootEvidence !== undefined;
  const step: Step = { index, from, to, reboot, lmbs, numa, added, removed, other, kernelRewrite: [], hypervisorUpdate: [] };
  if (rebootEvidence) step.rebootEvidence = rebootEvidence;
  if (reboot) return step;

  const k = step.kernelRewrite;
  const h = step.hypervisorUpdate;
  if (added.length || removed.length) k.push({ kind: 'dlpar', text: `${added.length} LMB(s) hot-added and ${removed.length} hot-removed (every memory DLPAR ends with drmem_update_dt rewriting the whole property)` });
  const la = numa.lookupArrays;
  // the kernel appends an array only inside a DLPAR add, for the associativity of an LMB it adds
  // (find_aa_index), and a DLPAR remove sets the LMB's aa index to 0xffffffff: every appended
  // index is the aa index of an LMB hot-added here, or of none (added and removed again within
  // the interval, or an add that failed). One that an LMB not hot-added here uses, the hypervisor
  // appended.
  const appended = la && onlyAppended(la) ? la.appended : [];
  const addedAa = new Set<number>();
  const usedAa = new Set<number>();
  const addedSet = new Set(added.map((x) => x | 0));
  const t = to.table;
  if (appended.length && t.aa) for (let r = 0; r < t.count; r++) (addedSet.has(t.drc[r]! | 0) ? addedAa : usedAa).add(t.aa[r]!);
  const unused = appended.filter((x) => !addedAa.has(x.index) && !usedAa.has(x.index));
  const idx = (xs: typeof appended) => xs.map((x) => `[${x.index}]`).join(', ');
  if (appended.length && appended.every((x) => addedAa.has(x.index))) k.push({ kind: 'lookup-appended', text: `${appended.length} lookup array(s) appended at the end for hot-added LMBs (kernel find_aa_index on DLPAR add)` });
  else if (appended.length && !added.length && !removed.length && unused.length === appended.length)
    // no DLPAR visible: only a hidden add + remove explains an array nobody uses without the hypervisor
    // having sent it; a hypervisor could append one too, hence no certain verdict rests on this alone
    k.push({ kind: 'lookup-appended-unused', text: `${appended.length} lookup array(s) appended at the end (${idx(appended)}) that no LMB uses: the kernel's find_aa_index for a DLPAR add whose LMB was removed again in this interval (an add and a remove leave no other trace), or an add that failed` });
  else if (appended.length) {
    const used = appended.filter((x) => usedAa.has(x.index));
    h.push({
      kind: 'lookup-appended-by-hypervisor',
      text: used.length
        ? `${appended.length} lookup array(s) appended at the end (${idx(appended)}), ${idx(used)} used by LMBs this interval did not hot-add: the kernel appends only for a DLPAR add's associativity, so the hypervisor did`
        : `${appended.length} lookup array(s) appended at the end (${idx(appended)}) that no LMB hot-added in this interval uses: the kernel appends only for a DLPAR add's associativity, so the hypervisor did (or a DLPAR add whose LMB was removed again in this interval)`,
    });
  }
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
  return zeroedReservedRows(st).map((k) => st.to.table.drc[k]!);
}
