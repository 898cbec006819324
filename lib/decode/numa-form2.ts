// FORM2 affinity tables in /rtas (kernel.md 1.9, 2.2):
// ibm,numa-lookup-index-table = N, then N domain ids (position = distance offset)
// ibm,numa-distance-table     = count (N*N), then count u8 distances, row-major.
import { dataView, decodeCells, type Decoded, type DecodeIssue } from './result.js';

export function decodeNumaLookupIndexTable(bytes: Uint8Array): Decoded<number[] | null> {
  const r = decodeCells(bytes);
  const issues = [...r.issues];
  if (r.value.length === 0) {
    issues.push({ code: 'property-too-short', offset: 0, message: 'empty: no entry count' });
    return { value: null, issues };
  }
  const n = r.value[0]!;
  const ids = r.value.slice(1, 1 + n);
  if (ids.length !== n || r.value.length - 1 !== n) issues.push({ code: 'numa-table-length', offset: 0, message: `count cell says ${n} domains but ${r.value.length - 1} cell(s) follow` });
  return { value: ids, issues };
}

export interface NumaDistanceTable {
  /** count as declared (should be N*N) */
  declared: number;
  distances: Uint8Array;
}

export function decodeNumaDistanceTable(bytes: Uint8Array, lookupCount?: number): Decoded<NumaDistanceTable | null> {
  const issues: DecodeIssue[] = [];
  if (bytes.length < 4) {
    issues.push({ code: 'property-too-short', offset: 0, message: 'no count cell' });
    return { value: null, issues };
  }
  const declared = dataView(bytes).getUint32(0);
  const have = bytes.length - 4;
  const n = Math.min(declared, have);
  if (have < declared) issues.push({ code: 'numa-table-length', offset: 0, message: `count cell says ${declared} distances but ${have} byte(s) follow`, severity: 'error' });
  // the property is padded to a whole cell; more than 3 spare bytes is odd
  else if (have - declared > 3) issues.push({ code: 'property-length', offset: 4 + declared, message: `${have - declared} byte(s) after the ${declared} distances`, severity: 'info' });
  if (lookupCount !== undefined && declared !== lookupCount * lookupCount) {
    issues.push({ code: 'numa-table-length', offset: 0, message: `${declared} distances for ${lookupCount} domains (expected ${lookupCount * lookupCount}); the kernel falls back to 10/20` });
  }
  return { value: { declared, distances: bytes.slice(4, 4 + n) }, issues };
}

/** N x N matrix when the count is a square */
export function distanceMatrix(t: NumaDistanceTable): number[][] | undefined {
  const n = Math.round(Math.sqrt(t.distances.length));
  if (n * n !== t.distances.length) return undefined;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(t.distances.subarray(i * n, (i + 1) * n)));
  return rows;
}
