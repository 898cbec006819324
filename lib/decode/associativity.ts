// Associativity properties (kernel.md 1.4, 1.9, 2.3):
// - ibm,associativity-lookup-arrays: A, E, then A arrays of E cells (no length cell)
// - ibm,associativity: length cell N, then N domain ids (most significant first)
// - ibm,associativity-reference-points: list of 1-based domain indexes
// - ibm,max-/current-associativity-domains: L, then L per-level maxima
import { dataView, decodeCells, type Decoded, type DecodeIssue } from './result.js';

export interface LookupArrays {
  count: number;
  cellsPerArray: number;
  /** flat A*E cells (only the complete arrays that fit) */
  cells: Uint32Array;
  /** kernel of_get_assoc_arrays() accepts the property (length >= (A*E+2)*4) */
  kernelValid: boolean;
}

export function decodeLookupArrays(bytes: Uint8Array): Decoded<LookupArrays | null> {
  const issues: DecodeIssue[] = [];
  if (bytes.length < 8) {
    issues.push({ code: 'property-too-short', offset: 0, message: `${bytes.length} bytes: no count/cells-per-array header; the kernel ignores the property (no NUMA node for any LMB)`, severity: 'error' });
    return { value: null, issues };
  }
  const dv = dataView(bytes);
  const count = dv.getUint32(0);
  const e = dv.getUint32(4);
  const need = (count * e + 2) * 4;
  const kernelValid = bytes.length >= need;
  let usable = count;
  if (!kernelValid) {
    usable = e === 0 ? 0 : Math.floor((bytes.length - 8) / 4 / e);
    issues.push({ code: 'lookup-arrays-short', offset: 0, message: `header says ${count} arrays of ${e} cells (${need} bytes) but the property has ${bytes.length} bytes; the kernel ignores it (no NUMA node for any LMB); ${usable} complete array(s) shown`, severity: 'error' });
  } else if (bytes.length > need) {
    issues.push({ code: 'property-length', offset: need, message: `${bytes.length - need} byte(s) after the ${count} arrays; ignored`, severity: 'info' });
  }
  if (bytes.length % 4 !== 0) issues.push({ code: 'cell-misaligned', offset: bytes.length - (bytes.length % 4), message: `length ${bytes.length} is not a multiple of 4` });
  const n = usable * e;
  const cells = new Uint32Array(n);
  for (let i = 0; i < n; i++) cells[i] = dv.getUint32(8 + 4 * i);
  return { value: { count, cellsPerArray: e, cells, kernelValid }, issues };
}

/** array i as a plain list (undefined if it is not in the property) */
export function lookupArray(la: LookupArrays, i: number): number[] | undefined {
  const e = la.cellsPerArray;
  if (i < 0 || (i + 1) * e > la.cells.length) return undefined;
  return Array.from(la.cells.subarray(i * e, (i + 1) * e));
}

export interface AssociativityList {
  /** N from the length cell */
  declared: number;
  /** the domain ids that are present (up to N) */
  domains: number[];
  /** extra cells after the N domains (QEMU CPU nodes carry a vcpu id there) */
  extra: number[];
}

export function decodeAssociativity(bytes: Uint8Array): Decoded<AssociativityList | null> {
  const r = decodeCells(bytes);
  const issues = [...r.issues];
  const cells = r.value;
  if (cells.length === 0) {
    issues.push({ code: 'property-too-short', offset: 0, message: 'empty: no length cell' });
    return { value: null, issues };
  }
  const declared = cells[0]!;
  const present = Math.min(declared, cells.length - 1);
  if (present < declared) issues.push({ code: 'associativity-short', offset: 0, message: `length cell says ${declared} domains but only ${cells.length - 1} cell(s) follow`, severity: 'warning' });
  return { value: { declared, domains: cells.slice(1, 1 + present), extra: cells.slice(1 + present) }, issues };
}

export function decodeReferencePoints(bytes: Uint8Array): Decoded<number[]> {
  const r = decodeCells(bytes);
  if (r.value.length === 0) r.issues.push({ code: 'property-too-short', offset: 0, message: 'empty: no primary domain index; the kernel turns NUMA off' });
  return r;
}

export interface AssociativityDomains {
  levels: number;
  /** per-level maxima; maxima[k-1] is level k (kernel reads cells[k]) */
  maxima: number[];
}

export function decodeAssociativityDomains(bytes: Uint8Array): Decoded<AssociativityDomains | null> {
  const r = decodeCells(bytes);
  const issues = [...r.issues];
  if (r.value.length === 0) {
    issues.push({ code: 'property-too-short', offset: 0, message: 'empty: no level count' });
    return { value: null, issues };
  }
  const levels = r.value[0]!;
  const maxima = r.value.slice(1);
  if (maxima.length !== levels) issues.push({ code: 'associativity-domains-length', offset: 0, message: `level count says ${levels} but ${maxima.length} cell(s) follow` });
  return { value: { levels, maxima }, issues };
}
