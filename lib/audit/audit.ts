// auditSources / auditSnapshots: run every registered check over a history of
// snapshots. The check registry is open: registerCheck() adds one (e.g. the
// capture/history module's sosreport lsslot comparison).
import type { Source } from '../dt/source.js';
import type { Snapshot } from '../diff/diff.js';
import { severityRank, type Finding, type SeverityName } from '../model/finding.js';
import { captureCheck } from './checks/capture.js';
import { fingerprintCheck } from './checks/fingerprints.js';
import { hypervisorUpdateCheck } from './checks/hypervisor-update.js';
import { integrityCheck } from './checks/integrity.js';
import { kernelOverwriteCheck } from './checks/kernel-overwrite.js';
import { lsslotOutputCheck } from './checks/lsslot-output.js';
import { nodeMismatchCheck } from './checks/node-mismatch.js';
import { snapshotsFromSources, type SnapshotOptions } from './snapshots.js';
import { buildSteps, type Step } from './steps.js';
import type { AuditCheck } from './types.js';

export const checkRegistry: AuditCheck[] = [kernelOverwriteCheck, hypervisorUpdateCheck, fingerprintCheck, nodeMismatchCheck, integrityCheck, captureCheck, lsslotOutputCheck];

export function registerCheck(check: AuditCheck): void {
  if (!checkRegistry.some((c) => c.id === check.id)) checkRegistry.push(check);
}

export interface AuditOptions extends SnapshotOptions {
  /** codes to drop */
  ignore?: readonly string[];
  /** only run these check ids (default: all registered) */
  checks?: readonly string[];
  /** audit the sources in the order given even when their capture times say otherwise */
  keepOrder?: boolean;
  /** findings about sources that could not be loaded at all (audit --history skips them) */
  loadFindings?: readonly Finding[];
}

export interface AuditResult {
  snapshots: Snapshot[];
  steps: Step[];
  findings: Finding[];
  /** set when the sources were given out of time order and audited sorted by capture time */
  reordered?: { given: string[]; used: string[] };
}

/**
 * The sources in time order: when every one has a capture time (manifest, date.txt,
 * sosreport date) and they are not already in that order, sorted by it (stable for
 * equal times). Otherwise as given (capture checks warn about times going backwards).
 */
export function timeOrder(sources: readonly Source[]): { sources: Source[]; reordered: boolean } {
  const times = sources.map((s) => (s.capturedAt === undefined ? NaN : Date.parse(s.capturedAt)));
  if (sources.length < 2 || times.some((t) => Number.isNaN(t))) return { sources: [...sources], reordered: false };
  const idx = sources.map((_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  const reordered = idx.some((v, i) => v !== i);
  return { sources: idx.map((i) => sources[i]!), reordered };
}

export function auditSources(given: readonly Source[], opts: AuditOptions = {}): AuditResult {
  const { sources, reordered } = opts.keepOrder ? { sources: [...given], reordered: false } : timeOrder(given);
  // load problems of each source (unreadable files, partial trees) are findings too
  const loadFindings = sources.flatMap((s) => s.findings.map((f) => ({ ...f, evidence: { ...(f.evidence ?? {}), snapshot: s.label } })));
  const r = auditSnapshots(snapshotsFromSources(sources, opts), opts);
  r.findings.push(...filter([...(opts.loadFindings ?? []), ...loadFindings], opts));
  r.findings.sort(bySeverity);
  if (reordered) r.reordered = { given: given.map((s) => s.label), used: sources.map((s) => s.label) };
  return r;
}

export function auditSnapshots(snapshots: Snapshot[], opts: AuditOptions = {}): AuditResult {
  const steps = buildSteps(snapshots);
  const ctx = { snapshots, steps };
  const findings: Finding[] = [];
  for (const c of checkRegistry) {
    if (opts.checks && !opts.checks.includes(c.id)) continue;
    findings.push(...c.run(ctx));
  }
  return { snapshots, steps, findings: filter(findings, opts).sort(bySeverity) };
}

function filter(fs: Finding[], opts: AuditOptions): Finding[] {
  const ignore = new Set(opts.ignore ?? []);
  return fs.filter((f) => !ignore.has(f.code));
}

/** most severe first; stable otherwise (check order, then time order) */
function bySeverity(a: Finding, b: Finding): number {
  return severityRank[b.severity] - severityRank[a.severity];
}

/** exit status: 1 when any finding is at or above the threshold */
export function auditExitCode(findings: readonly Finding[], failOn: SeverityName): number {
  return findings.some((f) => severityRank[f.severity] >= severityRank[failOn]) ? 1 : 0;
}
