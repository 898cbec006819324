// hypervisor-update: an interval in which firmware rewrote the memory description
// (LPM, PRRN): context for every other history finding.
import type { Finding } from '../../model/finding.js';
import { drcRuns, type AuditCheck, type AuditContext } from '../types.js';

export const hypervisorUpdateCheck: AuditCheck = {
  id: 'hypervisor-update',
  codes: ['hypervisor-update'],
  run(ctx: AuditContext): Finding[] {
    const out: Finding[] = [];
    for (const st of ctx.steps) {
      if (st.reboot || st.hypervisorUpdate.length === 0) continue;
      const lmbs = st.other.map((d) => d.drcIndex);
      const dl = st.added.length || st.removed.length ? ` A memory DLPAR falls in the same interval (${st.added.length} added, ${st.removed.length} removed), so the kernel rewrote the property after the hypervisor did.` : '';
      out.push({
        code: 'hypervisor-update',
        severity: 'info',
        confidence: 'likely',
        lmbs,
        message: `between ${st.from.label} and ${st.to.label} the hypervisor rewrote the memory description (LPM or PRRN): ${st.hypervisorUpdate.map((e) => e.text).join('; ')}${lmbs.length ? `; LMB ${drcRuns(lmbs)} changed aa index or flags` : ''}.${dl}`,
        evidence: { step: st.index, from: st.from.label, to: st.to.label, signs: st.hypervisorUpdate.map((e) => e.kind), lookupArrays: st.numa.lookupArrays ?? null },
      });
    }
    return out;
  },
};
