// DRCONF flag bits of an LMB entry and ibm,memory-flags-mask.
import { LmbFlag, type LmbFlagName } from '../model/lmb.js';
import { decodeU32, type Decoded } from './result.js';

const ORDER = Object.entries(LmbFlag).sort((a, b) => a[1] - b[1]) as [LmbFlagName, number][];
const KNOWN = ORDER.reduce((m, [, bit]) => m | bit, 0);

/** named bits set, in bit order */
export function lmbFlagNames(flags: number): LmbFlagName[] {
  const out: LmbFlagName[] = [];
  for (const [name, bit] of ORDER) if (flags & bit) out.push(name);
  return out;
}

/** bits drscope has no name for */
export function unknownLmbFlags(flags: number): number {
  return (flags & ~KNOWN) >>> 0;
}

/** "ASSIGNED|HOTREMOVABLE", "0" for none, unknown bits appended as hex */
export function lmbFlagsText(flags: number): string {
  const parts: string[] = lmbFlagNames(flags);
  const unknown = unknownLmbFlags(flags);
  if (unknown) parts.push(`0x${unknown.toString(16)}`);
  return parts.length ? parts.join('|') : '0';
}

export interface MemoryFlagsMask {
  mask: number;
  names: LmbFlagName[];
  unknown: number;
}

/** ibm,memory-flags-mask: one cell (QEMU writes 0xff; Linux never reads it) */
export function decodeMemoryFlagsMask(bytes: Uint8Array): Decoded<MemoryFlagsMask | null> {
  const r = decodeU32(bytes, 'ibm,memory-flags-mask');
  if (r.value === null) return { value: null, issues: r.issues };
  return { value: { mask: r.value, names: lmbFlagNames(r.value), unknown: unknownLmbFlags(r.value) }, issues: r.issues };
}
