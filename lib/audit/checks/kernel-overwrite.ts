// kernel-overwrite: the pre-5.15 kernel wrote its stale LMB table over the
// hypervisor's data. Model (kernel.md 3.1, 4.2): drmem_info is read at boot; DLPAR
// add/remove changes only the LMBs it touches (aa index, ASSIGNED); every memory
// DLPAR ends with drmem_update_dt() writing EVERY LMB's aa index and flags from that
// table. Before 5.15 a hypervisor update (LPM) never reached the table. So in an
// interval with a DLPAR, an LMB the DLPAR did not touch can change only if the kernel
// wrote a stale value (or, when an LPM falls in the same interval, because a 5.15+
// kernel kept the hypervisor's value).
import { LmbFlag } from '../../model/lmb.js';
import { aaAt, nodeAt, sizeAt, type LmbColumnTable } from '../../model/lmb-columns.js';
import type { Finding } from '../../model/finding.js';
import { groupRuns, type LmbDelta } from '../../diff/lmb-diff.js';
import type { Snapshot } from '../../diff/diff.js';
import { drcLookup, type DrcLookup } from '../drc-lookup.js';
import { zeroedReserved, type Step } from '../steps.js';
import { drcRange, drcRuns, type AuditCheck, type AuditContext } from '../types.js';

type Confidence = 'certain' | 'likely' | 'possible';

const NOT_ASSIGNED = ~LmbFlag.ASSIGNED;
/** aa index of an LMB without one (legacy memory@ LMBs: aaIndex null) in the kernel's aa column */
const NO_AA = -1;

function aaValue(t: LmbColumnTable, k: number): number {
  return t.aa === null ? NO_AA : t.aa[k]!;
}

/**
 * What the kernel's table holds: aa index and flags per DRC index, column-wise (copied
 * from the snapshot it starts from, plus DRC indexes that snapshot lacks).
 *
 * The kernel's identity of an LMB is its drc_index (drmem_update_lmbs matches on it), even
 * when firmware flags it DRC_INVALID (a hypervisor may set that bit after an LPM, and the
 * kernel writes its own flags back). QEMU's boot-RAM LMBs repeat drc 0 in v1; they never
 * change, so keeping the first is harmless.
 */
class KernelTable {
  private readonly rows: DrcLookup;
  private readonly n: number;
  private readonly aa: Float64Array;
  private readonly flags: Uint32Array;
  /** int32 DRC index -> slot (>= n) of a DRC index the starting snapshot did not have */
  private readonly extraSlot = new Map<number, number>();
  private readonly extraAa: number[] = [];
  private readonly extraFlags: number[] = [];

  constructor(t: LmbColumnTable) {
    this.rows = drcLookup(t);
    this.n = t.count;
    this.aa = t.aa === null ? new Float64Array(t.count).fill(NO_AA) : Float64Array.from(t.aa);
    this.flags = t.flags.slice();
  }

  /** slot of a DRC index, -1 when the kernel's table has none; `hint`: the row it likely has */
  slot(drc: number, hint: number): number {
    const r = this.rows.rowOf(drc, hint);
    if (r >= 0) return r;
    return this.extraSlot.get(drc | 0) ?? -1;
  }

  aaAt(slot: number): number {
    return slot < this.n ? this.aa[slot]! : this.extraAa[slot - this.n]!;
  }

  flagsAt(slot: number): number {
    return slot < this.n ? this.flags[slot]! : this.extraFlags[slot - this.n]!;
  }

  set(drc: number, hint: number, aa: number, flags: number): void {
    let s = this.slot(drc, hint);
    if (s < 0) {
      s = this.n + this.extraAa.length;
      this.extraSlot.set(drc | 0, s);
      this.extraAa.push(aa);
      this.extraFlags.push(flags);
    } else if (s < this.n) {
      this.aa[s] = aa;
      this.flags[s] = flags;
    } else {
      this.extraAa[s - this.n] = aa;
      this.extraFlags[s - this.n] = flags;
    }
  }

  /** LMB k of t holds exactly the kernel's aa index and flags */
  matches(t: LmbColumnTable, k: number): boolean {
    const s = this.slot(t.drc[k]!, k);
    return s >= 0 && this.aaAt(s) === aaValue(t, k) && this.flagsAt(s) === t.flags[k]!;
  }
}

export const kernelOverwriteCheck: AuditCheck = {
  id: 'kernel-overwrite',
  codes: ['kernel-overwrite'],
  run(ctx: AuditContext): Finding[] {
    const out: Finding[] = [];
    const first = ctx.snapshots[0];
    if (!first) return out;
    // what the kernel's table holds, as far as the history tells
    let kernel = new KernelTable(first.table);
    let kernelFromBoot = first.origin === 'boot-fdt';
    // the lookup arrays of the kernel's baseline: a migration back restores them, a kernel rewrite does not
    let baselineArrays = arraysKey(first);
    for (const step of ctx.steps) {
      if (step.reboot) {
        kernel = new KernelTable(step.to.table);
        kernelFromBoot = true;
        baselineArrays = arraysKey(step.to);
        continue;
      }
      const dlpar = step.kernelRewrite.some((e) => e.kind === 'dlpar');
      const rewrite = step.kernelRewrite.length > 0;
      const lpm = step.hypervisorUpdate.filter((e) => e.kind !== 'lmbs-changed-without-dlpar');
      // int32 DRC indexes the interval's DLPAR added or removed
      const dlparred = new Set<number>();
      for (const x of step.added) dlparred.add(x | 0);
      for (const x of step.removed) dlparred.add(x | 0);
      if (rewrite) {
        const byConf = new Map<Confidence, LmbDelta[]>();
        const add = (c: Confidence, d: LmbDelta) => {
          let l = byConf.get(c);
          if (!l) byConf.set(c, (l = []));
          l.push(d);
        };
        const from = step.from.table;
        const to = step.to.table;
        for (const d of candidates(step, dlparred)) {
          const ai = d.afterIndex!;
          const bi = d.beforeIndex!;
          const drc = to.drc[ai]!;
          const kv = kernel.slot(drc, ai);
          const dl = dlparred.has(drc | 0);
          // a DLPAR'd LMB legitimately gets a fresh aa index and ASSIGNED: compare its other flag bits only
          const mask = dl ? NOT_ASSIGNED : 0xffffffff;
          const afterAa = aaValue(to, ai);
          // the aa index is the kernel's stale one (before 5.15) or the hypervisor's it kept
          // (5.15+ drmem_update_lmbs copies aa indexes, never flags); flags are always the kernel's
          const aaOk = dl || (kv >= 0 && kernel.aaAt(kv) === afterAa) || aaValue(from, bi) === afterAa;
          const reverted = kv >= 0 && aaOk && ((kernel.flagsAt(kv) & mask) >>> 0) === ((to.flags[ai]! & mask) >>> 0);
          if (!dlpar) {
            // rewrite seen only through a fingerprint (e.g. add+remove of one LMB)
            if (reverted && lpm.length === 0) add('likely', d);
          } else if (lpm.length === 0) add(reverted ? 'certain' : 'likely', d);
          else if (reverted) add('likely', d);
          // else: an LPM in the same interval explains the new value (a 5.15+ kernel keeps it)
        }
        if (dlpar && lpm.length > 0 && step.other.length === 0) for (const d of hiddenStale(step)) add('possible', d);
        for (const c of ['certain', 'likely', 'possible'] as const) {
          const ds = byConf.get(c);
          if (ds?.length) out.push(finding(step, c, ds, kernelFromBoot));
        }
        // a DLPAR interval with no hypervisor sign where nothing untouched changed although
        // the DT held values the kernel's table did not: the kernel keeps the hypervisor's
        // values (5.15+ drmem_update_lmbs), so follow the tree from here on
        if (dlpar && lpm.length === 0 && !byConf.size && differsFromKernel(step.from.table, kernel)) kernel = new KernelTable(step.to.table);
        const zeroed = zeroedReserved(step);
        if (zeroed.length) out.push(reservedFinding(step, zeroed));
      } else if (step.other.length && lpm.length === 0) {
        // no DLPAR visible (an add and a remove of the same LMB leave no trace) yet every
        // change is a return to exactly what the kernel's table holds: the kernel rewrote,
        // unless the partition migrated back (then the lookup arrays came back too)
        const back = step.other.filter((d) => kernel.matches(step.to.table, d.afterIndex!));
        if (back.length === step.other.length) out.push(finding(step, arraysKey(step.to) === baselineArrays ? 'possible' : 'likely', back, kernelFromBoot, NO_DLPAR_WHY));
      }
      // DLPAR'd LMBs: the kernel set these values itself
      for (const d of step.lmbs) {
        if (d.kind !== 'changed') continue;
        const ai = d.afterIndex!;
        const drc = step.to.table.drc[ai]!;
        if (dlparred.has(drc | 0)) kernel.set(drc, ai, aaValue(step.to.table, ai), step.to.table.flags[ai]!);
      }
    }
    return out;
  },
};

/**
 * LMBs a rewrite interval changed beyond what its DLPAR explains: untouched LMBs with
 * any aa index / flag / ASSIGNED change, DLPAR'd ones with a non-ASSIGNED flag change.
 */
function candidates(step: Step, dlparred: Set<number>): LmbDelta[] {
  const out: LmbDelta[] = [];
  for (const d of step.lmbs) {
    if (d.kind !== 'changed') continue;
    const k = step.to.table.drc[d.afterIndex!]! | 0;
    const flagsChanged = d.changes.some((c) => c.field === 'flag');
    if (dlparred.has(k)) {
      if (flagsChanged) out.push(d);
    } else if (flagsChanged || d.changes.some((c) => c.field === 'aaIndex' || c.field === 'assigned')) out.push(d);
  }
  return out;
}

/**
 * LPM and DLPAR in the same interval on a pre-5.15 kernel: the stale aa indexes are
 * written back, so nothing the DLPAR did not touch changes although the hypervisor
 * replaced the lookup arrays. For an LMB whose aa index K stayed the same, look its
 * old associativity up in the new arrays: found at another index j means the
 * hypervisor, re-indexing, would have written j (unless it also re-homed the LMB);
 * not found, and the array now at K names another node, means K no longer
 * describes the LMB's old placement. Either way K may be a stale kernel value.
 */
function hiddenStale(step: Step): LmbDelta[] {
  const out: LmbDelta[] = [];
  const touched = new Set([...step.added, ...step.removed].map((d) => d | 0));
  const from = step.from.table;
  const to = step.to.table;
  const lb = from.numa.lookupArrays;
  const la = to.numa.lookupArrays;
  if (!lb || !la || to.aa === null || from.aa === null) return out;
  const primary = to.numa.primaryDomainIndex;
  const nodeOf = (cells: readonly number[] | undefined) => (cells && primary !== null ? cells[primary - 1] : undefined);
  const newIndex = new Map<string, number>();
  la.arrays.forEach((a, i) => {
    const key = a.join(',');
    if (!newIndex.has(key)) newIndex.set(key, i);
  });
  // per aa index K: is K possibly stale, and where the old associativity sits now (j)
  const verdict = new Map<number, { stale: boolean; j: number | undefined }>();
  const judge = (aa: number) => {
    let v = verdict.get(aa);
    if (!v) {
      const oldCells = lb.arrays[aa];
      if (oldCells === undefined) v = { stale: false, j: undefined };
      else {
        const j = newIndex.get(oldCells.join(','));
        v = { stale: j !== undefined ? j !== aa : nodeOf(oldCells) !== nodeOf(la.arrays[aa]), j };
      }
      verdict.set(aa, v);
    }
    return v;
  };
  const before = drcLookup(from);
  for (let ai = 0; ai < to.count; ai++) {
    const drc = to.drc[ai]!;
    if (touched.has(drc | 0)) continue;
    const bi = before.rowOf(drc, ai);
    if (bi < 0) continue;
    const aa = to.aa[ai]!;
    if (from.aa[bi] !== aa) continue;
    const { stale, j } = judge(aa);
    if (!stale) continue;
    out.push({
      kind: 'changed',
      drcIndex: drc,
      address: to.address[ai]!,
      size: sizeAt(to, ai),
      beforeIndex: bi,
      afterIndex: ai,
      changes: [
        { field: 'aaIndex', before: aa, after: j ?? null },
        { field: 'node', before: nodeAt(from, bi), after: nodeAt(to, ai) },
      ],
    });
  }
  return out;
}

function arraysKey(s: Snapshot): string {
  const la = s.table.numa.lookupArrays;
  return la ? `${la.cellsPerArray}:${la.arrays.map((a) => a.join(',')).join(';')}` : '';
}

function differsFromKernel(t: LmbColumnTable, kernel: KernelTable): boolean {
  for (let k = 0; k < t.count; k++) {
    const s = kernel.slot(t.drc[k]!, k);
    if (s >= 0 && (kernel.aaAt(s) !== aaValue(t, k) || kernel.flagsAt(s) !== t.flags[k]!)) return true;
  }
  return false;
}

function describeRun(step: Step, d: LmbDelta): Record<string, unknown> {
  const b = step.from.table;
  const a = step.to.table;
  const bi = d.beforeIndex!;
  const ai = d.afterIndex!;
  return { aaIndexBefore: aaAt(b, bi), aaIndexAfter: aaAt(a, ai), nodeBefore: nodeAt(b, bi), nodeAfter: nodeAt(a, ai), flagsBefore: `0x${b.flags[bi]!.toString(16)}`, flagsAfter: `0x${a.flags[ai]!.toString(16)}` };
}

const WHY: Record<Confidence, string> = {
  certain: 'they went back to the values the kernel\'s own table held (read at boot or at the first snapshot, or set by its own DLPAR), and nothing but the DLPAR happened in this interval',
  likely: 'only the kernel writes the property during a DLPAR, but either the values do not match what the history says the kernel held, or an LPM in the same interval could also explain them',
  possible: 'an LPM and a DLPAR fall between the same two snapshots: their aa index stayed the same while the hypervisor replaced the lookup arrays, so the index may be a stale pre-LPM one; a snapshot between the LPM and the DLPAR would tell',
};

const NO_DLPAR_WHY = 'no DLPAR shows between the snapshots (an add and a remove of the same LMB leave none), yet every change is a return to exactly the values the kernel\'s table holds';

function finding(step: Step, confidence: Confidence, ds: LmbDelta[], kernelFromBoot: boolean, why = WHY[confidence]): Finding {
  const grouped = groupRuns(ds);
  const runs = grouped.map((r) => {
    const bDesc = describeRun(step, r.first);
    const expected = confidence === 'possible' ? { expectedAaIndex: r.first.changes.find((c) => c.field === 'aaIndex')?.after ?? null } : {};
    return { first: `0x${r.first.drcIndex.toString(16)}`, last: `0x${r.last.drcIndex.toString(16)}`, count: r.count, ...bDesc, ...expected };
  });
  const lmbs = ds.map((d) => d.drcIndex);
  const shown = grouped
    .slice(0, 6)
    .map((r) => {
      const x = describeRun(step, r.first);
      const range = `LMB ${drcRange(r.first.drcIndex, r.last.drcIndex)}`;
      if (confidence === 'possible') {
        const j = r.first.changes.find((c) => c.field === 'aaIndex')?.after;
        return `${range}: aa ${fmt(x.aaIndexAfter)} kept, now node ${fmt(x.nodeAfter)} instead of ${fmt(x.nodeBefore)}${j !== null && j !== undefined ? ` (its old associativity is now array ${fmt(j)})` : ' (its old associativity is gone from the arrays)'}`;
      }
      return `${range}: aa ${fmt(x.aaIndexBefore)} → ${fmt(x.aaIndexAfter)} (node ${fmt(x.nodeBefore)} → ${fmt(x.nodeAfter)}${x.flagsBefore !== x.flagsAfter ? `, flags ${x.flagsBefore} → ${x.flagsAfter}` : ''})`;
    });
  const what = step.added.length || step.removed.length ? `a memory DLPAR (${step.added.length} LMB(s) added, ${step.removed.length} removed)` : 'a memory DLPAR that left no trace in the snapshots';
  const lead =
    confidence === 'possible'
      ? `between ${step.from.label} and ${step.to.label} the hypervisor replaced the lookup arrays and ${what} made the kernel rewrite the LMB property; ${ds.length} LMB(s) the DLPAR did not touch kept their aa index: ${shown.join('; ')}${runs.length > 6 ? '; …' : ''}. `
      : `between ${step.from.label} and ${step.to.label}, ${what} made the kernel rewrite the LMB property, and ${ds.length} LMB(s) the DLPAR did not add or remove changed: ${shown.join('; ')}${runs.length > 6 ? '; …' : ''}. `;
  const aaChanged = confidence === 'possible' || ds.some((d) => aaAt(step.from.table, d.beforeIndex!) !== aaAt(step.to.table, d.afterIndex!));
  const consequence = aaChanged
    ? `The hypervisor's aa indexes for LMB ${drcRuns(lmbs)} are ${confidence === 'possible' ? 'probably ' : ''}lost from the device tree (a kernel before 5.15 keeps its boot-time aa indexes and drmem_update_dt writes them back); NUMA-aware tools (drmgr removal by node, lparnumascore) now see wrong nodes. Use a kernel with d144f4d5a8a8 (5.15+, or a backport); a reboot restores the firmware's tree.`
    : `Only flags went back: every kernel since 4.16 keeps the flags it read at boot (5.15+ copies only the aa index from the hypervisor's update), so the hypervisor's flags for LMB ${drcRuns(lmbs)} (e.g. DRC_INVALID, HOTREMOVABLE, RESERVED) are lost from the device tree and lsslot/drmgr act on the kernel's stale ones. No kernel fix exists for this; a reboot restores the firmware's tree.`;
  const message =
    lead +
    `Confidence ${confidence}: ${why}${step.added.length || step.removed.length ? '' : confidence === 'possible' ? ', and the lookup arrays are the ones the kernel started with, so a migration back to the original system would look the same' : ', while the lookup arrays stayed the new ones (a migration back would have restored them)'}. ${consequence}`;
  return {
    code: 'kernel-overwrite',
    severity: confidence === 'possible' ? 'warning' : 'error',
    confidence,
    lmbs,
    message,
    evidence: {
      step: step.index,
      from: step.from.label,
      to: step.to.label,
      kernelBaseline: kernelFromBoot ? 'boot' : 'first-snapshot',
      overwrote: aaChanged ? 'aa-index' : 'flags',
      kernelRewrite: step.kernelRewrite.map((e) => e.text),
      hypervisorUpdate: step.hypervisorUpdate.map((e) => e.text),
      runs,
    },
  };
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'number' && v === 0xffffffff) return '0xffffffff';
  return String(v);
}

/** v1 reserved cells the hypervisor set and the kernel's zero-filled rewrite dropped */
function reservedFinding(step: Step, lmbs: number[]): Finding {
  return {
    code: 'kernel-overwrite',
    severity: 'warning',
    confidence: 'certain',
    lmbs,
    message: `between ${step.from.label} and ${step.to.label} the kernel rewrote ibm,dynamic-memory and the non-zero reserved cells of LMB ${drcRuns(lmbs)} became 0: drmem_update_dt_v1 builds the property in a zero-filled buffer and never copies that cell, so the firmware's values are gone. Linux and powerpc-utils do not read the cell; other consumers of the tree would see 0. A reboot restores the firmware's tree.`,
    evidence: { step: step.index, from: step.from.label, to: step.to.label, overwrote: 'reserved-cell', kernelRewrite: step.kernelRewrite.map((e) => e.text) },
  };
}
