// PLACEHOLDER: the DTS reader lands next (same owner as read-dtb.ts).
import { FormatError } from '../errors.js';
import type { DtTree } from './tree.js';

export function readDts(_text: string, file: string): DtTree {
  throw new FormatError('DTS_SYNTAX', 'DTS reading is not implemented yet', { file });
}
