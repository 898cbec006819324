// The LMB columns of the drconf node, v1 preferred over v2 as in the kernel
// (drmem_init, walk_drmem_lmbs, drmem_update_dt all check v1 first).
import { decodeDynamicMemoryV1 } from '../decode/dynamic-memory.js';
import { decodeDynamicMemoryV2, expandDrmemV2, type DrmemV2Sets } from '../decode/dynamic-memory-v2.js';
import type { LmbArrays } from '../decode/lmb-arrays.js';
import { decodeLmbSize } from '../decode/lmb-size.js';
import { decodeU32, issuesToFindings } from '../decode/result.js';
import { getNode, type DtTree } from '../dt/tree.js';
import type { Finding } from './finding.js';
import { DRCONF_PATH } from './numa.js';

export const V1 = 'ibm,dynamic-memory';
export const V2 = 'ibm,dynamic-memory-v2';

export interface DrconfLmbs {
  format: 'v1' | 'v2' | 'none';
  bothFormats: boolean;
  lmbSize: bigint | null;
  lmbs: LmbArrays | null;
  /** v2 only: the sets as written */
  sets?: DrmemV2Sets;
  /** bytes per v1 entry / v2 set, to turn an LMB/set number into a byte offset */
  entrySize: number;
  findings: Finding[];
}

/** root #address-cells / #size-cells (pseries: 2/2; absent -> 2, as every pseries tree has them) */
export function rootCells(tree: DtTree): { addressCells: number; sizeCells: number; findings: Finding[] } {
  const findings: Finding[] = [];
  const read = (name: string): number => {
    const b = tree.root.prop(name);
    if (!b) return 2;
    const r = decodeU32(b, name);
    findings.push(...issuesToFindings(r.issues, '/', name));
    return r.value ?? 2;
  };
  return { addressCells: read('#address-cells'), sizeCells: read('#size-cells'), findings };
}

/** undefined when the tree has no drconf node */
export function drconfLmbs(tree: DtTree): DrconfLmbs | undefined {
  const node = getNode(tree, DRCONF_PATH);
  if (!node) return undefined;
  const { addressCells, sizeCells, findings } = rootCells(tree);
  let lmbSize: bigint | null = null;
  const sizeBytes = node.prop('ibm,lmb-size');
  if (sizeBytes) {
    const r = decodeLmbSize(sizeBytes, sizeCells);
    findings.push(...issuesToFindings(r.issues, DRCONF_PATH, 'ibm,lmb-size'));
    lmbSize = r.value;
  } else {
    findings.push({ code: 'lmb-size-missing', severity: 'error', node: DRCONF_PATH, property: 'ibm,lmb-size', message: `${DRCONF_PATH}: no ibm,lmb-size property` });
  }
  const v1 = node.prop(V1);
  const v2 = node.prop(V2);
  const bothFormats = v1 !== undefined && v2 !== undefined;
  if (bothFormats) {
    findings.push({ code: 'both-dynamic-memory-formats', severity: 'warning', node: DRCONF_PATH, property: V2, message: `${DRCONF_PATH}: both ${V1} and ${V2} exist; Linux uses ${V1} (v1) and ignores the v2 property, which is likely stale (LPM from a v2 to a v1 system)` });
  }
  if (v1) {
    const r = decodeDynamicMemoryV1(v1, addressCells);
    findings.push(...issuesToFindings(r.issues, DRCONF_PATH, V1));
    return { format: 'v1', bothFormats, lmbSize, lmbs: r.value.lmbs, entrySize: r.value.entrySize, findings };
  }
  if (v2) {
    const r = decodeDynamicMemoryV2(v2, addressCells);
    findings.push(...issuesToFindings(r.issues, DRCONF_PATH, V2));
    const e = expandDrmemV2(r.value, lmbSize);
    findings.push(...issuesToFindings(e.issues, DRCONF_PATH, V2));
    return { format: 'v2', bothFormats, lmbSize, lmbs: e.value, sets: r.value, entrySize: r.value.entrySize, findings };
  }
  findings.push({ code: 'dynamic-memory-missing', severity: 'warning', node: DRCONF_PATH, message: `${DRCONF_PATH}: neither ${V1} nor ${V2} is present: no LMBs` });
  return { format: 'none', bothFormats, lmbSize, lmbs: null, entrySize: 0, findings };
}

/** byte offset of LMB k's entry (v1) or of its set (v2) inside the property */
export function entryOffset(d: DrconfLmbs, k: number): number {
  if (d.format === 'v2') return 4 + d.entrySize * (d.lmbs?.set?.[k] ?? 0);
  return 4 + d.entrySize * k;
}
