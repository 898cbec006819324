// `drscope lsslot ...` / `drscope drmgr ...` are the same commands as the drop-in entries.
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { lsslotMain } from '../../lib/compat/lsslot/main.js';
import { drmgrMain } from '../../lib/compat/drmgr/main.js';
import { bufferWriter, type Io } from '../../lib/io.js';
import { buildTree, treeVolume } from './make-tree.js';
import { loadDesc } from './golden.js';

function io(desc: string, prefix = ''): Io & { out: ReturnType<typeof bufferWriter>; err: ReturnType<typeof bufferWriter> } {
  const { fs } = treeVolume(buildTree(loadDesc(desc) as never), prefix);
  const out = bufferWriter();
  const err = bufferWriter();
  return { stdout: out, stderr: err, out, err, env: {}, fs, readStdin: () => new Uint8Array(), now: () => new Date('2026-01-02T03:04:05Z'), uid: 0 };
}

describe('drscope lsslot / drmgr pass-through', () => {
  for (const args of [['-c', 'mem', '-d', '4'], ['-c', 'cpu', '-b'], [], ['-c', 'phb'], ['-x'], ['-c', 'mem', '-s', '0x80000004']]) {
    it(`lsslot ${args.join(' ')}`, async () => {
      const desc = args.includes('cpu') ? 'cpu-drc-v1.json' : args.includes('mem') ? 'mem-v1-16.json' : 'io-slots.json';
      const a = io(desc, '/r');
      const ca = await main(['lsslot', '--root', '/r', ...args], a);
      const b = io(desc, '/r');
      const cb = await lsslotMain(['--root', '/r', ...args], { ...b, argv0: 'lsslot' });
      expect(a.out.text()).toBe(b.out.text());
      expect(a.err.text()).toBe(b.err.text());
      expect(ca).toBe(cb);
      expect(a.out.text() + a.err.text()).not.toBe('');
    });
  }
  it('drmgr -c mem -r -q 2 through drscope writes the same request', async () => {
    const a = io('mem-v2-dlpar.json', '/r');
    expect(await main(['drmgr', '--root', '/r', '-c', 'mem', '-r', '-q', '2'], a)).toBe(0);
    expect(a.out.text()).toBe('DR_TOTAL_RESOURCES=2\n');
    expect(Buffer.from(a.fs.readFileSync('/r/sys/kernel/dlpar')).toString()).toBe('memory remove count 2');
    const b = io('mem-v2-dlpar.json', '/r');
    expect(await drmgrMain(['--root', '/r', '-c', 'mem', '-r', '-q', '2'], b)).toBe(0);
    expect(b.err.text()).toBe(a.err.text());
  });
});

describe('our own lsslot options are checked before the platform', () => {
  it('--root without its value: the getopt message and the usage, exit 1 (not the live system\'s platform message)', async () => {
    const a = io('mem-v1-16.json', '/r');
    expect(await lsslotMain(['--root'], { ...a, argv0: 'lsslot' })).toBe(1);
    expect(a.err.text()).toMatch(/^lsslot: option '--root' requires an argument\nUsage: lsslot /);
    expect(a.out.text()).toBe('');
  });
  it('--root and --source together: refused with the usage, exit 1', async () => {
    const a = io('mem-v1-16.json', '/r');
    expect(await lsslotMain(['--root', '/r', '--source', '/r', '-c', 'mem'], { ...a, argv0: 'lsslot' })).toBe(1);
    expect(a.err.text()).toMatch(/^lsslot: --root and --source cannot be used together .*\nUsage: lsslot /);
  });
});
