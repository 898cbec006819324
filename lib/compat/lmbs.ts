// get_lmbs() as powerpc-utils 1.3.13 enumerates LMBs for lsslot: drconf v1
// (or v2 when allowed), else the root DRC list's "LMB*" names, then top-level
// memory@ nodes; sysfs memory blocks per LMB for sections and "removable".
// C semantics on purpose (names never filled, sections prepended, a missing
// memoryN dir counts as removable); drscope's own view is lib/model/lmb.ts.
import { drcListForC } from '../decode/drc.js';
import { kernfsOrder } from '../dt/kernfs-order.js';
import { Level, type Say } from './say.js';
import { drcFailureMessages, getProperty, getUintProperty, OFDT_BASE, ofNode, sysfsInt, sysfsIntReader, sysfsWord, type SystemView } from './system.js';
import { strtoul } from './getopt.js';
import { MAX_EXPANDED_LMBS } from '../decode/dynamic-memory-v2.js';
import { ABSENT, FALSE, isNodeFs, listable, readRemovable, startBlockReads, TRUE, type BlockReads } from './block-reads.js';

export const DRCONF_PATH = '/ibm,dynamic-reconfiguration-memory';
const MEMORY = '/sys/devices/system/memory';
const ASSIGNED = 0x8;

/**
 * The LMB list, column-wise (up to 262,144 LMBs: no object per LMB). Values
 * are exact: addresses and sizes are kept as doubles when below 2^53 (always,
 * for real firmware), else in `bigValues`.
 */
export class CLmbList {
  n = 0;
  drcIndex: Uint32Array;
  address: Float64Array;
  size: Float64Array;
  aaIndex: Uint32Array;
  owned: Uint8Array;
  removable: Uint8Array;
  /** block number of the first section (the C list prints them last-to-first) */
  secFirst: Int32Array;
  secCount: Uint32Array;
  /** LMBs whose section list is not one ascending run (memory@ node over a drconf LMB): full C order */
  explicitSections = new Map<number, number[]>();
  /** address/size values that a double cannot hold exactly: "a<i>"/"s<i>" -> value */
  bigValues = new Map<string, bigint>();
  /** legacy mode: OF path of owned LMBs (without /proc/device-tree) */
  ofdtPath = new Map<number, string>();
  constructor(
    readonly drconf: boolean,
    capacity: number,
  ) {
    this.drcIndex = new Uint32Array(capacity);
    this.address = new Float64Array(capacity);
    this.size = new Float64Array(capacity);
    this.aaIndex = new Uint32Array(capacity);
    this.owned = new Uint8Array(capacity);
    this.removable = new Uint8Array(capacity);
    this.secFirst = new Int32Array(capacity);
    this.secCount = new Uint32Array(capacity);
  }
  push(drc: number, address: bigint, size: bigint, aa: number): number {
    const i = this.n++;
    this.drcIndex[i] = drc;
    this.setAddress(i, address);
    this.setSize(i, size);
    this.aaIndex[i] = aa;
    return i;
  }
  /** push() for an address and size known to be exact doubles (safe integers): no BigInt per LMB */
  pushExact(drc: number, address: number, size: number, aa: number): number {
    const i = this.n++;
    this.drcIndex[i] = drc;
    this.address[i] = address;
    this.size[i] = size;
    this.aaIndex[i] = aa;
    return i;
  }
  setAddress(i: number, v: bigint): void {
    const d = Number(v);
    this.address[i] = d;
    if (BigInt(d) !== v) this.bigValues.set(`a${i}`, v);
    else this.bigValues.delete(`a${i}`);
  }
  setSize(i: number, v: bigint): void {
    const d = Number(v);
    this.size[i] = d;
    if (BigInt(d) !== v) this.bigValues.set(`s${i}`, v);
    else this.bigValues.delete(`s${i}`);
  }
  addressOf(i: number): bigint {
    return this.bigValues.get(`a${i}`) ?? BigInt(this.address[i]!);
  }
  sizeOf(i: number): bigint {
    return this.bigValues.get(`s${i}`) ?? BigInt(this.size[i]!);
  }
  /** section numbers in the order lsslot prints them (descending: the C list is prepended) */
  sections(i: number): number[] {
    const e = this.explicitSections.get(i);
    if (e) return e;
    const out: number[] = [];
    for (let k = this.secCount[i]! - 1; k >= 0; k--) out.push((this.secFirst[i]! + k) | 0);
    return out;
  }
}

interface Ctx {
  view: SystemView;
  say: Say;
  blockSize: bigint;
  /** LMBs get_mem_scns() ran for: 1 = its last scan was the run secFirst/secCount, 2 = the blocks in `scanBlocks` */
  scanned?: Uint8Array;
  scanBlocks: Map<number, number[]>;
  /** live / --root on node:fs: the bulk reader's session, started before the LMBs are decoded */
  reads?: { memDir: string; session: BlockReads };
}

/** sections listed per LMB at most (see getMemScns) */
const MAX_SECTIONS_PER_LMB = 1024;

/**
 * get_mem_scns(): the sections of LMB i. Whether they are all removable is
 * settled afterwards for all LMBs at once (resolveRemovable): the memoryN/removable
 * reads are most of lsslot's time and are cheaper in bulk. The result is the same:
 * the reads have no side effects and their order does not show in the output.
 */
function getMemScns(ctx: Ctx, l: CLmbList, i: number): void {
  const bs = ctx.blockSize;
  const bsN = Number(bs);
  let first = 0;
  let count = 0;
  /** only when the blocks are not one ascending run */
  let found: number[] | undefined;
  const add = (n: number) => {
    if (count === 0) first = n;
    else if (!found && n !== ((first + count) | 0)) {
      found = [];
      for (let k = 0; k < count; k++) found.push((first + k) | 0);
    }
    found?.push(n);
    count++;
  };
  const big = l.bigValues.size > 0;
  let addrN = big ? 0 : l.address[i]!;
  let sizeN = big ? 0 : l.size[i]!;
  if (!big && Number.isSafeInteger(addrN + sizeN) && Number.isSafeInteger(bsN)) {
    while (sizeN > 0) {
      add(Math.floor(addrN / bsN) | 0);
      // block_size_bytes "1" would list 2^28 sections per LMB (V8 aborts growing the array); real LMBs span <= 256 blocks
      if (count >= MAX_SECTIONS_PER_LMB) break;
      if (sizeN < bsN) break;
      sizeN -= bsN;
      addrN += bsN;
    }
  } else {
    let size = l.sizeOf(i);
    let addr = l.addressOf(i);
    // A size that is not a multiple of the block size loops (unsigned underflow) in C; we stop.
    while (size > 0n) {
      add(Number(BigInt.asIntN(32, addr / bs)));
      if (count >= MAX_SECTIONS_PER_LMB) break;
      if (size < bs) break;
      size -= bs;
      addr += bs;
    }
  }
  const scanned = (ctx.scanned ??= new Uint8Array(l.drcIndex.length));
  const hadBefore = l.secCount[i]! > 0 || l.explicitSections.has(i);
  if (!hadBefore && !found) {
    l.secFirst[i] = count > 0 ? first : 0;
    l.secCount[i] = count;
    scanned[i] = 1;
    ctx.scanBlocks.delete(i);
  } else {
    const blocks = found ?? Array.from({ length: count }, (_, k) => (first + k) | 0);
    ctx.scanBlocks.set(i, blocks);
    scanned[i] = 2;
    // prepended in C: newest first
    l.explicitSections.set(i, [...[...blocks].reverse(), ...l.sections(i)]);
  }
}

/** the real file system: every block in one bulk read (threads), no listing of the directory; undefined when that cannot run */
function bulkState(ctx: Ctx, l: CLmbList, rooted: boolean, { memDir, session }: NonNullable<Ctx['reads']>): ((block: number) => number) | undefined {
  // --root: memoryN links (none on sysfs) would resolve on the host
  if (rooted && session.hasSymlinks()) return undefined;
  const scanned = ctx.scanned!;
  let total = 0;
  for (let i = 0; i < l.n; i++) if (scanned[i]) total += scanned[i] === 1 ? l.secCount[i]! : ctx.scanBlocks.get(i)!.length;
  const blocks = new Float64Array(total);
  let k = 0;
  for (let i = 0; i < l.n; i++) {
    if (scanned[i] === 1) for (let b = l.secFirst[i]!, end = k + l.secCount[i]!; k < end; b = (b + 1) | 0) blocks[k++] = b;
    else if (scanned[i]) for (const b of ctx.scanBlocks.get(i)!) blocks[k++] = b;
  }
  // a directory readdir() fails on makes every block absent, as an empty listing does
  const res = listable(memDir) ? readRemovable(memDir, blocks, (b) => sysfsInt(ctx.view, `${MEMORY}/memory${b}/removable`), rooted, session) : new Uint8Array(total);
  if (!res) return undefined;
  // consumed in the order the blocks were collected: the same walk over the same LMBs
  k = 0;
  return () => res[k++]!;
}

/** any FsPort or FileView: list the memory directory once, read each present block's file */
function portState(ctx: Ctx): (block: number) => number {
  // names in /sys/devices/system/memory, read once (no stat per block)
  const present = new Set(ctx.view.files.list(MEMORY) ?? []);
  const readInt = sysfsIntReader(ctx.view);
  return (b) => {
    const name = `memory${b}`;
    if (!present.has(name)) return ABSENT;
    return readInt(`${MEMORY}/${name}/removable`) ? TRUE : FALSE;
  };
}

/**
 * The "removable" half of get_mem_scns() for every scanned LMB: an LMB is
 * removable when it has sections and every block of its last scan that exists
 * in /sys/devices/system/memory reads non-zero (a missing block counts as
 * removable, an unreadable one as not).
 */
function resolveRemovable(ctx: Ctx, l: CLmbList): void {
  const scanned = ctx.scanned;
  if (!scanned) return;
  const blockState = (ctx.reads && bulkState(ctx, l, ctx.view.direct!.rooted, ctx.reads)) || portState(ctx);
  const explicit = l.explicitSections.size > 0;
  for (let i = 0; i < l.n; i++) {
    if (!scanned[i]) continue;
    // every block is asked (the port reads each one's file, as the C code does)
    let removable = true;
    if (scanned[i] === 1) {
      for (let k = 0, b = l.secFirst[i]!, count = l.secCount[i]!; k < count; k++, b = (b + 1) | 0) if (blockState(b) === FALSE) removable = false;
    } else for (const b of ctx.scanBlocks.get(i)!) if (blockState(b) === FALSE) removable = false;
    const total = (explicit ? l.explicitSections.get(i)?.length : undefined) ?? l.secCount[i]!;
    l.removable[i] = removable && total > 0 ? 1 : 0;
  }
}

function be32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
function be64(b: Uint8Array, o: number): bigint {
  return (BigInt(be32(b, o)) << 32n) | BigInt(be32(b, o + 4));
}

/** returns the list, or undefined on failure (the C rc != 0) */
function dynamicReconfigLmbs(ctx: Ctx, allowV2: boolean): CLmbList | undefined {
  const node = ofNode(ctx.view, DRCONF_PATH);
  const sizeProp = getProperty(node, 'ibm,lmb-size', 8);
  if (!sizeProp) {
    ctx.say.say(Level.DEBUG, 'Could not retrieve drconf LMB size\n');
    return undefined;
  }
  const padded = new Uint8Array(8);
  padded.set(sizeProp);
  const lmbSize = be64(padded, 0);
  const v1 = getProperty(node, 'ibm,dynamic-memory');
  const v2 = allowV2 ? getProperty(node, 'ibm,dynamic-memory-v2') : undefined;
  let l: CLmbList;
  // below 2^53 (always, for real firmware) addresses and sizes stay doubles: no BigInt per LMB
  const sizeN = Number(lmbSize);
  const sizeExact = BigInt(sizeN) === lmbSize;
  const owned = (i: number, flags: number) => {
    if (flags & ASSIGNED) {
      l.owned[i] = 1;
      getMemScns(ctx, l, i);
    }
  };
  const add = (drc: number, address: bigint, aa: number, flags: number) => owned(l.push(drc, address, lmbSize, aa), flags);
  const addExact = (drc: number, address: number, aa: number, flags: number) => owned(l.pushExact(drc, address, sizeN, aa), flags);
  if (v1) {
    // Entries past the end of the property are undefined behaviour in C; we stop at the end.
    const n = Math.min(be32(v1, 0), Math.floor((v1.length - 4) / 24));
    l = new CLmbList(true, n);
    for (let i = 0, o = 4; i < n; i++, o += 24) {
      const hi = be32(v1, o);
      if (sizeExact && hi < 0x200000) addExact(be32(v1, o + 8), hi * 0x100000000 + be32(v1, o + 4), be32(v1, o + 16), be32(v1, o + 20));
      else add(be32(v1, o + 8), be64(v1, o), be32(v1, o + 16), be32(v1, o + 20));
    }
  } else if (v2) {
    const n = Math.min(be32(v2, 0), Math.floor((v2.length - 4) / 24));
    let total = 0;
    for (let s = 0, o = 4; s < n; s++, o += 24) total += be32(v2, o);
    // a corrupt seq_lmbs (up to 2^32 per set) must not allocate gigabytes: report it like a missing property
    if (total > MAX_EXPANDED_LMBS) {
      ctx.say.say(Level.ERROR, `ibm,dynamic-memory-v2 describes ${total} LMBs (more than ${MAX_EXPANDED_LMBS}); not reading it\n`);
      return undefined;
    }
    l = new CLmbList(true, total);
    for (let s = 0, o = 4; s < n; s++, o += 24) {
      const seq = be32(v2, o);
      const base = be64(v2, o + 4);
      const drc = be32(v2, o + 12);
      const aa = be32(v2, o + 16);
      const flags = be32(v2, o + 20);
      const baseN = Number(base);
      const exact = Number.isSafeInteger(baseN + seq * sizeN) && BigInt(baseN) === base;
      if (exact && sizeExact) for (let j = 0; j < seq; j++) addExact((drc + j) >>> 0, baseN + j * sizeN, aa, flags);
      else for (let j = 0; j < seq; j++) add((drc + j) >>> 0, exact ? BigInt(baseN + j * sizeN) : base + BigInt(j) * lmbSize, aa, flags);
    }
  } else {
    ctx.say.say(Level.ERROR, 'No dynamic reconfiguration LMBs found\n');
    return undefined;
  }
  ctx.say.say(Level.INFO, `Found ${l.n} LMBs currently allocated\n`);
  return l;
}

function memNodeLmbs(ctx: Ctx, l: CLmbList): boolean {
  let byIndex: Map<number, number> | undefined;
  const root = ctx.view.tree.root;
  for (const name of kernfsOrder(root.children.keys())) {
    if (!name.startsWith('memory@')) continue;
    const node = root.children.get(name)!;
    const idx = getUintProperty(node, 'ibm,my-drc-index');
    if (idx === undefined) continue;
    if (!byIndex) {
      byIndex = new Map();
      for (let i = 0; i < l.n; i++) if (!byIndex.has(l.drcIndex[i]!)) byIndex.set(l.drcIndex[i]!, i);
    }
    const i = byIndex.get(idx);
    if (i === undefined) {
      ctx.say.say(Level.DEBUG, `Could not find LMB with drc-index of ${idx.toString(16)}\n`);
      return false;
    }
    l.ofdtPath.set(i, `/${name}`);
    l.owned[i] = 1;
    const reg = getProperty(node, 'reg', 16);
    if (!reg) {
      ctx.say.say(Level.DEBUG, `Could not determine LMB size for /proc/device-tree/${name}\n`);
      break;
    }
    const r = new Uint8Array(16);
    r.set(reg);
    l.setSize(i, BigInt(be32(r, 12)));
    l.setAddress(i, strtoul(name.slice(name.lastIndexOf('@') + 1), 16));
    getMemScns(ctx, l, i);
  }
  return true;
}

/** get_lmbs(LMB_NORMAL_SORT); undefined = the C NULL (lsslot exits 255) */
export function getLmbs(view: SystemView, say: Say, allowV2 = true, onNoBlockSize?: () => string | undefined): CLmbList | undefined {
  let bsText = sysfsWord(view, `${MEMORY}/block_size_bytes`);
  // --source only: a capture without sysfs (DTB, DTS, tree copy) may use the LMB size instead
  if (bsText === undefined && onNoBlockSize) bsText = onNoBlockSize();
  if (bsText === undefined) {
    say.say(Level.DEBUG, 'Could not determine block size bytes for memory.\n');
    return undefined;
  }
  const blockSize = strtoul(bsText, 16);
  // block size 0 divides by zero in C (a crash); we report no LMBs instead.
  if (blockSize === 0n) return undefined;
  const ctx: Ctx = { view, say, blockSize, scanBlocks: new Map() };
  const drconfNode = ofNode(view, DRCONF_PATH);
  // the block reader's workers start (~45 ms each) while the LMBs are decoded, so both threads read from the
  // first block on; under --root the symlink check is made by whichever thread gets to it first (measured:
  // usually this one, decoding 131,072 LMBs is quicker than a worker's start)
  ctx.reads = startReads(view, drconfNode ? blocksEstimate(drconfNode, allowV2, blockSize) : 0);
  try {
    if (!drconfNode) {
      const root = view.tree.root;
      const c = drcListForC(root);
      if (!c.entries) {
        for (const [lvl, msg] of drcFailureMessages(OFDT_BASE, c.failure)) say.say(lvl, msg);
        // report_unknown_error(__FILE__, __LINE__) in get_mem_node_lmbs()
        say.say(Level.ERROR, 'Unexpected error (src/drmgr/drslot_chrp_mem.c:621).  Contact support and provide debug log from /var/log/drmgr.\n');
      }
      const lmbDrcs = c.entries ? c.entries.filter((d) => d.name.startsWith('LMB')) : [];
      const l = new CLmbList(false, lmbDrcs.length);
      for (const d of lmbDrcs) l.push(d.index, 0n, 0n, 0);
      say.say(Level.INFO, `Maximum of ${l.n} LMBs\n`);
      if (!memNodeLmbs(ctx, l)) return undefined;
      resolveRemovable(ctx, l);
      return l;
    }
    const l = dynamicReconfigLmbs(ctx, allowV2);
    if (!l || !memNodeLmbs(ctx, l)) return undefined;
    resolveRemovable(ctx, l);
    return l;
  } finally {
    ctx.reads?.session.close();
  }
}

/** live system or --root on node:fs: a bulk-read session for the memory directory (under --root, resolved inside it) */
function startReads(view: SystemView, expectedBlocks: number): Ctx['reads'] {
  const d = view.direct;
  if (!d || !isNodeFs(d.raw)) return undefined;
  let memDir: string;
  try {
    memDir = d.resolve(MEMORY);
  } catch {
    return undefined; // a symlink loop on the way: the port reports it per file
  }
  const session = startBlockReads(memDir, { expectedBlocks, scan: d.rooted });
  return session && { memDir, session };
}

/** about how many memory blocks the assigned drconf LMBs span (only to decide on worker threads) */
function blocksEstimate(node: NonNullable<ReturnType<typeof ofNode>>, allowV2: boolean, blockSize: bigint): number {
  const v1 = getProperty(node, 'ibm,dynamic-memory');
  const v2 = v1 || !allowV2 ? undefined : getProperty(node, 'ibm,dynamic-memory-v2');
  const p = v1 ?? v2;
  if (!p || p.length < 4) return 0;
  let lmbs = 0;
  for (let s = 0, o = 4, n = Math.min(be32(p, 0), Math.floor((p.length - 4) / 24)); s < n; s++, o += 24) if (be32(p, o + 20) & ASSIGNED) lmbs += v1 ? 1 : be32(p, o);
  const size = getProperty(node, 'ibm,lmb-size', 8);
  const perLmb = size && size.length === 8 ? Number(be64(size, 0) / blockSize) : 1;
  return lmbs * Math.min(Math.max(perLmb, 1), MAX_SECTIONS_PER_LMB);
}
