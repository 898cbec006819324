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

export const DRCONF_PATH = '/ibm,dynamic-reconfiguration-memory';
const MEMORY = '/sys/devices/system/memory';
const ASSIGNED = 0x8;

export interface CLmb {
  drcIndex: number;
  /** OF path without the /proc/device-tree prefix */
  ofdtPath: string;
  size: bigint;
  address: bigint;
  aaIndex: number;
  owned: boolean;
  removable: boolean;
  /** memory block numbers, in the C list order (descending: prepended) */
  sections: number[];
}

export interface CLmbList {
  drconf: boolean;
  lmbs: CLmb[];
}

interface Ctx {
  view: SystemView;
  say: Say;
  blockSize: bigint;
  /** names in /sys/devices/system/memory, read once (no stat per block) */
  present: Set<string>;
  readInt: (path: string) => number | undefined;
}

function getMemScns(ctx: Ctx, lmb: CLmb): void {
  lmb.removable = true;
  const bs = ctx.blockSize;
  const bsN = Number(bs);
  const endN = Number(lmb.address + lmb.size);
  // Number arithmetic when exact (always, in practice): no BigInt garbage per block
  const exact = Number.isSafeInteger(endN) && Number.isSafeInteger(bsN);
  let size = lmb.size;
  let addr = lmb.address;
  let sizeN = Number(lmb.size);
  let addrN = Number(lmb.address);
  // A size that is not a multiple of the block size loops (unsigned underflow) in C; we stop.
  while (exact ? sizeN > 0 : size > 0n) {
    const n = exact ? Math.floor(addrN / bsN) | 0 : Number(BigInt.asIntN(32, addr / bs));
    const name = `memory${n}`;
    if (ctx.present.has(name)) {
      const r = ctx.readInt(`${MEMORY}/${name}/removable`);
      if (!r) lmb.removable = false;
    }
    lmb.sections.unshift(n);
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
  if (lmb.sections.length === 0) lmb.removable = false;
}

function be32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
function be64(b: Uint8Array, o: number): bigint {
  return (BigInt(be32(b, o)) << 32n) | BigInt(be32(b, o + 4));
}

function newLmb(drcIndex: number, ofdtPath: string): CLmb {
  return { drcIndex, ofdtPath, size: 0n, address: 0n, aaIndex: 0, owned: false, removable: false, sections: [] };
}

/** returns false on failure (the C rc != 0) */
function dynamicReconfigLmbs(ctx: Ctx, out: CLmb[], allowV2: boolean): boolean {
  const node = ofNode(ctx.view, DRCONF_PATH);
  const sizeProp = getProperty(node, 'ibm,lmb-size', 8);
  if (!sizeProp) {
    ctx.say.say(Level.DEBUG, 'Could not retrieve drconf LMB size\n');
    return false;
  }
  const padded = new Uint8Array(8);
  padded.set(sizeProp);
  const lmbSize = be64(padded, 0);
  const v1 = getProperty(node, 'ibm,dynamic-memory');
  const v2 = allowV2 ? getProperty(node, 'ibm,dynamic-memory-v2') : undefined;
  let found = 0;
  const add = (drc: number, address: bigint, aa: number, flags: number) => {
    const lmb = newLmb(drc, DRCONF_PATH);
    lmb.size = lmbSize;
    lmb.address = address;
    lmb.aaIndex = aa;
    if (flags & ASSIGNED) {
      lmb.owned = true;
      getMemScns(ctx, lmb);
    }
    out.push(lmb);
    found++;
  };
  if (v1) {
    // Entries past the end of the property are undefined behaviour in C; we stop at the end.
    const n = Math.min(be32(v1, 0), Math.floor((v1.length - 4) / 24));
    for (let i = 0, o = 4; i < n; i++, o += 24) add(be32(v1, o + 8), be64(v1, o), be32(v1, o + 16), be32(v1, o + 20));
  } else if (v2) {
    const n = Math.min(be32(v2, 0), Math.floor((v2.length - 4) / 24));
    for (let s = 0, o = 4; s < n; s++, o += 24) {
      const seq = be32(v2, o);
      const base = be64(v2, o + 4);
      const drc = be32(v2, o + 12);
      const aa = be32(v2, o + 16);
      const flags = be32(v2, o + 20);
      for (let j = 0; j < seq; j++) add((drc + j) >>> 0, base + BigInt(j) * lmbSize, aa, flags);
    }
  } else {
    ctx.say.say(Level.ERROR, 'No dynamic reconfiguration LMBs found\n');
    return false;
  }
  ctx.say.say(Level.INFO, `Found ${found} LMBs currently allocated\n`);
  return true;
}

function memNodeLmbs(ctx: Ctx, lmbs: CLmb[]): boolean {
  const byIndex = new Map<number, CLmb>();
  for (const l of lmbs) if (!byIndex.has(l.drcIndex)) byIndex.set(l.drcIndex, l);
  const root = ctx.view.tree.root;
  for (const name of kernfsOrder(root.children.keys())) {
    if (!name.startsWith('memory@')) continue;
    const node = root.children.get(name)!;
    const idx = getUintProperty(node, 'ibm,my-drc-index');
    if (idx === undefined) continue;
    const lmb = byIndex.get(idx);
    if (!lmb) {
      ctx.say.say(Level.DEBUG, `Could not find LMB with drc-index of ${idx.toString(16)}\n`);
      return false;
    }
    lmb.ofdtPath = `/${name}`;
    lmb.owned = true;
    const reg = getProperty(node, 'reg', 16);
    if (!reg) {
      ctx.say.say(Level.DEBUG, `Could not determine LMB size for /proc/device-tree/${name}\n`);
      break;
    }
    const r = new Uint8Array(16);
    r.set(reg);
    lmb.size = BigInt(be32(r, 12));
    lmb.address = strtoul(name.slice(name.lastIndexOf('@') + 1), 16);
    getMemScns(ctx, lmb);
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
  const lmbs: CLmb[] = [];
  const drconfNode = ofNode(view, DRCONF_PATH);
  if (!drconfNode) {
    const root = view.tree.root;
    const list = drcListOfNode(root);
    let found = 0;
    if (!drcListUsableByC(root, list)) {
      say.say(Level.ERROR, `Unexpected error (drslot_chrp_mem.c).  Contact support.\n`);
    } else {
      for (const d of list.entries) {
        if (!d.name.startsWith('LMB')) continue;
        lmbs.push(newLmb(d.index, ''));
        found++;
      }
    }
    say.say(Level.INFO, `Maximum of ${found} LMBs\n`);
    if (!memNodeLmbs(ctx, lmbs)) return undefined;
    return { drconf: false, lmbs };
  }
  if (!dynamicReconfigLmbs(ctx, lmbs, allowV2)) return undefined;
  if (!memNodeLmbs(ctx, lmbs)) return undefined;
  return { drconf: true, lmbs };
}
