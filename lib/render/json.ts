// Stable JSON output: one document, 64-bit values (bigint) as "0x…" lowercase
// hex, undefined fields dropped, typed arrays as plain arrays. Indented down to
// `depth` levels, one compact line per value below that: 262,144 LMBs stay one
// line each (greppable, ~4x smaller than fully indented).
import { ByteSink } from './byte-sink.js';

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
  /**
   * `writeItem`, when given, must write exactly the UTF-8 bytes of
   * JSON.stringify(toPlain(item)): the streamed writer then uses it for
   * one-line elements (no intermediate object or string).
   */
  constructor(
    readonly items: ArrayLike<T>,
    readonly toPlain: (item: T) => unknown,
    readonly writeItem?: (item: T, sink: ByteSink) => void,
  ) {}
  toJSON(): unknown[] {
    return Array.from(this.items, (x) => this.toPlain(x));
  }
}

/**
 * toJsonText, streamed: the same bytes, UTF-8 encoded and handed to `write` in
 * ~1 MB chunks, so the whole document never exists as one string (RSS at
 * 262,144 LMBs). Pieces are encoded straight into the chunk: joining many
 * small strings first flattens rope strings and cost more than serialising.
 * Every chunk is a fresh buffer: a writer may keep it (a pipe that is full).
 */
export function writeJsonText(doc: unknown, write: (chunk: Uint8Array) => void, depth = 2): void {
  const sink = new ByteSink(write);
  stream(doc, 0, depth, sink);
  sink.text('\n');
  sink.flush();
}

function stream(value: unknown, level: number, depth: number, sink: ByteSink): void {
  const emit = (s: string) => sink.text(s);
  const v = value instanceof PlainJsonArray ? value : replacer('', value);
  const pad = '  '.repeat(level + 1);
  const end = '  '.repeat(level);
  if (v instanceof PlainJsonArray) {
    if (v.items.length === 0) return emit('[]');
    if (level >= depth) return emit(JSON.stringify(v.toJSON()));
    emit('[\n');
    const { items, toPlain, writeItem } = v;
    if (level + 1 >= depth) {
      // the separator encoded once, not a template string per element
      const sep = new TextEncoder().encode(`,\n${pad}`);
      for (let i = 0; i < items.length; i++) {
        if (i === 0) emit(pad);
        else {
          sink.reserve(sep.length);
          sink.bytes(sep);
        }
        if (writeItem) writeItem(items[i]!, sink);
        else emit(JSON.stringify(toPlain(items[i]!)));
      }
    }
    else
      for (let i = 0; i < items.length; i++) {
        emit(i === 0 ? pad : `,\n${pad}`);
        stream(toPlain(items[i]!), level + 1, depth, sink);
      }
    return emit(`\n${end}]`);
  }
  if (level >= depth || v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') return emit(format(v, level, depth));
  if (Array.isArray(v)) {
    if (v.length === 0) return emit('[]');
    emit('[\n');
    v.forEach((x, i) => {
      emit(i === 0 ? pad : `,\n${pad}`);
      stream(x, level + 1, depth, sink);
    });
    return emit(`\n${end}]`);
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && typeof x !== 'function');
  if (entries.length === 0) return emit('{}');
  emit('{\n');
  entries.forEach(([k, x], i) => {
    emit(`${i === 0 ? '' : ',\n'}${pad}${JSON.stringify(k)}: `);
    stream(x, level + 1, depth, sink);
  });
  emit(`\n${end}}`);
}

function format(value: unknown, level: number, depth: number): string {
  if (value instanceof PlainJsonArray) {
    const parts: Uint8Array[] = [];
    const sink = new ByteSink((c) => parts.push(c));
    stream(value, level, depth, sink);
    sink.flush();
    return Buffer.concat(parts).toString('utf8');
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
