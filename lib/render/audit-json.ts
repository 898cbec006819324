// `drscope audit --json` (schemaVersion 1): snapshots, steps, findings.
import type { AuditResult } from '../audit/audit.js';
import type { Finding } from '../model/finding.js';
import { assignedCount } from '../model/lmb-columns.js';

function drc(n: number): string {
  return `0x${n.toString(16)}`;
}

export function findingJson(f: Finding): Record<string, unknown> {
  return { ...f, ...(f.lmbs ? { lmbs: f.lmbs.map(drc) } : {}) };
}

export function auditJson(r: AuditResult, failOn: string, exitCode: number): Record<string, unknown> {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of r.findings) counts[f.severity]++;
  return {
    schemaVersion: 1,
    command: 'audit',
    failOn,
    exitCode,
    ...(r.reordered ? { sourceOrder: { sortedByCaptureTime: true, given: r.reordered.given, used: r.reordered.used } } : {}),
    snapshots: r.snapshots.map((s, i) => ({ index: i, label: s.label, origin: s.origin, format: s.table.format, lmbCount: s.table.count, assigned: assignedCount(s.table), bootId: s.bootId ?? null })),
    steps: r.steps.map((st) => ({
      index: st.index,
      from: st.index - 1,
      to: st.index,
      reboot: st.reboot,
      added: st.added.map(drc),
      removed: st.removed.map(drc),
      otherChanged: st.other.map((d) => drc(d.drcIndex)),
      kernelRewrite: st.kernelRewrite,
      hypervisorUpdate: st.hypervisorUpdate,
    })),
    counts,
    findings: r.findings.map(findingJson),
  };
}
