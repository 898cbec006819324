// get_lmbs() as powerpc-utils 1.3.13 enumerates LMBs for lsslot: drconf v1
// (or v2 when allowed), else the root DRC list's "LMB*" names, then top-level
// memory@ nodes; sysfs memory blocks per LMB for sections and "removable".
// C semantics on purpose (names never filled, sections prepended, a missing
// memoryN dir counts as removable); drscope's own view is lib/model/lmb.ts.
import { drcListOfNode, drcListUsableByC } from '../decode/drc.js';
import { kernfsOrder } from '../dt/kernfs-order.js';
import { Level, type Say } from './say.js';
import { getProperty, getUintProperty, ofNode, sysfsIntReader, sysfsWord, type SystemView } from './system.js';
import { strtoul } from './getopt.js';
import { MAX_EXPANDED_LMBS } from '../decode/dynamic-memory-v2.js';

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
  /** names in /sys/devices/system/memory, read once (no stat per block) */
  present: Set<string>;
  readInt: (path: string) => number | undefined;
}

/** sections listed per LMB at most (see getMemScns) */
const MAX_SECTIONS_PER_LMB = 1024;

/** get_mem_scns(): sections of LMB i, and whether every existing block is removable */

function getMemScns(ctx: Ctx, l: CLmbList, i: number): void {
  let removable = true;
  const bs = ctx.blockSize;
  const bsN = Number(bs);
  const address = l.addressOf(i);
  const lsize = l.sizeOf(i);
  const exact = Number.isSafeInteger(Number(address + lsize)) && Number.isSafeInteger(bsN) && !l.bigValues.size;
  const found: number[] = [];
  let size = lsize;
  let addr = address;
  let sizeN = Number(lsize);
  let addrN = Number(address);
  // A size that is not a multiple of the block size loops (unsigned underflow) in C; we stop.
  while (exact ? sizeN > 0 : size > 0n) {
    const n = exact ? Math.floor(addrN / bsN) | 0 : Number(BigInt.asIntN(32, addr / bs));
    const name = `memory${n}`;
    if (ctx.present.has(name)) {
      const r = ctx.readInt(`${MEMORY}/${name}/removable`);
      if (!r) removable = false;
    }
    found.push(n);
    // block_size_bytes "1" would list 2^28 sections per LMB (V8 aborts growing the array); real LMBs span <= 256 blocks
    if (found.length >= MAX_SECTIONS_PER_LMB) break;
    if (exact) {
      if (sizeN < bsN) break;
      sizeN -= bsN;
      addrN += bsN;
    } else {
      if (size < bs) break;
      size -= bs;
      addr += bs;
    }
  }
  const hadBefore = l.secCount[i]! > 0 || l.explicitSections.has(i);
  const consecutive = found.every((n, k) => k === 0 || n === ((found[0]! + k) | 0));
  if (!hadBefore && consecutive) {
    l.secFirst[i] = found[0] ?? 0;
    l.secCount[i] = found.length;
  } else {
    // prepended in C: newest first
    l.explicitSections.set(i, [...found.reverse(), ...l.sections(i)]);
  }
  const total = l.explicitSections.get(i)?.length ?? l.secCount[i]!;
  l.removable[i] = removable && total > 0 ? 1 : 0;
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
  const add = (drc: number, address: bigint, aa: number, flags: number) => {
    const i = l.push(drc, address, lmbSize, aa);
    if (flags & ASSIGNED) {
      l.owned[i] = 1;
      getMemScns(ctx, l, i);
    }
  };
  if (v1) {
    // Entries past the end of the property are undefined behaviour in C; we stop at the end.
    const n = Math.min(be32(v1, 0), Math.floor((v1.length - 4) / 24));
    l = new CLmbList(true, n);
    for (let i = 0, o = 4; i < n; i++, o += 24) add(be32(v1, o + 8), be64(v1, o), be32(v1, o + 16), be32(v1, o + 20));
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
      const sizeN = Number(lmbSize);
      const exact = Number.isSafeInteger(baseN + seq * sizeN) && BigInt(baseN) === base;
      for (let j = 0; j < seq; j++) add((drc + j) >>> 0, exact ? BigInt(baseN + j * sizeN) : base + BigInt(j) * lmbSize, aa, flags);
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
  const present = new Set(view.files.list(MEMORY) ?? []);
  const ctx: Ctx = { view, say, blockSize, present, readInt: sysfsIntReader(view) };
  const drconfNode = ofNode(view, DRCONF_PATH);
  if (!drconfNode) {
    const root = view.tree.root;
    const list = drcListOfNode(root);
    const usable = drcListUsableByC(root, list);
    if (!usable) say.say(Level.ERROR, `Unexpected error (drslot_chrp_mem.c).  Contact support.\n`);
    const lmbDrcs = usable ? list.entries.filter((d) => d.name.startsWith('LMB')) : [];
    const l = new CLmbList(false, lmbDrcs.length);
    for (const d of lmbDrcs) l.push(d.index, 0n, 0n, 0);
    say.say(Level.INFO, `Maximum of ${l.n} LMBs\n`);
    if (!memNodeLmbs(ctx, l)) return undefined;
    return l;
  }
  const l = dynamicReconfigLmbs(ctx, allowV2);
  if (!l || !memNodeLmbs(ctx, l)) return undefined;
  return l;
}
