// The common frame of ibm,dynamic-memory (v1) and ibm,dynamic-memory-v2: a
// count cell, then fixed-size entries of {base (#address-cells), 4 cells}.
// The kernel trusts the count; both decoders read min(count, entries that
// fit) and report a count that disagrees with the length, and a cut entry,
// the same way.
import { addressCellsIssue, dataView, hex, type DecodeIssue } from './result.js';

export interface CountedEntries {
  /** the count cell as written */
  declared: number;
  /** entries to decode: min(declared, complete entries) */
  count: number;
  /** bytes per entry: 4 * (addressCells + 4) */
  entrySize: number;
  /** cells per base address actually used (2 when the given value is unusable) */
  addressCells: number;
  dv: DataView | undefined;
}

/** what one entry is called in messages: v1 LMBs ("entries"), v2 sets */
export interface EntryWords {
  /** issue code for a count cell that disagrees with the length */
  mismatchCode: string;
  /** what the count counts: "LMBs" / "sets" */
  counted: string;
  /** one entry / several: "entry"/"entries", "set"/"sets" */
  one: string;
  many: string;
  tooShort: string;
}

export const V1_WORDS: EntryWords = { mismatchCode: 'lmb-count-mismatch', counted: 'LMBs', one: 'entry', many: 'entries', tooShort: 'no LMB count cell' };
export const V2_WORDS: EntryWords = { mismatchCode: 'lmb-set-count-mismatch', counted: 'sets', one: 'set', many: 'sets', tooShort: 'no set count cell' };

export function countedEntries(bytes: Uint8Array, addressCells: number, w: EntryWords, issues: DecodeIssue[]): CountedEntries {
  const ac = addressCells >= 1 && addressCells <= 4 ? addressCells : 2;
  if (ac !== addressCells) issues.push(addressCellsIssue(addressCells));
  const entrySize = 4 * (ac + 4);
  if (bytes.length < 4) {
    issues.push({ code: 'property-too-short', offset: 0, message: `${bytes.length} bytes: ${w.tooShort}`, severity: 'error' });
    return { declared: 0, count: 0, entrySize, addressCells: ac, dv: undefined };
  }
  const dv = dataView(bytes);
  const declared = dv.getUint32(0);
  const fit = Math.floor((bytes.length - 4) / entrySize);
  const tail = (bytes.length - 4) % entrySize;
  let count = declared;
  if (declared > fit) {
    issues.push({
      code: w.mismatchCode,
      offset: 0,
      message: `count cell says ${declared} ${w.counted} but the ${bytes.length}-byte property holds ${fit} complete ${w.many} (expected ${4 + entrySize * declared} bytes); decoded ${fit}`,
      severity: 'error',
    });
    count = fit;
  } else if (declared < fit) {
    issues.push({
      code: w.mismatchCode,
      offset: 4 + entrySize * declared,
      message: `count cell says ${declared} ${w.counted} but the property holds ${fit} ${w.many}; the kernel reads only ${declared}, the ${fit - declared} extra ${w.many} are ignored`,
    });
  }
  if (tail !== 0) {
    issues.push({ code: 'entry-truncated', offset: 4 + entrySize * fit, message: `${tail} trailing byte(s) at ${hex(4 + entrySize * fit)}: a truncated ${entrySize}-byte ${w.one}`, severity: 'error' });
  }
  return { declared, count, entrySize, addressCells: ac, dv };
}
