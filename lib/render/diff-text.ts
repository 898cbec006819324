// Human output of `drscope diff`: runs of consecutive LMBs with the same change on
// one line ("LMB 80000010–8000001f: node 1 → 0 (16 LMBs, 4 GiB)"), then the NUMA
// description, DRC lists and every other property that changed.
import type { DiffResult, Snapshot } from '../diff/diff.js';
import { deltaDrcInvalid, drcBefore, groupRuns, runLabel, type DeltaRun, type LmbDelta, type LmbFieldChange } from '../diff/lmb-diff.js';
import { lmbFlagsText } from '../decode/lmb-flags.js';
import { paint } from './color.js';
import { formatSize } from './hex.js';

export interface DiffTextOptions {
  color: boolean;
  /** max LMB runs printed (the JSON lists every change) */
  maxRuns?: number;
}

export function drcText(d: number): string {
  return d.toString(16).padStart(8, '0');
}

function val(v: LmbFieldChange['before']): string {
  if (v === null) return 'none';
  if (typeof v === 'bigint') return `0x${v.toString(16)}`;
  if (typeof v === 'number' && v === 0xffffffff) return '0xffffffff';
  return String(v);
}

export function changeText(c: LmbFieldChange): string {
  switch (c.field) {
    case 'assigned':
      return c.after ? 'hot-added (ASSIGNED set)' : 'hot-removed (ASSIGNED cleared)';
    case 'aaIndex':
      return `aa ${val(c.before)} → ${val(c.after)}`;
    case 'node':
      return `node ${val(c.before)} → ${val(c.after)}`;
    case 'flag':
      return `${c.after ? '+' : '-'}${c.flag}`;
    case 'address':
      return `address ${val(c.before)} → ${val(c.after)}`;
    case 'drcIndex':
      return `DRC ${drcText(c.before as number)} → ${drcText(c.after as number)}`;
    case 'size':
      return `size ${formatSize(c.before as bigint)} → ${formatSize(c.after as bigint)}`;
    case 'reserved':
      return `reserved cell ${val(c.before)} → ${val(c.after)}`;
    case 'sysfsBlock':
      return c.after ? 'sysfs block appeared' : 'sysfs block gone';
    case 'sysfsNode':
      return `sysfs node ${val(c.before)} → ${val(c.after)}`;
  }
}

/** a run's change: DRC indexes and addresses as ranges when they vary along it */
function runChangeText(run: DeltaRun, c: LmbFieldChange): string {
  if (run.count > 1 && c.field === 'drcIndex') {
    const range = (a: number, b: number) => (a === b ? drcText(a) : `${drcText(a)}–${drcText(b)}`);
    return `DRC ${range(drcBefore(run.first), drcBefore(run.last))} → ${range(run.first.drcIndex, run.last.drcIndex)}`;
  }
  if (run.count > 1 && c.field === 'address') {
    const last = run.last.changes.find((x) => x.field === 'address')!;
    const end = (v: bigint) => `0x${(v + run.last.size - 1n).toString(16)}`;
    return `address 0x${(c.before as bigint).toString(16)}–${end(last.before as bigint)} → 0x${(c.after as bigint).toString(16)}–${end(last.after as bigint)}`;
  }
  return changeText(c);
}

function deltaText(run: DeltaRun, before: Snapshot, after: Snapshot): string {
  const d = run.first;
  if (d.kind === 'added') {
    const l = after.table.lmb(d.afterIndex!);
    return `new entry (address 0x${l.address.toString(16)}, aa ${val(l.aaIndex)}, node ${val(l.node)}, flags ${lmbFlagsText(l.flags)})`;
  }
  if (d.kind === 'removed') {
    const l = before.table.lmb(d.beforeIndex!);
    return `entry gone (address 0x${l.address.toString(16)}, aa ${val(l.aaIndex)}, node ${val(l.node)}, flags ${lmbFlagsText(l.flags)})`;
  }
  return d.changes.map((c) => runChangeText(run, c)).join(', ');
}

function sideText(s: Snapshot): string {
  const t = s.table;
  return `${s.label} (${t.format}${t.bothFormats ? '+v2' : ''}, ${t.count} LMBs${t.lmbSize ? `, LMB size ${formatSize(t.lmbSize)}` : ''})`;
}

function cells(a: readonly number[]): string {
  return `<${a.join(' ')}>`;
}

export function renderDiffText(r: DiffResult, before: Snapshot, after: Snapshot, opts: DiffTextOptions): string {
  const c = opts.color;
  const lines: string[] = [];
  lines.push(paint(c, 'red', `--- ${sideText(before)}`));
  lines.push(paint(c, 'green', `+++ ${sideText(after)}`));
  if (r.format) lines.push(`format: ${r.format.before} → ${r.format.after}`);
  if (r.bothFormats) lines.push(`both v1 and v2 present: ${r.bothFormats.before} → ${r.bothFormats.after}`);
  if (r.lmbSize) lines.push(`LMB size: ${r.lmbSize.before === null ? 'none' : formatSize(r.lmbSize.before)} → ${r.lmbSize.after === null ? 'none' : formatSize(r.lmbSize.after)}`);
  if (r.lmbCount.before !== r.lmbCount.after) lines.push(`LMB count: ${r.lmbCount.before} → ${r.lmbCount.after}`);

  if (r.lmbs.length) {
    const runs = groupRuns(r.lmbs);
    const max = opts.maxRuns ?? 200;
    lines.push(paint(c, 'bold', `LMBs: ${r.lmbs.length} changed (${count(r.lmbs, 'added')} new entries, ${count(r.lmbs, 'removed')} gone)`));
    for (const run of runs.slice(0, max)) {
      const range = runLabel(run.first, run.last, run.count, deltaDrcInvalid(run.first, before.table, after.table));
      const color = run.first.kind === 'added' ? 'green' : run.first.kind === 'removed' ? 'red' : 'yellow';
      lines.push(`  ${paint(c, color, `LMB ${range}`)}: ${deltaText(run, before, after)} (${run.count} LMB${run.count === 1 ? '' : 's'}, ${formatSize(run.bytes)})`);
    }
    if (runs.length > max) lines.push(`  … ${runs.length - max} more runs (use --json for every change)`);
  }

  const n = r.numa;
  if (n.form) lines.push(`affinity form: ${n.form.before} → ${n.form.after}`);
  if (n.referencePoints) lines.push(`reference points: ${cells(n.referencePoints.before)} → ${cells(n.referencePoints.after)}`);
  if (n.primaryDomainIndex) lines.push(`primary domain index: ${val(n.primaryDomainIndex.before)} → ${val(n.primaryDomainIndex.after)}`);
  const la = n.lookupArrays;
  if (la) {
    const head = `lookup arrays: ${la.countBefore ?? 'none'} × ${la.cellsPerArrayBefore ?? '-'} → ${la.countAfter ?? 'none'} × ${la.cellsPerArrayAfter ?? '-'}`;
    lines.push(paint(c, 'bold', head));
    for (const a of la.appended) lines.push(`  + [${a.index}] ${cells(a.cells)} (appended)`);
    for (const a of la.changed) lines.push(`  ~ [${a.index}] ${cells(a.before)} → ${cells(a.after)}`);
    for (const a of la.removed) lines.push(`  - [${a.index}] ${cells(a.cells)}`);
  }
  for (const d of r.drc) {
    const parts: string[] = [];
    if (d.formatBefore !== d.formatAfter) parts.push(`format ${d.formatBefore} → ${d.formatAfter}`);
    if (d.added.length) parts.push(`${d.added.length} added (${names(d.added)})`);
    if (d.removed.length) parts.push(`${d.removed.length} removed (${names(d.removed)})`);
    if (d.changed.length) parts.push(`${d.changed.length} changed (${d.changed.slice(0, 4).map((x) => `${drcText(x.index)}: ${x.before.name}/${x.before.type} → ${x.after.name}/${x.after.type}`).join(', ')})`);
    lines.push(`DRC list ${d.node}: ${parts.join('; ')}`);
  }
  if (r.properties.length) {
    lines.push(paint(c, 'bold', `properties: ${r.properties.length} changed`));
    for (const p of r.properties) {
      if (p.kind === 'node-added') lines.push(paint(c, 'green', `  + ${p.node}/ (${p.after})`));
      else if (p.kind === 'node-removed') lines.push(paint(c, 'red', `  - ${p.node}/ (${p.before})`));
      else if (p.kind === 'added') lines.push(paint(c, 'green', `  + ${p.node}:${p.property} = ${p.after}`));
      else if (p.kind === 'removed') lines.push(paint(c, 'red', `  - ${p.node}:${p.property} = ${p.before}`));
      else lines.push(`  ~ ${p.node}:${p.property}: ${p.before} → ${p.after}${p.beforeLength !== p.afterLength ? ` (${p.beforeLength} → ${p.afterLength} bytes)` : ` (from byte ${p.offset})`}${p.note ? ` — ${p.note}` : ''}`);
    }
  }
  if (lines.length === 2) lines.push('no differences');
  return `${lines.join('\n')}\n`;
}

function count(ds: readonly LmbDelta[], k: LmbDelta['kind']): number {
  return ds.reduce((n, d) => n + (d.kind === k ? 1 : 0), 0);
}

function names(es: ReadonlyArray<{ name: string; index: number }>): string {
  const s = es.slice(0, 4).map((e) => e.name || drcText(e.index));
  return es.length > 4 ? `${s.join(', ')}, …` : s.join(', ');
}
