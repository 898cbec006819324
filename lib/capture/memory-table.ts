// The memory blocks of a capture as one tab-separated table instead of seven
// tar entries per block: at 262,144 blocks the literal sysfs copy would be
// ~2 GB of tar headers. expand-view.ts turns the table back into the sysfs
// files and symlinks, so readers cannot tell the difference.

export const MEMORY_TABLE_NAME = 'drscope-memory-blocks.tsv';
export const MEMORY_TABLE_HEADER = '# drscope memory-block table v1: one line per /sys/devices/system/memory/memoryN; values as read without their final newline; "-" = file absent; nodes = the memoryN/nodeX links';
/** the attribute columns, in file order (phys_device is left out: always 0 except on s390) */
export const BLOCK_ATTRS = ['state', 'online', 'removable', 'valid_zones', 'phys_index'] as const;
export const TABLE_COLUMNS = ['block', ...BLOCK_ATTRS, 'nodes'] as const;

export const ABSENT = '-';

/** one table cell: the value without its final newline; tabs/newlines cannot occur in sysfs attributes but are escaped anyway */
export function cell(raw: Uint8Array | undefined): string {
  if (raw === undefined) return ABSENT;
  let s = Buffer.from(raw).toString('latin1');
  if (s.endsWith('\n')) s = s.slice(0, -1);
  if (s === ABSENT || s === '' || /[\t\n\\]/.test(s)) return `\\${JSON.stringify(s)}`;
  return s;
}

/** undefined = absent */
export function uncell(c: string): Uint8Array | undefined {
  if (c === ABSENT) return undefined;
  const s = c.startsWith('\\"') ? (JSON.parse(c.slice(1)) as string) : c;
  return Buffer.from(`${s}\n`, 'latin1');
}

/**
 * The parsed table, kept compact: the table's own bytes plus a few typed
 * arrays (row offsets, ids, an id -> row index), no string or object per row.
 * A 262,144-block capture costs ~3 MB here, beside the bytes the archive
 * already holds (a string per line and a Map kept ~20 MB alive per capture,
 * three captures in one audit).
 */
export interface ParsedTable {
  /** block ids in table order */
  readonly ids: Uint32Array;
  /** node id -> block ids linked to it, in table order */
  readonly nodeBlocks: Map<number, Uint32Array>;
  /** problems (malformed lines are skipped) */
  readonly problems: string[];
  /** row index of a block id; -1 when the table has no such block (the last row wins for a repeated id) */
  rowOf(id: number): number;
  /** the columns of row r (decoded on demand) */
  cellsAt(r: number): string[];
}

const NL = 10;
const TAB = 9;
const HASH = 35;
const COMMA = 44;
const COLUMN_TABS = TABLE_COLUMNS.length - 1;
const BLOCK_HEAD = Buffer.from('block\t', 'latin1');

/** a run of decimal digits as a number (at most 10 digits); -1 when the run is empty, too long or not all digits */
function digits(b: Uint8Array, from: number, to: number): number {
  if (to <= from || to - from > 10) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function grow(a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const g = new Uint32Array(a.length * 2);
  g.set(a);
  return g;
}

class CompactTable implements ParsedTable {
  readonly nodeBlocks = new Map<number, Uint32Array>();
  readonly problems: string[] = [];
  ids: Uint32Array = new Uint32Array(0);
  private starts: Uint32Array = new Uint32Array(0);
  private ends: Uint32Array = new Uint32Array(0);
  /** dense ids: block id -> row + 1 (0 = none) */
  private dense: Uint32Array | undefined;
  /** sparse ids: row numbers sorted by id, for a binary search */
  private byId: Uint32Array | undefined;
  private readonly buf: Buffer;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.parse();
  }

  private parse(): void {
    const b = this.buf;
    const cap = Math.max(16, b.length >>> 4);
    let ids = new Uint32Array(cap);
    let starts = new Uint32Array(cap);
    let ends = new Uint32Array(cap);
    let n = 0;
    // node links as (node, block) pairs, bucketed at the end
    let pairs = new Uint32Array(cap * 2);
    let np = 0;
    const pushPair = (nid: number, id: number) => {
      if (np + 2 > pairs.length) pairs = grow(pairs);
      pairs[np++] = nid;
      pairs[np++] = id;
    };
    let maxId = 0;
    let ascending = true;
    let lineNo = 0;
    for (let s = 0; s < b.length; ) {
      let e = b.indexOf(NL, s);
      const next = e < 0 ? b.length : e + 1;
      if (e < 0) e = b.length;
      lineNo++;
      const start = s;
      s = next;
      if (e === start || b[start] === HASH || (e - start >= BLOCK_HEAD.length && b.compare(BLOCK_HEAD, 0, BLOCK_HEAD.length, start, start + BLOCK_HEAD.length) === 0)) continue;
      let tabs = 0;
      let firstTab = -1;
      let lastTab = -1;
      for (let i = start; i < e; i++) {
        if (b[i] === TAB) {
          if (tabs === 0) firstTab = i;
          lastTab = i;
          tabs++;
        }
      }
      let id = tabs === COLUMN_TABS ? digits(b, start, firstTab) : -1;
      // anything but plain digits: the id as Number() reads it, as the table always was
      if (id < 0 && tabs === COLUMN_TABS) {
        const v = Number(b.toString('latin1', start, firstTab));
        id = Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : -1;
      }
      if (id < 0 || id > 0xffffffff) {
        this.problems.push(`line ${lineNo}: malformed (expected ${TABLE_COLUMNS.length} tab-separated columns)`);
        continue;
      }
      if (n === ids.length) {
        ids = grow(ids);
        starts = grow(starts);
        ends = grow(ends);
      }
      if (n > 0 && id <= ids[n - 1]!) ascending = false;
      if (id > maxId) maxId = id;
      ids[n] = id;
      starts[n] = start;
      ends[n] = e;
      n++;
      // the nodes column
      const ns = lastTab + 1;
      if (ns === e || (e - ns === 1 && b[ns] === 45)) continue;
      const one = digits(b, ns, e);
      if (one >= 0) {
        pushPair(one, id);
        continue;
      }
      for (let p = ns; p <= e; ) {
        let q = b.indexOf(COMMA, p);
        if (q < 0 || q > e) q = e;
        const d = digits(b, p, q);
        const nid = d >= 0 ? d : Number(b.toString('latin1', p, q));
        if (Number.isInteger(nid) && nid >= 0) pushPair(nid, id);
        p = q + 1;
      }
    }
    this.ids = ids.slice(0, n);
    this.starts = starts.slice(0, n);
    this.ends = ends.slice(0, n);
    this.index(n, maxId, ascending);
    this.bucket(pairs, np);
  }

  private index(n: number, maxId: number, ascending: boolean): void {
    if (n === 0) return;
    if (ascending) return; // binary search over ids itself
    if (maxId < 2 * n + 1024) {
      const dense = new Uint32Array(maxId + 1);
      for (let r = 0; r < n; r++) dense[this.ids[r]!] = r + 1;
      this.dense = dense;
      return;
    }
    // sort rows by id, the later row first among equal ids (it wins, as in a Map)
    const order = Uint32Array.from({ length: n }, (_, r) => r);
    const ids = this.ids;
    order.sort((x, y) => ids[x]! - ids[y]! || y - x);
    this.byId = order;
  }

  private bucket(pairs: Uint32Array, np: number): void {
    const counts = new Map<number, number>();
    for (let i = 0; i < np; i += 2) counts.set(pairs[i]!, (counts.get(pairs[i]!) ?? 0) + 1);
    const fill = new Map<number, number>();
    for (const [nid, c] of counts) {
      this.nodeBlocks.set(nid, new Uint32Array(c));
      fill.set(nid, 0);
    }
    for (let i = 0; i < np; i += 2) {
      const nid = pairs[i]!;
      const k = fill.get(nid)!;
      this.nodeBlocks.get(nid)![k] = pairs[i + 1]!;
      fill.set(nid, k + 1);
    }
  }

  rowOf(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) return -1;
    if (this.dense) return id < this.dense.length ? this.dense[id]! - 1 : -1;
    const ids = this.ids;
    const order = this.byId;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = order ? ids[order[mid]!]! : ids[mid]!;
      if (v < id) lo = mid + 1;
      else if (v > id) hi = mid - 1;
      else {
        if (!order) return mid;
        // first of the equal run = the last row with this id
        let m = mid;
        while (m > 0 && ids[order[m - 1]!] === id) m--;
        return order[m]!;
      }
    }
    return -1;
  }

  cellsAt(r: number): string[] {
    return this.buf.toString('latin1', this.starts[r], this.ends[r]).split('\t');
  }
}

/** Parse the table's bytes (latin1; a string is taken as latin1 too). */
export function parseTable(table: Uint8Array | string): ParsedTable {
  return new CompactTable(typeof table === 'string' ? Buffer.from(table, 'latin1') : table);
}

/** columns of one row */
export function rowCells(t: ParsedTable, id: number): string[] | undefined {
  const r = t.rowOf(id);
  return r < 0 ? undefined : t.cellsAt(r);
}
