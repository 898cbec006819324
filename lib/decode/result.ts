// What every decoder returns: a best-effort value plus the problems met.
// Decoders never throw on bad bytes; the model turns issues into Findings
// (it knows the node path and property name, the decoder does not).
import type { Finding, SeverityName } from '../model/finding.js';

export interface DecodeIssue {
  /** stable kebab-case code (becomes Finding.code) */
  code: string;
  /** byte offset inside the property value */
  offset: number;
  message: string;
  /** default "warning" */
  severity?: SeverityName;
}

export interface Decoded<T> {
  value: T;
  issues: DecodeIssue[];
}

/** Attach node/property context to decoder issues. */
export function issuesToFindings(issues: readonly DecodeIssue[], node: string, property: string): Finding[] {
  return issues.map((i) => ({
    code: i.code,
    severity: i.severity ?? 'warning',
    node,
    property,
    offset: i.offset,
    message: `${node === '/' ? '' : node}/${property}: ${i.message}`,
  }));
}

export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Read `cells` big-endian cells at `off` as one unsigned number (of_read_number: wraps at 64 bits). */
export function readCellsBig(dv: DataView, off: number, cells: number): bigint {
  let v = 0n;
  for (let i = 0; i < cells; i++) v = ((v << 32n) | BigInt(dv.getUint32(off + 4 * i))) & 0xffffffffffffffffn;
  return v;
}

/** Whole property as u32 cells; a length that is not a multiple of 4 is an issue (tail ignored). */
export function decodeCells(bytes: Uint8Array, what = 'property'): Decoded<number[]> {
  const issues: DecodeIssue[] = [];
  const n = Math.floor(bytes.length / 4);
  if (bytes.length % 4 !== 0) {
    issues.push({ code: 'cell-misaligned', offset: n * 4, message: `${what} length ${bytes.length} is not a multiple of 4; last ${bytes.length % 4} byte(s) ignored` });
  }
  const dv = dataView(bytes);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = dv.getUint32(4 * i);
  return { value: out, issues };
}

/** A single u32 cell property (ibm,memory-flags-mask, ibm,my-drc-index, #address-cells). */
export function decodeU32(bytes: Uint8Array, what = 'property'): Decoded<number | null> {
  if (bytes.length < 4) return { value: null, issues: [{ code: 'property-too-short', offset: 0, message: `${what} is ${bytes.length} bytes, expected 4` }] };
  const issues: DecodeIssue[] = [];
  if (bytes.length !== 4) issues.push({ code: 'property-length', offset: 4, message: `${what} is ${bytes.length} bytes, expected 4; extra bytes ignored`, severity: 'info' });
  return { value: dataView(bytes).getUint32(0), issues };
}

/** the root #address-cells an LMB entry cannot be read with (0, or more than 4 cells for a 64-bit address) */
export function addressCellsIssue(addressCells: number): DecodeIssue {
  return {
    code: 'address-cells-invalid',
    offset: 0,
    message: `root #address-cells is ${addressCells} (${hex(addressCells)}); an LMB address needs 1 to 4 cells: entries read with 2 address cells, the pseries value`,
    severity: 'error',
  };
}
