// Stable JSON output: one document, 64-bit values (bigint) as "0x…" lowercase
// hex, undefined fields dropped, typed arrays as plain arrays. Indented down to
// `depth` levels, one compact line per value below that: 262,144 LMBs stay one
// line each (greppable, ~4x smaller than fully indented).
export function toJsonText(doc: unknown, depth = 2): string {
  return `${format(doc, 0, depth)}\n`;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v));
  return value;
}

function format(value: unknown, level: number, depth: number): string {
  const v = replacer('', value);
  if (level >= depth || v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.stringify(v, replacer) ?? 'null';
  }
  const pad = '  '.repeat(level + 1);
  const end = '  '.repeat(level);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => pad + format(x, level + 1, depth)).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && typeof x !== 'function');
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${format(x, level + 1, depth)}`).join(',\n')}\n${end}}`;
}

export function hex64(v: bigint | number | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return `0x${v.toString(16)}`;
}
