// What the kernel's LMB table (drmem_info) holds through a history, and what each
// step's LMB changes therefore are: values the kernel wrote back over the
// hypervisor's (a kernel overwrite), values the kernel's table never held (only
// the hypervisor writes those), or, with no boot FDT, values this history cannot
// attribute. Model (kernel.md 3.1, 4.2):
//
// - drmem_info is read once at boot; DLPAR add sets ASSIGNED and an aa index,
//   DLPAR remove clears ASSIGNED and sets aa 0xffffffff; nothing else changes it,
//   except that since 5.15 (d144f4d5a8a8, drmem_update_lmbs) a hypervisor update
//   of the LMB property copies its aa indexes in (never the flags).
// - Every memory DLPAR ends with drmem_update_dt writing EVERY LMB's aa index and
//   flags from that table.
//
// So with the boot FDT as baseline the table's flags are known exactly and its
// aa index is the boot/DLPAR one or (5.15+) one the hypervisor sent: an untouched
// LMB that takes a value the table never held got it from the hypervisor, and
// an LMB whose flags are not the table's shows that the hypervisor, not the
// kernel, wrote the property last. Without a boot FDT the first snapshot stands
// in for the table, which an LPM before it may already have made wrong.
import type { Snapshot } from '../diff/diff.js';
import type { LmbDelta } from '../diff/lmb-diff.js';
import { LmbFlag } from '../model/lmb.js';
import { blockNodeAt, hasBlock, nodeAt, sizeAt, type LmbColumnTable } from '../model/lmb-columns.js';
import { drcLookup, type DrcLookup } from './drc-lookup.js';
import type { Step } from './steps.js';

export type Confidence = 'certain' | 'likely' | 'possible';
export type Overwritten = 'aa-index' | 'flags';

/**
 * Why a verdict was reached (kernel-overwrite.ts words each):
 * - clean-dlpar: a DLPAR and nothing else, values back to the table's;
 * - dlpar-with-update: the same, with a hypervisor update in the interval;
 * - migration-back: the same, and the update restored the lookup arrays the table's values were read with;
 * - fingerprint-only: a kernel rewrite fingerprint but no visible DLPAR;
 * - no-rewrite: no DLPAR or fingerprint, yet every change is a return to the table's values;
 * - unknown-table / unknown-table-cured: no boot FDT, values this history never showed
 *   (-cured: they bring LMBs back to the node their memory sits on in sysfs);
 * - stale-index: LPM and DLPAR in one interval, an aa index kept while the arrays were re-indexed.
 */
export type Basis = 'clean-dlpar' | 'dlpar-with-update' | 'migration-back' | 'fingerprint-only' | 'no-rewrite' | 'unknown-table' | 'unknown-table-cured' | 'stale-index';

export interface RevertedLmb {
  delta: LmbDelta;
  /** what the kernel wrote back over the hypervisor's value (empty for unknown-table: not known) */
  overwrote: Overwritten[];
}

export interface KernelVerdict {
  confidence: Confidence;
  basis: Basis;
  lmbs: RevertedLmb[];
}

/**
 * Where the kernel's table is known from: the boot FDT; the first snapshot (a stand-in: an LPM
 * before it may already have made the table differ from the tree); or the tree right after a
 * kernel rewrite with nothing else in its interval (drmem_update_dt wrote every LMB from the
 * table, so from there on the table is known as exactly as from a boot FDT).
 */
export type KernelBaseline = 'boot' | 'first-snapshot' | 'kernel-rewrite';

export interface StepKernel {
  kernelBaseline: KernelBaseline;
  verdicts: KernelVerdict[];
  /** LMBs whose new values only the hypervisor can have written (the kernel's table never held them) */
  hypervisorLmbs: LmbDelta[];
  /** rows of `to` whose non-zero v1 reserved cell became 0 */
  reservedZeroed: number[];
  /** of those, the ones whose value the hypervisor set after the kernel's baseline (firmware's boot values excluded) */
  reservedLost: number[];
  /** a hypervisor update and a memory DLPAR fall between the same two snapshots (and the tree does not show which came last) */
  sameInterval: boolean;
  /**
   * the tree shows the hypervisor wrote the LMB property after the interval's last kernel rewrite:
   * a layout drmem_update_dt never writes (non-canonical v2 sets, non-zero v1 reserved cells), or
   * (with a known table) flags the kernel's table does not hold
   */
  hypervisorLast: boolean;
  /** what shows it (hypervisorLast) */
  hypervisorLastWhy?: string;
}

const NOT_ASSIGNED = ~LmbFlag.ASSIGNED >>> 0;
/** aa index of an LMB without one (legacy memory@ LMBs: aaIndex null) */
const NO_AA = -1;

export function aaValue(t: LmbColumnTable, k: number): number {
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
export class KernelTable {
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

export function arraysKey(s: Snapshot): string {
  const la = s.table.numa.lookupArrays;
  return la ? `${la.cellsPerArray}:${la.arrays.map((a) => a.join(',')).join(';')}` : '';
}

/** v1 reserved cell per LMB address (v1 boot RAM repeats drc 0: the address is the identity) */
function reservedByAddress(t: LmbColumnTable): Map<bigint, number> {
  const m = new Map<bigint, number>();
  const r = t.drconf?.format === 'v1' ? t.drconf.lmbs?.reserved : undefined;
  if (r) for (let k = 0; k < t.count; k++) if (r[k] !== 0) m.set(t.address[k]!, r[k]!);
  return m;
}

/** rows of st.to whose non-zero v1 reserved cell (in st.from, same DRC index / address) became 0 */
export function zeroedReservedRows(st: Step): number[] {
  const f = st.from.table.drconf?.format === 'v1' ? st.from.table.drconf.lmbs : undefined;
  const t = st.to.table.drconf?.format === 'v1' ? st.to.table.drconf.lmbs : undefined;
  if (!f?.reserved || !t?.reserved) return [];
  const had = new Map<bigint, number>();
  for (let i = 0; i < f.count; i++) if (f.reserved[i] !== 0) had.set(f.base[i]!, f.reserved[i]!);
  const out: number[] = [];
  for (let i = 0; i < t.count; i++) if (t.reserved[i] === 0 && had.has(t.base[i]!)) out.push(i);
  return out;
}

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

/** some LMB of t carries flags the kernel's table does not hold (ASSIGNED ignored where a DLPAR set it) */
function flagsDifferFromTable(t: LmbColumnTable, kernel: KernelTable, dlparred: Set<number>): boolean {
  for (let k = 0; k < t.count; k++) {
    const s = kernel.slot(t.drc[k]!, k);
    if (s < 0) continue;
    const mask = dlparred.has(t.drc[k]! | 0) ? NOT_ASSIGNED : 0xffffffff;
    if (((kernel.flagsAt(s) ^ t.flags[k]!) & mask) >>> 0 !== 0) return true;
  }
  return false;
}

function differsFromKernel(t: LmbColumnTable, kernel: KernelTable): boolean {
  for (let k = 0; k < t.count; k++) {
    const s = kernel.slot(t.drc[k]!, k);
    if (s >= 0 && (kernel.aaAt(s) !== aaValue(t, k) || kernel.flagsAt(s) !== t.flags[k]!)) return true;
  }
  return false;
}

/** the change brings LMB d back to the node its sysfs memory block sits on (it was elsewhere before) */
function curesNodeMismatch(step: Step, d: LmbDelta): boolean {
  const f = step.from.table;
  const t = step.to.table;
  const bi = d.beforeIndex!;
  const ai = d.afterIndex!;
  if (!hasBlock(t, ai) || !hasBlock(f, bi)) return false;
  const sys = blockNodeAt(t, ai);
  return sys !== null && nodeAt(t, ai) === sys && nodeAt(f, bi) !== sys;
}

/** kinds of value an LMB change touched (aa index, non-ASSIGNED flags or ASSIGNED on an untouched LMB) */
function changedKinds(d: LmbDelta): Overwritten[] {
  const out: Overwritten[] = [];
  if (d.changes.some((c) => c.field === 'aaIndex')) out.push('aa-index');
  if (d.changes.some((c) => c.field === 'flag' || c.field === 'assigned')) out.push('flags');
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
 * The deltas carry aaIndex K -> j (null: gone) and the node change.
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

/** Walk the steps (oldest first) and set step.kernel on each. */
export function analyseKernel(first: Snapshot | undefined, steps: readonly Step[]): void {
  if (!first) return;
  let kernel = new KernelTable(first.table);
  let baseline: KernelBaseline = first.origin === 'boot-fdt' ? 'boot' : 'first-snapshot';
  // the kernel's table is known exactly (not just stood in for by a snapshot)
  let fromBoot = baseline !== 'first-snapshot';
  // the lookup arrays of the kernel's baseline: a migration back restores them, a kernel rewrite does not
  let baselineArrays = arraysKey(first);
  // v1 reserved cells firmware set at boot that no kernel rewrite has dropped yet
  let baselineReserved = reservedByAddress(first.table);
  for (const step of steps) {
    const sk: StepKernel = { kernelBaseline: baseline, verdicts: [], hypervisorLmbs: [], reservedZeroed: [], reservedLost: [], sameInterval: false, hypervisorLast: false };
    step.kernel = sk;
    if (step.reboot) {
      // the new boot's table: known from its boot FDT, or (a reboot seen only through /chosen,
      // no boot FDT) stood in for by the first snapshot of the new boot
      kernel = new KernelTable(step.to.table);
      baseline = step.to.origin === 'boot-fdt' ? 'boot' : 'first-snapshot';
      fromBoot = baseline !== 'first-snapshot';
      baselineArrays = arraysKey(step.to);
      baselineReserved = reservedByAddress(step.to.table);
      sk.kernelBaseline = baseline;
      continue;
    }
    const from = step.from.table;
    const to = step.to.table;
    const dlpar = step.added.length > 0 || step.removed.length > 0;
    const rewrite = step.kernelRewrite.length > 0;
    // structural signs of a hypervisor update (the LMB-level one is decided here)
    const signs = step.hypervisorUpdate.filter((e) => e.kind !== 'lmbs-changed-without-dlpar');
    const dlparred = new Set<number>();
    for (const x of step.added) dlparred.add(x | 0);
    for (const x of step.removed) dlparred.add(x | 0);
    const hv: LmbDelta[] = [];
    const add = (confidence: Confidence, basis: Basis, lmbs: RevertedLmb[]) => {
      if (lmbs.length) sk.verdicts.push({ confidence, basis, lmbs });
    };
    if (rewrite) {
      const reverted: RevertedLmb[] = [];
      const unknown: LmbDelta[] = [];
      let newAa = false;
      // boot baseline: the kernel writes every LMB's flags from its table, so an LMB with
      // other flags means the hypervisor's update came after the kernel's last rewrite
      // whatever the baseline, a layout the kernel never writes means the same
      const layout = step.hypervisorUpdate.find((e) => e.kind === 'v2-non-canonical' || e.kind === 'v1-reserved-set');
      const hypervisorLast = layout !== undefined || (fromBoot && flagsDifferFromTable(to, kernel, dlparred));
      sk.hypervisorLast = hypervisorLast;
      if (hypervisorLast) sk.hypervisorLastWhy = layout ? (layout.kind === 'v2-non-canonical' ? 'its v2 sets are not the runs drmem_update_dt_v2 writes' : 'its v1 reserved cells are not the zeros drmem_update_dt_v1 writes') : "some LMBs carry flags the kernel's table does not hold, and drmem_update_dt writes every LMB's flags from it";
      for (const d of candidates(step, dlparred)) {
        const ai = d.afterIndex!;
        const bi = d.beforeIndex!;
        const drc = to.drc[ai]!;
        const kv = kernel.slot(drc, ai);
        const isDl = dlparred.has(drc | 0);
        const mask = isDl ? NOT_ASSIGNED : 0xffffffff;
        if (kv < 0 || hypervisorLast) {
          hv.push(d);
          continue;
        }
        if (((kernel.flagsAt(kv) ^ to.flags[ai]!) & mask) >>> 0 !== 0) {
          (fromBoot ? hv : unknown).push(d);
          continue;
        }
        const over: Overwritten[] = [];
        if (((from.flags[bi]! ^ to.flags[ai]!) & mask) >>> 0 !== 0) over.push('flags');
        let aaNew = false;
        if (!isDl && aaValue(from, bi) !== aaValue(to, ai)) {
          // the table's stale index written back; any other index: one the hypervisor sent
          // (a 5.15+ kernel copies it into its table, drmem_update_lmbs)
          if (kernel.aaAt(kv) === aaValue(to, ai)) over.push('aa-index');
          else aaNew = true;
        }
        if (!over.length) {
          (fromBoot ? hv : unknown).push(d);
          continue;
        }
        if (aaNew) newAa = true;
        reverted.push({ delta: d, overwrote: over });
      }
      // an aa index the table never held (boot baseline): the kernel is 5.15+ (its table has
      // the hypervisor's indexes) or the hypervisor wrote last; either way no aa index "went
      // back" to a stale one, whatever matches the table is the hypervisor's own value
      if (fromBoot && (newAa || hv.some((d) => d.changes.some((c) => c.field === 'aaIndex')))) {
        for (let i = reverted.length - 1; i >= 0; i--) {
          const r = reverted[i]!;
          r.overwrote = r.overwrote.filter((k) => k !== 'aa-index');
          if (!r.overwrote.length) {
            hv.push(r.delta);
            reverted.splice(i, 1);
          }
        }
      }
      const hvSign = signs.length > 0 || hv.length > 0 || newAa;
      if (reverted.length) {
        if (dlpar) {
          if (!hvSign) add('certain', 'clean-dlpar', reverted);
          else if (step.numa.lookupArrays && arraysKey(step.to) === baselineArrays) add('possible', 'migration-back', reverted);
          else add('likely', 'dlpar-with-update', reverted);
        } else if (!hvSign) add('likely', 'fingerprint-only', reverted);
        else hv.push(...reverted.map((r) => r.delta));
      }
      if (unknown.length) {
        if (dlpar && signs.length === 0)
          add(unknown.some((d) => curesNodeMismatch(step, d)) ? 'likely' : 'possible', unknown.some((d) => curesNodeMismatch(step, d)) ? 'unknown-table-cured' : 'unknown-table', unknown.map((delta) => ({ delta, overwrote: [] })));
        else hv.push(...unknown);
      }
      if (dlpar && signs.length > 0 && step.other.length === 0 && !hypervisorLast)
        add(
          'possible',
          'stale-index',
          hiddenStale(step).map((delta) => ({ delta, overwrote: ['aa-index'] as Overwritten[] })),
        );
      // a DLPAR with nothing else in its interval and nothing unexplained: drmem_update_dt wrote
      // every LMB's aa index and flags from the table, so the tree now IS the table.
      // - with a known table, follow the tree when it held values the model did not (nothing
      //   untouched changed, so the kernel keeps them: 5.15+ drmem_update_lmbs copied an LPM's aa);
      // - without a boot FDT this makes the table known from here on, as from a boot FDT (a later
      //   value it never held is the hypervisor's). Only a DLPAR proves the kernel wrote: the other
      //   fingerprints (canonical v2, zeroed v1 reserved cells) are values a hypervisor may send too.
      if (dlpar && !hvSign && !unknown.length) {
        if (!fromBoot) {
          kernel = new KernelTable(to);
          baseline = 'kernel-rewrite';
          fromBoot = true;
        } else if (!sk.verdicts.length && differsFromKernel(from, kernel)) kernel = new KernelTable(to);
      }
      const zeroed = zeroedReservedRows(step);
      sk.reservedZeroed = zeroed;
      // a reserved value the baseline (boot FDT) already had is firmware's boot value, which
      // every first rewrite after boot drops (the fingerprint); one set later is the hypervisor's
      const was = reservedByAddress(from);
      for (const k of zeroed) if (baselineReserved.get(to.address[k]!) !== was.get(to.address[k]!)) sk.reservedLost.push(k);
      // the kernel's zero-filled v1 rewrite dropped firmware's boot values: any non-zero cell from
      // here on was set by the hypervisor (even one equal to a boot value)
      if (dlpar || zeroed.length) baselineReserved = new Map();
    } else if (step.other.length && signs.length === 0) {
      // no DLPAR visible (an add and a remove of the same LMB leave no trace) yet every
      // change is a return to exactly what the kernel's table holds while the lookup arrays
      // stayed the new ones; with the kernel's own arrays back it is a migration back
      const back = step.other.filter((d) => kernel.matches(to, d.afterIndex!));
      if (back.length === step.other.length && arraysKey(step.to) !== baselineArrays) add('likely', 'no-rewrite', back.map((delta) => ({ delta, overwrote: changedKinds(delta) })));
      else hv.push(...step.other);
    } else hv.push(...step.other);
    sk.hypervisorLmbs = hv;
    // the LMB-level hypervisor sign: only for changes the kernel's table cannot explain
    const lmbSign = step.hypervisorUpdate.findIndex((e) => e.kind === 'lmbs-changed-without-dlpar');
    if (lmbSign >= 0 && !hv.length) step.hypervisorUpdate.splice(lmbSign, 1);
    if (rewrite && hv.length) step.hypervisorUpdate.push({ kind: 'lmbs-new-values', text: `${hv.length} LMB(s) the DLPAR did not touch took aa indexes or flags the kernel's table never held (only the hypervisor writes those)` });
    sk.sameInterval = dlpar && step.hypervisorUpdate.length > 0 && !sk.hypervisorLast;
    // DLPAR'd LMBs: the kernel set these values itself. When the hypervisor wrote the property
    // after the DLPAR, the tree shows the hypervisor's values, not the table's: the DLPAR only set
    // (add) or cleared (remove) ASSIGNED on the table's flags, and a remove invalidated the aa
    // index (an add's aa index, find_aa_index on the current arrays, is best read from the tree)
    const addedSet = new Set(step.added.map((x) => x | 0));
    for (const d of step.lmbs) {
      if (d.kind !== 'changed') continue;
      const ai = d.afterIndex!;
      const drc = to.drc[ai]!;
      if (!dlparred.has(drc | 0)) continue;
      const s = kernel.slot(drc, ai);
      if (!sk.hypervisorLast || s < 0) kernel.set(drc, ai, aaValue(to, ai), to.flags[ai]!);
      else if (addedSet.has(drc | 0)) kernel.set(drc, ai, aaValue(to, ai), (kernel.flagsAt(s) | LmbFlag.ASSIGNED) >>> 0);
      else kernel.set(drc, ai, to.aa === null ? NO_AA : 0xffffffff, (kernel.flagsAt(s) & NOT_ASSIGNED) >>> 0);
    }
  }
}
