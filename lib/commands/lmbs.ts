// drscope lmbs [source]: every LMB of the drconf node (or memory@ nodes) with
// its DRC, address range, Linux NUMA node, flags and sysfs memory blocks.
import type { Argv } from 'yargs';
import { SourceError, UsageError } from '../errors.js';
import { selectLmbs } from '../model/lmb-columns.js';
import { lmbColumnsFromTree } from '../model/lmbs-from-tree.js';
import { findingLine } from '../render/finding-line.js';
import { writeJsonText } from '../render/json.js';
import { lmbsJsonDoc, writeLmbTable, renderSummary, summarizeByNode } from '../render/lmbs.js';
import type { CommandDef } from './command.js';
import { sourceFromArgs, withSource } from './source-arg.js';

/** a DRC index in any base: 0x hex, 0o octal, 0b binary or decimal (bare hex digits are refused: ambiguous) */
export function parseDrcIndex(text: string): number {
  const t = text.trim().toLowerCase();
  const ok = /^(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)$/.test(t);
  const v = ok ? Number(t) : NaN;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    const hint = /^[0-9a-f]+$/.test(t) ? ` (did you mean 0x${t}?)` : '';
    throw new UsageError(`--drc ${text}: not a DRC index (0x hex, 0o octal, 0b binary or decimal, at most 0xffffffff)${hint}`);
  }
  return v;
}

export function parseNodeFilter(text: string): number | null {
  if (text === 'none' || text === '-') return null;
  if (!/^\d+$/.test(text)) throw new UsageError(`--node ${text}: not a node number (or "none")`);
  const n = Number(text);
  // a node is one associativity cell: a 32-bit number
  if (n > 0xffffffff) throw new UsageError(`--node ${text}: not a node number (at most 4294967295)`);
  return n;
}

export const lmbsCommand: CommandDef = {
  command: 'lmbs [source]',
  describe: 'list LMBs: DRC index, name, address range, NUMA node (as Linux computes it), aa index, flags, memory blocks',
  builder: (y: Argv) =>
    withSource(y)
      .option('node', { type: 'string', describe: 'only LMBs on this NUMA node ("none" = no node)', requiresArg: true })
      .option('assigned', { type: 'boolean', describe: 'only LMBs assigned to the partition (ASSIGNED, not RESERVED)' })
      .option('free', { type: 'boolean', describe: 'only free LMBs (neither ASSIGNED nor RESERVED)' })
      .option('reserved', { type: 'boolean', describe: 'only RESERVED LMBs (boot RAM, never usable by DLPAR)' })
      .option('drc', { type: 'string', describe: 'only the LMB with this DRC index (0x hex, decimal, 0o, 0b)', requiresArg: true })
      .option('summary', { type: 'boolean', describe: 'LMBs and bytes assigned / free / reserved per NUMA node' })
      .option('boot', { type: 'boolean', describe: 'read the boot-time FDT (/sys/firmware/fdt, sys-firmware-fdt.dtb) instead of the live tree; no memory blocks' })
      .example('$0 lmbs', 'the live system')
      .example('$0 lmbs sosreport.tar.xz --assigned --node 1', 'assigned LMBs on node 1 of a sosreport')
      .example('$0 lmbs snap.tar.gz --summary --json', 'per-node totals as JSON'),
  async run(args, ctx) {
    const { io } = ctx;
    const nodeFilter = typeof args.node === 'string' ? parseNodeFilter(args.node) : undefined;
    const drc = typeof args.drc === 'string' ? parseDrcIndex(args.drc) : undefined;
    const cats = (['assigned', 'free', 'reserved'] as const).filter((c) => args[c] === true);
    const source = await sourceFromArgs(args, io);
    let table;
    if (args.boot) {
      if (!source.bootTree) throw new SourceError('NO_DEVICE_TREE', 'no boot-time FDT in this source (/sys/firmware/fdt is root-only on a live system; captures keep it as sys-firmware-fdt.dtb)', { file: source.label });
      // sysfs describes the running system, not the boot tree: no blocks
      table = lmbColumnsFromTree(source.bootTree);
    } else table = lmbColumnsFromTree(source.tree, source.files);
    // column-wise to the end: an LMB's record is built only while it is written (262,144 at once cost ~0.4 s and 60 MB)
    const lmbs = selectLmbs(table, { node: nodeFilter, drc, categories: cats });
    if (args.json) {
      const body = args.summary ? { summary: summarizeByNode(table, lmbs) } : { lmbs };
      writeJsonText(lmbsJsonDoc(source, table, body), (s) => io.stdout.write(s));
      return 0;
    }
    for (const f of [...source.findings, ...table.findings]) io.stderr.write(findingLine(f));
    if (args.summary) io.stdout.write(renderSummary(table, lmbs, ctx.color));
    else writeLmbTable(table, lmbs, ctx.color, (t) => io.stdout.write(t));
    if (drc !== undefined && lmbs.length === 0) io.stderr.write(`drscope: no LMB has DRC index 0x${drc.toString(16)}\n`);
    return 0;
  },
};
