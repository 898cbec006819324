// The sysfs memory-block view (/sys/devices/system/memory, drivers/base/memory.c)
// of a live system or capture. Cheap at 131,072 blocks: one readdir of the
// memory directory, one readdir per NUMA node for the block -> node map, and
// per-block files only when a caller asks for that block.
import { readText, type FileView } from '../dt/file-view.js';
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

function parseIds(names: Iterable<string>, prefix: string): number[] {
  const out: number[] = [];
  const re = new RegExp(`^${prefix}(\\d+)$`);
  for (const n of names) {
    const m = re.exec(n);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/** undefined when the source has no /sys/devices/system/memory */
export function sysfsMemoryView(files: FileView, detail: BlockDetail = 'state'): SysfsMemory | undefined {
  const names = files.list(MEMORY_DIR);
  if (!names) return undefined;
  const findings: Finding[] = [];
  const indexes = parseIds(names, 'memory').sort((a, b) => a - b);
  const present = new Set(indexes);
  const bsText = readText(files, `${MEMORY_DIR}/block_size_bytes`);
  let blockSize: bigint | null = null;
  if (bsText !== undefined && /^[0-9a-fA-F]+$/.test(bsText.trim())) blockSize = BigInt(`0x${bsText.trim()}`);
  if (blockSize === null || blockSize === 0n) {
    blockSize = null;
    findings.push({ code: 'block-size-unknown', severity: 'warning', file: files.describe(`${MEMORY_DIR}/block_size_bytes`), message: `${files.describe(`${MEMORY_DIR}/block_size_bytes`)}: ${bsText === undefined ? 'missing' : `not a hex number (${JSON.stringify(bsText.trim())})`}; memory blocks cannot be matched to LMBs` });
  }

  // block -> node from the node directories: nodeX/memoryN links on a live
  // system, nodeX/memory-links (a text list) in captures that could not keep links
  const nodeOf = new Map<number, number>();
  for (const nid of parseIds(files.list(NODE_DIR) ?? [], 'node')) {
    const dir = `${NODE_DIR}/node${nid}`;
    const entries = files.list(dir) ?? [];
    let ids = parseIds(entries, 'memory');
    if (ids.length === 0 && entries.includes('memory-links')) ids = parseIds((readText(files, `${dir}/memory-links`) ?? '').split(/\s+/), 'memory');
    for (const id of ids) if (!nodeOf.has(id)) nodeOf.set(id, nid);
  }
  // no node directory said anything: ask each block (memoryN/nodeX link or node-links file)
  const perBlockNode = nodeOf.size === 0;

  const cache = new Map<number, MemoryBlock>();
  const nodeFromBlockDir = (index: number): number | null => {
    const dir = `${MEMORY_DIR}/memory${index}`;
    const entries = files.list(dir) ?? [];
    const ids = parseIds(entries, 'node');
    if (ids.length > 0) return ids[0]!;
    if (entries.includes('node-links')) {
      const linked = parseIds((readText(files, `${dir}/node-links`) ?? '').split(/\s+/), 'node');
      if (linked.length > 0) return linked[0]!;
    }
    return null;
  };

  const nodeCache = new Map<number, number | null>();
  const nodeOfBlock = (index: number): number | null => {
    if (!perBlockNode) return nodeOf.get(index) ?? null;
    const b = cache.get(index);
    if (b) return b.node;
    let n = nodeCache.get(index);
    if (n === undefined) nodeCache.set(index, (n = nodeFromBlockDir(index)));
    return n;
  };

  const attr = (index: number, name: string): string | undefined => readText(files, `${MEMORY_DIR}/memory${index}/${name}`)?.trim();

  return {
    blockSize,
    indexes,
    findings,
    has: (index) => present.has(index),
    nodeOf: (index) => (present.has(index) ? nodeOfBlock(index) : undefined),
    block(index) {
      if (!present.has(index)) return undefined;
      let b = cache.get(index);
      if (b) return b;
      const node = nodeOfBlock(index);
      b = { index, node };
      // per-block files are read on first use only: a --summary or a filtered
      // listing of 131,072 blocks must not open 131,072 state files
      if (detail !== 'node') lazy(b, 'state', () => attr(index, 'state'));
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
