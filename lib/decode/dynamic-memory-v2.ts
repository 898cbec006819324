// ibm,dynamic-memory-v2: cell 0 = S, then S packed sets of
// {seq_lmbs, base (root #address-cells), drc_index, aa_index, flags}.
// Expansion (kernel __walk_drmem_v2_lmbs): LMB j of a set has base + j*lmb_size,
// drc + j (even for "invalid" DRC sets), the set's aa_index and flags.
import { allocLmbArrays, type LmbArrays } from './lmb-arrays.js';
import { countedEntries, V2_WORDS } from './counted-entries.js';
import { hex, type Decoded, type DecodeIssue } from './result.js';

export interface DrmemV2Sets {
  declared: number;
  count: number;
  entrySize: number;
  seq: Uint32Array;
  base: BigUint64Array;
  drc: Uint32Array;
  aa: Uint32Array;
  flags: Uint32Array;
}

/**
 * Refuse to expand more LMBs than this (a corrupt seq_lmbs could ask for 2^32 per set).
 * The largest partitions have 64 TB in 128-256 MiB LMBs (262,144-524,288; PowerVM uses
 * 16 MiB LMBs only below 4 GB): 2^22 is eight times that. A 100-byte property describing
 * 9 million LMBs took 16 s and gigabytes to list (found by the model fuzz test).
 */
export const MAX_EXPANDED_LMBS = 1 << 22;

export function decodeDynamicMemoryV2(bytes: Uint8Array, addressCells = 2): Decoded<DrmemV2Sets> {
  const issues: DecodeIssue[] = [];
  const { declared, count, entrySize, addressCells: ac, dv } = countedEntries(bytes, addressCells, V2_WORDS, issues);
  const empty = (d: number): DrmemV2Sets => ({ declared: d, count: 0, entrySize, seq: new Uint32Array(0), base: new BigUint64Array(0), drc: new Uint32Array(0), aa: new Uint32Array(0), flags: new Uint32Array(0) });
  if (!dv) return { value: empty(0), issues };
  const s = empty(declared);
  s.count = count;
  s.seq = new Uint32Array(count);
  s.base = new BigUint64Array(count);
  s.drc = new Uint32Array(count);
  s.aa = new Uint32Array(count);
  s.flags = new Uint32Array(count);
  let off = 4;
  for (let i = 0; i < count; i++, off += entrySize) {
    s.seq[i] = dv.getUint32(off);
    let b = 0n;
    if (ac === 2) b = dv.getBigUint64(off + 4);
    else for (let c = 0; c < ac; c++) b = ((b << 32n) | BigInt(dv.getUint32(off + 4 + 4 * c))) & 0xffffffffffffffffn;
    s.base[i] = b;
    const o = off + 4 + 4 * ac;
    s.drc[i] = dv.getUint32(o);
    s.aa[i] = dv.getUint32(o + 4);
    s.flags[i] = dv.getUint32(o + 8);
    if (s.seq[i] === 0) issues.push({ code: 'lmb-set-empty', offset: off, message: `set ${i} at ${hex(off)} has seq_lmbs 0`, severity: 'info' });
  }
  return { value: s, issues };
}

/**
 * Expand sets into one entry per LMB. lmbSize null/0 -> every LMB of a set gets the set's base (reported).
 * A set whose seq_lmbs would take the expansion past MAX_EXPANDED_LMBS (a corrupt count such as
 * 0xfffffff0) is skipped with an error; the sets after it are still expanded, and the total never
 * passes the cap, so memory stays bounded.
 */
export function expandDrmemV2(sets: DrmemV2Sets, lmbSize: bigint | null): Decoded<LmbArrays> {
  const issues: DecodeIssue[] = [];
  let total = 0;
  let skipped: Uint8Array | undefined;
  for (let i = 0; i < sets.count; i++) {
    const n = sets.seq[i]!;
    if (total + n > MAX_EXPANDED_LMBS) {
      skipped ??= new Uint8Array(sets.count);
      skipped[i] = 1;
      issues.push({
        code: 'lmb-count-too-large',
        offset: 4 + sets.entrySize * i,
        message: `set ${i} has seq_lmbs ${n} (${hex(n)}), which would take the sets past ${MAX_EXPANDED_LMBS} LMBs (${total} before it): set ${i} is skipped, the other sets are decoded`,
        severity: 'error',
      });
      continue;
    }
    total += n;
  }
  const step = lmbSize ?? 0n;
  if (step === 0n && total > sets.count) issues.push({ code: 'lmb-size-missing', offset: 0, message: 'no usable ibm,lmb-size: LMB addresses inside a set cannot be computed (all shown at the set base)', severity: 'error' });
  const a = allocLmbArrays(total, 'v2');
  const setOf = a.set!;
  const pos = a.position!;
  let k = 0;
  for (let i = 0; i < sets.count; i++) {
    if (skipped?.[i]) continue;
    const n = sets.seq[i]!;
    const base = sets.base[i]!;
    const drc = sets.drc[i]!;
    const aa = sets.aa[i]!;
    const flags = sets.flags[i]!;
    let addr = base;
    for (let j = 0; j < n; j++, k++) {
      a.base[k] = BigInt.asUintN(64, addr);
      a.drc[k] = (drc + j) >>> 0;
      a.aa[k] = aa;
      a.flags[k] = flags;
      setOf[k] = i;
      pos[k] = j;
      addr += step;
    }
  }
  return { value: a, issues };
}
