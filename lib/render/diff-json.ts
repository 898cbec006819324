// `drscope diff --json`: every change, schemaVersion 1 (see docs/readme/diff-audit.md).
import type { DiffResult, Snapshot } from '../diff/diff.js';
import { diffIsEmpty } from '../diff/diff.js';
import type { LmbDelta } from '../diff/lmb-diff.js';
import { lmbFlagsText } from '../decode/lmb-flags.js';
import type { Lmb } from '../model/lmb.js';
import { PlainJsonArray } from './json.js';

function drc(n: number): string {
  return `0x${n.toString(16)}`;
}

function h64(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** a change value as plain JSON (64-bit values as "0x…") */
function plain(v: unknown): unknown {
  return typeof v === 'bigint' ? h64(v) : v;
}

function lmbBrief(l: Lmb): Record<string, unknown> {
  return { drcIndex: drc(l.drcIndex), address: h64(l.address), size: h64(l.size), aaIndex: l.aaIndex, node: l.node, flags: `0x${l.flags.toString(16)}`, flagNames: lmbFlagsText(l.flags), assigned: l.assigned };
}

function side(s: Snapshot): Record<string, unknown> {
  return { label: s.label, origin: s.origin, format: s.table.format, bothFormats: s.table.bothFormats, lmbCount: s.table.count, lmbSize: s.table.lmbSize };
}

/** one LMB change as plain JSON data (no bigint): streamed one line each by PlainJsonArray */
function delta(d: LmbDelta, before: Snapshot, after: Snapshot): Record<string, unknown> {
  const base: Record<string, unknown> = { kind: d.kind, drcIndex: drc(d.drcIndex), address: h64(d.address), size: h64(d.size) };
  if (d.kind === 'added') return { ...base, after: lmbBrief(after.table.lmb(d.afterIndex!)) };
  if (d.kind === 'removed') return { ...base, before: lmbBrief(before.table.lmb(d.beforeIndex!)) };
  return {
    ...base,
    changes: d.changes.map((c) => ({
      field: c.field,
      ...(c.flag !== undefined ? { flag: c.flag } : {}),
      before: c.field === 'drcIndex' ? drc(c.before as number) : plain(c.before),
      after: c.field === 'drcIndex' ? drc(c.after as number) : plain(c.after),
    })),
  };
}

export function diffJson(r: DiffResult, before: Snapshot, after: Snapshot): Record<string, unknown> {
  const kinds = { added: 0, removed: 0, changed: 0 };
  for (const d of r.lmbs) kinds[d.kind]++;
  return {
    schemaVersion: 1,
    command: 'diff',
    before: side(before),
    after: side(after),
    identical: diffIsEmpty(r),
    summary: { lmbsChanged: kinds.changed, lmbEntriesAdded: kinds.added, lmbEntriesRemoved: kinds.removed, properties: r.properties.length, drcLists: r.drc.length },
    ...(r.format ? { format: r.format } : {}),
    ...(r.bothFormats ? { bothFormats: r.bothFormats } : {}),
    ...(r.lmbSize ? { lmbSize: r.lmbSize } : {}),
    lmbs: new PlainJsonArray(r.lmbs, (d) => delta(d, before, after)),
    numa: r.numa,
    drcLists: r.drc.map((d) => ({
      node: d.node,
      formatBefore: d.formatBefore,
      formatAfter: d.formatAfter,
      added: d.added.map((e) => ({ ...e, index: drc(e.index) })),
      removed: d.removed.map((e) => ({ ...e, index: drc(e.index) })),
      changed: d.changed.map((c) => ({ index: drc(c.index), before: { ...c.before, index: drc(c.before.index) }, after: { ...c.after, index: drc(c.after.index) } })),
    })),
    properties: r.properties,
  };
}
