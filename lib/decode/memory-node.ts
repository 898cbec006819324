// Legacy memory@ nodes: reg = (base, size) pairs of root #address-cells /
// #size-cells; ibm,my-drc-index = one cell (pre-drconf DR-capable LMB nodes).
import { dataView, readCellsBig, type Decoded, type DecodeIssue } from './result.js';

export interface RegRange {
  address: bigint;
  size: bigint;
}

export function decodeReg(bytes: Uint8Array, addressCells = 2, sizeCells = 2): Decoded<RegRange[]> {
  const issues: DecodeIssue[] = [];
  const ac = Math.max(0, Math.min(addressCells, 4));
  const sc = Math.max(0, Math.min(sizeCells, 4));
  const stride = 4 * (ac + sc);
  if (stride === 0) return { value: [], issues: [{ code: 'reg-cells', offset: 0, message: '#address-cells and #size-cells are both 0' }] };
  const n = Math.floor(bytes.length / stride);
  if (bytes.length % stride !== 0) issues.push({ code: 'entry-truncated', offset: n * stride, message: `length ${bytes.length} is not a multiple of ${stride} (#address-cells ${ac} + #size-cells ${sc}); last ${bytes.length % stride} byte(s) ignored`, severity: 'error' });
  const dv = dataView(bytes);
  const out: RegRange[] = [];
  for (let i = 0; i < n; i++) {
    const off = i * stride;
    out.push({ address: readCellsBig(dv, off, ac), size: readCellsBig(dv, off + 4 * ac, sc) });
  }
  return { value: out, issues };
}

export { decodeU32 as decodeMyDrcIndex } from './result.js';
