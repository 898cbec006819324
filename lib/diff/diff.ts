// diffSnapshots: the whole semantic diff of two snapshots (LMBs, format, LMB size,
// NUMA description, DRC lists, every other property).
import type { Source } from '../dt/source.js';
import type { DtTree } from '../dt/tree.js';
import type { LmbColumnTable } from '../model/lmb-columns.js';
import { DRC_PROPS, diffDrcLists, type DrcListDiff } from './drc-diff.js';
import { diffLmbs, type LmbDelta } from './lmb-diff.js';
import { diffNuma, type NumaDiff } from './numa-diff.js';
import { encodingNotes, lmbEncoding } from './encoding.js';
import { diffTrees, firstDiff, showValue, type PropChange } from './tree-diff.js';
import { bytesEqual } from '../dt/tree.js';

/** One point in time: a device tree and the LMB table built from it (with sysfs when captured). */
export interface Snapshot {
  label: string;
  tree: DtTree;
  /** column-wise (lmbColumnsFromTree): no object per LMB; table.lmb(k) builds one */
  table: LmbColumnTable;
  /** "tree": a source's live tree; "boot-fdt": a source's /sys/firmware/fdt */
  origin: 'tree' | 'boot-fdt';
  /** identity of the boot this snapshot belongs to (hash of the boot FDT), when known */
  bootId?: string;
  /** the source it came from (files for checks that read the capture) */
  source?: Source;
}

export interface DiffResult {
  format?: { before: string; after: string };
  bothFormats?: { before: boolean; after: boolean };
  lmbSize?: { before: bigint | null; after: bigint | null };
  lmbCount: { before: number; after: number };
  lmbs: LmbDelta[];
  numa: NumaDiff;
  drc: DrcListDiff[];
  properties: PropChange[];
}

const DRCONF = '/ibm,dynamic-reconfiguration-memory';
/** properties the semantic parts explain; the generic diff skips them */
const COVERED: Record<string, Set<string>> = {
  [DRCONF]: new Set(['ibm,dynamic-memory', 'ibm,dynamic-memory-v2', 'ibm,associativity-lookup-arrays', 'ibm,lmb-size']),
  '/rtas': new Set(['ibm,associativity-reference-points']),
  '/': new Set(['ibm,associativity-reference-points']),
};

export function diffSnapshots(before: Snapshot, after: Snapshot): DiffResult {
  const b = before.table;
  const a = after.table;
  const r: DiffResult = {
    lmbCount: { before: b.count, after: a.count },
    lmbs: diffLmbs(b, a),
    numa: diffNuma(b.numa, a.numa),
    drc: diffDrcLists(before.tree, after.tree),
    properties: diffTrees(before.tree, after.tree, skipCovered),
  };
  const enc = lmbPropertyChange(before, after, r.lmbs.length > 0);
  if (enc) r.properties.unshift(enc);
  if (b.format !== a.format) r.format = { before: b.format, after: a.format };
  if (b.bothFormats !== a.bothFormats) r.bothFormats = { before: b.bothFormats, after: a.bothFormats };
  if (b.lmbSize !== a.lmbSize) r.lmbSize = { before: b.lmbSize, after: a.lmbSize };
  return r;
}

/**
 * The LMB property itself, when its bytes differ in a way no LMB line shows: the same
 * LMBs encoded differently (v2 sets split or regrouped, a zero-length set, a count cell
 * that does not match the entries). Reported also next to LMB changes when the encoding
 * changed (canonical form, count cell, empty sets): those are the audit's rewrite fingerprints.
 */
function lmbPropertyChange(before: Snapshot, after: Snapshot, lmbsChanged: boolean): PropChange | undefined {
  const b = lmbEncoding(before.tree, before.table.drconf);
  const a = lmbEncoding(after.tree, after.table.drconf);
  if (!b || !a || b.property !== a.property || bytesEqual(b.bytes, a.bytes)) return undefined;
  const notes = encodingNotes(b, a);
  if (lmbsChanged && notes.length === 0) return undefined;
  if (b.property === 'ibm,dynamic-memory-v2' && b.entries !== a.entries && !notes.some((n) => n.startsWith('count cell'))) notes.unshift(`${b.entries} → ${a.entries} sets`);
  const off = firstDiff(b.bytes, a.bytes);
  return {
    kind: 'changed',
    node: DRCONF,
    property: b.property,
    before: showValue(b.bytes, off, true),
    after: showValue(a.bytes, off, true),
    offset: off,
    beforeLength: b.bytes.length,
    afterLength: a.bytes.length,
    note: notes.length ? notes.join('; ') : 'the same LMBs, encoded differently',
  };
}

function skipCovered(node: string, prop: string): boolean {
  if (DRC_PROPS.has(prop)) return true;
  return COVERED[node]?.has(prop) ?? false;
}

export function diffIsEmpty(d: DiffResult): boolean {
  return (
    d.format === undefined &&
    d.bothFormats === undefined &&
    d.lmbSize === undefined &&
    d.lmbs.length === 0 &&
    Object.keys(d.numa).length === 0 &&
    d.drc.length === 0 &&
    d.properties.length === 0
  );
}

export type { DtTree };
