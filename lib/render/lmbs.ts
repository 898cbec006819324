// LMB table -> text (table, per-node summary) and the --json document of
// `drscope lmbs`. Pure: data in, string/object out.
import type { Source } from '../dt/source.js';
import { lmbCategory } from '../model/lmb-category.js';
import { AA_INDEX_NONE, type Lmb, type LmbTable, type MemoryBlock } from '../model/lmb.js';
import { nodeAt, sizeAt, type LmbColumnTable } from '../model/lmb-columns.js';
import { lmbFlagsText } from '../decode/lmb-flags.js';
import type { ColorName } from './color.js';
import { formatSize, hexOf, hexPad } from './hex.js';
import { hex64, PlainJsonArray } from './json.js';
import { lmbColumnJsonWriter } from './lmb-json-bytes.js';
import { sourceJson } from './source-json.js';
import { renderTable, writeTable, type Column } from './table.js';

/** what a caption says of a table (its LMBs aside) */
type LmbTableInfo = Pick<LmbTable, 'format' | 'lmbSize' | 'numa' | 'blockSize'>;

/** "memory8 online", "memory2-3 online", "memory0 online (node 0)" when the block's node is not the LMB's */
export function blocksText(lmb: Lmb): string {
  const blocks = lmb.blocks ?? [];
  if (blocks.length === 0) return '-';
  const runs: { from: MemoryBlock; to: MemoryBlock }[] = [];
  for (const b of blocks) {
    const last = runs[runs.length - 1];
    if (last && b.index === last.to.index + 1 && b.state === last.to.state && b.node === last.to.node) last.to = b;
    else runs.push({ from: b, to: b });
  }
  return runs
    .map(({ from, to }) => {
      const name = from === to ? `memory${from.index}` : `memory${from.index}-${to.index}`;
      const node = from.node !== lmb.node ? ` (node ${from.node ?? '-'})` : '';
      return `${name} ${from.state ?? '?'}${node}`;
    })
    .join(', ');
}

export function aaText(aa: number | null): string {
  return aa === null ? '-' : aa === AA_INDEX_NONE ? '0xffffffff' : hexOf(aa);
}

/**
 * the lmbs table of LMBs `ks` of `t`, written in pieces; each row's record is
 * built when it is needed (twice: widths, then text), never all at once
 */
export function writeLmbTable(t: LmbColumnTable, ks: Uint32Array, color: boolean, write: (text: string) => void): void {
  let maxEnd = 0n;
  for (const k of ks) {
    const end = t.address[k]! + sizeAt(t, k);
    if (end > maxEnd) maxEnd = end;
  }
  const w = Math.max(9, (maxEnd > 0n ? maxEnd - 1n : 0n).toString(16).length);
  const withBlocks = t.blockSize !== null;
  const columns: Column[] = [{ header: 'DRC-INDEX' }, { header: 'NAME' }, { header: 'ADDRESS-RANGE' }, { header: 'NODE', align: 'right' }, { header: 'AA-INDEX' }, { header: 'FLAGS' }];
  if (withBlocks) columns.push({ header: 'BLOCKS' });
  const cells = (i: number): string[] => {
    const l = t.lmb(ks[i]!);
    const end = l.size > 0n ? l.address + l.size - 1n : l.address;
    const row = [hexPad(l.drcIndex, 8), l.name ?? '-', `${hexPad(l.address, w)}-${hexPad(end, w)}`, l.node === null ? '-' : String(l.node), aaText(l.aaIndex), l.flags === 0 ? '-' : lmbFlagsText(l.flags)];
    if (withBlocks) row.push(blocksText(l));
    return row;
  };
  const cellColor = (r: number, c: number): ColorName | undefined => {
    if (c !== 5 && c !== 6) return undefined;
    // the category is the flags column's; only the blocks check needs the record
    const cat = lmbCategory({ flags: t.flags[ks[r]!]! });
    if (c === 5) return cat === 'assigned' ? 'green' : cat === 'reserved' ? 'gray' : undefined;
    if (cat !== 'assigned') return undefined;
    const l = t.lmb(ks[r]!);
    return (l.blocks ?? []).some((b) => b.node !== l.node || b.state !== 'online') ? 'yellow' : undefined;
  };
  writeTable(columns, { count: ks.length, cells }, { color, cellColor }, write);
}

export interface NodeSummary {
  node: number | null;
  assigned: { lmbs: number; bytes: bigint };
  free: { lmbs: number; bytes: bigint };
  reserved: { lmbs: number; bytes: bigint };
}

/** per Linux node (null = no node) of LMBs `ks` of `t`, ascending, "no node" last */
export function summarizeByNode(t: LmbColumnTable, ks: Uint32Array): NodeSummary[] {
  const by = new Map<number | null, NodeSummary>();
  for (const k of ks) {
    const node = nodeAt(t, k);
    let s = by.get(node);
    if (!s) by.set(node, (s = { node, assigned: { lmbs: 0, bytes: 0n }, free: { lmbs: 0, bytes: 0n }, reserved: { lmbs: 0, bytes: 0n } }));
    const bucket = s[lmbCategory({ flags: t.flags[k]! })];
    bucket.lmbs++;
    bucket.bytes += sizeAt(t, k);
  }
  return [...by.values()].sort((a, b) => (a.node ?? Infinity) - (b.node ?? Infinity));
}

export function totalOf(rows: readonly NodeSummary[]): NodeSummary {
  const t: NodeSummary = { node: null, assigned: { lmbs: 0, bytes: 0n }, free: { lmbs: 0, bytes: 0n }, reserved: { lmbs: 0, bytes: 0n } };
  for (const r of rows) {
    for (const k of ['assigned', 'free', 'reserved'] as const) {
      t[k].lmbs += r[k].lmbs;
      t[k].bytes += r[k].bytes;
    }
  }
  return t;
}

const FORMAT_PROP = { v1: 'ibm,dynamic-memory', v2: 'ibm,dynamic-memory-v2', legacy: 'memory@ nodes', none: 'no LMB property' } as const;

/** one caption line: what was read and how nodes were computed */
export function lmbCaption(table: LmbTableInfo, count: number): string {
  const parts = [`${count} LMB${count === 1 ? '' : 's'} from ${FORMAT_PROP[table.format]}`];
  if (table.lmbSize !== null) parts.push(`LMB size ${formatSize(table.lmbSize)} (${hexOf(table.lmbSize)})`);
  const n = table.numa;
  parts.push(n.primaryDomainIndex === null ? 'NUMA off' : `FORM${n.form} affinity, primary domain index ${n.primaryDomainIndex}${n.nrNodeIds !== null ? `, ${n.nrNodeIds} possible node${n.nrNodeIds === 1 ? '' : 's'}` : ''}`);
  if (table.blockSize !== null) parts.push(`memory block size ${formatSize(table.blockSize)}`);
  return parts.join('; ');
}

export function renderSummary(t: LmbColumnTable, ks: Uint32Array, color: boolean): string {
  const rows = summarizeByNode(t, ks);
  const size = (b: bigint) => (b === 0n ? '0' : formatSize(b));
  const cells = (s: NodeSummary, label: string) => [label, String(s.assigned.lmbs), size(s.assigned.bytes), String(s.free.lmbs), size(s.free.bytes), String(s.reserved.lmbs), size(s.reserved.bytes)];
  const body = rows.map((s) => cells(s, s.node === null ? '-' : String(s.node)));
  body.push(cells(totalOf(rows), 'total'));
  const columns: Column[] = [{ header: 'NODE' }, ...['ASSIGNED', 'ASSIGNED-SIZE', 'FREE', 'FREE-SIZE', 'RESERVED', 'RESERVED-SIZE'].map((h) => ({ header: h, align: 'right' as const }))];
  return `${lmbCaption(t, ks.length)}\n${renderTable(columns, body, { color })}`;
}

export function lmbJson(l: Lmb): Record<string, unknown> {
  return {
    drcIndex: hex64(l.drcIndex),
    name: l.name ?? null,
    address: hex64(l.address),
    size: hex64(l.size),
    aaIndex: l.aaIndex,
    flags: l.flags,
    flagNames: l.flagNames,
    unknownFlags: l.unknownFlags,
    assigned: l.assigned,
    category: lmbCategory(l),
    node: l.node,
    associativity: l.associativity ?? null,
    origin: l.origin,
    memoryNode: l.memoryNode ?? null,
    ...(l.reservedCell !== undefined ? { reservedCell: l.reservedCell } : {}),
    blockIndexes: l.blockIndexes ?? null,
    blocks: l.blocks ? l.blocks.map((b) => ({ index: b.index, state: b.state ?? null, node: b.node, ...(b.removable !== undefined ? { removable: b.removable } : {}), ...(b.validZones !== undefined ? { validZones: b.validZones } : {}) })) : null,
  };
}

/** the --json document: `lmbs` are indexes into `table`, streamed one record at a time */
export function lmbsJsonDoc(source: Source, table: LmbColumnTable, body: { lmbs?: Uint32Array; summary?: NodeSummary[] }): Record<string, unknown> {
  const sum = (s: NodeSummary) => ({ node: s.node, assigned: { lmbs: s.assigned.lmbs, bytes: hex64(s.assigned.bytes) }, free: { lmbs: s.free.lmbs, bytes: hex64(s.free.bytes) }, reserved: { lmbs: s.reserved.lmbs, bytes: hex64(s.reserved.bytes) } });
  return {
    schemaVersion: 1,
    source: sourceJson(source),
    format: table.format,
    bothFormats: table.bothFormats,
    lmbSize: hex64(table.lmbSize),
    blockSize: hex64(table.blockSize),
    numa: table.numa,
    ...(body.summary ? { summary: body.summary.map(sum), total: sum(totalOf(body.summary)) } : {}),
    ...(body.lmbs ? { lmbs: new PlainJsonArray(body.lmbs, (k) => lmbJson(table.lmb(k)), lmbColumnJsonWriter(table)) } : {}),
    findings: [...source.findings, ...table.findings],
  };
}
