// --root DIR with the real Linux layout: /proc/device-tree is a symlink to
// /sys/firmware/devicetree/base and (Debian) /var/lock to /run/lock. Absolute
// links must resolve inside DIR, as for the original chrooted into DIR. The
// oracle's make-tree.py cannot create symlinks, so the expected bytes are the
// golden outputs of the same trees without the links.
import * as nodeFs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lsslotMain } from '../../lib/compat/lsslot/main.js';
import { drmgrMain } from '../../lib/compat/drmgr/main.js';
import { rootedFs } from '../../lib/compat/rooted-fs.js';
import { blockReadTuning } from '../../lib/compat/block-reads.js';
import type { FsPort } from '../../lib/io.js';
import { memVolume, testIo } from '../helpers/run.js';
import { buildTree, treeVolume, type TreeFiles } from './make-tree.js';
import { loadCases, loadDesc, loadOutput, maskTimestamps } from './golden.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  blockReadTuning.minBlocksForWorkers = 16384;
  blockReadTuning.workers = undefined;
  blockReadTuning.mainThreadReads = true;
});

/** the tree on the real file system below a new temp dir */
function realTree(files: TreeFiles): string {
  const root = mkdtempSync(join(tmpdir(), 'drscope-root-'));
  dirs.push(root);
  for (const [p, data] of files) if (data === null) nodeFs.mkdirSync(root + p, { recursive: true });
  for (const [p, data] of files) {
    if (data === null) continue;
    nodeFs.mkdirSync(root + p.slice(0, p.lastIndexOf('/')), { recursive: true });
    nodeFs.writeFileSync(root + p, data);
  }
  return root;
}

/** move `from` to `to` (paths inside root) and leave an absolute symlink `from` -> `to` */
function relink(fs: FsPort, root: string, from: string, to: string, target = to): void {
  fs.mkdirSync(root + to.slice(0, to.lastIndexOf('/')), { recursive: true });
  fs.renameSync(root + from, root + to);
  fs.symlinkSync(target, root + from);
}

/** the Linux layout: device tree under /sys/firmware, /var/lock -> /run/lock */
function linuxLayout(fs: FsPort, root: string): void {
  relink(fs, root, '/proc/device-tree', '/sys/firmware/devicetree/base');
  relink(fs, root, '/var/lock', '/run/lock');
}

const caseByName = new Map(loadCases().map((c) => [c.name, c]));

async function runCase(name: string, fs: FsPort, root: string) {
  const c = caseByName.get(name)!;
  const io = testIo({ fs, argv0: `/usr/sbin/${c.program}` });
  const argv = ['--root', root, ...c.args];
  const code = c.program === 'lsslot' ? await lsslotMain(argv, io) : await drmgrMain(argv, io);
  return { code, stdout: Buffer.from(io.out.bytes()).toString('latin1'), stderr: maskTimestamps(Buffer.from(io.err.bytes()).toString('latin1')) };
}

function expectGolden(name: string, got: { code: number; stdout: string; stderr: string }) {
  const want = loadOutput(name);
  expect(got.stdout).toBe(want.stdout);
  expect(got.stderr).toBe(want.stderr);
  expect(got.code).toBe(want.exit);
}

const LSSLOT_CASES = ['mem-v1-16.c-mem-d4', 'mem-v2-3sets.c-mem-d4', 'io-slots.default', 'io-slots.c-pci', 'io-slots.c-phb', 'cpu-smt8.c-cpu-b', 'lpar-p10.d5'];

describe('--root with absolute symlinks (real Linux layout), real file system', () => {
  for (const name of LSSLOT_CASES) {
    it(name, async () => {
      const c = caseByName.get(name)!;
      const root = realTree(buildTree(loadDesc(c.desc) as never));
      linuxLayout(nodeFs as unknown as FsPort, root);
      expectGolden(name, await runCase(name, nodeFs as unknown as FsPort, root));
    });
  }
  it('drmgr: the request, the log and the lock land inside the root', async () => {
    const name = 'drmgr.log.mem-r-d5';
    const c = caseByName.get(name)!;
    const root = realTree(buildTree(loadDesc(c.desc) as never));
    const fs = nodeFs as unknown as FsPort;
    linuxLayout(fs, root);
    relink(fs, root, '/sys/kernel/dlpar', '/sys/kernel/dlpar.real');
    expectGolden(name, await runCase(name, fs, root));
    const want = loadOutput(name);
    expect(nodeFs.readFileSync(join(root, 'sys/kernel/dlpar.real'), 'latin1')).toBe(want.shown.find((s) => s.path === '/sys/kernel/dlpar')!.content);
    expect(maskTimestamps(nodeFs.readFileSync(join(root, 'var/log/drmgr'), 'latin1'))).toBe(want.shown.find((s) => s.path === '/var/log/drmgr')!.content);
    expect(nodeFs.existsSync(join(root, 'run/lock/dr_config_lock'))).toBe(true);
  });
  it('memory blocks behind symlinks: memoryN -> elsewhere, memoryN/removable -> elsewhere (bulk reader and its threads)', async () => {
    const name = 'mem-v1-16.c-mem-d4';
    const c = caseByName.get(name)!;
    for (const threads of [false, true]) {
      if (threads) Object.assign(blockReadTuning, { minBlocksForWorkers: 1, workers: 1, mainThreadReads: false });
      const fs = nodeFs as unknown as FsPort;
      // only the removable file is a link: the bulk reader (O_NOFOLLOW) hands it to the chroot-style port
      const a = realTree(buildTree(loadDesc(c.desc) as never));
      linuxLayout(fs, a);
      relink(fs, a, '/sys/devices/system/memory/memory6/removable', '/elsewhere/r6');
      expectGolden(name, await runCase(name, fs, a));
      // a memoryN directory is a link: the whole memory directory is read through the port
      const b = realTree(buildTree(loadDesc(c.desc) as never));
      linuxLayout(fs, b);
      relink(fs, b, '/sys/devices/system/memory/memory5', '/elsewhere/memory5');
      relink(fs, b, '/sys/devices/system', '/sys/devices/system.real', '../devices/system.real');
      expectGolden(name, await runCase(name, fs, b));
    }
  });
});

describe('--root with absolute symlinks, memfs', () => {
  for (const name of [...LSSLOT_CASES, 'drmgr.mem-r-q2']) {
    it(name, async () => {
      const c = caseByName.get(name)!;
      const { fs } = treeVolume(buildTree(loadDesc(c.desc) as never), '/snap/root');
      linuxLayout(fs, '/snap/root');
      expectGolden(name, await runCase(name, fs, '/snap/root'));
    });
  }
});

describe('rootedFs', () => {
  it('never leaves the root: ".." stops at it, absolute targets start at it', () => {
    const fs = memVolume({ '/r/etc/x': 'inside', '/etc/x': 'host', '/r/a': null });
    fs.symlinkSync('/etc', '/r/a/abs');
    fs.symlinkSync('../../../../etc', '/r/a/up');
    const r = rootedFs(fs, '/r');
    expect(Buffer.from(r.readFileSync('/a/abs/x')).toString()).toBe('inside');
    expect(Buffer.from(r.readFileSync('/a/up/x')).toString()).toBe('inside');
    expect(Buffer.from(r.readFileSync('/../../etc/x')).toString()).toBe('inside');
    expect(r.resolve('/a/abs', false)).toBe('/r/a/abs');
    expect(r.lstatSync('/a/abs').isSymbolicLink()).toBe(true);
  });
  it('reports a symlink loop as ELOOP', () => {
    const fs = memVolume({ '/r': null });
    fs.symlinkSync('/l2', '/r/l1');
    fs.symlinkSync('/l1', '/r/l2');
    expect(() => rootedFs(fs, '/r').readFileSync('/l1/x')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
  });
  it('a lock directory link that points outside the tree fails like a missing /var/lock', async () => {
    const { fs } = treeVolume(buildTree(loadDesc('mem-v2-3sets.json') as never), '/snap/root');
    fs.rmSync('/snap/root/var/lock', { recursive: true });
    fs.mkdirSync('/run/lock', { recursive: true }); // exists on the "host" only
    fs.symlinkSync('/run/lock', '/snap/root/var/lock');
    const io = testIo({ fs, argv0: '/usr/sbin/lsslot' });
    expect(await lsslotMain(['--root', '/snap/root', '-c', 'mem', '-d', '1'], io)).toBe(1);
    expect(io.err.text()).toBe('Unable to obtain Dynamic Reconfiguration lock. Please try command again later.\n');
    expect(fs.existsSync('/run/lock/dr_config_lock')).toBe(false);
  });
});
