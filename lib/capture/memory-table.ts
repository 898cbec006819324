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

export interface ParsedTable {
  /** block ids in table order */
  ids: Uint32Array;
  /** block id -> row index */
  row: Map<number, number>;
  /** raw lines of the rows (parsed on demand: no per-cell objects for 262,144 blocks) */
  lines: string[];
  /** node id -> block ids linked to it */
  nodeBlocks: Map<number, number[]>;
  /** problems (malformed lines are skipped) */
  problems: string[];
}

export function parseTable(text: string): ParsedTable {
  const lines: string[] = [];
  const problems: string[] = [];
  const row = new Map<number, number>();
  const nodeBlocks = new Map<number, number[]>();
  const all = text.split('\n');
  const idList: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    if (line === '' || line.startsWith('#') || line.startsWith('block\t')) continue;
    const cols = line.split('\t');
    const id = Number(cols[0]);
    if (cols.length !== TABLE_COLUMNS.length || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      problems.push(`line ${i + 1}: malformed (expected ${TABLE_COLUMNS.length} tab-separated columns)`);
      continue;
    }
    row.set(id, lines.length);
    lines.push(line);
    idList.push(id);
    const nodes = cols[TABLE_COLUMNS.length - 1]!;
    if (nodes !== '' && nodes !== ABSENT) {
      for (const n of nodes.split(',')) {
        const nid = Number(n);
        if (!Number.isInteger(nid) || nid < 0) continue;
        let l = nodeBlocks.get(nid);
        if (!l) nodeBlocks.set(nid, (l = []));
        l.push(id);
      }
    }
  }
  return { ids: Uint32Array.from(idList), row, lines, nodeBlocks, problems };
}

/** columns of one row */
export function rowCells(t: ParsedTable, id: number): string[] | undefined {
  const r = t.row.get(id);
  return r === undefined ? undefined : t.lines[r]!.split('\t');
}
