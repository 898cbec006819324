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

/**
 * A long array whose elements `toPlain` turns into plain JSON data (strings,
 * numbers, booleans, null, arrays, objects: no bigint, no typed array). It is
 * serialised lazily, one element at a time, without a replacer: at 262,144
 * LMBs the replacer callback and the intermediate objects cost more than the
 * rest of `lmbs --json` together.
 */
export class PlainJsonArray<T> {
  constructor(
    readonly items: readonly T[],
    readonly toPlain: (item: T) => unknown,
  ) {}
  toJSON(): unknown[] {
    return this.items.map(this.toPlain);
  }
}

/**
 * toJsonText, streamed: the same bytes, handed to `write` in ~1 MB pieces, so
 * the whole document never exists as one string (RSS at 262,144 LMBs).
 */
export function writeJsonText(doc: unknown, write: (s: string) => void, depth = 2): void {
  let buf: string[] = [];
  let size = 0;
  const emit = (s: string) => {
    buf.push(s);
    size += s.length;
    if (size >= 1 << 20) {
      write(buf.join(''));
      buf = [];
      size = 0;
    }
  };
  stream(doc, 0, depth, emit);
  emit('\n');
  if (buf.length > 0) write(buf.join(''));
}

function stream(value: unknown, level: number, depth: number, emit: (s: string) => void): void {
  const v = value instanceof PlainJsonArray ? value : replacer('', value);
  const pad = '  '.repeat(level + 1);
  const end = '  '.repeat(level);
  if (v instanceof PlainJsonArray) {
    if (v.items.length === 0) return emit('[]');
    if (level >= depth) return emit(JSON.stringify(v.toJSON()));
    emit('[\n');
    const { items, toPlain } = v;
    if (level + 1 >= depth) for (let i = 0; i < items.length; i++) emit(`${i === 0 ? '' : ',\n'}${pad}${JSON.stringify(toPlain(items[i]!))}`);
    else
      for (let i = 0; i < items.length; i++) {
        emit(i === 0 ? pad : `,\n${pad}`);
        stream(toPlain(items[i]!), level + 1, depth, emit);
      }
    return emit(`\n${end}]`);
  }
  if (level >= depth || v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') return emit(format(v, level, depth));
  if (Array.isArray(v)) {
    if (v.length === 0) return emit('[]');
    emit('[\n');
    v.forEach((x, i) => {
      emit(i === 0 ? pad : `,\n${pad}`);
      stream(x, level + 1, depth, emit);
    });
    return emit(`\n${end}]`);
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && typeof x !== 'function');
  if (entries.length === 0) return emit('{}');
  emit('{\n');
  entries.forEach(([k, x], i) => {
    emit(`${i === 0 ? '' : ',\n'}${pad}${JSON.stringify(k)}: `);
    stream(x, level + 1, depth, emit);
  });
  emit(`\n${end}}`);
}

function format(value: unknown, level: number, depth: number): string {
  if (value instanceof PlainJsonArray) {
    const parts: string[] = [];
    stream(value, level, depth, (s) => parts.push(s));
    return parts.join('');
  }
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
