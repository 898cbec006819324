// Capture-level checks: sources out of time order, reboots between snapshots.
import type { Finding } from '../../model/finding.js';
import type { AuditCheck, AuditContext } from '../types.js';

export const captureCheck: AuditCheck = {
  id: 'capture',
  codes: ['history-order', 'reboot-between'],
  run(ctx: AuditContext): Finding[] {
    const out: Finding[] = [];
    let prev: { label: string; at: string } | undefined;
    for (const s of ctx.snapshots) {
      const at = s.origin === 'tree' ? s.source?.capturedAt : undefined;
      if (at === undefined) continue;
      if (prev && Date.parse(at) < Date.parse(prev.at)) {
        out.push({ code: 'history-order', severity: 'warning', message: `${s.label} was captured at ${at}, before ${prev.label} (${prev.at}); audit reads sources in the order given — pass them oldest first`, evidence: { snapshot: s.label, capturedAt: at, previous: prev.label, previousCapturedAt: prev.at } });
      }
      prev = { label: s.label, at };
    }
    for (const st of ctx.steps) {
      if (st.reboot)
        out.push({
          code: 'reboot-between',
          severity: 'info',
          message: `${st.from.label} and ${st.to.label} come from different boots (${st.rebootEvidence ? `no boot-time FDTs to compare, but ${st.rebootEvidence}: those are written once per boot` : 'their boot-time FDTs differ'}); changes across this interval are not checked for kernel overwrites`,
          evidence: { step: st.index, from: st.from.label, to: st.to.label, ...(st.rebootEvidence ? { rebootEvidence: st.rebootEvidence } : {}) },
        });
    }
    return out;
  },
};
