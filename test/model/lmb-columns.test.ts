// lmbColumnsFromTree (what diff and audit use) against lmbTableFromTree (what
// every other command uses): the same table, the columns agree with the Lmb
// records, and lmb(k) builds exactly lmbs[k] -- on random trees with sysfs
// views of every shape, on legacy memory@ trees and on the real samples.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSource } from '../../lib/dt/load.js';
import { memFileView, type FileView, type MemEntry } from '../../lib/dt/file-view.js';
import type { DtTree } from '../../lib/dt/tree.js';
import { aaAt, anyBlocksListed, assignedCount, BLOCKS_UNLISTED, blockNodeAt, blocksListed, hasBlock, NO_BLOCK, nodeAt, sizeAt, type LmbColumnTable } from '../../lib/model/lmb-columns.js';
import type { LmbTable } from '../../lib/model/lmb.js';
import { lmbColumnsFromTree, lmbTableFromTree } from '../../lib/model/lmbs-from-tree.js';
import { ByteSink } from '../../lib/render/byte-sink.js';
import { lmbColumnJsonWriter } from '../../lib/render/lmb-json-bytes.js';
import { lmbJson } from '../../lib/render/lmbs.js';
import { testIo } from '../helpers/run.js';
import { MB256, memoryNode, pseriesTree, v1Entry, v2Set } from './tree-builder.js';

function expectSameTable(c: LmbColumnTable, t: LmbTable): void {
  expect({ format: c.format, bothFormats: c.bothFormats, lmbSize: c.lmbSize, blockSize: c.blockSize, numa: c.numa, findings: c.findings }).toEqual({
    format: t.format,
    bothFormats: t.bothFormats,
    lmbSize: t.lmbSize,
    blockSize: t.blockSize,
    numa: t.numa,
    findings: t.findings,
  });
  expect(c.count).toBe(t.lmbs.length);
  expect(assignedCount(c)).toBe(t.lmbs.filter((l) => l.assigned).length);
  expect(anyBlocksListed(c)).toBe(t.lmbs.some((l) => l.blocks !== undefined));
  const writer = lmbColumnJsonWriter(c);
  t.lmbs.forEach((l, k) => {
    expect(c.lmb(k)).toEqual(l);
    expect(c.name(k)).toBe(l.name);
    expect(c.memoryNode(k)).toEqual(l.memoryNode);
    // lmbs --json writes the columns straight to bytes: the same bytes as the record
    expect(bytesOf((s) => writer(k, s))).toBe(JSON.stringify(lmbJson(l)));
    const cols = {
      drc: c.drc[k],
      address: c.address[k],
      size: sizeAt(c, k),
      aa: aaAt(c, k),
      flags: c.flags[k],
      node: nodeAt(c, k),
      listed: blocksListed(c, k),
      hasBlock: hasBlock(c, k),
      blockNode: hasBlock(c, k) ? blockNodeAt(c, k) : undefined,
    };
    expect(cols).toEqual({
      drc: l.drcIndex,
      address: l.address,
      size: l.size,
      aa: l.aaIndex,
      flags: l.flags,
      node: l.node,
      listed: l.blocks !== undefined,
      hasBlock: (l.blocks?.length ?? 0) > 0,
      blockNode: (l.blocks?.length ?? 0) > 0 ? l.blocks![0]!.node : undefined,
    });
  });
}

const enc = new TextEncoder();

function bytesOf(write: (s: ByteSink) => void): string {
  const parts: Uint8Array[] = [];
  const s = new ByteSink((c) => parts.push(c), 64);
  write(s);
  s.flush();
  return Buffer.concat(parts).toString('utf8');
}

/** sysfs memory blocks: id -> node (null: no node link); links in node dirs or per block */
function sysfs(blockSize: bigint | string, blocks: Map<number, number | null>, perBlock: boolean): FileView {
  const m = new Map<string, MemEntry>();
  m.set('/sys/devices/system/memory/block_size_bytes', { kind: 'file', data: enc.encode(typeof blockSize === 'string' ? blockSize : `${blockSize.toString(16)}\n`) });
  m.set('/sys/devices/system/memory', { kind: 'dir' });
  const byNode = new Map<number, number[]>();
  for (const [id, nid] of blocks) {
    m.set(`/sys/devices/system/memory/memory${id}/state`, { kind: 'file', data: enc.encode('online\n') });
    if (nid === null) continue;
    if (perBlock) m.set(`/sys/devices/system/memory/memory${id}/node${nid}`, { kind: 'dir' });
    else byNode.set(nid, [...(byNode.get(nid) ?? []), id]);
  }
  for (const [nid, ids] of byNode) m.set(`/sys/devices/system/node/node${nid}/memory-links`, { kind: 'file', data: enc.encode(ids.map((i) => `memory${i}\n`).join('')) });
  return memFileView(m, 'sysfs');
}

const FORM1 = { form: 1 as const, refPoints: [4, 3, 2, 1], lookup: [3, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xffff], maxDomains: [4, 2, 2, 2, 2] };
const FLAGS = [0, 0x8, 0x108, 0x100, 0x20, 0x28, 0x48, 0x80, 0xa0, 0x208, 0x10008];
const AAS = [0, 1, 2, 3, 7, 0xffffffff];

const lmbArb = fc.record({
  drc: fc.oneof(fc.integer({ min: 0, max: 40 }).map((i) => 0x80000000 + i), fc.constant(0)),
  aa: fc.constantFrom(...AAS),
  flags: fc.constantFrom(...FLAGS),
  /** in LMB-size units, or half units (unaligned) */
  slot: fc.integer({ min: 0, max: 40 }),
  half: fc.boolean(),
  reserved: fc.constantFrom(0, 0, 7),
});

const caseArb = fc.record({
  format: fc.constantFrom('v1' as const, 'v2' as const),
  lmbs: fc.array(lmbArb, { maxLength: 24 }),
  lmbSize: fc.constantFrom(MB256, MB256 / 2n, 0n),
  blockSize: fc.constantFrom<bigint | string>(MB256, MB256 / 4n, MB256 * 2n, 'garbage\n'),
  blocks: fc.array(fc.tuple(fc.integer({ min: 0, max: 90 }), fc.constantFrom<number | null>(0, 1, null)), { maxLength: 40 }),
  perBlock: fc.boolean(),
  withSysfs: fc.boolean(),
  names: fc.boolean(),
  bootRam: fc.boolean(),
});

describe('lmbColumnsFromTree = lmbTableFromTree, column-wise', () => {
  it('random v1/v2 tables, LMB and block sizes, sysfs views (property)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const base = (l: (typeof c.lmbs)[number]) => BigInt(l.slot) * MB256 + (l.half ? MB256 / 2n : 0n);
        const t: DtTree = pseriesTree({
          ...FORM1,
          lmbSize: c.lmbSize,
          ...(c.format === 'v1' ? { v1: c.lmbs.map((l) => v1Entry(base(l), l.drc, l.aa, l.flags, l.reserved)) } : { v2: c.lmbs.map((l) => v2Set(1 + (l.slot % 3), base(l), l.drc, l.aa, l.flags)) }),
          ...(c.names ? { drc: c.lmbs.map((l, i) => ({ index: l.drc, name: `LMB ${i}` })) } : {}),
        });
        if (c.bootRam) memoryNode(t, 0n, 2n * MB256, [4, 0, 0, 0, 1]);
        const files = c.withSysfs ? sysfs(c.blockSize, new Map(c.blocks), c.perBlock) : undefined;
        expectSameTable(lmbColumnsFromTree(t, files), lmbTableFromTree(t, files));
      }),
      { numRuns: 300 },
    );
  });

  it('legacy memory@ LMBs (no drconf node) and a tree with no memory at all', () => {
    const t = pseriesTree({ ...FORM1 });
    t.root.children.delete('ibm,dynamic-reconfiguration-memory');
    const empty = lmbColumnsFromTree(t);
    expectSameTable(empty, lmbTableFromTree(t));
    expect(empty.format).toBe('none');
    memoryNode(t, 0n, MB256, [4, 0, 0, 0, 1], 0x80000000);
    memoryNode(t, MB256, 2n * MB256, [4, 0, 0, 0, 0]);
    const files = sysfs(MB256, new Map([[0, 1], [1, 0], [2, null]]), false);
    const c = lmbColumnsFromTree(t, files);
    expect(c.format).toBe('legacy');
    expect(c.aa).toBeNull();
    expect(c.size).toBeNull();
    expectSameTable(c, lmbTableFromTree(t, files));
  });

  it('a drconf node without LMB properties', () => {
    const t = pseriesTree({ ...FORM1 });
    const c = lmbColumnsFromTree(t, sysfs(MB256, new Map([[0, 0]]), false));
    expect(c.format).toBe('none');
    expectSameTable(c, lmbTableFromTree(t, sysfs(MB256, new Map([[0, 0]]), false)));
  });

  it('the block-id budget: LMBs past it have no blocks listed, in both builders', () => {
    // at most 1024 block ids per LMB and 2^22 in all: LMB 4096 is the first one left unlisted
    const big = 1n << 40n;
    const n = 4100;
    const t = pseriesTree({ ...FORM1, lmbSize: big, v1: Array.from({ length: n }, (_, i) => v1Entry(BigInt(i) * big, 0x80000000 + i, 0, 8)) });
    const files = sysfs(1n << 24n, new Map([[0, 0], [4095 * 65536 + 5, 1]]), false);
    const c = lmbColumnsFromTree(t, files);
    const tab = lmbTableFromTree(t, files);
    expect(tab.lmbs.findIndex((l) => l.blocks === undefined)).toBe(4096);
    for (const k of [0, 1, 4095, 4096, 4099]) expect(c.lmb(k)).toEqual(tab.lmbs[k]);
    expect(Array.from(c.block!)).toEqual(tab.lmbs.map((l) => (l.blocks === undefined ? BLOCKS_UNLISTED : l.blocks.length === 0 ? NO_BLOCK : l.blocks[0]!.node)));
    expect([c.block![0], c.block![1], c.block![4095], c.block![4096]]).toEqual([0, NO_BLOCK, 1, BLOCKS_UNLISTED]);
  });

  it('the JSON writer past its fast path: addresses beyond 2^53, more flag/aa pairs than it keeps, v2 sets', () => {
    // 5000 distinct aa indexes (beyond the lookup arrays: no node) make 5000 distinct middles
    const v1 = Array.from({ length: 5000 }, (_, i) => v1Entry((1n << 60n) + BigInt(i) * MB256, 0x80000000 + i, i, i % 2 ? 0x8 : 0x108));
    v1.push(v1Entry((1n << 53n) - MB256, 0x90000000, 0, 8), v1Entry(1n << 53n, 0x90000001, 0, 8), v1Entry((1n << 64n) - MB256, 0xffffffff, 0, 0x80));
    expectSameTable(lmbColumnsFromTree(pseriesTree({ ...FORM1, v1 })), lmbTableFromTree(pseriesTree({ ...FORM1, v1 })));
    const v2 = [v2Set(3, (1n << 53n) - MB256, 0x80000000, 1, 8), v2Set(2, 0n, 0x80001000, 0, 0x88)];
    const t = pseriesTree({ ...FORM1, v2, drc: [{ index: 0x80000001, name: 'LMB "quoted" é' }] });
    memoryNode(t, 0n, 2n * MB256, [4, 0, 0, 0, 1]);
    expectSameTable(lmbColumnsFromTree(t), lmbTableFromTree(t));
  });

  const SAMPLES = join(import.meta.dirname, '../../samples');
  const captures = readdirSync(SAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'bundles')
    .flatMap((d) => readdirSync(join(SAMPLES, d.name)).filter((f) => f.endsWith('.tar.gz')).map((f) => join(d.name, f)))
    .concat(readdirSync(join(SAMPLES, 'bundles')).filter((f) => /\.(txz|tar\.xz)$/.test(f)).map((f) => join('bundles', f)));
  it.each(captures)('sample %s (tree and boot FDT)', async (file) => {
    const src = await loadSource(join(SAMPLES, file), {}, testIo());
    expectSameTable(lmbColumnsFromTree(src.tree, src.files), lmbTableFromTree(src.tree, src.files));
    if (src.bootTree) expectSameTable(lmbColumnsFromTree(src.bootTree), lmbTableFromTree(src.bootTree));
  });
});
