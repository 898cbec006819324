// ibm,lmb-size: root #size-cells cells (2 on pseries) = LMB size in bytes.
// The kernel reads it with of_read_number(prop, n_root_size_cells); a 4 GiB
// LMB needs both cells (lsslot's old u32 bug printed "LMB size 0x0").
import { dataView, readCellsBig, type Decoded, type DecodeIssue } from './result.js';

export function decodeLmbSize(bytes: Uint8Array, sizeCells = 2): Decoded<bigint | null> {
  const issues: DecodeIssue[] = [];
  const want = 4 * sizeCells;
  if (bytes.length < want) {
    // a 1-cell value with #size-cells 2 is still meaningful: read what is there
    if (bytes.length >= 4 && bytes.length % 4 === 0) {
      issues.push({ code: 'property-too-short', offset: 0, message: `${bytes.length} bytes, expected ${want} (#size-cells ${sizeCells}); read as ${bytes.length / 4} cell(s)` });
      return { value: readCellsBig(dataView(bytes), 0, bytes.length / 4), issues };
    }
    return { value: null, issues: [{ code: 'property-too-short', offset: 0, message: `${bytes.length} bytes, expected ${want} (#size-cells ${sizeCells})` }] };
  }
  if (bytes.length > want) issues.push({ code: 'property-length', offset: want, message: `${bytes.length} bytes, expected ${want}; extra bytes ignored`, severity: 'info' });
  const v = readCellsBig(dataView(bytes), 0, sizeCells);
  if (v === 0n) issues.push({ code: 'lmb-size-zero', offset: 0, message: 'LMB size is 0' });
  return { value: v, issues };
}
