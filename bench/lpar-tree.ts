// A synthetic but realistic PowerVM LPAR device tree, sized like the largest
// partitions (up to 262,144 LMBs = 64 TB of 256 MiB blocks). Used by the
// benchmarks (written to /tmp, never committed) and by the fuzz/robustness
// tests (small sizes, in memory). LMB state lives in typed arrays so a
// 262k-LMB tree costs a few MB, not a few hundred.
import { newTree, ensureNode, type DtTree } from '../lib/dt/tree.js';

export type LmbFormat = 'v1' | 'v2';

export interface LparSpec {
  lmbs: number;
  format: LmbFormat;
  /** NUMA nodes the assigned LMBs are spread over (one lookup array each) */
  nodes?: number;
  /** bytes; PowerVM default above 32 GB of configurable memory */
  lmbSize?: bigint;
  /** fraction of LMBs (at the top of the address space) left unassigned: room for DLPAR add */
  freeTail?: number;
  /** every n-th LMB below the free tail is also free (a DLPAR remove happened) */
  holeEvery?: number;
  /** change this fraction of the LMBs (flip ASSIGNED, move node): a later snapshot */
  mutate?: { fraction: number; seed: number };
}

export const DRCONF_ASSIGNED = 0x8;
export const DRC_BASE = 0x80000000;
export const MIB256 = 256n * 1024n * 1024n;

/** The LMB table itself: index i is at address i * lmbSize (PowerVM numbers LMBs from 0). */
export interface LparLmbs {
  lmbSize: bigint;
  nodes: number;
  drc: Uint32Array;
  aa: Uint32Array;
  flags: Uint32Array;
}

/** xorshift32: deterministic, seedable, fast enough for 262k draws */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

export function lparLmbs(spec: LparSpec): LparLmbs {
  const n = spec.lmbs;
  const nodes = spec.nodes ?? 4;
  const freeFrom = Math.floor(n * (1 - (spec.freeTail ?? 0.03)));
  const holeEvery = spec.holeEvery ?? 997;
  const drc = new Uint32Array(n);
  const aa = new Uint32Array(n);
  const flags = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    drc[i] = (DRC_BASE + i) >>> 0;
    const free = i >= freeFrom || (i > 16 && i % holeEvery === 0);
    // PowerVM keeps the aa index of free LMBs (the node they would come back on)
    aa[i] = Math.min(nodes - 1, Math.floor((i * nodes) / n));
    flags[i] = free ? 0 : DRCONF_ASSIGNED;
  }
  if (spec.mutate) {
    const r = rng(spec.mutate.seed);
    const changes = Math.floor(n * spec.mutate.fraction);
    // pick distinct LMBs by a strided walk from a random start so exactly `changes` differ
    const stride = Math.max(1, Math.floor(n / Math.max(1, changes)));
    let i = Math.floor(r() * stride);
    for (let c = 0; c < changes && i < n; c++, i += stride) {
      if (r() < 0.7) flags[i] = flags[i]! ^ DRCONF_ASSIGNED;
      else aa[i] = (aa[i]! + 1) % nodes;
    }
  }
  return { lmbSize: spec.lmbSize ?? MIB256, nodes, drc, aa, flags };
}

function be32(vals: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(vals.length * 4);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < vals.length; i++) dv.setUint32(i * 4, vals[i]! >>> 0);
  return b;
}

function be64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
}

function str(...s: string[]): Uint8Array {
  return Buffer.from(s.map((x) => `${x}\0`).join(''), 'latin1');
}

/** ibm,dynamic-memory: N, then N x {u64 base, drc, reserved, aa, flags} */
export function encodeV1(l: LparLmbs): Uint8Array {
  const n = l.drc.length;
  const b = new Uint8Array(4 + 24 * n);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, n);
  for (let i = 0; i < n; i++) {
    const o = 4 + 24 * i;
    dv.setBigUint64(o, BigInt(i) * l.lmbSize);
    dv.setUint32(o + 8, l.drc[i]!);
    dv.setUint32(o + 12, 0);
    dv.setUint32(o + 16, l.aa[i]!);
    dv.setUint32(o + 20, l.flags[i]!);
  }
  return b;
}

/** ibm,dynamic-memory-v2 as the kernel writes it: runs of equal aa/flags with consecutive DRCs */
export function encodeV2(l: LparLmbs): Uint8Array {
  const n = l.drc.length;
  const sets: number[][] = [];
  let start = 0;
  for (let i = 1; i <= n; i++) {
    const same = i < n && l.aa[i] === l.aa[start] && l.flags[i] === l.flags[start] && l.drc[i] === ((l.drc[start]! + (i - start)) >>> 0);
    if (!same) {
      sets.push([start, i - start]);
      start = i;
    }
  }
  const b = new Uint8Array(4 + 24 * sets.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, sets.length);
  sets.forEach(([s, len], k) => {
    const o = 4 + 24 * k;
    dv.setUint32(o, len!);
    dv.setBigUint64(o + 4, BigInt(s!) * l.lmbSize);
    dv.setUint32(o + 12, l.drc[s!]!);
    dv.setUint32(o + 16, l.aa[s!]!);
    dv.setUint32(o + 20, l.flags[s!]!);
  });
  return b;
}

/** FORM1 lookup arrays: one per node, 4 cells, node id in the last (primary index 4) */
export function lookupArrays(nodes: number): number[][] {
  return Array.from({ length: nodes }, (_, nd) => [0, 0, nd === 0 ? 0 : 1, nd]);
}

/** The device tree of a PowerVM LPAR with a drconf node holding `l`. */
export function lparTree(l: LparLmbs, format: LmbFormat): DtTree {
  const t = newTree();
  const root = t.root;
  const set = (path: string, name: string, v: Uint8Array) => ensureNode(t, path).setProp(name, v);
  set('/', '#address-cells', be32([2]));
  set('/', '#size-cells', be32([2]));
  set('/', 'device_type', str('chrp'));
  set('/', 'model', str('IBM,9080-HEX'));
  set('/', 'compatible', str('IBM,9080-HEX'));
  set('/', 'name', str(''));
  set('/', 'ibm,partition-name', str('bench-lpar'));
  set('/', 'ibm,lpar-capable', new Uint8Array(0));
  // /cpus with a couple of threads per node
  set('/cpus', '#address-cells', be32([1]));
  set('/cpus', '#size-cells', be32([0]));
  for (let c = 0; c < l.nodes; c++) {
    const p = `/cpus/PowerPC,POWER10@${(c * 8).toString(16)}`;
    set(p, 'device_type', str('cpu'));
    set(p, 'reg', be32([c * 8]));
    set(p, 'ibm,my-drc-index', be32([0x10000000 + c * 8]));
    set(p, 'ibm,associativity', be32([5, 0, 0, 0, c, c * 8]));
    set(p, 'ibm,ppc-interrupt-server#s', be32([c * 8, c * 8 + 1, c * 8 + 2, c * 8 + 3]));
  }
  set('/rtas', 'ibm,associativity-reference-points', be32([4, 2]));
  set('/rtas', 'ibm,max-associativity-domains', be32([4, 1, 1, l.nodes, l.nodes]));
  set('/rtas', 'ibm,lrdr-capacity', be64(BigInt(l.drc.length) * l.lmbSize));
  set('/rtas', 'name', str('rtas'));
  // vec5: FORM1 = byte 5 & 0x80, DRCONF = byte 2 & 0x20, DRMEM_V2 = byte 22 & 0x80
  const vec5 = new Uint8Array(24);
  vec5[0] = vec5.length - 2; // byte 0 = (bytes after it) - 1
  vec5[2] = 0x20;
  vec5[5] = 0x80;
  vec5[22] = format === 'v2' ? 0x80 : 0;
  set('/chosen', 'ibm,architecture-vec-5', vec5);
  set('/chosen', 'bootargs', str('root=/dev/mapper/rootvg-root ro'));
  set('/chosen', 'name', str('chosen'));
  const d = '/ibm,dynamic-reconfiguration-memory';
  set(d, 'name', str('ibm,dynamic-reconfiguration-memory'));
  set(d, 'ibm,lmb-size', be64(l.lmbSize));
  set(d, 'ibm,memory-flags-mask', be32([0xff]));
  set(d, 'ibm,memory-preservation-time', be32([0]));
  set(d, 'phandle', be32([0x1000]));
  // FORM1 lookup arrays: one per node, 4 cells, node id in the last one
  set(d, 'ibm,associativity-lookup-arrays', be32([l.nodes, 4, ...lookupArrays(l.nodes).flat()]));
  set(d, format === 'v1' ? 'ibm,dynamic-memory' : 'ibm,dynamic-memory-v2', format === 'v1' ? encodeV1(l) : encodeV2(l));
  // the RMA stays a memory@0 node, as on PowerVM
  set('/memory@0', 'device_type', str('memory'));
  set('/memory@0', 'reg', new Uint8Array([...be64(0n), ...be64(l.lmbSize)]));
  set('/memory@0', 'name', str('memory'));
  void root;
  return t;
}

export const CPUINFO = `processor\t: 0
cpu\t\t: POWER10 (architected), altivec supported
clock\t\t: 3900.000000MHz
revision\t: 2.0 (pvr 0080 0200)

timebase\t: 512000000
platform\t: pSeries
model\t\t: IBM,9080-HEX
machine\t\t: CHRP IBM,9080-HEX
MMU\t\t: Radix
`;
