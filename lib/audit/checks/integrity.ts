// integrity: what is wrong inside one snapshot -- duplicate DRC indexes, overlapping
// LMBs, AI_INVALID with a usable aa index, ASSIGNED vs sysfs block presence -- plus the
// decoder/model findings (aa index beyond the lookup arrays, count cell vs length,
// unknown flag bits, both formats...) passed through with their own codes.
import type { Snapshot } from '../../diff/diff.js';
import type { Finding } from '../../model/finding.js';
import { LmbFlag } from '../../model/lmb.js';
import { addressNumber, addressWords, anyBlocksListed, blocksListed, hasBlock } from '../../model/lmb-columns.js';
import { drcRuns, type AuditCheck, type AuditContext } from '../types.js';

const MAX_LMBS = 64;

export const integrityCheck: AuditCheck = {
  id: 'integrity',
  codes: ['duplicate-drc-index', 'overlapping-lmbs', 'ai-invalid-with-index', 'assigned-without-block', 'block-without-lmb'],
  run(ctx: AuditContext): Finding[] {
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const s of ctx.snapshots) {
      for (const f of [...s.table.findings, ...checkSnapshot(s)]) {
        // the same problem in every snapshot is reported once, for the first one
        const prefix = `${s.label}: `;
        const key = `${f.code}|${f.message.startsWith(prefix) ? f.message.slice(prefix.length) : f.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ ...f, message: f.message.startsWith(prefix) ? f.message : `${prefix}${f.message}`, evidence: { ...(f.evidence ?? {}), snapshot: s.label } });
      }
    }
    return out;
  },
};

export function checkSnapshot(s: Snapshot): Finding[] {
  const t = s.table;
  if (t.format !== 'v1' && t.format !== 'v2') return [];
  const out: Finding[] = [];
  const n = t.count;
  const { drc, flags } = t;

  // duplicates: nothing to hash when the DRC indexes are strictly increasing (they are in
  // firmware tables); int32 keys otherwise, so they stay V8 small integers
  const dup: number[] = [];
  let prev = -1;
  let increasing = true;
  for (let k = 0; k < n; k++) {
    if (flags[k]! & LmbFlag.DRC_INVALID) continue;
    if (drc[k]! <= prev) increasing = false;
    prev = drc[k]!;
  }
  if (!increasing) {
    const byDrc = new Map<number, number>();
    for (let k = 0; k < n; k++) {
      if (flags[k]! & LmbFlag.DRC_INVALID) continue;
      const c = (byDrc.get(drc[k]! | 0) ?? 0) + 1;
      byDrc.set(drc[k]! | 0, c);
      if (c === 2) dup.push(drc[k]!);
    }
  }
  if (dup.length) out.push(mk('duplicate-drc-index', 'error', dup, `${dup.length} DRC index(es) are used by more than one LMB (${drcRuns(dup)}); DLPAR by index reaches only the first`));

  // overlaps, in address order; doubles (exact below 2^53 = 8 PiB) avoid a bigint per LMB
  const words = addressWords(t);
  const addr = new Float64Array(n);
  let sorted = true;
  for (let k = 0; k < n; k++) {
    addr[k] = addressNumber(words, k);
    if (k > 0 && addr[k]! < addr[k - 1]!) sorted = false;
  }
  // drconf LMBs all have the LMB size: one conversion, no column
  const uniform = t.size === null ? undefined : Number(t.size);
  const size = uniform === undefined ? Float64Array.from(t.sizes!, Number) : undefined;
  const overlap: number[] = [];
  if (sorted && uniform !== undefined) {
    if (uniform > 0) for (let k = 1; k < n; k++) if (addr[k]! < addr[k - 1]! + uniform) overlap.push(drc[k]!);
  } else if (sorted) {
    for (let k = 1; k < n; k++) if (size![k - 1]! > 0 && addr[k]! < addr[k - 1]! + size![k - 1]!) overlap.push(drc[k]!);
  } else {
    const sizeOf = (k: number) => uniform ?? size![k]!;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => addr[a]! - addr[b]!);
    for (let k = 1; k < n; k++) {
      const p = order[k - 1]!;
      const c = order[k]!;
      if (sizeOf(p) > 0 && addr[c]! < addr[p]! + sizeOf(p)) overlap.push(drc[c]!);
    }
  }
  if (overlap.length) out.push(mk('overlapping-lmbs', 'error', overlap, `${overlap.length} LMB(s) overlap the address range of the LMB before them (${drcRuns(overlap)})`));

  const arrays = t.numa.lookupArrays?.count ?? 0;
  const aiInvalid: number[] = [];
  if (t.aa) {
    const aa = t.aa;
    for (let k = 0; k < n; k++) if (flags[k]! & LmbFlag.AI_INVALID && aa[k] !== 0xffffffff && aa[k]! < arrays) aiInvalid.push(drc[k]!);
  }
  if (aiInvalid.length) out.push(mk('ai-invalid-with-index', 'warning', aiInvalid, `${aiInvalid.length} LMB(s) have AI_INVALID set but an aa index inside the lookup arrays (${drcRuns(aiInvalid)}); Linux gives them no node`));

  if (s.origin === 'tree' && anyBlocksListed(t)) {
    const noBlock: number[] = [];
    const stray: number[] = [];
    for (let k = 0; k < n; k++) {
      const f = flags[k]!;
      const owned = (f & LmbFlag.ASSIGNED) !== 0 && !(f & (LmbFlag.RESERVED | LmbFlag.DRC_INVALID));
      if (owned && blocksListed(t, k) && !hasBlock(t, k)) noBlock.push(drc[k]!);
      if (!(f & LmbFlag.ASSIGNED) && !(f & (LmbFlag.RESERVED | LmbFlag.DRC_INVALID)) && hasBlock(t, k)) stray.push(drc[k]!);
    }
    if (noBlock.length) out.push(mk('assigned-without-block', 'warning', noBlock, `${noBlock.length} ASSIGNED LMB(s) have no sysfs memory block (${drcRuns(noBlock)}): a snapshot taken mid-DLPAR, or a DLPAR that failed half-way`));
    if (stray.length) out.push(mk('block-without-lmb', 'warning', stray, `${stray.length} LMB(s) not marked ASSIGNED have a sysfs memory block (${drcRuns(stray)}): Linux has memory the device tree does not give to the partition`));
  }
  return out;
}

function mk(code: string, severity: Finding['severity'], lmbs: number[], message: string): Finding {
  return { code, severity, confidence: 'certain', lmbs: lmbs.slice(0, MAX_LMBS), message, evidence: { count: lmbs.length } };
}
