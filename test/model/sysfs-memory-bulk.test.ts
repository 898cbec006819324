// sysfsMemoryView on the real file system with a view that says where its
// paths are (FileView.hostPath): memoryN/state is read ahead in bulk by the threaded
// block reader (lib/compat/block-reads.ts). Whatever the files hold, in any
// order the blocks are asked, every record must equal the one-file-at-a-time
// view's (the same directory without hostPath), and the bulk reader must
// really run (with worker threads, forced on small trees by the tuning knobs).
import * as nodeFs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume, createFsFromVolume } from 'memfs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsFileView, type FileView } from '../../lib/dt/file-view.js';
import type { FsPort } from '../../lib/io.js';
import { blockReadStats, blockReadTuning } from '../../lib/compat/block-reads.js';
import { MEMORY_DIR, stateReadAhead, sysfsMemoryView, type BlockDetail } from '../../lib/model/sysfs-memory.js';
import { lmbTableFromTree } from '../../lib/model/lmbs-from-tree.js';
import { lparLmbs, lparTree } from '../../bench/lpar-tree.js';
import { writeRoot } from '../../bench/write-root.js';

const realFs = nodeFs as unknown as FsPort;
const tmp = mkdtempSync(join(tmpdir(), 'drscope-sysfs-bulk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tuning = { ...blockReadTuning };
const ahead = { ...stateReadAhead };
beforeEach(() => {
  blockReadStats.blocks = -1;
  blockReadStats.workersStarted = -1;
  blockReadStats.threadedReads = 0;
});
afterEach(() => {
  Object.assign(blockReadTuning, tuning);
  Object.assign(stateReadAhead, ahead);
});

let dirs = 0;
function newRoot(): string {
  const d = join(tmp, `r${dirs++}`);
  nodeFs.mkdirSync(d, { recursive: true });
  return d;
}

/** the plain view (one file at a time) and the same one with host paths (bulk reads) */
function views(root: string): { plain: FileView; host: FileView } {
  const host = fsFileView(realFs, root);
  // the same view without hostPath: what every other view is
  const { hostPath, ...plain } = host;
  expect(hostPath?.('/x')).toEqual({ fs: realFs, path: `${root}/x` });
  return { plain, host };
}

/** memory blocks 0..n-1 with `state` files of every kind the fast path must (not) take */
function blocksTree(n: number): string {
  const root = newRoot();
  const m = `${root}${MEMORY_DIR}`;
  nodeFs.mkdirSync(m, { recursive: true });
  nodeFs.writeFileSync(`${m}/block_size_bytes`, '10000000\n');
  const odd: Record<number, string | ((dir: string) => void)> = {
    1: 'offline\n',
    2: 'going-offline\n',
    3: 'online', // no newline: still the word
    4: ' online\n', // not the word: read the general way (trimmed)
    5: 'ERROR-UNKNOWN-7\n',
    6: '',
    7: 'online\n\n',
    8: 'Online\n',
    9: `${'x'.repeat(100)}\n`, // longer than the fast reader's buffer
    10: 'offline\r\n',
    11: (d) => nodeFs.mkdirSync(`${d}/state`), // read() fails (EISDIR)
    12: () => undefined, // the block has no state file
    13: (d) => nodeFs.symlinkSync('../memory1/state', `${d}/state`), // followed, as the view follows it
    14: (d) => nodeFs.symlinkSync('nowhere', `${d}/state`), // dangling
    15: 'going-offline',
    16: 'onlin\n',
  };
  for (let i = 0; i < n; i++) {
    const d = `${m}/memory${i}`;
    nodeFs.mkdirSync(d);
    const o = odd[i];
    if (typeof o === 'function') o(d);
    else nodeFs.writeFileSync(`${d}/state`, o ?? (i % 7 === 0 ? 'offline\n' : 'online\n'));
    if (i % 5 === 0) nodeFs.writeFileSync(`${d}/removable`, '1\n');
  }
  // a memoryN entry that is a file, one that is a link to another block, a dangling one
  nodeFs.writeFileSync(`${m}/memory${n}`, 'online\n');
  nodeFs.symlinkSync(`memory2`, `${m}/memory${n + 1}`);
  nodeFs.symlinkSync(`gone`, `${m}/memory${n + 2}`);
  return root;
}

const orders: Record<string, (ids: number[]) => number[]> = {
  ascending: (ids) => ids,
  descending: (ids) => [...ids].reverse(),
  interleaved: (ids) => [...ids.filter((_, i) => i % 3 === 1), ...ids.filter((_, i) => i % 3 !== 1)],
  'a filtered few': (ids) => ids.filter((_, i) => i % 11 === 5),
};

function records(files: FileView, order: (ids: number[]) => number[], detail: BlockDetail = 'state'): string {
  const v = sysfsMemoryView(files, detail)!;
  // ask block() first and state later for some blocks (a listing builds a record, then writes it)
  const out = order(v.indexes).map((i) => v.block(i)!);
  return JSON.stringify(
    out.map((b) => ({ ...b })),
    null,
    0,
  );
}

describe('state in bulk (hostPath view on node:fs) = one file at a time', () => {
  const threaded = () => Object.assign(blockReadTuning, { workers: 2, minBlocksForWorkers: 1, chunk: 3 });
  for (const [mode, setup] of [
    ['main thread only', () => Object.assign(blockReadTuning, { workers: 0 })],
    ['workers and the main thread', threaded],
    ['workers only', () => Object.assign(threaded(), { mainThreadReads: false })],
  ] as const) {
    for (const [name, order] of Object.entries(orders)) {
      it(`${mode}, ${name}`, () => {
        const root = blocksTree(60);
        const { plain, host } = views(root);
        Object.assign(stateReadAhead, { first: 4, growth: 2 });
        const want = records(plain, order);
        expect(blockReadStats.blocks).toBe(-1); // the plain view never uses the bulk reader
        setup();
        const got = records(host, order);
        expect(got).toBe(want);
        expect(blockReadStats.blocks).toBeGreaterThan(0);
        if (mode !== 'main thread only') expect(blockReadStats.threadedReads).toBeGreaterThan(0);
        expect(want).toContain('"state":"ERROR-UNKNOWN-7"');
        if (name !== 'a filtered few') expect(want).toContain('"state":"going-offline"');
      });
    }
  }

  it('detail full: removable and valid_zones stay lazy per block, state comes from the bulk read', () => {
    const root = blocksTree(30);
    const { plain, host } = views(root);
    Object.assign(stateReadAhead, { first: 4, growth: 2 });
    Object.assign(blockReadTuning, { workers: 1, minBlocksForWorkers: 1, chunk: 2 });
    expect(records(host, orders.ascending!, 'full')).toBe(records(plain, orders.ascending!, 'full'));
    expect(blockReadStats.blocks).toBeGreaterThan(0);
  });

  it('no state file is opened until a state is asked (--summary, nodes only)', () => {
    const root = blocksTree(30);
    const { host } = views(root);
    const v = sysfsMemoryView(host)!;
    for (const i of v.indexes) v.nodeOf!(i);
    const b = v.block(5)!;
    expect(b.index).toBe(5);
    expect(blockReadStats.blocks).toBe(-1);
    expect(b.state).toBe('ERROR-UNKNOWN-7');
    expect(blockReadStats.blocks).toBeGreaterThan(0);
    // detail 'node' never reads a state
    blockReadStats.blocks = -1;
    const n = sysfsMemoryView(host, 'node')!;
    expect(n.indexes.map((i) => n.block(i)!)).not.toContainEqual(expect.objectContaining({ state: expect.anything() }));
    expect(blockReadStats.blocks).toBe(-1);
  });

  it('a block id past 2^31 is read as itself, not as the 32-bit id it wraps to', () => {
    const root = newRoot();
    const m = `${root}${MEMORY_DIR}`;
    const big = 99999999999; // (big | 0) === 1215752191
    for (const [id, state] of [[big, 'offline\n'], [big | 0, 'online\n'], [3, 'online\n']] as const) {
      nodeFs.mkdirSync(`${m}/memory${id}`, { recursive: true });
      nodeFs.writeFileSync(`${m}/memory${id}/state`, state);
    }
    nodeFs.writeFileSync(`${m}/block_size_bytes`, '1000\n');
    const { plain, host } = views(root);
    for (const v of [sysfsMemoryView(host)!, sysfsMemoryView(plain)!]) expect([v.block(big)?.state, v.block(big | 0)?.state, v.block(3)?.state]).toEqual(['offline', 'online', 'online']);
  });

  it('a hostPath view whose fs is not node:fs reads one file at a time', () => {
    const fs = createFsFromVolume(new Volume()) as unknown as FsPort;
    fs.mkdirSync(`/r${MEMORY_DIR}/memory0`, { recursive: true });
    fs.writeFileSync(`/r${MEMORY_DIR}/block_size_bytes`, '10000000\n');
    fs.writeFileSync(`/r${MEMORY_DIR}/memory0/state`, 'offline\n');
    const plain = fsFileView(fs, '/r');
    const v = sysfsMemoryView({ ...plain, hostPath: (p: string) => ({ fs, path: `/r${p}` }) })!;
    expect(v.block(0)!.state).toBe('offline');
    expect(blockReadStats.blocks).toBe(-1);
  });
});

describe('the LMB table over a generated --root: bulk = one file at a time', () => {
  for (const format of ['v1', 'v2'] as const) {
    it(format, () => {
      const l = lparLmbs({ lmbs: 400, format, nodes: 3, freeTail: 0.1, holeEvery: 11 });
      const root = newRoot();
      writeRoot(realFs, root, lparTree(l, format), l);
      const m = `${root}${MEMORY_DIR}`;
      nodeFs.writeFileSync(`${m}/memory3/state`, 'offline\n');
      nodeFs.writeFileSync(`${m}/memory9/state`, 'going-offline\n');
      nodeFs.rmSync(`${m}/memory12/state`);
      const { plain, host } = views(root);
      const tree = lparTree(l, format);
      const json = (v: unknown) => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
      const want = json(lmbTableFromTree(tree, plain).lmbs);
      Object.assign(blockReadTuning, { workers: 2, minBlocksForWorkers: 1, chunk: 7 });
      Object.assign(stateReadAhead, { first: 16, growth: 4 });
      const got = json(lmbTableFromTree(tree, host).lmbs);
      expect(got).toBe(want);
      expect(blockReadStats.threadedReads).toBeGreaterThan(0);
      expect(want).toContain('"state":"going-offline"');
    });
  }
});
