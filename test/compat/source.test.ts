// lsslot --source SNAPSHOT reads any capture drscope reads through the same
// code path as live/--root; `drscope slots` renders the same inventory.
import { describe, expect, it } from 'vitest';
import { lsslotMain } from '../../lib/compat/lsslot/main.js';
import { main } from '../../lib/cli.js';
import { bufferWriter, type Io } from '../../lib/io.js';
import * as nodeFs from 'node:fs';
import type { FsPort } from '../../lib/io.js';
import { buildTree, treeVolume } from './make-tree.js';
import { loadCases, loadDesc } from './golden.js';

function ioOn(fs: FsPort): Io & { out: ReturnType<typeof bufferWriter>; err: ReturnType<typeof bufferWriter> } {
  const out = bufferWriter();
  const err = bufferWriter();
  return { stdout: out, stderr: err, out, err, env: { NO_COLOR: '1' }, fs, readStdin: () => new Uint8Array(), now: () => new Date(0), argv0: '/usr/sbin/lsslot', uid: 0 };
}

describe('lsslot --source DIR equals --root DIR', () => {
  const picked = loadCases().filter((c) => c.program === 'lsslot' && /^(mem-v1-16|mem-v2|slots-many|cpu-smt8|io-slots)/.test(c.name));
  for (const c of picked) {
    it(c.name, async () => {
      const { fs } = treeVolume(buildTree(loadDesc(c.desc) as never), '/snap');
      const a = ioOn(fs);
      const ca = await lsslotMain(['--root', '/snap', ...c.args], a);
      const b = ioOn(fs);
      const cb = await lsslotMain(['--source', '/snap', ...c.args], b);
      expect(b.out.text()).toBe(a.out.text());
      expect(b.err.text()).toBe(a.err.text());
      expect(cb).toBe(ca);
    });
  }
  it('never writes into a snapshot (no lock file)', async () => {
    const { fs } = treeVolume(buildTree(loadDesc('mem-v1-16.json') as never), '/snap');
    await lsslotMain(['--source', '/snap', '-c', 'mem'], ioOn(fs));
    expect(fs.existsSync('/snap/var/lock/dr_config_lock')).toBe(false);
  });
});

const SAMPLE = 'samples/pseries-7.2-numa2/02-after-add-dimm2-512M-node0.tar.gz';

describe('real QEMU capture', () => {
  it('lsslot --source reads a tar.gz capture: owned LMBs of the v2 property, sections from its sysfs', async () => {
    const io = ioOn(nodeFs as unknown as FsPort);
    expect(await lsslotMain(['--source', SAMPLE, '-c', 'mem'], io)).toBe(0);
    const text = io.out.text();
    expect(text.startsWith('Dynamic Reconfiguration Memory (LMB size 0x10000000)\n: \n    DRC Index: 80000008        Address: 80000000\n')).toBe(true);
    expect(text).not.toContain('Not Owned');
    const all = ioOn(nodeFs as unknown as FsPort);
    await lsslotMain(['--source', SAMPLE, '-c', 'mem', '-d', '4'], all);
    expect(all.out.text().split('\n').filter((l) => l.startsWith(':')).length).toBeGreaterThan(text.split('\n').filter((l) => l.startsWith(':')).length);
  });
  it('drscope slots shows what lsslot leaves out: LMB names, NUMA nodes, free LMBs, empty slots', async () => {
    const io = ioOn(nodeFs as unknown as FsPort);
    expect(await main(['slots', SAMPLE, '--type', 'mem', '--type', 'pci'], io)).toBe(0);
    const text = io.out.text();
    expect(text).toMatch(/0x80000008 +LMB 8 +0x80000000 +256 MiB +assigned +1 /);
    expect(text).toMatch(/0x8000000e +LMB 14 .* free /);
    expect(text).toMatch(/C0 +0x40000000 +PCI-E capable, Rev 2, 8x lanes +empty/);
    const j = ioOn(nodeFs as unknown as FsPort);
    expect(await main(['slots', SAMPLE, '--type', 'mem', '--json'], j)).toBe(0);
    const doc = JSON.parse(j.out.text()) as { schemaVersion: number; lmbs: { drcIndex: string; name: string | null; state: string; node: number | null }[] };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.lmbs.find((l) => l.drcIndex === '0x80000008')).toMatchObject({ name: 'LMB 8', state: 'assigned', node: 1, flags: 8, blocks: [8], blockIndexes: [8] });
    // a free LMB has no sysfs block (as in drscope lmbs), only the block number it would have
    expect(doc.lmbs.find((l) => l.drcIndex === '0x8000000e')).toMatchObject({ state: 'free', flags: 0, blocks: [], blockIndexes: [14] });
    expect(text).toMatch(/0x8000000e +LMB 14 .* free +- +none +-\n/);
  });
  it('drscope slots on a tree: not-owned and empty slots, HEA ports, Linux devices', async () => {
    const { fs } = treeVolume(buildTree(loadDesc('slots-many.json') as never), '/snap');
    const io = ioOn(fs);
    expect(await main(['slots', '--root', '/snap', '--type', 'slot,port,phb'], io)).toBe(0);
    const t = io.out.text();
    expect(t).toMatch(/U9009\.42A\.1234567-P1-C6 +0x21020006 +Logical I\/O Slot +no +- +empty +-/);
    expect(t).toMatch(/U9040\.MR9\.132944X-V16-C0 +0x30000000 +Virtual I\/O Slot +yes +\/vdevice\/vty@30000000 +vty +30000000/);
    expect(t).toMatch(/Port4 +0x24000004 +HEA1 +\/lhea@23c00000\/ethernet@23e00200/);
    expect(t).toMatch(/PHB3 +0x20000003 +\/pci@800000020000003 +-/);
    const bad = ioOn(fs);
    expect(await main(['slots', '--root', '/snap', '--type', 'disk'], bad)).toBe(2);
  });
});
