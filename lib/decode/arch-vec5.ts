// /chosen/ibm,architecture-vec-5: the option vector 5 the OS negotiated at CAS.
// Byte 0 is (number of vector bytes after it) - 1, so the property is byte0 + 2
// bytes long; PAPR byte k is at offset k (kernel OV5_INDX).
import type { Decoded, DecodeIssue } from './result.js';

export const Vec5Bit = {
  DRCONF_MEMORY: { byte: 2, mask: 0x20 },
  FORM1_AFFINITY: { byte: 5, mask: 0x80 },
  PRRN: { byte: 5, mask: 0x40 },
  FORM2_AFFINITY: { byte: 5, mask: 0x20 },
  HP_EVT: { byte: 6, mask: 0x04 },
  DRMEM_V2: { byte: 22, mask: 0x80 },
  DRC_INFO: { byte: 22, mask: 0x40 },
} as const;
export type Vec5BitName = keyof typeof Vec5Bit;

export interface Vec5 {
  /** property length byte 0 implies (byte 0 + 2) */
  declaredLength: number;
  bits: Record<Vec5BitName, boolean>;
  /** affinity form the kernel picks: FORM2 first, then FORM1, else 0 */
  form: 0 | 1 | 2;
}

export function decodeArchVec5(bytes: Uint8Array): Decoded<Vec5 | null> {
  const issues: DecodeIssue[] = [];
  if (bytes.length === 0) return { value: null, issues: [{ code: 'property-too-short', offset: 0, message: 'empty' }] };
  const declaredLength = bytes[0]! + 2;
  if (declaredLength !== bytes.length) issues.push({ code: 'vec5-length', offset: 0, message: `byte 0 says ${declaredLength} bytes but the property has ${bytes.length}`, severity: 'info' });
  const bits = {} as Record<Vec5BitName, boolean>;
  for (const [name, { byte, mask }] of Object.entries(Vec5Bit) as [Vec5BitName, { byte: number; mask: number }][]) {
    bits[name] = byte < bytes.length && (bytes[byte]! & mask) !== 0;
  }
  const form = bits.FORM2_AFFINITY ? 2 : bits.FORM1_AFFINITY ? 1 : 0;
  return { value: { declaredLength, bits, form }, issues };
}
