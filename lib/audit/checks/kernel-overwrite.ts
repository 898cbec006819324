// kernel-overwrite: the kernel wrote its stale LMB table over the hypervisor's data.
// The verdicts come from the kernel-table walk (lib/audit/kernel-table.ts, run by
// buildSteps): an LMB the DLPAR did not touch went back to the value the kernel's
// table holds. This check words them: per run what was written back (aa index,
// flags or both), why the confidence, and what it costs.
import type { Finding } from '../../model/finding.js';
import { aaAt, nodeAt } from '../../model/lmb-columns.js';
import { groupRuns, type LmbDelta } from '../../diff/lmb-diff.js';
import type { Basis, Confidence, KernelBaseline, KernelVerdict, Overwritten } from '../kernel-table.js';
import type { Step } from '../steps.js';
import { rowsText, type AuditCheck, type AuditContext } from '../types.js';

export const kernelOverwriteCheck: AuditCheck = {
  id: 'kernel-overwrite',
  codes: ['kernel-overwrite'],
  run(ctx: AuditContext): Finding[] {
    const out: Finding[] = [];
    for (const step of ctx.steps) {
      const k = step.kernel;
      if (!k) continue;
      for (const v of k.verdicts) out.push(finding(step, v, k.kernelBaseline));
      if (k.reservedLost.length) out.push(reservedFinding(step, k.reservedLost));
    }
    return out;
  },
};

interface RunValues {
  aaIndexBefore: number | null;
  aaIndexAfter: number | null;
  nodeBefore: number | null;
  nodeAfter: number | null;
  flagsBefore: string;
  flagsAfter: string;
}

function describeRun(step: Step, d: LmbDelta): RunValues {
  const b = step.from.table;
  const a = step.to.table;
  const bi = d.beforeIndex!;
  const ai = d.afterIndex!;
  return { aaIndexBefore: aaAt(b, bi), aaIndexAfter: aaAt(a, ai), nodeBefore: nodeAt(b, bi), nodeAfter: nodeAt(a, ai), flagsBefore: `0x${b.flags[bi]!.toString(16)}`, flagsAfter: `0x${a.flags[ai]!.toString(16)}` };
}

const KIND_TEXT: Record<Overwritten, string> = { 'aa-index': 'aa index', flags: 'flags' };

function kindsText(kinds: readonly Overwritten[]): string {
  return (['aa-index', 'flags'] as const).filter((x) => kinds.includes(x)).map((x) => KIND_TEXT[x]).join(' and ');
}

/** the confidence, in words: what was seen and what else could explain it */
function why(step: Step, basis: Basis): string {
  const signs = step.hypervisorUpdate.map((e) => e.kind).join(', ');
  switch (basis) {
    case 'clean-dlpar':
      return "they went back to exactly the values the kernel's own table held (read at boot or at the first snapshot, written by an earlier DLPAR's rewrite, or set by its own DLPAR), and nothing but the DLPAR changed the tree in this interval";
    case 'dlpar-with-update':
      return `they went back to exactly the values the kernel's own table held, but the hypervisor also updated the tree in this interval (${signs}), and it could in principle have sent these values itself; a snapshot between the LPM and the DLPAR would tell`;
    case 'migration-back':
      return `they went back to the values the kernel's own table held, and the hypervisor's update in this interval (${signs}) brought back the lookup arrays those values were read with: a migration back to the original system gives this same tree (then nothing was lost); only if the DLPAR ran after the update on a kernel before 5.15 were the hypervisor's values overwritten. A snapshot between the LPM and the DLPAR would tell`;
    case 'fingerprint-only':
      return `the kernel rewrote the property (${step.kernelRewrite.map((e) => e.kind).join(', ')}) although no DLPAR shows (an add and a remove of the same LMB leave none), no other sign of a hypervisor update shows, and they went back to exactly the values the kernel's own table held`;
    case 'no-rewrite':
      return "no DLPAR or kernel fingerprint shows (an add and a remove of the same LMB leave none), yet every change is a return to exactly the values the kernel's table holds while the lookup arrays stayed the new ones (a migration back would have restored them)";
    case 'unknown-table-cured':
      return "the kernel's table is not known (no boot-time FDT: the first snapshot of this boot stands in for it), but the new values bring LMBs back to the node their memory sits on in sysfs, which is what a kernel before 5.15 writing its boot-time values back after an LPM (before the first snapshot) does; a hypervisor update in this interval could also explain them";
    case 'unknown-table':
      return "the kernel's table is not known (no boot-time FDT: the first snapshot of this boot stands in for it): these are either values the kernel read at boot, written back after an LPM before the first snapshot, or the hypervisor's (an LPM in this interval; or a reboot between the snapshots, which cannot be excluded without boot-time FDTs). A capture with the boot FDT (/sys/firmware/fdt; drscope capture keeps it) would tell";
    case 'stale-index':
      return 'an LPM and a DLPAR fall between the same two snapshots: their aa index stayed the same while the hypervisor replaced the lookup arrays, so the index may be a stale pre-LPM one; a snapshot between the LPM and the DLPAR would tell';
  }
}

function finding(step: Step, v: KernelVerdict, baseline: KernelBaseline): Finding {
  const { confidence, basis } = v;
  const ds = v.lmbs.map((r) => r.delta);
  const kindsOf = new Map(v.lmbs.map((r) => [r.delta, r.overwrote]));
  const grouped = groupRuns(ds);
  // one run per (change, kinds overwritten)
  const runs = grouped.map((r) => {
    const x = describeRun(step, r.first);
    const over = kindsOf.get(r.first) ?? [];
    const expected: { expectedAaIndex?: number | null } = basis === 'stale-index' ? { expectedAaIndex: (r.first.changes.find((c) => c.field === 'aaIndex')?.after as number | null | undefined) ?? null } : {};
    return { first: `0x${r.first.drcIndex.toString(16)}`, last: `0x${r.last.drcIndex.toString(16)}`, count: r.count, ...x, ...expected, overwrote: over, rows: rowsOf(r) };
  });
  const to = step.to.table;
  const label = (rows: number[]) => rowsText(to, rows);
  const shown = runs.slice(0, 6).map((r) => {
    const range = `LMB ${label(r.rows)}`;
    if (basis === 'stale-index') {
      const j = r.expectedAaIndex;
      return `${range}: aa ${fmt(r.aaIndexAfter)} kept, now node ${fmt(r.nodeAfter)} instead of ${fmt(r.nodeBefore)}${j !== null && j !== undefined ? ` (its old associativity is now array ${fmt(j)})` : ' (its old associativity is gone from the arrays)'}`;
    }
    const parts: string[] = [];
    if (r.aaIndexBefore !== r.aaIndexAfter) parts.push(`aa ${fmt(r.aaIndexBefore)} → ${fmt(r.aaIndexAfter)}`);
    if (r.nodeBefore !== r.nodeAfter || r.aaIndexBefore !== r.aaIndexAfter) parts.push(`node ${fmt(r.nodeBefore)} → ${fmt(r.nodeAfter)}`);
    if (r.flagsBefore !== r.flagsAfter) parts.push(`flags ${r.flagsBefore} → ${r.flagsAfter}`);
    return `${range}: ${parts.join(', ')}${r.overwrote.length ? ` (${kindsText(r.overwrote)} written back)` : ''}`;
  });
  const more = runs.length > 6 ? '; …' : '';
  const dl = step.added.length || step.removed.length;
  const what = dl ? `a memory DLPAR (${step.added.length} LMB(s) added, ${step.removed.length} removed)` : 'the kernel';
  const n = ds.length;
  // "N LMB(s) it did not add or remove": a DLPAR'd LMB is a candidate only for its other flags
  const addedSet = new Set(step.added.map((x) => x | 0));
  const removedSet = new Set(step.removed.map((x) => x | 0));
  const nAdded = ds.filter((d) => addedSet.has(d.drcIndex | 0)).length;
  const nRemoved = ds.filter((d) => removedSet.has(d.drcIndex | 0)).length;
  const nUntouched = n - nAdded - nRemoved;
  const dlText = nAdded && nRemoved ? `${nAdded + nRemoved} it added or removed` : nAdded ? `${nAdded} it added` : `${nRemoved} it removed`;
  const whichLmbs = nAdded + nRemoved ? `${nUntouched} LMB(s) it did not add or remove and ${dlText}` : `${n} LMB(s) it did not add or remove`;
  let lead: string;
  if (basis === 'stale-index')
    lead = `between ${step.from.label} and ${step.to.label} the hypervisor replaced the lookup arrays and ${what} made the kernel rewrite the LMB property; ${n} LMB(s) the DLPAR did not touch kept their aa index: ${shown.join('; ')}${more}. `;
  else if (basis === 'no-rewrite') lead = `between ${step.from.label} and ${step.to.label} ${n} LMB(s) changed back to the values the kernel's table holds: ${shown.join('; ')}${more}. `;
  else if (basis === 'unknown-table' || basis === 'unknown-table-cured')
    lead = `between ${step.from.label} and ${step.to.label}, ${what} made the kernel rewrite the LMB property, and ${whichLmbs} changed to values this history never showed: ${shown.join('; ')}${more}. `;
  else if (!dl) lead = `between ${step.from.label} and ${step.to.label} the kernel rewrote the LMB property with no DLPAR in sight, and ${n} LMB(s) changed back to the values of the kernel's table: ${shown.join('; ')}${more}. `;
  else lead = `between ${step.from.label} and ${step.to.label}, ${what} made the kernel rewrite the LMB property, and ${whichLmbs} went back to the values of the kernel's table: ${shown.join('; ')}${more}. `;
  // what was lost, per kind, naming only the LMBs whose value of that kind went back
  const unknown = basis === 'unknown-table' || basis === 'unknown-table-cured';
  // only a certain verdict says the hypervisor's values are gone: at likely the hypervisor may
  // itself have sent what the tree shows (an update in the interval, or no DLPAR to prove a rewrite)
  const may = confidence === 'possible' || unknown ? 'may be' : confidence === 'likely' ? 'are probably' : 'are';
  const rowsWith = (kind: Overwritten) => v.lmbs.filter((r) => (unknown ? r.delta.changes.some((c) => (kind === 'aa-index' ? c.field === 'aaIndex' : c.field === 'flag' || c.field === 'assigned')) : r.overwrote.includes(kind))).map((r) => r.delta.afterIndex!);
  const aaRows = rowsWith('aa-index');
  const flagRows = rowsWith('flags');
  const consequences: string[] = [];
  if (aaRows.length)
    consequences.push(
      `The hypervisor's aa indexes for LMB ${label(aaRows)} ${may} lost from the device tree (a kernel before 5.15 keeps its boot-time aa indexes and drmem_update_dt writes them back); NUMA-aware tools (drmgr removal by node, lparnumascore) then see wrong nodes. Use a kernel with d144f4d5a8a8 (5.15+, or a backport).`,
    );
  if (flagRows.length)
    consequences.push(
      `The hypervisor's flags for LMB ${label(flagRows)} ${may} lost from the device tree: every kernel since 4.16 keeps the flags it read at boot (5.15+ copies only the aa index from the hypervisor's update), so lsslot/drmgr act on the kernel's stale ones (e.g. DRC_INVALID, HOTREMOVABLE, RESERVED, ASSIGNED); no kernel fix exists for this.`,
    );
  consequences.push("A reboot restores the firmware's tree.");
  const overwrote: Overwritten[] = [];
  if (aaRows.length) overwrote.push('aa-index');
  if (flagRows.length) overwrote.push('flags');
  const lmbs = ds.map((d) => d.drcIndex);
  return {
    code: 'kernel-overwrite',
    severity: confidence === 'possible' ? 'warning' : 'error',
    confidence,
    lmbs,
    lmbText: rowsText(to, ds.map((d) => d.afterIndex!), 4),
    message: `${lead}Confidence ${confidence}: ${why(step, basis)}. ${consequences.join(' ')}`,
    evidence: {
      step: step.index,
      from: step.from.label,
      to: step.to.label,
      kernelBaseline: baseline,
      basis,
      overwrote,
      kernelRewrite: step.kernelRewrite.map((e) => e.text),
      hypervisorUpdate: step.hypervisorUpdate.map((e) => e.text),
      runs: runs.map(({ rows: _rows, ...r }) => r),
    },
  };
}

/** the rows (of the after table) of a run */
function rowsOf(r: { first: LmbDelta; last: LmbDelta; count: number }): number[] {
  const a = r.first.afterIndex!;
  return Array.from({ length: r.count }, (_, i) => a + i);
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'number' && v === 0xffffffff) return '0xffffffff';
  return String(v);
}

/** v1 reserved cells the hypervisor set (after the kernel's baseline) and the kernel's zero-filled rewrite dropped */
function reservedFinding(step: Step, rows: number[]): Finding {
  const t = step.to.table;
  const text = rowsText(t, rows);
  return {
    code: 'kernel-overwrite',
    severity: 'warning',
    confidence: 'certain',
    lmbs: rows.map((k) => t.drc[k]!),
    lmbText: rowsText(t, rows, 4),
    message: `between ${step.from.label} and ${step.to.label} the kernel rewrote ibm,dynamic-memory and the non-zero reserved cells of LMB ${text}, which the hypervisor set after boot (the boot-time FDT has other values), became 0: drmem_update_dt_v1 builds the property in a zero-filled buffer and never copies that cell, so the hypervisor's values are gone. Linux and powerpc-utils do not read the cell; other consumers of the tree would see 0. A reboot restores the firmware's tree.`,
    evidence: { step: step.index, from: step.from.label, to: step.to.label, overwrote: ['reserved-cell'], kernelRewrite: step.kernelRewrite.map((e) => e.text) },
  };
}

export type { Confidence };
