import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { expandCaptureView } from '../../lib/capture/expand-view.js';
import { cell, MEMORY_TABLE_HEADER, MEMORY_TABLE_NAME, parseTable, rowCells, TABLE_COLUMNS, uncell } from '../../lib/capture/memory-table.js';
import { memFileView, type MemEntry } from '../../lib/dt/file-view.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('memory-block table', () => {
  it('cells round-trip any single-line or odd value; absent stays absent', () => {
    expect(uncell(cell(undefined))).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const raw = enc(`${s}\n`);
        expect(Buffer.from(uncell(cell(raw))!).toString('latin1')).toBe(Buffer.from(raw).toString('latin1'));
        expect(cell(raw)).not.toMatch(/[\t\n]/);
      }),
    );
  });

  it('skips malformed lines and reports them', () => {
    const t = parseTable(`${MEMORY_TABLE_HEADER}\n${TABLE_COLUMNS.join('\t')}\n1\tonline\n2\tonline\t1\t1\tNormal\t00000002\t0,1\nx\ty\n`);
    expect([...t.ids]).toEqual([2]);
    expect(t.problems).toHaveLength(2);
    expect([...t.nodeBlocks.get(1)!]).toEqual([2]);
  });

  it('expands into sysfs files and both directions of the node links; other paths pass through', () => {
    const rows = [MEMORY_TABLE_HEADER, TABLE_COLUMNS.join('\t'), '0\tonline\t1\t1\tNormal\t00000000\t0', '5\toffline\t0\t-\tMovable Normal\t00000005\t-'];
    const entries = new Map<string, MemEntry>([
      [`/${MEMORY_TABLE_NAME}`, { kind: 'file', data: enc(`${rows.join('\n')}\n`) }],
      ['/sys/devices/system/memory/block_size_bytes', { kind: 'file', data: enc('10000000\n') }],
      ['/sys/devices/system/node/node0/distance', { kind: 'file', data: enc('10\n') }],
    ]);
    const v = expandCaptureView(memFileView(entries, 'cap'));
    expect(v.list('/sys/devices/system/memory')!.sort()).toEqual(['block_size_bytes', 'memory0', 'memory5']);
    expect(v.kind('/sys/devices/system/memory/memory5')).toBe('dir');
    expect(v.list('/sys/devices/system/memory/memory5')!.sort()).toEqual(['online', 'phys_index', 'state', 'valid_zones']);
    expect(Buffer.from(v.readFile('/sys/devices/system/memory/memory5/valid_zones')!).toString()).toBe('Movable Normal\n');
    expect(v.readFile('/sys/devices/system/memory/memory5/removable')).toBeUndefined();
    expect(v.kind('/sys/devices/system/memory/memory0/node0')).toBe('symlink');
    expect(v.readlink('/sys/devices/system/memory/memory0/node0')).toBe('../../node/node0');
    expect(v.list('/sys/devices/system/node/node0')!.sort()).toEqual(['distance', 'memory0']);
    expect(v.readlink('/sys/devices/system/node/node0/memory0')).toBe('../../memory/memory0');
    expect(v.kind('/sys/devices/system/node/node0/memory5')).toBeUndefined();
    expect(v.kind('/sys/devices/system/memory/memory7')).toBeUndefined();
    expect(Buffer.from(v.readFile('/sys/devices/system/memory/block_size_bytes')!).toString()).toBe('10000000\n');
  });

  it('262,144 blocks: parse and full walk stay fast', () => {
    const rows = [MEMORY_TABLE_HEADER, TABLE_COLUMNS.join('\t')];
    for (let i = 0; i < 262144; i++) rows.push(`${i}\tonline\t1\t1\tNormal\t${i.toString(16).padStart(8, '0')}\t${i % 4}`);
    const v = expandCaptureView(memFileView(new Map([[`/${MEMORY_TABLE_NAME}`, { kind: 'file', data: enc(`${rows.join('\n')}\n`) }]]), 'cap'));
    const t0 = performance.now();
    let n = 0;
    for (const name of v.list('/sys/devices/system/memory')!) {
      if (v.readFile(`/sys/devices/system/memory/${name}/state`)) n++;
    }
    for (let node = 0; node < 4; node++) for (const name of v.list(`/sys/devices/system/node/node${node}`)!) if (v.readlink(`/sys/devices/system/node/node${node}/${name}`)) n++;
    expect(n).toBe(2 * 262144);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('unsorted, repeated and sparse block ids: the last row of an id wins, as the table always read', () => {
    const head = [MEMORY_TABLE_HEADER, TABLE_COLUMNS.join('\t')];
    const row = (id: number | string, state: string, nodes = '0') => `${id}\t${state}\t1\t1\tNormal\t00000000\t${nodes}`;
    for (const rows of [
      [row(9, 'a'), row(3, 'b'), row(9, 'c'), row(0, 'd')],
      [row(4000000000, 'a'), row(3, 'b'), row(4000000000, 'c'), row(0, 'd')],
      [row(0, 'd'), row(3, 'b'), row(9, 'c')],
    ]) {
      const t = parseTable(`${[...head, ...rows].join('\n')}\n`);
      const big = rows[0]!.startsWith('4') ? 4000000000 : 9;
      expect(rowCells(t, big)?.[1]).toBe('c');
      expect(rowCells(t, 3)?.[1]).toBe('b');
      expect(rowCells(t, 0)?.[1]).toBe('d');
      expect(rowCells(t, 5)).toBeUndefined();
      expect(rowCells(t, 4294967296)).toBeUndefined();
    }
    // odd spellings are read the way Number() reads them; a nodes column with odd parts too
    const t = parseTable([...head, row(' 7', 'x', '1,,2'), row('0x10', 'y', '3\r'), row('', 'z', '-'), row('-1', 'bad'), '12\tshort'].join('\n'));
    expect([...t.ids]).toEqual([7, 16, 0]);
    expect(t.problems).toEqual(['line 6: malformed (expected 7 tab-separated columns)', 'line 7: malformed (expected 7 tab-separated columns)']);
    expect([...t.nodeBlocks.entries()].map(([n, b]) => [n, [...b]])).toEqual([[1, [7]], [0, [7]], [2, [7]], [3, [16]]]);
  });

  it('262,144 blocks: the parsed table keeps a few MB alive, not a string per line and a Map (~20 MB)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const rows = [MEMORY_TABLE_HEADER, TABLE_COLUMNS.join('\t')];
    for (let i = 0; i < 262144; i++) rows.push(`${i}\tonline\t1\t1\tNormal\t${i.toString(16).padStart(8, '0')}\t${i % 4}`);
    const bytes = enc(`${rows.join('\n')}\n`);
    rows.length = 0;
    const v = expandCaptureView(memFileView(new Map([[`/${MEMORY_TABLE_NAME}`, { kind: 'file', data: bytes }]]), 'cap'));
    const used = () => {
      gc();
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = used();
    // the first look parses the table; the view keeps it
    expect(Buffer.from(v.readFile('/sys/devices/system/memory/memory262143/phys_index')!).toString()).toBe('0003ffff\n');
    const kept = (used() - before) / 2 ** 20;
    expect(kept).toBeLessThan(8);
    expect(v.kind('/sys/devices/system/node/node3/memory262143')).toBe('symlink');
  });
});
