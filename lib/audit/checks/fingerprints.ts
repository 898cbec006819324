// Rewrite fingerprints: signs that the kernel (not firmware) wrote the LMB
// property (kernel.md 3.4). Informational: a DLPAR rewrite is legitimate.
import type { Finding } from '../../model/finding.js';
import { LmbFlag } from '../../model/lmb.js';
import type { LmbColumnTable } from '../../model/lmb-columns.js';
import { drcLookup } from '../drc-lookup.js';
import { zeroedReservedRows } from '../kernel-table.js';
import { drcRuns, rowsText, type AuditCheck, type AuditContext } from '../types.js';

const BY_KIND: Record<string, string> = {
  'v1-reserved-zeroed': 'rewrite-v1-reserved-zeroed',
  'v2-regrouped': 'rewrite-v2-regrouped',
  'lookup-appended': 'rewrite-lookup-appended',
};
const DIMM = LmbFlag.ASSIGNED | LmbFlag.HOTREMOVABLE;

export const fingerprintCheck: AuditCheck = {
  id: 'fingerprints',
  codes: ['rewrite-v1-reserved-zeroed', 'rewrite-v2-regrouped', 'rewrite-lookup-appended', 'rewrite-assigned-without-hotremovable'],
  run(ctx: AuditContext): Finding[] {
    const out: Finding[] = [];
    for (const st of ctx.steps) {
      for (const e of st.kernelRewrite) {
        const code = BY_KIND[e.kind];
        if (!code) continue;
        const extra = e.kind === 'lookup-appended' ? { appended: st.numa.lookupArrays?.appended ?? [] } : {};
        const rows = e.kind === 'v1-reserved-zeroed' ? zeroedReservedRows(st) : [];
        const lmbs = rows.map((k) => st.to.table.drc[k]!);
        out.push({
          code,
          severity: 'info',
          confidence: 'certain',
          ...(lmbs.length ? { lmbs, lmbText: rowsText(st.to.table, rows, 4) } : {}),
          message: `between ${st.from.label} and ${st.to.label}: ${e.text}${lmbs.length ? ` (LMB ${rowsText(st.to.table, rows)})` : ''} — the kernel, not firmware, wrote this${lmbs.length ? '; the firmware\'s reserved values are gone from the tree' : ''}`,
          evidence: { step: st.index, from: st.from.label, to: st.to.label, ...extra },
        });
      }
    }
    // ASSIGNED alone / HOTREMOVABLE alone, where the firmware's boot tree (the earliest
    // snapshot) marks its assigned LMBs with both: judged against that snapshot only,
    // since a hypervisor update may legitimately write either bit alone
    const first = ctx.snapshots[0];
    const last = [...ctx.snapshots].reverse().find((s) => s.table.format === 'v1' || s.table.format === 'v2');
    const firmwareBoth = first !== undefined && someLmb(first.table, (f) => (f & DIMM) === DIMM && !(f & LmbFlag.RESERVED));
    if (first && last && last !== first && firmwareBoth) {
      // flags at boot of a DRC index (its first LMB), 0 when the boot table has none
      const atBoot = drcLookup(first.table);
      const bootFlags = (drc: number, hint: number) => {
        const r = atBoot.rowOf(drc, hint);
        return r < 0 ? 0 : first.table.flags[r]!;
      };
      const t = last.table;
      const added: number[] = [];
      const removed: number[] = [];
      for (let k = 0; k < t.count; k++) {
        const f = t.flags[k]!;
        if ((f & DIMM) === LmbFlag.ASSIGNED && !(f & (LmbFlag.RESERVED | LmbFlag.DRC_INVALID)) && !(bootFlags(t.drc[k]!, k) & LmbFlag.ASSIGNED)) added.push(t.drc[k]!);
      }
      for (let k = 0; k < t.count; k++) {
        if ((t.flags[k]! & DIMM) === LmbFlag.HOTREMOVABLE && (bootFlags(t.drc[k]!, k) & DIMM) === DIMM) removed.push(t.drc[k]!);
      }
      if (added.length || removed.length) {
        out.push({
          code: 'rewrite-assigned-without-hotremovable',
          severity: 'info',
          confidence: 'likely',
          lmbs: [...added, ...removed],
          message: `${last.label}: firmware marks its LMBs ASSIGNED|HOTREMOVABLE, but ${added.length} LMB(s) carry ASSIGNED alone${added.length ? ` (${drcRuns(added)})` : ''} and ${removed.length} HOTREMOVABLE alone${removed.length ? ` (${drcRuns(removed)})` : ''}: the kernel added/removed them by DLPAR and rewrote the property`,
          evidence: { snapshot: last.label, addedByKernel: added.length, removedByKernel: removed.length },
        });
      }
    }
    return out;
  },
};

function someLmb(t: LmbColumnTable, test: (flags: number) => boolean): boolean {
  for (let k = 0; k < t.count; k++) if (test(t.flags[k]!)) return true;
  return false;
}
