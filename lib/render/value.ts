// Generic display of a property value dtc-style (-O dts guess_value_type):
// a string (list), <cells>, or [bytes]. Used when drscope does not know the
// property, and for the raw form of those it does.
import { hexBytes } from './hex.js';

export type ValueKind = 'empty' | 'string' | 'strings' | 'cells' | 'bytes';

export interface GuessedValue {
  kind: ValueKind;
  strings?: string[];
  cells?: number[];
  bytes?: Uint8Array;
}

function isPrintable(c: number): boolean {
  return (c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a;
}

/** dtc's rule: ends in NUL, only printable bytes otherwise, no more NULs than other bytes, no empty string */
export function guessValue(bytes: Uint8Array): GuessedValue {
  if (bytes.length === 0) return { kind: 'empty' };
  let nul = 0;
  let bad = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0) {
      nul++;
      if (i === 0 || bytes[i - 1] === 0) bad = true;
    } else if (!isPrintable(c)) bad = true;
  }
  if (!bad && bytes[bytes.length - 1] === 0 && nul <= bytes.length - nul) {
    const strings = Buffer.from(bytes.subarray(0, bytes.length - 1)).toString('latin1').split('\0');
    return { kind: strings.length === 1 ? 'string' : 'strings', strings };
  }
  if (bytes.length % 4 === 0) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const cells = new Array<number>(bytes.length / 4);
    for (let i = 0; i < cells.length; i++) cells[i] = dv.getUint32(4 * i);
    return { kind: 'cells', cells };
  }
  return { kind: 'bytes', bytes };
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

/** dts text of a value; `max` caps cells/bytes/strings shown ("..." then the count left) */
export function renderGuessed(v: GuessedValue, max = Infinity): string {
  switch (v.kind) {
    case 'empty':
      return '(empty)';
    case 'string':
    case 'strings': {
      const s = v.strings!;
      const shown = s.slice(0, max).map(quote).join(', ');
      return s.length > max ? `${shown}, ... (${s.length - max} more)` : shown;
    }
    case 'cells': {
      const c = v.cells!;
      const shown = c.slice(0, max).map((x) => `0x${x.toString(16)}`).join(' ');
      return c.length > max ? `<${shown} ...> (${c.length} cells)` : `<${shown}>`;
    }
    case 'bytes': {
      const b = v.bytes!;
      return b.length > max ? `[${hexBytes(b, max)} ...] (${b.length} bytes)` : `[${hexBytes(b)}]`;
    }
  }
}
