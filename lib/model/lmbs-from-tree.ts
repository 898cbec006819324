// DtTree (+ the capture's sysfs) -> LmbTable: the typed LMB list every command
// uses. Decoding stays column-wise (typed arrays); Lmb objects are built once
// at the end, sharing flag-name and associativity arrays between LMBs.
// lmbColumnsFromTree() gives the same table without the objects (diff, audit).
import { allocLmbArrays, type LmbArrays } from '../decode/lmb-arrays.js';
import { drcByIndex, drcListOfNode, type DrcEntry } from '../decode/drc.js';
import { lmbFlagNames, lmbFlagsText, unknownLmbFlags } from '../decode/lmb-flags.js';
import { hex } from '../decode/result.js';
import type { FileView } from '../dt/file-view.js';
import type { Source } from '../dt/source.js';
import type { DtTree } from '../dt/tree.js';
import { drconfLmbs, entryOffset, rootCells, V1, V2, type DrconfLmbs } from './drconf.js';
import type { Finding } from './finding.js';
import { memoryNodeRanges, rangeCovering, type MemoryNodeRange } from './legacy-memory.js';
import { AA_INDEX_NONE, LmbFlag, type Lmb, type LmbFlagName, type LmbTable, type MemoryBlock } from './lmb.js';
import { addressNumber, BLOCKS_UNLISTED, columnsOfLmbTable, NO_BLOCK, NO_NODE, type LmbColumnTable } from './lmb-columns.js';
import { drconfNid, DRCONF_PATH, numaFromTree, type NumaContext } from './numa.js';
import { sysfsMemoryView, type BlockDetail, type SysfsMemory } from './sysfs-memory.js';

export interface LmbTableOptions {
  /** what to read per memory block: node only, + state (default), + removable/valid_zones */
  detail?: BlockDetail;
  /** a ready sysfs view (otherwise built from `files`) */
  sysfs?: SysfsMemory;
}

/** At most this many DRC indexes are listed in one aggregated finding. */
const MAX_FINDING_LMBS = 64;
// sysfs blocks are >= 16 MiB and LMBs <= 4 GiB: 256 blocks per LMB at most in real life
const MAX_BLOCKS_PER_LMB = 1n << 10n;
/** block ids listed over all LMBs (4M = 64 TB in 16 MiB blocks); a hostile block size stops here */
const MAX_BLOCK_IDS = 1 << 22;

export function lmbsFromSource(source: Source, opts: LmbTableOptions = {}): LmbTable {
  return lmbTableFromTree(source.tree, source.files, opts);
}

/** What both table builders read before the LMBs: NUMA, sysfs, root cells, memory@ ranges, the drconf columns. */
interface Prepared {
  numa: NumaContext;
  findings: Finding[];
  sysfs: SysfsMemory | undefined;
  blockSize: bigint | null;
  mem: { ranges: MemoryNodeRange[]; findings: Finding[] };
  drconf: DrconfLmbs | undefined;
}

function prepare(tree: DtTree, files: FileView | undefined, opts: LmbTableOptions): Prepared {
  const numa = numaFromTree(tree, files);
  const findings: Finding[] = [...numa.findings];
  const sysfs = opts.sysfs ?? (files ? sysfsMemoryView(files, opts.detail ?? 'state') : undefined);
  if (sysfs) findings.push(...sysfs.findings);
  const cells = rootCells(tree);
  findings.push(...cells.findings);
  const mem = memoryNodeRanges(tree, numa, cells.addressCells, cells.sizeCells);
  return { numa, findings, sysfs, blockSize: sysfs?.blockSize ?? null, mem, drconf: drconfLmbs(tree) };
}

/**
 * Build the LMB table of a tree. `files` (the capture root) gives the sysfs
 * memory view, node/possible and /proc/cmdline; leave it out for a tree alone
 * (a boot FDT, a DTB, a DTS).
 */
export function lmbTableFromTree(tree: DtTree, files?: FileView, opts: LmbTableOptions = {}): LmbTable {
  return tableOf(tree, prepare(tree, files, opts));
}

function tableOf(tree: DtTree, p: Prepared): LmbTable {
  const { numa, findings, sysfs, blockSize, mem, drconf } = p;
  const names = lmbNames(tree);
  let lmbs: Lmb[];
  let format: LmbTable['format'];
  let lmbSize: bigint | null;
  let bothFormats = false;
  if (drconf) {
    findings.push(...drconf.findings);
    // memory@ nodes beside a drconf node hold the boot RAM (RMA): their reg problems count too
    findings.push(...mem.findings);
    format = drconf.format;
    lmbSize = drconf.lmbSize;
    bothFormats = drconf.bothFormats;
    lmbs = drconf.lmbs ? buildDrconfLmbs(drconfContext(drconf, numa, () => names, mem.ranges), findings) : [];
  } else {
    findings.push(...mem.findings);
    format = mem.ranges.length > 0 ? 'legacy' : 'none';
    lmbSize = null;
    lmbs = mem.ranges.map((r) => legacyLmb(r, names));
    if (format === 'none') findings.push({ code: 'no-memory-description', severity: 'warning', message: 'the tree has neither an ibm,dynamic-reconfiguration-memory node nor memory@ nodes: no LMBs' });
  }
  if (sysfs && blockSize !== null) attachBlocks(lmbs, sysfs, blockSize);
  return { format, bothFormats, lmbSize, blockSize, lmbs, numa: numa.numa, findings };
}

/**
 * The same table column-wise (lib/model/lmb-columns.ts), for diff and audit:
 * drconf LMBs stay in the decoder's typed arrays plus a node and a sysfs-block
 * column; lmb(k) builds the record lmbTableFromTree would hold at k. Legacy
 * memory@ tables (a few LMBs) keep their Lmb objects.
 */
export function lmbColumnsFromTree(tree: DtTree, files?: FileView, opts: LmbTableOptions = {}): LmbColumnTable {
  const p = prepare(tree, files, opts);
  const { drconf, numa, findings, sysfs, blockSize } = p;
  if (!drconf) return columnsOfLmbTable(tableOf(tree, p), undefined);
  findings.push(...drconf.findings);
  findings.push(...p.mem.findings);
  const a = drconf.lmbs ?? allocLmbArrays(0, 'v1');
  const n = a.count;
  // names only for lmb(k), when a renderer asks for one (a drc-info list expands to one entry per LMB)
  let names: Map<number, DrcEntry> | undefined;
  const ctx = drconfContext(drconf, numa, () => (names ??= lmbNames(tree)), p.mem.ranges);
  if (drconf.lmbs) drconfFindings(ctx, findings);
  const nidByAa = new Int32Array(numa.nidByAa.length);
  for (let i = 0; i < nidByAa.length; i++) nidByAa[i] = numa.nidByAa[i] ?? NO_NODE;
  const node = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const aa = a.aa[k]!;
    // drconfNid(), column-wise
    node[k] = a.flags[k]! & LmbFlag.AI_INVALID || aa >= nidByAa.length ? NO_NODE : nidByAa[aa]!;
  }
  const listed = sysfs && blockSize !== null ? blockColumn(a, ctx.size, sysfs, blockSize) : null;
  // memory@ ranges end below most LMBs: those need no bigint address to know they are not covered
  const words = new Uint32Array(a.base.buffer, a.base.byteOffset, 2 * n);
  let rangesEnd = 0n;
  for (const r of ctx.ranges) if (r.address + r.size > rangesEnd) rangesEnd = r.address + r.size;
  const rangesEndNum = Number(rangesEnd);
  return {
    format: drconf.format,
    bothFormats: drconf.bothFormats,
    lmbSize: drconf.lmbSize,
    blockSize,
    numa: numa.numa,
    findings,
    count: n,
    drc: a.drc,
    address: a.base,
    aa: a.aa,
    flags: a.flags,
    node,
    block: listed?.block ?? null,
    size: ctx.size,
    sizes: null,
    drconf,
    name: (k) => drconfName(ctx, k),
    // Number() rounds monotonically: a double above the ranges' end is an address past it
    memoryNode: (k) => (ctx.ranges.length === 0 || addressNumber(words, k) > rangesEndNum ? undefined : drconfMemoryNode(ctx, k)),
    lmb(k) {
      const l = drconfLmb(ctx, k);
      if (listed && k < listed.end) {
        const b = blocksOf(l, sysfs!, blockSize!);
        l.blockIndexes = b.idx;
        l.blocks = b.blocks;
      }
      return l;
    },
  };
}

function lmbNames(tree: DtTree): Map<number, DrcEntry> {
  const list = drcListOfNode(tree.root);
  // DRC list problems are reported by the slot commands; here only names matter
  if (list.entries.length === 0) return new Map();
  return drcByIndex(list);
}

/** what one drconf Lmb record is built from, with the arrays shared between records */
interface DrconfContext {
  d: DrconfLmbs;
  a: LmbArrays;
  prop: string;
  numa: NumaContext;
  names: () => Map<number, DrcEntry>;
  ranges: readonly MemoryNodeRange[];
  size: bigint;
  v2: boolean;
  flagCache: Map<number, LmbFlagName[]>;
  assocCache: Map<number, number[] | undefined>;
}

function drconfContext(d: DrconfLmbs, numa: NumaContext, names: () => Map<number, DrcEntry>, ranges: readonly MemoryNodeRange[]): DrconfContext {
  return {
    d,
    a: d.lmbs ?? allocLmbArrays(0, 'v1'),
    prop: d.format === 'v2' ? V2 : V1,
    numa,
    names,
    ranges,
    size: d.lmbSize ?? 0n,
    v2: d.format === 'v2',
    flagCache: new Map(),
    assocCache: new Map(),
  };
}

function buildDrconfLmbs(c: DrconfContext, findings: Finding[]): Lmb[] {
  drconfFindings(c, findings);
  const n = c.a.count;
  const out = new Array<Lmb>(n);
  for (let k = 0; k < n; k++) out[k] = drconfLmb(c, k);
  return out;
}

/** aa indexes beyond the lookup arrays, unknown flag bits: one aggregated finding each */
function drconfFindings(c: DrconfContext, findings: Finding[]): void {
  const { a, d, prop } = c;
  const n = a.count;
  const badAa: number[] = [];
  let badAaFirst = -1;
  const unknownBits = new Map<number, { count: number; first: number; lmbs: number[] }>();
  const arrays = c.numa.numa.lookupArrays;
  for (let k = 0; k < n; k++) {
    const flags = a.flags[k]!;
    const aa = a.aa[k]!;
    const unknown = unknownLmbFlags(flags);
    if (unknown) {
      let u = unknownBits.get(unknown);
      if (!u) unknownBits.set(unknown, (u = { count: 0, first: k, lmbs: [] }));
      u.count++;
      if (u.lmbs.length < MAX_FINDING_LMBS) u.lmbs.push(a.drc[k]!);
    }
    if (!(flags & LmbFlag.AI_INVALID) && aa !== AA_INDEX_NONE && arrays && aa >= arrays.count) {
      if (badAaFirst < 0) badAaFirst = k;
      badAa.push(a.drc[k]!);
    }
  }
  if (badAa.length > 0) {
    const arraysCount = arrays?.count ?? 0;
    findings.push({
      code: 'aa-index-out-of-range',
      severity: 'error',
      node: DRCONF_PATH,
      property: prop,
      // aa_index is the next-to-last cell of both a v1 entry and a v2 set
      offset: entryOffset(d, badAaFirst) + d.entrySize - 8,
      lmbs: badAa.slice(0, MAX_FINDING_LMBS),
      message: `${DRCONF_PATH}/${prop}: ${badAa.length} LMB(s) have an aa_index beyond the ${arraysCount} lookup array(s) (first: DRC ${hex(badAa[0]!)}); Linux gives them no node`,
    });
  }
  for (const [bits, u] of unknownBits) {
    findings.push({
      code: 'unknown-lmb-flags',
      severity: 'warning',
      node: DRCONF_PATH,
      property: prop,
      offset: entryOffset(d, u.first) + d.entrySize - 4,
      lmbs: u.lmbs,
      message: `${DRCONF_PATH}/${prop}: ${u.count} LMB(s) carry flag bits drscope does not know (${hex(bits)}, e.g. flags ${lmbFlagsText(a.flags[u.first]!)})`,
    });
  }
}

/** drconf LMB k as an Lmb record (blocks are attached by the caller) */
function drconfLmb(c: DrconfContext, k: number): Lmb {
  const a = c.a;
  const flags = a.flags[k]!;
  const aa = a.aa[k]!;
  const drc = a.drc[k]!;
  let flagNames = c.flagCache.get(flags);
  if (!flagNames) c.flagCache.set(flags, (flagNames = lmbFlagNames(flags)));
  const aiInvalid = (flags & LmbFlag.AI_INVALID) !== 0;
  let associativity = c.assocCache.get(aa);
  if (!c.assocCache.has(aa)) {
    const arrays = c.numa.numa.lookupArrays;
    associativity = arrays && aa < arrays.arrays.length ? arrays.arrays[aa] : undefined;
    c.assocCache.set(aa, associativity);
  }
  const address = a.base[k]!;
  const size = c.size;
  // every field in the literal, always in this order: one object shape for
  // all LMBs (no property added later, so no transition or property store)
  return {
    drcIndex: drc,
    name: drconfName(c, k),
    address,
    size,
    aaIndex: aa,
    flags,
    flagNames,
    unknownFlags: unknownLmbFlags(flags),
    assigned: (flags & LmbFlag.ASSIGNED) !== 0,
    node: drconfNid(c.numa, aa, flags),
    associativity: associativity && !aiInvalid ? associativity : undefined,
    origin: c.v2 ? { kind: 'v2', set: a.set![k]!, position: a.position![k]! } : { kind: 'v1', entry: k },
    blocks: undefined,
    blockIndexes: undefined,
    memoryNode: drconfMemoryNode(c, k),
    reservedCell: a.reserved ? a.reserved[k]! : undefined,
  };
}

/** the DRC name of drconf LMB k (none for a DRC_INVALID entry) */
function drconfName(c: DrconfContext, k: number): string | undefined {
  return c.a.flags[k]! & LmbFlag.DRC_INVALID ? undefined : c.names().get(c.a.drc[k]!)?.name;
}

/** the memory@ node whose reg covers drconf LMB k (boot RAM), with its node */
function drconfMemoryNode(c: DrconfContext, k: number): Lmb['memoryNode'] {
  if (c.ranges.length === 0) return undefined;
  const covering = rangeCovering(c.ranges, c.a.base[k]!, c.size === 0n ? 1n : c.size);
  return covering ? { path: covering.node.path, node: covering.nid } : undefined;
}

function legacyLmb(r: MemoryNodeRange, names: Map<number, DrcEntry>): Lmb {
  // A memory@ node present in the tree is memory the partition owns; without
  // ibm,my-drc-index it is not a DR connector at all. Flags are synthesised.
  const flags = LmbFlag.ASSIGNED | (r.drcIndex === undefined ? LmbFlag.DRC_INVALID : 0);
  const lmb: Lmb = {
    drcIndex: r.drcIndex ?? 0,
    address: r.address,
    size: r.size,
    aaIndex: null,
    flags,
    flagNames: lmbFlagNames(flags),
    unknownFlags: 0,
    assigned: true,
    node: r.nid,
    origin: { kind: 'legacy', node: r.node.path },
  };
  const e = r.drcIndex !== undefined ? names.get(r.drcIndex) : undefined;
  if (e) lmb.name = e.name;
  if (r.associativity) lmb.associativity = r.associativity;
  return lmb;
}

/** first block id and the end (exclusive) of LMB [address, address+size), capped at MAX_BLOCKS_PER_LMB ids */
function blockRange(address: bigint, size: bigint, bs: bigint): { first: bigint; endExcl: bigint } {
  const first = address / bs;
  let endExcl = size === 0n ? first + 1n : (address + size + bs - 1n) / bs;
  // a corrupt size must not make us enumerate billions of block ids
  if (endExcl - first > MAX_BLOCKS_PER_LMB) endExcl = first + MAX_BLOCKS_PER_LMB;
  return { first, endExcl };
}

function blocksOf(lmb: Pick<Lmb, 'address' | 'size'>, sysfs: SysfsMemory, bs: bigint): { idx: number[]; blocks: MemoryBlock[] } {
  const { first, endExcl } = blockRange(lmb.address, lmb.size, bs);
  const idx: number[] = [];
  const blocks: MemoryBlock[] = [];
  for (let i = first; i < endExcl; i++) {
    const n = Number(i);
    idx.push(n);
    const b = sysfs.block(n);
    if (b) blocks.push(b);
  }
  return { idx, blocks };
}

/** block ids [base/bs, ceil((base+size)/bs)) — several LMBs may share one block, one LMB may span several */
function attachBlocks(lmbs: Lmb[], sysfs: SysfsMemory, bs: bigint): void {
  let budget = MAX_BLOCK_IDS;
  for (const lmb of lmbs) {
    if (budget <= 0) break;
    const { idx, blocks } = blocksOf(lmb, sysfs, bs);
    budget -= idx.length;
    lmb.blockIndexes = idx;
    lmb.blocks = blocks;
  }
}

/**
 * attachBlocks() column-wise: per LMB the node of its first present block
 * (NO_NODE: none), NO_BLOCK, or BLOCKS_UNLISTED past the same budget; `end`:
 * LMBs below it have their blocks listed.
 */
function blockColumn(a: LmbArrays, size: bigint, sysfs: SysfsMemory, bs: bigint): { block: Int32Array; end: number } {
  const n = a.count;
  const block = new Int32Array(n).fill(BLOCKS_UNLISTED);
  let budget = MAX_BLOCK_IDS;
  let k = 0;
  // the common case in numbers: LMB size a multiple of the block size, addresses aligned
  const bsNum = Number(bs);
  const perLmb = Number.isSafeInteger(bsNum) && size > 0n && size % bs === 0n && size / bs <= MAX_BLOCKS_PER_LMB ? Number(size / bs) : 0;
  const nodeOf = sysfs.nodeOf ? sysfs.nodeOf.bind(sysfs) : (i: number) => sysfs.block(i)?.node;
  for (; k < n && budget > 0; k++) {
    const address = a.base[k]!;
    const addrNum = Number(address);
    let first: number;
    let count: number;
    if (perLmb > 0 && addrNum < 2 ** 53 && addrNum % bsNum === 0) {
      first = addrNum / bsNum;
      count = perLmb;
    } else {
      const r = blockRange(address, size, bs);
      first = Number(r.first);
      count = Number(r.endExcl - r.first);
    }
    budget -= count;
    let v = NO_BLOCK;
    for (let i = 0; i < count; i++) {
      const node = nodeOf(first + i);
      if (node !== undefined) {
        v = node ?? NO_NODE;
        break;
      }
    }
    block[k] = v;
  }
  return { block, end: k };
}
