// sysfsMemoryView: which names count as memory blocks / nodes, which node a
// block is on (first node directory naming it, else the block's own link),
// and nodeOf() agreeing with block().node in any query order.
import { describe, expect, it } from 'vitest';
import { memFileView, type MemEntry } from '../../lib/dt/file-view.js';
import { sysfsMemoryView } from '../../lib/model/sysfs-memory.js';

const MEM = '/sys/devices/system/memory';
const NODE = '/sys/devices/system/node';
const enc = new TextEncoder();

function view(entries: Record<string, string | null>) {
  const m = new Map<string, MemEntry>();
  for (const [p, v] of Object.entries(entries)) m.set(p, v === null ? { kind: 'dir' } : { kind: 'file', data: enc.encode(v) });
  return memFileView(m, 'test');
}

describe('sysfsMemoryView', () => {
  it('memoryN names only (digits after the prefix, leading zeros allowed), ascending', () => {
    const v = sysfsMemoryView(
      view({
        [`${MEM}/block_size_bytes`]: '10000000\n',
        [`${MEM}/memory12`]: null,
        [`${MEM}/memory3`]: null,
        [`${MEM}/memory007`]: null,
        [`${MEM}/memory`]: null,
        [`${MEM}/memory1a`]: null,
        [`${MEM}/memory-4`]: null,
        [`${MEM}/Memory5`]: null,
        [`${MEM}/power`]: null,
      }),
    )!;
    expect(v.indexes).toEqual([3, 7, 12]);
    expect([0, 3, 4, 7, 12, 13].map((i) => v.has(i))).toEqual([false, true, false, true, true, false]);
    expect(v.blockSize).toBe(0x10000000n);
  });

  it('node from the node directories (links or memory-links text), the first node naming a block wins', () => {
    const v = sysfsMemoryView(
      view({
        [`${MEM}/block_size_bytes`]: '10000000\n',
        [`${MEM}/memory0`]: null,
        [`${MEM}/memory1`]: null,
        [`${MEM}/memory2`]: null,
        [`${MEM}/memory3`]: null,
        [`${NODE}/node0/memory1`]: null,
        [`${NODE}/node0/memory9`]: null,
        [`${NODE}/node1/memory-links`]: 'memory1\nmemory2\n',
        // per-block links are not read when a node directory names blocks
        [`${MEM}/memory3/node5`]: null,
      }),
    )!;
    expect([0, 1, 2, 3, 9].map((i) => v.block(i)?.node)).toEqual([null, 0, 1, null, undefined]);
    expect([3, 2, 1, 0, 9].map((i) => v.nodeOf!(i))).toEqual([null, 1, 0, null, undefined]);
  });

  it('no node directory names a block: each block asked (nodeX link, then node-links), in any order', () => {
    const v = sysfsMemoryView(
      view({
        [`${MEM}/block_size_bytes`]: '10000000\n',
        [`${MEM}/memory4/node2`]: null,
        [`${MEM}/memory5/node-links`]: 'node3\n',
        [`${MEM}/memory6/state`]: 'online\n',
        [`${NODE}/node0/cpulist`]: '0-3\n',
      }),
    )!;
    expect(v.indexes).toEqual([4, 5, 6]);
    expect([6, 5, 4].map((i) => v.nodeOf!(i))).toEqual([null, 3, 2]);
    expect([4, 5, 6].map((i) => v.block(i)!.node)).toEqual([2, 3, null]);
    expect(v.block(6)!.state).toBe('online');
  });
});
