// DtTree (+ the capture's sysfs) -> LmbTable: the typed LMB list every command
// uses. Decoding stays column-wise (typed arrays); Lmb objects are built once
// at the end, sharing flag-name and associativity arrays between LMBs.
import { drcByIndex, drcListOfNode, type DrcEntry } from '../decode/drc.js';
import { lmbFlagNames, lmbFlagsText, unknownLmbFlags } from '../decode/lmb-flags.js';
import { hex } from '../decode/result.js';
import type { FileView } from '../dt/file-view.js';
import type { Source } from '../dt/source.js';
import type { DtTree } from '../dt/tree.js';
import { drconfLmbs, entryOffset, rootCells, V1, V2 } from './drconf.js';
import type { Finding } from './finding.js';
import { memoryNodeRanges, rangeCovering, type MemoryNodeRange } from './legacy-memory.js';
import { AA_INDEX_NONE, LmbFlag, type Lmb, type LmbFlagName, type LmbTable, type MemoryBlock } from './lmb.js';
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

/**
 * Build the LMB table of a tree. `files` (the capture root) gives the sysfs
 * memory view, node/possible and /proc/cmdline; leave it out for a tree alone
 * (a boot FDT, a DTB, a DTS).
 */
export function lmbTableFromTree(tree: DtTree, files?: FileView, opts: LmbTableOptions = {}): LmbTable {
  const numa = numaFromTree(tree, files);
  const findings: Finding[] = [...numa.findings];
  const sysfs = opts.sysfs ?? (files ? sysfsMemoryView(files, opts.detail ?? 'state') : undefined);
  if (sysfs) findings.push(...sysfs.findings);
  const cells = rootCells(tree);
  findings.push(...cells.findings);
  const mem = memoryNodeRanges(tree, numa, cells.addressCells, cells.sizeCells);
  const names = lmbNames(tree, findings);
  const blockSize = sysfs?.blockSize ?? null;

  const drconf = drconfLmbs(tree);
  let lmbs: Lmb[];
  let format: LmbTable['format'];
  let lmbSize: bigint | null;
  let bothFormats = false;
  if (drconf) {
    findings.push(...drconf.findings);
    format = drconf.format;
    lmbSize = drconf.lmbSize;
    bothFormats = drconf.bothFormats;
    lmbs = drconf.lmbs ? buildDrconfLmbs(drconf, numa, names, mem.ranges, lmbSize, findings) : [];
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

function lmbNames(tree: DtTree, findings: Finding[]): Map<number, DrcEntry> {
  const list = drcListOfNode(tree.root);
  // DRC list problems are reported by the slot commands; here only names matter
  if (list.entries.length === 0) return new Map();
  void findings;
  return drcByIndex(list);
}

function buildDrconfLmbs(
  d: NonNullable<ReturnType<typeof drconfLmbs>>,
  numa: NumaContext,
  names: Map<number, DrcEntry>,
  ranges: readonly MemoryNodeRange[],
  lmbSize: bigint | null,
  findings: Finding[],
): Lmb[] {
  const a = d.lmbs!;
  const n = a.count;
  const prop = d.format === 'v2' ? V2 : V1;
  const flagCache = new Map<number, LmbFlagName[]>();
  const assocCache = new Map<number, number[] | undefined>();
  const badAa: number[] = [];
  let badAaFirst = -1;
  const unknownBits = new Map<number, { count: number; first: number; lmbs: number[] }>();
  const out = new Array<Lmb>(n);
  const size = lmbSize ?? 0n;
  const arrays = numa.numa.lookupArrays;
  for (let k = 0; k < n; k++) {
    const flags = a.flags[k]!;
    const aa = a.aa[k]!;
    const drc = a.drc[k]!;
    let flagNames = flagCache.get(flags);
    if (!flagNames) flagCache.set(flags, (flagNames = lmbFlagNames(flags)));
    const unknown = unknownLmbFlags(flags);
    if (unknown) {
      let u = unknownBits.get(unknown);
      if (!u) unknownBits.set(unknown, (u = { count: 0, first: k, lmbs: [] }));
      u.count++;
      if (u.lmbs.length < MAX_FINDING_LMBS) u.lmbs.push(drc);
    }
    const aiInvalid = (flags & LmbFlag.AI_INVALID) !== 0;
    if (!aiInvalid && aa !== AA_INDEX_NONE && arrays && aa >= arrays.count) {
      if (badAaFirst < 0) badAaFirst = k;
      badAa.push(drc);
    }
    let associativity = assocCache.get(aa);
    if (!assocCache.has(aa)) {
      associativity = arrays && aa < arrays.arrays.length ? arrays.arrays[aa] : undefined;
      assocCache.set(aa, associativity);
    }
    const address = a.base[k]!;
    const named = flags & LmbFlag.DRC_INVALID ? undefined : names.get(drc);
    const covering = ranges.length > 0 ? rangeCovering(ranges, address, size === 0n ? 1n : size) : undefined;
    // every field in the literal, always in this order: one object shape for
    // all LMBs (no property added later, so no transition or property store)
    const lmb: Lmb = {
      drcIndex: drc,
      name: named?.name,
      address,
      size,
      aaIndex: aa,
      flags,
      flagNames,
      unknownFlags: unknown,
      assigned: (flags & LmbFlag.ASSIGNED) !== 0,
      node: drconfNid(numa, aa, flags),
      associativity: associativity && !aiInvalid ? associativity : undefined,
      origin: d.format === 'v2' ? { kind: 'v2', set: a.set![k]!, position: a.position![k]! } : { kind: 'v1', entry: k },
      blocks: undefined,
      blockIndexes: undefined,
      memoryNode: covering ? { path: covering.node.path, node: covering.nid } : undefined,
      reservedCell: a.reserved ? a.reserved[k]! : undefined,
    };
    out[k] = lmb;
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
  return out;
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

/** block ids [base/bs, ceil((base+size)/bs)) — several LMBs may share one block, one LMB may span several */
function attachBlocks(lmbs: Lmb[], sysfs: SysfsMemory, bs: bigint): void {
  let budget = MAX_BLOCK_IDS;
  for (const lmb of lmbs) {
    if (budget <= 0) break;
    const first = lmb.address / bs;
    let endExcl = lmb.size === 0n ? first + 1n : (lmb.address + lmb.size + bs - 1n) / bs;
    // a corrupt size must not make us enumerate billions of block ids
    if (endExcl - first > MAX_BLOCKS_PER_LMB) endExcl = first + MAX_BLOCKS_PER_LMB;
    const idx: number[] = [];
    const blocks: MemoryBlock[] = [];
    for (let i = first; i < endExcl; i++) {
      const n = Number(i);
      idx.push(n);
      const b = sysfs.block(n);
      if (b) blocks.push(b);
    }
    budget -= idx.length;
    lmb.blockIndexes = idx;
    lmb.blocks = blocks;
  }
}
