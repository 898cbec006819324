// A simulation of what the Linux kernel does to /ibm,dynamic-reconfiguration-memory
// (arch/powerpc/mm/drmem.c, platforms/pseries/hotplug-memory.c): the in-kernel LMB
// table (drmem_info) read once at boot, DLPAR add/remove on that table, and
// drmem_update_dt() writing the whole property back from the table. Used by the LPM
// scenario generator and by tests that check the audit against the kernel's rules.
import { decodeDynamicMemoryV1 } from '../decode/dynamic-memory.js';
import { decodeDynamicMemoryV2, expandDrmemV2 } from '../decode/dynamic-memory-v2.js';
import { decodeLmbSize } from '../decode/lmb-size.js';
import type { LmbArrays } from '../decode/lmb-arrays.js';
import { getNode, type DtNode, type DtTree } from '../dt/tree.js';
import { AA_INDEX_NONE, LmbFlag } from './lmb.js';

export const DRCONF_PATH = '/ibm,dynamic-reconfiguration-memory';
export const V1_PROP = 'ibm,dynamic-memory';
export const V2_PROP = 'ibm,dynamic-memory-v2';
export const LOOKUP_PROP = 'ibm,associativity-lookup-arrays';
/** DRMEM_LMB_RESERVED: kernel scratch bit, stripped by drmem_lmb_flags() before writing */
const KERNEL_SCRATCH = 0x80000000;

/** drmem_info: one row per LMB, in property order. n_lmbs never changes after boot. */
export interface KernelLmbTable {
  format: 'v1' | 'v2';
  lmbSize: bigint;
  lmbs: LmbArrays;
}

/** Build drmem_info the way drmem_init() does: v1 wins over v2. null when the tree has no drconf LMBs. */
export function kernelTableFromTree(tree: DtTree): KernelLmbTable | null {
  const node = getNode(tree, DRCONF_PATH);
  if (!node) return null;
  const sizeProp = node.prop('ibm,lmb-size');
  const lmbSize = sizeProp ? decodeLmbSize(sizeProp).value : null;
  if (lmbSize === null) return null;
  const v1 = node.prop(V1_PROP);
  if (v1) return { format: 'v1', lmbSize, lmbs: copyArrays(decodeDynamicMemoryV1(v1).value.lmbs) };
  const v2 = node.prop(V2_PROP);
  if (!v2) return null;
  const sets = decodeDynamicMemoryV2(v2).value;
  return { format: 'v2', lmbSize, lmbs: copyArrays(expandDrmemV2(sets, lmbSize).value) };
}

function copyArrays(a: LmbArrays): LmbArrays {
  return { count: a.count, base: a.base.slice(), drc: a.drc.slice(), aa: a.aa.slice(), flags: a.flags.slice() };
}

/**
 * drmem_update_dt_v1: a zero-filled buffer of the OLD property's length (kzalloc, no
 * copy), cell 0 = n_lmbs, every entry rewritten; the reserved cell is never copied.
 */
export function encodeV1(lmbs: LmbArrays, oldLength?: number): Uint8Array {
  const need = 4 + 24 * lmbs.count;
  // the kernel trusts the old length; a shorter old property would overflow its buffer,
  // which we refuse to imitate: never write less than the table needs
  const out = new Uint8Array(Math.max(need, oldLength ?? need));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, lmbs.count);
  for (let i = 0, off = 4; i < lmbs.count; i++, off += 24) {
    dv.setBigUint64(off, lmbs.base[i]!);
    dv.setUint32(off + 8, lmbs.drc[i]!);
    dv.setUint32(off + 12, 0);
    dv.setUint32(off + 16, lmbs.aa[i]!);
    dv.setUint32(off + 20, (lmbs.flags[i]! & ~KERNEL_SCRATCH) >>> 0);
  }
  return out;
}

/**
 * drmem_update_dt_v2: a new set starts whenever aa_index or flags differ from the
 * previous LMB. Nothing else is compared (not drc or base continuity).
 */
export function encodeV2(lmbs: LmbArrays): Uint8Array {
  const starts: number[] = [];
  for (let i = 0; i < lmbs.count; i++) {
    if (i === 0 || lmbs.aa[i] !== lmbs.aa[i - 1] || flagsOut(lmbs.flags[i]!) !== flagsOut(lmbs.flags[i - 1]!)) starts.push(i);
  }
  const out = new Uint8Array(4 + 24 * starts.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, starts.length);
  for (let s = 0; s < starts.length; s++) {
    const first = starts[s]!;
    const end = starts[s + 1] ?? lmbs.count;
    const off = 4 + 24 * s;
    dv.setUint32(off, end - first);
    dv.setBigUint64(off + 4, lmbs.base[first]!);
    dv.setUint32(off + 12, lmbs.drc[first]!);
    dv.setUint32(off + 16, lmbs.aa[first]!);
    dv.setUint32(off + 20, flagsOut(lmbs.flags[first]!));
  }
  return out;
}

function flagsOut(f: number): number {
  return (f & ~KERNEL_SCRATCH) >>> 0;
}

/** drmem_update_dt(): rewrite ibm,dynamic-memory (if present) else -v2 from the kernel table. */
export function drmemUpdateDt(tree: DtTree, table: KernelLmbTable): void {
  const node = getNode(tree, DRCONF_PATH);
  if (!node) return;
  const v1 = node.prop(V1_PROP);
  if (v1) node.setProp(V1_PROP, encodeV1(table.lmbs, v1.length));
  else if (node.prop(V2_PROP)) node.setProp(V2_PROP, encodeV2(table.lmbs));
}

/** ibm,associativity-lookup-arrays as {count, cells per array, flat cells} */
export function readLookupArrays(node: DtNode): { count: number; width: number; cells: number[] } | null {
  const p = node.prop(LOOKUP_PROP);
  if (!p || p.length < 8) return null;
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const count = dv.getUint32(0);
  const width = dv.getUint32(4);
  if (p.length < (count * width + 2) * 4) return null;
  const cells: number[] = [];
  for (let i = 0; i < count * width; i++) cells.push(dv.getUint32(8 + 4 * i));
  return { count, width, cells };
}

export function encodeLookupArrays(width: number, arrays: number[][]): Uint8Array {
  const out = new Uint8Array(8 + 4 * width * arrays.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, arrays.length);
  dv.setUint32(4, width);
  let off = 8;
  for (const a of arrays) for (let j = 0; j < width; j++, off += 4) dv.setUint32(off, a[j] ?? 0);
  return out;
}

/**
 * find_aa_index(): look the configure-connector associativity (without its length
 * cell) up in the CURRENT lookup arrays; append a new array at the end if absent
 * (existing arrays are never modified or reordered). Returns the aa index.
 */
export function findAaIndex(tree: DtTree, associativity: number[]): number {
  const node = getNode(tree, DRCONF_PATH);
  if (!node) return AA_INDEX_NONE;
  const la = readLookupArrays(node);
  if (!la) return AA_INDEX_NONE;
  const want = associativity.slice(0, la.width);
  for (let i = 0; i < la.count; i++) {
    let same = true;
    for (let j = 0; j < la.width && same; j++) same = la.cells[i * la.width + j] === want[j];
    if (same) return i;
  }
  const arrays: number[][] = [];
  for (let i = 0; i < la.count; i++) arrays.push(la.cells.slice(i * la.width, (i + 1) * la.width));
  arrays.push(want);
  node.setProp(LOOKUP_PROP, encodeLookupArrays(la.width, arrays));
  return la.count;
}

/** dlpar_add_lmb on table row i: aa from find_aa_index, flags |= ASSIGNED (only that bit). */
export function dlparAdd(tree: DtTree, table: KernelLmbTable, i: number, associativity: number[]): void {
  table.lmbs.aa[i] = findAaIndex(tree, associativity);
  table.lmbs.flags[i] = (table.lmbs.flags[i]! | LmbFlag.ASSIGNED) >>> 0;
}

/** dlpar_remove_lmb on table row i: invalidate the aa index, clear ASSIGNED, keep other bits. */
export function dlparRemove(table: KernelLmbTable, i: number): void {
  table.lmbs.aa[i] = AA_INDEX_NONE;
  table.lmbs.flags[i] = (table.lmbs.flags[i]! & ~LmbFlag.ASSIGNED) >>> 0;
}

/**
 * drmem_update_lmbs() (5.15+, d144f4d5a8a8): after the hypervisor replaced the
 * dynamic-memory property, copy each LMB's aa_index (matched by drc_index) into the
 * kernel table. Only aa_index: flags stay the kernel's.
 */
export function drmemUpdateLmbs(tree: DtTree, table: KernelLmbTable): void {
  const fresh = kernelTableFromTree(tree);
  if (!fresh) return;
  const byDrc = new Map<number, number>();
  for (let i = 0; i < table.lmbs.count; i++) if (!byDrc.has(table.lmbs.drc[i]!)) byDrc.set(table.lmbs.drc[i]!, i);
  for (let k = 0; k < fresh.lmbs.count; k++) {
    const i = byDrc.get(fresh.lmbs.drc[k]!);
    if (i !== undefined) table.lmbs.aa[i] = fresh.lmbs.aa[k]!;
  }
}

/** Row of the table holding a DRC index (first match, as the kernel's linear scan). */
export function rowOfDrc(table: KernelLmbTable, drc: number): number {
  for (let i = 0; i < table.lmbs.count; i++) if (table.lmbs.drc[i] === drc) return i;
  return -1;
}
