// A plain, whitespace-aligned table (awk/grep friendly, like lsslot). Our own
// renderer rather than cli-table3: it stays linear for 262,144 rows and
// padding is computed on the uncoloured text, so colour never skews columns.
import { paint, type ColorName } from './color.js';

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

export interface TableOptions {
  color?: boolean;
  /** colour of the header row */
  headerColor?: ColorName;
  /** per-cell colour (row, column) -> colour or undefined */
  cellColor?: (row: number, col: number) => ColorName | undefined;
  /** spaces between columns (default 2) */
  gap?: number;
}

/** rows made on demand: a 262,144-row table never holds all its cells, lines or text at once */
export interface RowSource {
  count: number;
  /** the cells of row r; called twice per row (widths, then text), so it must be pure */
  cells(r: number): readonly string[];
}

/** write the table in pieces of ~64 KiB (the text of a 262,144-LMB table is ~25 MB) */
export function writeTable(columns: readonly Column[], src: RowSource, opts: TableOptions, write: (text: string) => void): void {
  const gap = ' '.repeat(opts.gap ?? 2);
  const widths = columns.map((c) => c.header.length);
  for (let r = 0; r < src.count; r++) {
    const row = src.cells(r);
    for (let c = 0; c < columns.length; c++) {
      const len = (row[c] ?? '').length;
      if (len > widths[c]!) widths[c] = len;
    }
  }
  const last = columns.length - 1;
  const line = (cells: readonly string[], colorOf?: (c: number) => ColorName | undefined): string => {
    let out = '';
    for (let c = 0; c <= last; c++) {
      const text = cells[c] ?? '';
      const pad = widths[c]! - text.length;
      const right = columns[c]!.align === 'right';
      // no trailing blanks on the last column
      const padded = right ? ' '.repeat(pad) + text : c === last ? text : text + ' '.repeat(pad);
      const color = opts.color ? colorOf?.(c) : undefined;
      out += (c === 0 ? '' : gap) + (color ? paintPadded(color, padded, text) : padded);
    }
    // trimEnd, not /\s+$/: that regex backtracks at every blank run of a long line
    return out.trimEnd();
  };
  let buf = `${line(columns.map((c) => c.header), () => opts.headerColor ?? 'bold')}\n`;
  for (let r = 0; r < src.count; r++) {
    buf += `${line(src.cells(r), opts.cellColor ? (c) => opts.cellColor!(r, c) : undefined)}\n`;
    if (buf.length >= 1 << 16) {
      write(buf);
      buf = '';
    }
  }
  if (buf) write(buf);
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const parts: string[] = [];
  writeTable(columns, { count: rows.length, cells: (r) => rows[r]! }, opts, (t) => parts.push(t));
  return parts.join('');
}

/** colour the text, not the padding around it */
function paintPadded(color: ColorName, padded: string, text: string): string {
  const at = padded.indexOf(text);
  if (text === '' || at < 0) return padded;
  return padded.slice(0, at) + paint(true, color, text) + padded.slice(at + text.length);
}
