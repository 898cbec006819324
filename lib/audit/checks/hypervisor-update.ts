// hypervisor-update: an interval in which firmware rewrote the memory description
// (LPM, PRRN): context for every other history finding. update-dlpar-same-interval:
// such an update and a memory DLPAR between the same two snapshots, where the tree
// cannot show what the kernel's rewrite replaced.
import type { Finding } from '../../model/finding.js';
import { rowsText, type AuditCheck, type AuditContext } from '../types.js';

export const hypervisorUpdateCheck: AuditCheck = {
  id: 'hypervisor-update',
  codes: ['hypervisor-update', 'update-dlpar-same-interval'],
  run(ctx: AuditContext): Finding[] {
    const out: Finding[] = [];
    for (const st of ctx.steps) {
      if (st.reboot || st.hypervisorUpdate.length === 0) continue;
      // only the LMB changes the kernel's table cannot explain (kernel-table.ts); the ones it
      // wrote back are kernel-overwrite's
      const ds = st.kernel ? st.kernel.hypervisorLmbs : st.other;
      const lmbs = ds.map((d) => d.drcIndex);
      const rows = ds.map((d) => d.afterIndex!);
      const dl =
        st.added.length || st.removed.length
          ? ` A memory DLPAR falls in the same interval (${st.added.length} added, ${st.removed.length} removed)${st.kernel?.hypervisorLast ? `, before the hypervisor's update, which wrote the LMB property last (${st.kernel.hypervisorLastWhy}): the tree shows the hypervisor's values` : ''}.`
          : '';
      out.push({
        code: 'hypervisor-update',
        severity: 'info',
        confidence: 'likely',
        lmbs,
        ...(rows.length ? { lmbText: rowsText(st.to.table, rows, 4) } : {}),
        message: `between ${st.from.label} and ${st.to.label} the hypervisor rewrote the memory description (LPM or PRRN): ${st.hypervisorUpdate.map((e) => e.text).join('; ')}${lmbs.length ? `; LMB ${rowsText(st.to.table, rows)} changed aa index or flags` : ''}.${dl}`,
        evidence: { step: st.index, from: st.from.label, to: st.to.label, signs: st.hypervisorUpdate.map((e) => e.kind), lookupArrays: st.numa.lookupArrays ?? null },
      });
      if (st.kernel?.sameInterval) {
        out.push({
          code: 'update-dlpar-same-interval',
          severity: 'info',
          message:
            `between ${st.from.label} and ${st.to.label} a hypervisor update (${st.hypervisorUpdate.map((e) => e.kind).join(', ')}) and a memory DLPAR (${st.added.length} added, ${st.removed.length} removed) fall in the same interval. ` +
            'If the DLPAR came after the update, drmem_update_dt wrote the kernel\'s table over the hypervisor\'s values for every LMB: the flags it read at boot (every kernel) and, before 5.15, its aa indexes. Where that changed nothing visible the tree cannot show it, so the flags (and aa indexes) the hypervisor set in this interval cannot be checked. ' +
            'Capture between the LPM and the next DLPAR (drscope hook install takes a capture after every LPM).',
          evidence: { step: st.index, from: st.from.label, to: st.to.label, added: st.added.length, removed: st.removed.length, signs: st.hypervisorUpdate.map((e) => e.kind) },
        });
      }
    }
    return out;
  },
};
