// drmgr behaviour the oracle cannot show (log rotation, failed writes) and our opt-in modes.
import { describe, expect, it } from 'vitest';
import { drmgrMain } from '../../lib/compat/drmgr/main.js';
import { drDate } from '../../lib/compat/drmgr/session.js';
import { bufferWriter, type FsPort, type Io } from '../../lib/io.js';
import { buildTree, treeVolume } from './make-tree.js';
import { loadDesc } from './golden.js';

function setup(desc = 'mem-v2-dlpar.json', patch?: (fs: FsPort) => void, wrap?: (fs: FsPort) => FsPort) {
  const { fs } = treeVolume(buildTree(loadDesc(desc) as never), '/r');
  patch?.(fs);
  const out = bufferWriter();
  const err = bufferWriter();
  const io: Io = { stdout: out, stderr: err, env: {}, fs: wrap ? wrap(fs) : fs, readStdin: () => new Uint8Array(), now: () => new Date(2026, 0, 2, 3, 4, 5), argv0: '/usr/sbin/drmgr', uid: 0 };
  const run = async (...args: string[]) => ({ code: await drmgrMain(['--root', '/r', ...args], io), out: out.text(), err: err.text() });
  const read = (p: string) => {
    try {
      return Buffer.from(fs.readFileSync(`/r${p}`)).toString('latin1');
    } catch {
      return null;
    }
  };
  return { fs, run, read };
}

describe('drmgr -c mem', () => {
  it('logs every message with separators in /var/log/drmgr and takes the lock file', async () => {
    const t = setup();
    const r = await t.run('-c', 'mem', '-r', '-q', '2');
    expect(r).toMatchObject({ code: 0, out: 'DR_TOTAL_RESOURCES=2\n', err: 'Validating Memory DLPAR capability...yes.\n' });
    expect(t.read('/var/log/drmgr')).toBe(
      `\n########## Jan 02 03:04:05 2026 ##########\ndrmgr: -c mem -r -q 2 \nValidating Memory DLPAR capability...yes.\nInitiating kernel DLPAR "memory remove count 2"\nSuccess\n########## Jan 02 03:04:05 2026 ##########\n`,
    );
    expect(t.read('/var/lock/dr_config_lock')).toBe('');
    expect(t.read('/sys/kernel/dlpar')).toBe('memory remove count 2');
  });
  it('rotates the log at 1 MiB', async () => {
    const t = setup('mem-v2-dlpar.json', (fs) => fs.writeFileSync('/r/var/log/drmgr', Buffer.alloc(1 << 20, 0x41)));
    const r = await t.run('-c', 'mem', '-a', '-q', '1');
    expect(r.err).toBe('Validating Memory DLPAR capability...yes.\nRotating logs...\n');
    expect(t.read('/var/log/drmgr')).toBeNull();
    expect(t.read('/var/log/drmgr.0')!.length).toBeGreaterThan(1 << 20);
  });
  it('reports a failed kernel write with its errno text and DR_TOTAL_RESOURCES=0', async () => {
    const failing = (fs: FsPort): FsPort =>
      new Proxy(fs, {
        get(target, prop, recv) {
          if (prop === 'writeSync') return () => { throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' }); };
          const v = Reflect.get(target, prop, recv);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    const t = setup('mem-v2-dlpar.json', undefined, failing);
    const r = await t.run('-c', 'mem', '-r', '-s', '0x80000003');
    expect(r).toMatchObject({ code: 255, out: 'DR_TOTAL_RESOURCES=0\n', err: 'Validating Memory DLPAR capability...yes.\nFailed to write to /sys/kernel/dlpar: Invalid argument\n' });
  });
  it('sends the plain request on a FORM1 NUMA tree, without a NUMA warning (the original without libnuma)', async () => {
    const t = setup('mem-v2-dlpar.json', (fs) => {
      fs.mkdirSync('/r/proc/device-tree/chosen', { recursive: true });
      fs.writeFileSync('/r/proc/device-tree/chosen/ibm,architecture-vec-5', Buffer.from([0, 0, 0, 0, 0, 0x80, 0]));
      fs.mkdirSync('/r/proc/device-tree/rtas', { recursive: true });
      fs.writeFileSync('/r/proc/device-tree/rtas/ibm,associativity-reference-points', Buffer.from([0, 0, 0, 4]));
    });
    const r = await t.run('-c', 'mem', '-r', '-q', '3', '-d', '2');
    expect(r.err).not.toContain('NUMA');
    expect(t.read('/sys/kernel/dlpar')).toBe('memory remove count 3');
  });
  it('refuses the legacy RTAS path clearly once it would need RTAS (v1 LMBs found), writing nothing', async () => {
    const t = setup('mem-v1-16.json', (fs) => {
      fs.mkdirSync('/r/sys/kernel', { recursive: true });
      fs.writeFileSync('/r/sys/kernel/dlpar', 'cpu,dt\n');
    });
    const r = await t.run('-c', 'mem', '-a', '-d', '3');
    expect(r.code).toBe(255);
    expect(r.err).toBe(
      'Validating Memory DLPAR capability...yes.\nFound 16 LMBs currently allocated\n/sys/kernel/dlpar does not offer memory DLPAR: the legacy user-space (RTAS) memory path is not supported by this drmgr (drscope)\n',
    );
    expect(t.read('/sys/kernel/dlpar')).toBe('cpu,dt\n');
  });
});

describe('opt-in modes', () => {
  it('--dry-run prints the request and writes nothing (no lock, no log, no request)', async () => {
    const t = setup();
    const r = await t.run('--dry-run', '-c', 'mem', '-a', '-q', '3');
    expect(r).toMatchObject({ code: 0, out: 'dry run: would write "memory add count 3" to /r/sys/kernel/dlpar\n' });
    expect(t.read('/sys/kernel/dlpar')).toBe('memory,cpu,dt\n');
    expect(t.read('/var/log/drmgr')).toBeNull();
    expect(t.read('/var/lock/dr_config_lock')).toBeNull();
  });
  it('--strict refuses a -s value that is not the 0x index of an LMB (upstream #60), accepts one that is', async () => {
    const bad = setup();
    const r = await bad.run('--strict', '-c', 'mem', '-r', '-s', '800003fe');
    expect(r.code).toBe(255);
    expect(r.err).toContain('--strict: refusing -s 800003fe');
    expect(bad.read('/sys/kernel/dlpar')).toBe('memory,cpu,dt\n');
    const missing = setup();
    expect((await missing.run('--strict', '-c', 'mem', '-r', '-s', '0x90000000')).err).toContain('no LMB has DRC index 0x90000000');
    const ok = setup();
    expect(await ok.run('--strict', '-c', 'mem', '-r', '-s', '0x80000003')).toMatchObject({ code: 0, out: 'DR_TOTAL_RESOURCES=1\n' });
    expect(ok.read('/sys/kernel/dlpar')).toBe('memory remove index 0x80000003');
  });
  it('without --strict the original quirk stays: a bare number becomes "count 1"', async () => {
    const t = setup();
    expect((await t.run('-c', 'mem', '-r', '-s', '800003fe')).out).toBe('DR_TOTAL_RESOURCES=1\n');
    expect(t.read('/sys/kernel/dlpar')).toBe('memory remove count 1');
  });
});

describe('drDate', () => {
  it('uses the ISO week-based year like strftime %G', () => {
    expect(drDate(new Date(2027, 0, 1, 0, 0, 0))).toBe('Jan 01 00:00:00 2026');
    expect(drDate(new Date(2024, 11, 30, 12, 0, 0))).toBe('Dec 30 12:00:00 2025');
  });
});
