// lsslot -c mem on the real file system reads memoryN/removable in bulk
// (lib/compat/block-reads.ts: worker threads, no listing of the memory
// directory). The other tests run on memfs, which takes the in-thread path;
// here the same trees are written to a temp dir and the bulk path, with and
// without workers, must print exactly what the in-thread path (and the real
// powerpc-utils, for the golden cases) prints.
import * as nodeFs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Volume, createFsFromVolume } from 'memfs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { lsslotMain } from '../../lib/compat/lsslot/main.js';
import { blockReadStats, blockReadTuning, FALSE, isNodeFs, OPEN_FAILED, SLOW, startBlockReads, STATE_GOING_OFFLINE, STATE_OFFLINE, STATE_ONLINE, TRUE, type BlockReads } from '../../lib/compat/block-reads.js';
import type { FsPort } from '../../lib/io.js';
import { lparLmbs, lparTree, type LmbFormat } from '../../bench/lpar-tree.js';
import { writeRoot } from '../../bench/write-root.js';
import { runMain, type RunResult } from '../helpers/run.js';
import { hookedFs } from '../robustness/lpar-volume.js';
import { buildTree } from './make-tree.js';
import { loadCases, loadDesc, loadOutput, maskTimestamps } from './golden.js';

const realFs = nodeFs as unknown as FsPort;
const tmp = mkdtempSync(join(tmpdir(), 'drscope-block-reads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const defaults = { ...blockReadTuning };
afterEach(() => Object.assign(blockReadTuning, defaults));

type Mode = 'memfs' | 'main-thread' | 'workers';
const MODES: Mode[] = ['main-thread', 'workers'];

function setMode(m: Mode): void {
  Object.assign(blockReadTuning, defaults);
  // the workers read everything: the main thread would finish a small tree before a worker has started
  if (m === 'workers') Object.assign(blockReadTuning, { workers: 2, minBlocksForWorkers: 1, chunk: 3, mainThreadReads: false });
  if (m === 'main-thread') blockReadTuning.workers = 0;
}

async function lsslot(fs: FsPort, root: string, args: string[], mode: Mode): Promise<RunResult> {
  setMode(mode);
  const r = await runMain(lsslotMain, ['--root', root, ...args], { fs, argv0: '/usr/sbin/lsslot' });
  if (mode === 'workers' && r.code === 0 && blockReadStats.blocks > 0) expect(blockReadStats.workersStarted).toBe(2);
  return r;
}

let dirs = 0;
function newDir(): string {
  const d = join(tmp, `t${dirs++}`);
  nodeFs.mkdirSync(d, { recursive: true });
  return d;
}

describe('the port check', () => {
  it('node:fs is node:fs; memfs and wrappers are not', () => {
    expect(isNodeFs(realFs)).toBe(true);
    expect(isNodeFs(createFsFromVolume(new Volume()) as unknown as FsPort)).toBe(false);
    expect(isNodeFs(hookedFs(realFs, () => undefined))).toBe(false);
  });
});

describe('golden lsslot -c mem cases on a real --root directory', () => {
  const cases = loadCases().filter((c) => c.program === 'lsslot' && c.args.some((a) => a.includes('mem')));
  it('has the memory cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));
  for (const c of cases) {
    it(`${c.name}: lsslot ${c.args.join(' ')}`, async () => {
      const root = newDir();
      for (const [p, data] of buildTree(loadDesc(c.desc) as never)) {
        if (data === null) nodeFs.mkdirSync(root + p, { recursive: true });
        else {
          nodeFs.mkdirSync(dirname(root + p), { recursive: true });
          nodeFs.writeFileSync(root + p, data);
        }
      }
      const want = loadOutput(c.name);
      for (const mode of MODES) {
        const got = await lsslot(realFs, root, c.args, mode);
        expect(Buffer.from(got.stdoutBytes).toString('latin1'), mode).toBe(want.stdout);
        expect(maskTimestamps(Buffer.from(got.stderrBytes).toString('latin1')), mode).toBe(want.stderr);
        expect(got.code, mode).toBe(want.exit);
      }
    });
  }
});

/** The same LPAR on memfs and in a real directory, then the same damage to both. */
function twin(format: LmbFormat, lmbs: number) {
  const l = lparLmbs({ lmbs, format, nodes: 3, freeTail: 0.1, holeEvery: 11 });
  const mem = createFsFromVolume(new Volume()) as unknown as FsPort;
  const memRoot = '/lpar';
  const realRoot = newDir();
  for (const [fs, root] of [
    [mem, memRoot],
    [realFs, realRoot],
  ] as const) {
    writeRoot(fs, root, lparTree(l, format), l);
  }
  const both = (f: (fs: FsPort, memDir: string) => void) => {
    f(mem, `${memRoot}/sys/devices/system/memory`);
    f(realFs, `${realRoot}/sys/devices/system/memory`);
  };
  return { mem, memRoot, realRoot, both };
}

function damage(both: ReturnType<typeof twin>['both']): void {
  both((fs, m) => {
    // half the LMB size: LMB i spans memory<2i> and memory<2i+1>; the generator made memory<j> for assigned LMBs j < 108
    // (so blocks 108 and up, and 22/33/44/55/66/77/88/99, are absent)
    fs.writeFileSync(`${m}/block_size_bytes`, '8000000\n');
    const put = (n: number, text: string) => fs.writeFileSync(`${m}/memory${n}/removable`, text);
    put(2, '0\n');
    put(4, ' 0x1\n'); // %i in hex: removable
    put(6, '00\n'); // octal 0
    put(8, '');
    put(10, 'x\n');
    put(12, `${' '.repeat(80)}1\n`); // the word starts past the first 64 bytes
    put(14, '1234567890\n');
    put(16, '-1\n');
    put(18, '7');
    fs.rmSync(`${m}/memory20/removable`); // the block is there, its file is not
    fs.rmSync(`${m}/memory36/removable`);
    fs.mkdirSync(`${m}/memory36/removable`); // read() fails with EISDIR
    fs.rmSync(`${m}/memory24`, { recursive: true });
    fs.writeFileSync(`${m}/memory24`, '1\n'); // a file where the directory should be
    fs.rmSync(`${m}/memory26`, { recursive: true });
    fs.symlinkSync('nowhere', `${m}/memory26`); // dangling
    fs.rmSync(`${m}/memory28`, { recursive: true });
    fs.symlinkSync('memory20', `${m}/memory28`); // to a block without removable
    fs.rmSync(`${m}/memory30`, { recursive: true });
    fs.symlinkSync('memory32', `${m}/memory30`); // to a good one
    fs.rmSync(`${m}/memory34`, { recursive: true }); // gone: counts as removable
    fs.rmSync(`${m}/memory35`, { recursive: true }); // LMB 17 has no block at all: removable
    fs.mkdirSync(`${m}/memory115`); // a block past the assigned ones, no removable file (LMB 57)
  });
}

describe('real directory vs memfs: same bytes whatever the blocks look like', () => {
  for (const format of ['v1', 'v2'] as const) {
    for (const args of [['-c', 'mem'], ['-c', 'mem', '-d', '4'], ['-c', 'mem', '-s', '0x80000002']]) {
      it(`${format}, lsslot ${args.join(' ')}`, async () => {
        const t = twin(format, 120);
        damage(t.both);
        const want = await lsslot(t.mem, t.memRoot, args, 'memfs');
        expect(want.code).toBe(0);
        if (args.length === 2) {
          expect(want.stdout).toMatch(/Removable: Yes/);
          expect(want.stdout).toMatch(/Removable: No /);
        }
        for (const mode of MODES) {
          const got = await lsslot(realFs, t.realRoot, args, mode);
          expect(got.stdout, mode).toBe(want.stdout);
          expect(got.stderr, mode).toBe(want.stderr);
          expect(got.code, mode).toBe(want.code);
        }
      });
    }
  }

  it('undamaged, block size = LMB size: every assigned LMB removable', async () => {
    const t = twin('v1', 300);
    const want = await lsslot(t.mem, t.memRoot, ['-c', 'mem'], 'memfs');
    expect(want.stdout).not.toMatch(/Removable: No /);
    for (const mode of MODES) expect((await lsslot(realFs, t.realRoot, ['-c', 'mem'], mode)).stdout, mode).toBe(want.stdout);
  });

  it('no memoryN directories at all', async () => {
    const t = twin('v1', 40);
    t.both((fs, m) => {
      for (const name of fs.readdirSync(m)) if (name.startsWith('memory')) fs.rmSync(`${m}/${name}`, { recursive: true });
    });
    const want = await lsslot(t.mem, t.memRoot, ['-c', 'mem'], 'memfs');
    for (const mode of MODES) expect((await lsslot(realFs, t.realRoot, ['-c', 'mem'], mode)).stdout, mode).toBe(want.stdout);
  });
});

describe('a session: workers started before the blocks are known', () => {
  /** n memoryN directories with a removable and a state file each */
  function memDir(n: number): string {
    const m = join(newDir(), 'memory');
    for (let i = 0; i < n; i++) {
      nodeFs.mkdirSync(`${m}/memory${i}`, { recursive: true });
      nodeFs.writeFileSync(`${m}/memory${i}/removable`, `${i % 3 === 0 ? 0 : 1}\n`);
      nodeFs.writeFileSync(`${m}/memory${i}/state`, i % 4 === 0 ? 'offline\n' : 'online\n');
    }
    return m;
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** until the check was begun (a worker takes ~30-100 ms to start) */
  async function scanBegun(s: BlockReads): Promise<void> {
    for (let t = 0; s.scanBy === undefined && t < 400; t++) await sleep(25);
  }

  for (const link of [false, true]) {
    it(`the --root symlink check runs in a worker meanwhile (${link ? 'a memoryN link' : 'no link'})`, async () => {
      Object.assign(blockReadTuning, { workers: 1, minBlocksForWorkers: 1 });
      const m = memDir(50);
      if (link) {
        nodeFs.renameSync(`${m}/memory17`, `${m}/../elsewhere`);
        nodeFs.symlinkSync('../elsewhere', `${m}/memory17`);
      }
      const s = startBlockReads(m, { expectedBlocks: 50, scan: true })!;
      try {
        await scanBegun(s);
        expect(s.scanBy).toBe('worker');
        expect(s.hasSymlinks()).toBe(link);
      } finally {
        s.close();
      }
    });
  }

  it('no worker: the caller makes the check', () => {
    Object.assign(blockReadTuning, { workers: 0 });
    const m = memDir(5);
    nodeFs.symlinkSync('memory1', `${m}/memory9`);
    const s = startBlockReads(m, { expectedBlocks: 5, scan: true })!;
    expect(s.hasSymlinks()).toBe(true);
    expect(s.scanBy).toBe('main');
    s.close();
    const t = startBlockReads(memDir(3), { expectedBlocks: 3, scan: false })!;
    expect(t.hasSymlinks()).toBe(false);
    t.close();
  });

  it('state and removable codes, the same from workers, the main thread, and a started read joined later', async () => {
    const m = memDir(40);
    nodeFs.writeFileSync(`${m}/memory5/state`, 'going-offline\n');
    nodeFs.writeFileSync(`${m}/memory6/state`, 'online'); // no newline: the word
    nodeFs.writeFileSync(`${m}/memory7/state`, 'online \n'); // not the word
    nodeFs.rmSync(`${m}/memory8/state`);
    const blocks = Float64Array.from({ length: 42 }, (_, i) => 41 - i); // 41 and 40 do not exist
    const want = Array.from(blocks, (b) =>
      b >= 40 || b === 8 ? OPEN_FAILED : b === 5 ? STATE_GOING_OFFLINE : b === 7 ? SLOW : b % 4 === 0 ? STATE_OFFLINE : STATE_ONLINE,
    );
    const wantInt = Array.from(blocks, (b) => (b >= 40 ? OPEN_FAILED : b % 3 === 0 ? FALSE : TRUE));
    for (const threads of [0, 2]) {
      Object.assign(blockReadTuning, { workers: threads, minBlocksForWorkers: 1, chunk: 4, mainThreadReads: threads === 0 });
      const s = startBlockReads(m, { expectedBlocks: 0, scan: false, idleMs: 200 })!;
      try {
        blockReadStats.threadedReads = 0;
        expect([...s.read(blocks, '/state', 'state', false)]).toEqual(want);
        expect([...s.read(blocks, '/removable', 'int', true)]).toEqual(wantInt);
        const started = s.start(blocks, '/state', 'state', false);
        await sleep(50);
        expect([...started.wait()]).toEqual(want);
        expect(blockReadStats.threadedReads).toBe(threads ? 3 : 0);
        // the workers end when idle; a later read starts new ones
        await sleep(600);
        expect([...s.read(blocks, '/state', 'state', false)]).toEqual(want);
        expect(blockReadStats.workersStarted).toBe(threads);
      } finally {
        s.close();
      }
      expect([...s.read(blocks, '/state', 'state', false)]).toEqual(want);
      expect(blockReadStats.workersStarted).toBe(0);
    }
  });
});
