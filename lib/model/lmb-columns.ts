// The LMB table held column-wise (one typed array per field, no object per
// LMB): what diff and audit work on. At 262,144 LMBs a table of Lmb objects
// costs ~60 MB of heap; these columns ~10 MB, most of them the decoder's own
// arrays. lmb(k) builds the full Lmb record of one LMB on demand, equal to
// lmbTableFromTree(...).lmbs[k]. Built by lmbColumnsFromTree()
// (lib/model/lmbs-from-tree.ts).
import type { DrconfLmbs } from './drconf.js';
import type { Finding } from './finding.js';
import { LmbFlag, type Lmb, type LmbTable, type NumaInfo } from './lmb.js';
import { lmbCategory, type LmbCategory } from './lmb-category.js';

/** `node` value of an LMB with no NUMA node; in `block`, the first block has no node */
export const NO_NODE = -1;
/** `block` value: the LMB covers no present sysfs memory block (Lmb.blocks is []) */
export const NO_BLOCK = -2;
/** `block` value: blocks not listed for this LMB (Lmb.blocks is undefined: past the block-id budget) */
export const BLOCKS_UNLISTED = -3;

export interface LmbColumnTable {
  format: LmbTable['format'];
  bothFormats: boolean;
  lmbSize: bigint | null;
  blockSize: bigint | null;
  numa: NumaInfo;
  findings: Finding[];
  count: number;
  drc: Uint32Array;
  address: BigUint64Array;
  /** aa index per LMB; null when no LMB has one (legacy memory@ LMBs: Lmb.aaIndex null) */
  aa: Uint32Array | null;
  flags: Uint32Array;
  /** Linux's NUMA node per LMB, NO_NODE for none */
  node: Int32Array;
  /**
   * per LMB: the node of the first present sysfs block it covers (NO_NODE: that
   * block has none), NO_BLOCK or BLOCKS_UNLISTED; null when there is no sysfs view
   */
  block: Int32Array | null;
  /** the size of every LMB (drconf: the LMB size, 0 when unknown); null when it varies (see sizes) */
  size: bigint | null;
  /** per-LMB sizes when `size` is null */
  sizes: BigUint64Array | null;
  /** the decoded drconf properties the LMBs came from; undefined when the tree has no drconf node */
  drconf: DrconfLmbs | undefined;
  /** Lmb.name of LMB k, without building the record */
  name(k: number): string | undefined;
  /** Lmb.memoryNode of LMB k, without building the record (a new object per call when defined) */
  memoryNode(k: number): Lmb['memoryNode'];
  /** the full record of LMB k, built on demand (a new object per call for drconf LMBs) */
  lmb(k: number): Lmb;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function aaAt(t: LmbColumnTable, k: number): number | null {
  return t.aa === null ? null : t.aa[k]!;
}

export function nodeAt(t: LmbColumnTable, k: number): number | null {
  const n = t.node[k]!;
  return n === NO_NODE ? null : n;
}

export function sizeAt(t: LmbColumnTable, k: number): bigint {
  return t.size ?? t.sizes![k]!;
}

export function assignedAt(t: LmbColumnTable, k: number): boolean {
  return (t.flags[k]! & LmbFlag.ASSIGNED) !== 0;
}

/** Lmb.blocks !== undefined */
export function blocksListed(t: LmbColumnTable, k: number): boolean {
  return t.block !== null && t.block[k] !== BLOCKS_UNLISTED;
}

/** (Lmb.blocks?.length ?? 0) > 0 */
export function hasBlock(t: LmbColumnTable, k: number): boolean {
  return t.block !== null && t.block[k]! >= NO_NODE;
}

/** Lmb.blocks[0].node, for an LMB with a block */
export function blockNodeAt(t: LmbColumnTable, k: number): number | null {
  const b = t.block![k]!;
  return b >= 0 ? b : null;
}

/** some LMB has Lmb.blocks defined */
export function anyBlocksListed(t: LmbColumnTable): boolean {
  const b = t.block;
  if (b === null) return false;
  for (let k = 0; k < t.count; k++) if (b[k] !== BLOCKS_UNLISTED) return true;
  return false;
}

export function assignedCount(t: LmbColumnTable): number {
  let n = 0;
  for (let k = 0; k < t.count; k++) if (t.flags[k]! & LmbFlag.ASSIGNED) n++;
  return n;
}

/** the address column as 32-bit words, two per LMB: equality without a bigint per read */
export function addressWords(t: LmbColumnTable): Uint32Array {
  return new Uint32Array(t.address.buffer, t.address.byteOffset, 2 * t.count);
}

/** LMB k's address as a double (exact below 2^53 = 8 PiB, rounded as Number(bigint) rounds above) */
export function addressNumber(words: Uint32Array, k: number): number {
  const lo = words[2 * k + (LITTLE_ENDIAN ? 0 : 1)]!;
  const hi = words[2 * k + (LITTLE_ENDIAN ? 1 : 0)]!;
  return hi * 0x100000000 + lo;
}

/** Columns of a table of Lmb objects (legacy memory@ LMBs, tables built elsewhere); lmb(k) returns lmbs[k]. */
export function columnsOfLmbTable(t: LmbTable, drconf: DrconfLmbs | undefined): LmbColumnTable {
  const lmbs = t.lmbs;
  const n = lmbs.length;
  const drc = new Uint32Array(n);
  const address = new BigUint64Array(n);
  const flags = new Uint32Array(n);
  const node = new Int32Array(n);
  const sizes = new BigUint64Array(n);
  const anyAa = lmbs.some((l) => l.aaIndex !== null);
  const aa = anyAa ? new Uint32Array(n) : null;
  let block: Int32Array | null = null;
  let uniform: bigint | null = n > 0 ? lmbs[0]!.size : 0n;
  for (let k = 0; k < n; k++) {
    const l = lmbs[k]!;
    drc[k] = l.drcIndex;
    address[k] = l.address;
    flags[k] = l.flags;
    node[k] = l.node ?? NO_NODE;
    sizes[k] = l.size;
    if (l.size !== uniform) uniform = null;
    // a table mixing null and numeric aa indexes does not come out of the tree builder
    if (aa) aa[k] = l.aaIndex ?? 0;
    if (l.blocks !== undefined) {
      block ??= new Int32Array(n).fill(BLOCKS_UNLISTED);
      block[k] = l.blocks.length === 0 ? NO_BLOCK : (l.blocks[0]!.node ?? NO_NODE);
    }
  }
  return {
    format: t.format,
    bothFormats: t.bothFormats,
    lmbSize: t.lmbSize,
    blockSize: t.blockSize,
    numa: t.numa,
    findings: t.findings,
    count: n,
    drc,
    address,
    aa,
    flags,
    node,
    block,
    size: uniform,
    sizes: uniform === null ? sizes : null,
    drconf,
    name: (k) => lmbs[k]!.name,
    memoryNode: (k) => lmbs[k]!.memoryNode,
    lmb: (k) => lmbs[k]!,
  };
}

export interface LmbFilter {
  /** only LMBs on this node (null: with no node) */
  node?: number | null;
  drc?: number;
  /** only LMBs of these categories (empty or absent: all) */
  categories?: readonly LmbCategory[];
}

/** the indexes k of the LMBs that pass `f`, ascending */
export function selectLmbs(t: LmbColumnTable, f: LmbFilter = {}): Uint32Array {
  const cats = f.categories && f.categories.length > 0 ? f.categories : undefined;
  const keep = (k: number) =>
    (f.node === undefined || nodeAt(t, k) === f.node) && (f.drc === undefined || t.drc[k] === f.drc) && (cats === undefined || cats.includes(lmbCategory({ flags: t.flags[k]! })));
  const all = f.node === undefined && f.drc === undefined && cats === undefined;
  const out = new Uint32Array(t.count);
  let n = 0;
  for (let k = 0; k < t.count; k++) if (all || keep(k)) out[n++] = k;
  return n === t.count ? out : out.slice(0, n);
}
