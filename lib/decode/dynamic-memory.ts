// ibm,dynamic-memory (v1): cell 0 = N, then N entries of
// {base (root #address-cells, 2 on pseries), drc_index, reserved, aa_index, flags}.
// The kernel trusts N; we decode min(N, entries that fit) and report the rest.
import { allocLmbArrays, truncateLmbArrays, type LmbArrays } from './lmb-arrays.js';
import { countedEntries, V1_WORDS } from './counted-entries.js';
import type { Decoded, DecodeIssue } from './result.js';

export interface DynamicMemoryV1 {
  /** N as declared in cell 0 */
  declared: number;
  /** bytes per entry: 4 * (addressCells + 4) */
  entrySize: number;
  lmbs: LmbArrays;
}

export function decodeDynamicMemoryV1(bytes: Uint8Array, addressCells = 2): Decoded<DynamicMemoryV1> {
  const issues: DecodeIssue[] = [];
  const { declared, count, entrySize, addressCells: ac, dv } = countedEntries(bytes, addressCells, V1_WORDS, issues);
  if (!dv) return { value: { declared, entrySize, lmbs: allocLmbArrays(0, 'v1') }, issues };
  const a = allocLmbArrays(count, 'v1');
  const reserved = a.reserved!;
  let off = 4;
  if (ac === 2) {
    for (let i = 0; i < count; i++, off += 24) {
      a.base[i] = dv.getBigUint64(off);
      a.drc[i] = dv.getUint32(off + 8);
      reserved[i] = dv.getUint32(off + 12);
      a.aa[i] = dv.getUint32(off + 16);
      a.flags[i] = dv.getUint32(off + 20);
    }
  } else {
    for (let i = 0; i < count; i++, off += entrySize) {
      let b = 0n;
      for (let c = 0; c < ac; c++) b = ((b << 32n) | BigInt(dv.getUint32(off + 4 * c))) & 0xffffffffffffffffn;
      a.base[i] = b;
      const o = off + 4 * ac;
      a.drc[i] = dv.getUint32(o);
      reserved[i] = dv.getUint32(o + 4);
      a.aa[i] = dv.getUint32(o + 8);
      a.flags[i] = dv.getUint32(o + 12);
    }
  }
  return { value: { declared, entrySize, lmbs: truncateLmbArrays(a, count) }, issues };
}
