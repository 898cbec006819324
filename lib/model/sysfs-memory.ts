// The sysfs memory-block view (/sys/devices/system/memory, drivers/base/memory.c)
// of a live system or capture. Cheap at 131,072 blocks: one readdir of the
// memory directory, one readdir per NUMA node for the block -> node map, and
// per-block files only when a caller asks for that block. On the real file
// system (live, --root) the state files are read ahead in growing runs by the
// threaded block reader (lib/compat/block-reads.ts): a code per block, no string.
import { readText, type FileView } from '../dt/file-view.js';
import type { FsPort } from '../io.js';
import { isNodeFs, startBlockReads, STATE_WORDS, type BlockRead, type BlockReads } from '../compat/block-reads.js';
import type { Finding } from './finding.js';
import type { MemoryBlock } from './lmb.js';

export const MEMORY_DIR = '/sys/devices/system/memory';
export const NODE_DIR = '/sys/devices/system/node';

export type BlockDetail = 'node' | 'state' | 'full';

export interface SysfsMemory {
  /** block_size_bytes (hex without 0x in sysfs); null when absent/garbled */
  blockSize: bigint | null;
  /** present memoryN ids, ascending */
  indexes: number[];
  has(index: number): boolean;
  /** the block, with the details asked for; undefined when absent */
  block(index: number): MemoryBlock | undefined;
  /** block(index)?.node without building the block record */
  nodeOf?(index: number): number | null | undefined;
  findings: Finding[];
}

/** the memory directory on the host when the view is node:fs below a prefix */
function hostMemoryDir(files: FileView): string | undefined {
  let h: { fs: FsPort; path: string } | undefined;
  try {
    h = files.hostPath?.(MEMORY_DIR);
  } catch {
    return undefined;
  }
  return h && isNodeFs(h.fs) ? h.path : undefined;
}

/** tuning of the state read-ahead (tests: small trees) */
export const stateReadAhead = {
  /** rows read by the first bulk read (on the main thread: below blockReadTuning.minBlocksForWorkers) */
  first: 256,
  /** each further read covers this many times more rows */
  growth: 4,
  /** up to this many (a filtered listing reads at most about two runs it does not need) */
  max: 16384,
  /** a worker waiting this long for the next run ends (a caller that stopped asking) */
  idleMs: 2000,
};

/** ids of the names "<prefix><digits>" (the regex ^prefix(\d+)$, without one per name: 262,144 memoryN entries) */
function parseIds(names: Iterable<string>, prefix: string): number[] {
  const out: number[] = [];
  const p = prefix.length;
  for (const n of names) {
    if (n.length <= p || !n.startsWith(prefix)) continue;
    let digits = true;
    for (let i = p; i < n.length && digits; i++) {
      const c = n.charCodeAt(i);
      digits = c >= 48 && c <= 57;
    }
    if (digits) out.push(Number(n.slice(p)));
  }
  return out;
}

/** node column values besides a node id */
const NOT_LINKED = -1;
const NOT_READ = -2;

/** undefined when the source has no /sys/devices/system/memory */
export function sysfsMemoryView(files: FileView, detail: BlockDetail = 'state'): SysfsMemory | undefined {
  const names = files.list(MEMORY_DIR);
  if (!names) return undefined;
  const findings: Finding[] = [];
  const indexes = parseIds(names, 'memory').sort((a, b) => a - b);
  // present blocks, ascending and unique, with a node per block: columns, not a Set and
  // a Map (at 262,144 blocks those were ~20 MB per snapshot)
  const ids = uniqueSorted(indexes);
  const bsText = readText(files, `${MEMORY_DIR}/block_size_bytes`);
  let blockSize: bigint | null = null;
  if (bsText !== undefined && /^[0-9a-fA-F]+$/.test(bsText.trim())) blockSize = BigInt(`0x${bsText.trim()}`);
  if (blockSize === null || blockSize === 0n) {
    blockSize = null;
    findings.push({ code: 'block-size-unknown', severity: 'warning', file: files.describe(`${MEMORY_DIR}/block_size_bytes`), message: `${files.describe(`${MEMORY_DIR}/block_size_bytes`)}: ${bsText === undefined ? 'missing' : `not a hex number (${JSON.stringify(bsText.trim())})`}; memory blocks cannot be matched to LMBs` });
  }

  let last = 0;
  /** row of a present block in `ids`, -1 when absent; readers ask in ascending order, so try the next row first */
  const rowOf = (index: number): number => {
    if (ids[last] === index) return last;
    if (ids[last + 1] === index) return ++last;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid]!;
      if (v < index) lo = mid + 1;
      else if (v > index) hi = mid - 1;
      else return (last = mid);
    }
    return -1;
  };

  // block -> node from the node directories: nodeX/memoryN links on a live
  // system, nodeX/memory-links (a text list) in captures that could not keep links;
  // the first node naming a block wins
  const nodeCol = new Float64Array(ids.length).fill(NOT_LINKED);
  let linked = false;
  for (const nid of parseIds(files.list(NODE_DIR) ?? [], 'node')) {
    const dir = `${NODE_DIR}/node${nid}`;
    const entries = files.list(dir) ?? [];
    let blockIds = parseIds(entries, 'memory');
    if (blockIds.length === 0 && entries.includes('memory-links')) blockIds = parseIds((readText(files, `${dir}/memory-links`) ?? '').split(/\s+/), 'memory');
    if (blockIds.length > 0) linked = true;
    for (const id of blockIds) {
      const r = rowOf(id);
      if (r >= 0 && nodeCol[r] === NOT_LINKED) nodeCol[r] = nid;
    }
  }
  // no node directory said anything: ask each block (memoryN/nodeX link or node-links file)
  const perBlockNode = !linked;
  if (perBlockNode) nodeCol.fill(NOT_READ);

  const cache = new Map<number, MemoryBlock>();
  const nodeFromBlockDir = (index: number): number | null => {
    const dir = `${MEMORY_DIR}/memory${index}`;
    const entries = files.list(dir) ?? [];
    const nodeIds = parseIds(entries, 'node');
    if (nodeIds.length > 0) return nodeIds[0]!;
    if (entries.includes('node-links')) {
      const linkedIds = parseIds((readText(files, `${dir}/node-links`) ?? '').split(/\s+/), 'node');
      if (linkedIds.length > 0) return linkedIds[0]!;
    }
    return null;
  };

  const nodeAtRow = (r: number, index: number): number | null => {
    let n = nodeCol[r]!;
    if (n === NOT_READ) nodeCol[r] = n = nodeFromBlockDir(index) ?? NOT_LINKED;
    return n === NOT_LINKED ? null : n;
  };

  const attr = (index: number, name: string): string | undefined => readText(files, `${MEMORY_DIR}/memory${index}/${name}`)?.trim();

  // state: on node:fs, rows are read in bulk from the first one asked, in runs
  // growing stateReadAhead.growth times (up to .max), the next run on the worker threads
  // while the caller uses this one (a listing of every block reads them all in
  // a few runs, a filtered one about what it asks); one code per row
  // (0 = not read; a code without a word: read through the view like any file)
  const hostDir = detail === 'node' ? undefined : hostMemoryDir(files);
  const stateCode = hostDir !== undefined ? new Uint8Array(ids.length) : undefined;
  let unread = ids.length;
  let runRows = stateReadAhead.first;
  /** rows below it were read or are being read (the read-ahead's start) */
  let next = 0;
  let reads: BlockReads | undefined;
  let pending: { rows: Int32Array; read: BlockRead } | undefined;
  /** starts reading the unread rows of [row, row + runRows) */
  const startRun = (row: number) => {
    const end = Math.min(ids.length, row + runRows);
    runRows = Math.min(runRows * stateReadAhead.growth, stateReadAhead.max);
    next = Math.max(next, end);
    let n = 0;
    for (let r = row; r < end; r++) if (stateCode![r] === 0) n++;
    const rows = new Int32Array(n);
    const blocks = new Float64Array(n);
    n = 0;
    for (let r = row; r < end; r++) if (stateCode![r] === 0) (rows[n] = r), (blocks[n++] = ids[r]!);
    return { rows, read: reads!.start(blocks, '/state', 'state', false) };
  };
  const finish = (run: { rows: Int32Array; read: BlockRead }) => {
    const codes = run.read.wait();
    for (let k = 0; k < run.rows.length; k++) stateCode![run.rows[k]!] = codes[k]!;
    unread -= run.rows.length;
  };
  const readStates = (row: number): boolean => {
    reads ??= startBlockReads(hostDir!, { expectedBlocks: 0, scan: false, idleMs: stateReadAhead.idleMs });
    if (!reads) return false;
    if (pending) finish(pending);
    pending = undefined;
    if (stateCode![row] === 0) finish(startRun(row));
    if (next < ids.length) pending = startRun(next);
    // everything read: the workers end now
    else if (unread === 0) reads.close();
    return true;
  };
  const stateAt = (r: number, index: number): string | undefined => {
    if (stateCode) {
      if (stateCode[r] === 0 && !readStates(r)) stateCode.fill(0xff); // no bulk reader here: every row through the view
      const word = STATE_WORDS[stateCode[r]!];
      if (word !== undefined) return word;
    }
    return attr(index, 'state');
  };

  return {
    blockSize,
    indexes,
    findings,
    has: (index) => rowOf(index) >= 0,
    nodeOf(index) {
      const r = rowOf(index);
      return r < 0 ? undefined : nodeAtRow(r, index);
    },
    block(index) {
      let b = cache.get(index);
      if (b) return b;
      const r = rowOf(index);
      if (r < 0) return undefined;
      const node = nodeAtRow(r, index);
      // nothing left to read (no node-only detail, or the state already read ahead): a plain
      // record, not kept (a listing of 262,144 blocks holds only the ones being written)
      if (detail === 'node') return { index, node };
      const word = detail === 'state' && stateCode ? STATE_WORDS[stateCode[r]!] : undefined;
      if (word !== undefined) return { index, node, state: word };
      b = { index, node };
      // per-block files are read on first use only: a --summary or a filtered
      // listing of 131,072 blocks must not open 131,072 state files
      lazy(b, 'state', () => stateAt(r, index));
      if (detail === 'full') {
        lazy(b, 'removable', () => {
          const r = attr(index, 'removable');
          return r === undefined ? undefined : r === '1';
        });
        lazy(b, 'validZones', () => attr(index, 'valid_zones'));
      }
      cache.set(index, b);
      return b;
    },
  };
}

/** the sorted ids without repeats (the same array when there are none) */
function uniqueSorted(sorted: number[]): number[] {
  let dup = false;
  for (let i = 1; i < sorted.length && !dup; i++) dup = sorted[i] === sorted[i - 1];
  return dup ? sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]) : sorted;
}

/** an own enumerable property computed on first read (JSON.stringify and deep-equality see it) */
function lazy<K extends keyof MemoryBlock>(obj: MemoryBlock, key: K, compute: () => MemoryBlock[K]): void {
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get() {
      const v = compute();
      // an absent file stays absent (not an own property holding undefined)
      if (v === undefined) delete (obj as unknown as Record<string, unknown>)[key];
      else Object.defineProperty(obj, key, { value: v, enumerable: true, configurable: true, writable: true });
      return v;
    },
  });
}
