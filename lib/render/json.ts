// Stable JSON output: one document, 64-bit values (bigint) as "0x…" lowercase
// hex, undefined fields dropped, typed arrays as plain arrays.
export function toJsonText(doc: unknown): string {
  return `${JSON.stringify(doc, replacer, 2)}\n`;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v));
  return value;
}

export function hex64(v: bigint | number | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return `0x${v.toString(16)}`;
}
