// PLACEHOLDER until the DTB reader lands (owned by the sources work).
import { FormatError } from '../errors.js';
import type { DtTree } from './tree.js';

export function readDtb(_bytes: Uint8Array, file: string): DtTree {
  throw new FormatError('UNKNOWN_FORMAT', 'DTB reading is not implemented yet', { file });
}
