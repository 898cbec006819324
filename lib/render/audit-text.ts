// Human output of `drscope audit`: the history (one line per step), then the
// findings, most severe first, each with its code, confidence and LMBs.
import type { AuditResult } from '../audit/audit.js';
import { catalogue } from '../audit/catalogue.js';
import type { Step } from '../audit/steps.js';
import { drcRuns } from '../audit/types.js';
import type { Finding, SeverityName } from '../model/finding.js';
import { assignedCount } from '../model/lmb-columns.js';
import { paint, type ColorName } from './color.js';

const SEV_COLOR: Record<SeverityName, ColorName> = { error: 'red', warning: 'yellow', info: 'cyan' };

export function stepText(st: Step): string {
  if (st.reboot) return 'reboot (different boot-time FDT)';
  const parts: string[] = [];
  if (st.added.length) parts.push(`${st.added.length} LMB(s) hot-added (${drcRuns(st.added, 4)})`);
  if (st.removed.length) parts.push(`${st.removed.length} LMB(s) hot-removed (${drcRuns(st.removed, 4)})`);
  if (st.hypervisorUpdate.length) parts.push(`hypervisor update: ${st.hypervisorUpdate.map((e) => e.kind).join(', ')}`);
  const kr = st.kernelRewrite.filter((e) => e.kind !== 'dlpar');
  if (kr.length) parts.push(`kernel rewrite: ${kr.map((e) => e.kind).join(', ')}`);
  if (st.other.length && !st.hypervisorUpdate.some((e) => e.kind === 'lmbs-changed-without-dlpar')) parts.push(`${st.other.length} other LMB(s) changed aa/flags`);
  return parts.length ? parts.join('; ') : 'no LMB changes';
}

export function renderAuditText(r: AuditResult, opts: { color: boolean; verbose?: boolean }): string {
  const c = opts.color;
  const out: string[] = [];
  out.push(paint(c, 'bold', `history: ${r.snapshots.length} snapshot(s)`));
  r.snapshots.forEach((s, i) => out.push(`  [${i}] ${s.label}${s.origin === 'boot-fdt' ? '' : ''} — ${s.table.format}, ${s.table.count} LMBs, ${assignedCount(s.table)} assigned`));
  for (const st of r.steps) out.push(`  [${st.index - 1}] → [${st.index}]: ${stepText(st)}`);
  out.push('');
  if (r.findings.length === 0) out.push('no findings');
  for (const f of r.findings) out.push(...findingLines(f, c, opts.verbose ?? false));
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of r.findings) counts[f.severity]++;
  out.push(`${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info`);
  return `${out.join('\n')}\n`;
}

function findingLines(f: Finding, c: boolean, verbose: boolean): string[] {
  const head = `${paint(c, SEV_COLOR[f.severity], f.severity.toUpperCase().padEnd(7))} ${paint(c, 'bold', f.code)}${f.confidence ? ` [${f.confidence}]` : ''}${f.lmbs?.length ? `  LMB ${f.lmbText ?? drcRuns(f.lmbs, 4)}` : ''}`;
  const lines = [head, `  ${f.message}`];
  if (verbose) {
    const entry = catalogue[f.code];
    if (entry) lines.push(`  ${paint(c, 'gray', entry.description)}`);
  }
  lines.push('');
  return lines;
}

export function renderCatalogue(): string {
  const out: string[] = [];
  for (const [code, e] of Object.entries(catalogue)) out.push(`${code} (${e.severity}, ${e.group}): ${e.title}\n  ${e.description}\n`);
  return out.join('\n');
}
