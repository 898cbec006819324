// drscope slots [source] [--type ...]: the lsslot inventory in drscope's own
// style, from any source: every slot incl. empty and not-owned ones, the device
// node behind it, the Linux device, LMB names/NUMA nodes/ownership for memory.
// Same model as the drop-in lsslot (lib/model/slot.ts, compat cpu/LMB code);
// only the rendering differs.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { cpuInventory, l2Of, l3Of, type CpuInventory } from '../compat/lsslot/cpu.js';
import { Say } from '../compat/say.js';
import type { SystemView } from '../compat/system.js';
import type { Io } from '../io.js';
import { lmbCategory } from '../model/lmb-category.js';
import type { Lmb } from '../model/lmb.js';
import { aaAt, blocksListed, hasBlock, nodeAt, selectLmbs, sizeAt, type LmbColumnTable } from '../model/lmb-columns.js';
import { lmbColumnsFromTree } from '../model/lmbs-from-tree.js';
import { dlparNodes, hotplugNodes, locCodeCmp, slotDescription, type SlotNode } from '../model/slot.js';
import { findingLine } from '../render/finding-line.js';
import { formatSize, hexOf } from '../render/hex.js';
import { hex64, PlainJsonArray, writeJsonText } from '../render/json.js';
import { sourceJson } from '../render/source-json.js';
import { writeTable, type Column, type RowSource } from '../render/table.js';
import type { CommandDef } from './command.js';
import { sourceFromArgs, withSource } from './source-arg.js';

export const SLOT_TYPES = ['slot', 'pci', 'phb', 'cpu', 'mem', 'port'] as const;
type SlotType = (typeof SLOT_TYPES)[number];

const base = (p: string) => (p ? p.slice(p.lastIndexOf('/') + 1) : '');
const ofPath = (p: string) => (p.startsWith('/proc/device-tree') ? p.slice('/proc/device-tree'.length) || '/' : p);
const sorted = (nodes: SlotNode[]) => [...nodes].sort((a, b) => locCodeCmp(a.drcName, b.drcName));

function slotJson(n: SlotNode): Record<string, unknown> {
  return {
    drcName: n.drcName,
    drcIndex: hexOf(n.drcIndex),
    drcType: n.drcType,
    kind: n.kind,
    description: slotDescription(n),
    owned: n.owned,
    ...(n.skip ? { skipped: true } : {}),
    ofNode: ofPath(n.ofdtPath),
    ...(n.dname ? { deviceName: n.dname } : {}),
    ...(n.sysfsPath ? { linuxDevice: base(n.sysfsPath), sysfsPath: n.sysfsPath } : {}),
    ...(n.locCode ? { locCode: n.locCode } : {}),
    children: n.children.map(slotJson),
  };
}

const yn = (b: boolean) => (b ? 'yes' : 'no');

function slotRows(nodes: SlotNode[]): string[][] {
  return sorted(nodes).map((n) => [n.drcName, hexOf(n.drcIndex), slotDescription(n), yn(n.owned) + (n.skip ? ' (skipped)' : ''), n.owned ? ofPath(n.ofdtPath) : '-', n.dname || (n.kind === 'hea' ? n.children.map((c) => c.drcName).join(',') : '') || 'empty', base(n.sysfsPath) || '-']);
}

function pciRows(nodes: SlotNode[]): string[][] {
  return sorted(nodes).map((n) => [
    n.drcName,
    hexOf(n.drcIndex),
    slotDescription(n),
    n.skip ? 'skipped' : n.children.length ? 'occupied' : 'empty',
    ofPath(n.ofdtPath),
    n.children.map((c) => `${ofPath(c.ofdtPath)}${c.sysfsPath ? ` (${base(c.sysfsPath)})` : ''}`).join(', ') || '-',
  ]);
}

function cpuSection(inv: CpuInventory): { rows: string[][]; json: unknown } {
  const rows = inv.cpus.map((c) => {
    const l2 = l2Of(c, inv);
    const l3 = l2 ? l3Of(l2, inv) : undefined;
    return [c.drcName, hexOf(c.drcIndex), yn(c.owned), c.name ?? '-', c.threads.map((t) => String(t.id)).join(',') || '-', l2?.name ?? '-', l3?.name ?? '-'];
  });
  const json = {
    cpus: inv.cpus.map((c) => ({ drcName: c.drcName, drcIndex: hexOf(c.drcIndex), owned: c.owned, ofNode: c.name ? `/cpus/${c.name}` : null, threads: c.threads.map((t) => ({ cpu: t.id, physicalId: t.physId })), l2Cache: l2Of(c, inv)?.name ?? null })),
    caches: inv.caches.map((c) => ({ name: c.name, phandle: hexOf(c.phandle), nextLevel: c.l2cache === 0xffffffff ? null : hexOf(c.l2cache) })),
  };
  return { rows: rows.reverse(), json };
}

/** the sysfs memory blocks that exist for this LMB, as `drscope lmbs` shows them (a free LMB has none); null without a sysfs view */
function presentBlocks(l: Lmb): number[] | null {
  return l.blocks ? l.blocks.map((b) => b.index) : null;
}

/** the memory table's rows and the JSON 'lmbs' elements, from the columns: an Lmb record only for an LMB with sysfs blocks listed */
function memRowsOf(t: LmbColumnTable): { cells: (k: number) => string[]; json: (k: number) => Record<string, unknown> } {
  const uniform = t.size === null ? undefined : formatSize(t.size);
  return {
    cells: (k) => {
      const node = nodeAt(t, k);
      const aa = aaAt(t, k);
      // hasBlock: Lmb.blocks is non-empty; without one the cell is '-' (no sysfs view, not listed, or none present)
      const blocks = hasBlock(t, k) ? presentBlocks(t.lmb(k))!.join(',') : '-';
      return [hexOf(t.drc[k]!), t.name(k) ?? '-', hexOf(t.address[k]!), uniform ?? formatSize(sizeAt(t, k)), lmbCategory({ flags: t.flags[k]! }), node === null ? '-' : String(node), aa === null ? '-' : aa === 0xffffffff ? 'none' : String(aa), blocks];
    },
    json: (k) => {
      const l = blocksListed(t, k) ? t.lmb(k) : undefined;
      return { drcIndex: hexOf(t.drc[k]!), name: t.name(k) ?? null, address: hex64(t.address[k]!), size: hex64(sizeAt(t, k)), state: lmbCategory({ flags: t.flags[k]! }), node: nodeAt(t, k), aaIndex: aaAt(t, k), flags: t.flags[k]!, blocks: l ? presentBlocks(l) : null, blockIndexes: l?.blockIndexes ?? null };
    },
  };
}

/** one titled table of the report; rows are made when they are written */
export interface SlotsSection {
  title: string;
  columns: Column[];
  rows: RowSource;
  /** the line shown instead of an empty table */
  empty: string;
}

export interface SlotsReport {
  sections: SlotsSection[];
  /** the JSON parts in section order; the LMB list is a PlainJsonArray made one LMB at a time */
  json: Record<string, unknown>;
}

const rowsOf = (rows: string[][]): RowSource => ({ count: rows.length, cells: (r) => rows[r]! });

/**
 * The inventory of the requested types. Slots, PHBs, ports and CPUs are small
 * and built here; LMBs stay in the column table (262,144 of them) and each
 * row or JSON line is made from the columns as it is written (writeSlotsText,
 * writeJsonText), so neither the records nor the output exist whole.
 */
export function slotsReport(view: SystemView, types: readonly SlotType[], lmbTable: () => LmbColumnTable, io: Io): SlotsReport {
  const sections: SlotsSection[] = [];
  const json: Record<string, unknown> = {};
  const section = (title: string, cols: string[], rows: RowSource, empty: string) => sections.push({ title, columns: cols.map((header) => ({ header })), rows, empty });
  const quiet = new Say(io, 0);
  for (const t of types) {
    if (t === 'slot') {
      const inv = dlparNodes(view, { pci: true, vio: true, hea: true });
      json.slots = sorted(inv.nodes).map(slotJson);
      section('Logical and virtual I/O slots', ['SLOT', 'DRC', 'DESCRIPTION', 'OWNED', 'DEVICE NODE', 'DEVICE', 'LINUX'], rowsOf(slotRows(inv.nodes)), 'no DR slots');
    } else if (t === 'pci') {
      const inv = hotplugNodes(view);
      json.pciSlots = sorted(inv.nodes).map(slotJson);
      section('Hot-plug PCI slots', ['SLOT', 'DRC', 'DESCRIPTION', 'STATE', 'BUS NODE', 'DEVICES'], rowsOf(pciRows(inv.nodes)), 'no hot-plug PCI slots');
    } else if (t === 'phb') {
      const inv = dlparNodes(view, { phb: true });
      json.phbs = inv.nodes.map(slotJson).reverse();
      // long slot lists (QEMU has 256 per PHB) are counted here; --json and --type pci/slot list them
      const slotsCell = (p: SlotNode) => {
        const kids = sorted(p.children);
        const used = kids.filter((c) => c.owned && (c.kind !== 'hotplug' || c.children.length > 0));
        if (kids.length <= 8) return kids.map((c) => `${c.drcName}${used.includes(c) ? '' : ' (empty)'}`).join(', ') || '-';
        return `${kids.length} slots, ${used.length} occupied${used.length ? `: ${used.map((c) => c.drcName).join(', ')}` : ''}`;
      };
      const rows = [...inv.nodes].reverse().map((p) => [p.drcName, hexOf(p.drcIndex), ofPath(p.ofdtPath), slotsCell(p)]);
      section('PCI host bridges', ['PHB', 'DRC', 'NODE', 'SLOTS'], rowsOf(rows), 'no PHBs');
    } else if (t === 'port') {
      const inv = dlparNodes(view, { hea: true });
      const ports = inv.nodes.flatMap((a) => a.children.map((c) => ({ a, c })));
      json.heaPorts = ports.map(({ a, c }) => ({ adapter: a.drcName, ...slotJson(c) }));
      section('HEA ports', ['PORT', 'DRC', 'ADAPTER', 'NODE'], rowsOf(ports.map(({ a, c }) => [c.drcName, hexOf(c.drcIndex), a.drcName, ofPath(c.ofdtPath)])), 'no HEA ports');
    } else if (t === 'cpu') {
      const inv = cpuInventory(view, quiet);
      if (!inv) {
        json.cpus = null;
        section('CPUs', [], rowsOf([]), 'no dynamically reconfigurable CPUs (no usable /cpus DRC list, or sysfs cpu data missing)');
      } else {
        const c = cpuSection(inv);
        Object.assign(json, c.json);
        section('CPUs', ['CPU', 'DRC', 'OWNED', 'NODE', 'LINUX CPUS', 'L2', 'L3'], rowsOf(c.rows), 'no CPUs');
      }
    } else {
      const table = lmbTable();
      json.lmbSize = hex64(table.lmbSize);
      const rows = memRowsOf(table);
      json.lmbs = new PlainJsonArray(selectLmbs(table), rows.json);
      section(`Memory (LMB size ${table.lmbSize === null ? 'unknown' : formatSize(table.lmbSize)}, ${table.format})`, ['DRC', 'NAME', 'ADDRESS', 'SIZE', 'STATE', 'NODE', 'AA', 'BLOCKS'], { count: table.count, cells: rows.cells }, 'no LMBs');
    }
  }
  return { sections, json };
}

/** the text report, written in pieces (sections one after another, a blank line between them) */
export function writeSlotsText(report: SlotsReport, color: boolean, write: (text: string) => void): void {
  report.sections.forEach((s, i) => {
    write(`${i === 0 ? '' : '\n'}${s.title}\n`);
    if (s.rows.count) writeTable(s.columns, s.rows, { color, headerColor: 'bold' }, write);
    else write(`${s.empty}\n`);
  });
}

export const slotsCommand: CommandDef = {
  command: 'slots [source]',
  describe: 'the lsslot inventory, readable: every slot (empty and not-owned too), device nodes, Linux devices, CPUs, LMBs with names and NUMA nodes',
  builder: (y: Argv) =>
    withSource(y)
      .option('type', { type: 'string', array: true, describe: `what to list: ${SLOT_TYPES.join(', ')} (repeatable; default: all)` })
      .example('$0 slots', 'everything on the live system')
      .example('$0 slots sosreport.tar.xz --type slot --type pci', 'I/O slots of a sosreport')
      .example('$0 slots snap.tar.gz --type mem --json', 'LMBs as JSON'),
  async run(args, ctx) {
    const { io } = ctx;
    const raw = (args.type as string[] | undefined)?.flatMap((s) => s.split(',')) ?? [];
    for (const t of raw) if (!(SLOT_TYPES as readonly string[]).includes(t)) throw new UsageError(`--type ${t}: not one of ${SLOT_TYPES.join(', ')}`);
    const types = raw.length ? SLOT_TYPES.filter((t) => raw.includes(t)) : SLOT_TYPES;
    const source = await sourceFromArgs(args, io);
    const view: SystemView = { tree: source.tree, files: source.files, label: source.label };
    let table: LmbColumnTable | undefined;
    const lmbTable = () => (table ??= lmbColumnsFromTree(source.tree, source.files));
    const report = slotsReport(view, types, lmbTable, io);
    if (args.json) {
      writeJsonText({ schemaVersion: 1, source: sourceJson(source), ...report.json }, (s) => io.stdout.write(s));
      return 0;
    }
    for (const f of [...source.findings, ...(table?.findings ?? [])]) io.stderr.write(findingLine(f));
    writeSlotsText(report, ctx.color, (t) => io.stdout.write(t));
    return 0;
  },
};
