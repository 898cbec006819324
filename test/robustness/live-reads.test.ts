// A live system is a moving target: files are unreadable without root,
// memory blocks and properties vanish while a DLPAR runs, sysfs and the device
// tree disagree. Each case runs end to end through main() / lsslotMain() on a
// memfs --root volume: findings or a documented exit code, never a crash.
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { lsslotMain } from '../../lib/compat/lsslot/main.js';
import { writeDtb } from '../../lib/dt/write-dtb.js';
import { lparTree } from '../../bench/lpar-tree.js';
import type { FsPort } from '../../lib/io.js';
import { runMain, type RunResult } from '../helpers/run.js';
import { DRCONF, DT, MEM, ROOT, failingFs, hookedFs, lparVolume, vanishingFs } from './lpar-volume.js';

/** documented exits only, one-line messages, no stack trace */
function expectClean(r: RunResult, codes: number[]): void {
  expect(codes, `exit ${r.code}, stderr: ${r.stderr}`).toContain(r.code);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/internal error/);
}

const lmbs = (fs: FsPort, ...extra: string[]) => runMain(main, ['lmbs', '--root', ROOT, ...extra], { fs });
const lsslot = (fs: FsPort) => runMain(lsslotMain, ['--root', ROOT, '-c', 'mem'], { fs, argv0: 'lsslot' });

function withBootFdt() {
  const v = lparVolume();
  v.fs.mkdirSync(`${ROOT}/sys/firmware`, { recursive: true });
  v.fs.writeFileSync(`${ROOT}/sys/firmware/fdt`, writeDtb(lparTree(v.lmbs, 'v1')));
  return v;
}

describe('live reads: baseline volume', () => {
  it('lmbs, lmbs --json, audit and lsslot -c mem all work on the generated LPAR', async () => {
    const { fs, lmbs: l } = withBootFdt();
    const r = await lmbs(fs, '--json');
    expectClean(r, [0]);
    const doc = JSON.parse(r.stdout);
    expect(doc.lmbs).toHaveLength(l.drc.length);
    expect(doc.lmbs.filter((x: { blocks: unknown[] }) => x.blocks.length === 1).length).toBe(l.flags.filter((f) => f & 8).length);
    expectClean(await runMain(main, ['audit', '--root', ROOT], { fs }), [0, 1]);
    const ls = await lsslot(fs);
    expectClean(ls, [0]);
    expect(ls.stdout).toMatch(/^Dynamic Reconfiguration Memory \(LMB size 0x10000000\)\n/);
  });
});

describe('live reads: permission denied (chmod 000 gives EACCES in memfs even as root)', () => {
  const cases: [string, string][] = [
    ['the boot FDT /sys/firmware/fdt', `${ROOT}/sys/firmware/fdt`],
    ['ibm,dynamic-memory', `${DRCONF}/ibm,dynamic-memory`],
    ['ibm,associativity-lookup-arrays', `${DRCONF}/ibm,associativity-lookup-arrays`],
    ['ibm,lmb-size', `${DRCONF}/ibm,lmb-size`],
    ['block_size_bytes', `${MEM}/block_size_bytes`],
    ['a memoryN/state', `${MEM}/memory3/state`],
    ['a memoryN/removable', `${MEM}/memory3/removable`],
    ['/proc/cpuinfo', `${ROOT}/proc/cpuinfo`],
  ];
  for (const [what, path] of cases) {
    it(`${what}: a finding or exit 3, never a crash`, async () => {
      const { fs } = withBootFdt();
      fs.chmodSync(path, 0);
      expect(() => fs.readFileSync(path)).toThrow(/EACCES|permission/i);
      const r = await lmbs(fs);
      expectClean(r, [0, 3]);
      const j = await lmbs(fs, '--json');
      expectClean(j, [0, 3]);
      if (j.code === 0) expect(JSON.parse(j.stdout).schemaVersion).toBe(1);
      expectClean(await runMain(main, ['audit', '--root', ROOT], { fs }), [0, 1, 3]);
      expectClean(await lsslot(fs), [0, 1, 255]);
    });
  }

  it('an unreadable property is named in a finding; the other LMB data still lists', async () => {
    const { fs } = withBootFdt();
    fs.chmodSync(`${DRCONF}/ibm,associativity-lookup-arrays`, 0);
    const r = await lmbs(fs, '--json');
    expectClean(r, [0]);
    const doc = JSON.parse(r.stdout);
    expect(doc.lmbs.length).toBe(64);
    expect(doc.findings.map((f: { code: string }) => f.code)).toContain('property-unreadable');
    expect(JSON.stringify(doc.findings)).toMatch(/permission denied/);
  });

  it('unreadable directories (the drconf node, the memory dir, the whole tree)', async () => {
    for (const dir of [DRCONF, MEM, DT, `${ROOT}/sys`]) {
      const { fs } = withBootFdt();
      fs.chmodSync(dir, 0);
      expectClean(await lmbs(fs), [0, 3]);
      expectClean(await lmbs(fs, '--summary'), [0, 3]);
      expectClean(await lsslot(fs), [0, 1, 255]);
    }
  });
});

describe('live reads: files vanish mid-read (a DLPAR in progress)', () => {
  const cases: [string, RegExp][] = [
    ['ibm,dynamic-memory disappears after readdir', /ibm,dynamic-memory$/],
    ['the whole drconf node disappears', /ibm,dynamic-reconfiguration-memory\/ibm,lmb-size$/],
    ['memory blocks disappear while their state is read', /memory\/memory\d*[05]\/state$/],
    ['memory blocks disappear while removable is read', /memory\/memory\d+\/removable$/],
    ['block_size_bytes disappears', /block_size_bytes$/],
    ['the boot FDT disappears', /firmware\/fdt$/],
  ];
  for (const [what, re] of cases) {
    it(what, async () => {
      const v = withBootFdt();
      const fs = vanishingFs(v.fs, re);
      expectClean(await lmbs(fs), [0, 3]);
      const again = vanishingFs(withBootFdt().fs, re);
      expectClean(await runMain(main, ['audit', '--root', ROOT], { fs: again }), [0, 1, 3]);
      expectClean(await lsslot(vanishingFs(withBootFdt().fs, re)), [0, 1, 255]);
    });
  }

  it('a property that vanishes becomes a file-vanished finding', async () => {
    const fs = vanishingFs(withBootFdt().fs, /ibm,associativity-lookup-arrays$/);
    const r = await lmbs(fs, '--json');
    expectClean(r, [0]);
    expect(JSON.parse(r.stdout).findings.map((f: { code: string }) => f.code)).toContain('file-vanished');
  });

  it('reads failing with EIO / EBUSY / ENXIO', async () => {
    for (const code of ['EIO', 'EBUSY', 'ENXIO']) {
      for (const re of [/ibm,dynamic-memory$/, /memory\d+\/state$/, /block_size_bytes$/, /fdt$/]) {
        const fs = failingFs(withBootFdt().fs, re, code);
        expectClean(await lmbs(fs), [0, 3]);
        expectClean(await lsslot(failingFs(withBootFdt().fs, re, code)), [0, 1, 255]);
      }
    }
  });
});

describe('live reads: sysfs and the device tree disagree', () => {
  it('a memory block with no LMB, and an assigned LMB with no block: findings, not a crash', async () => {
    const v = lparVolume({}, { omitBlocks: [5, 6] });
    v.fs.mkdirSync(`${MEM}/memory9999`, { recursive: true });
    v.fs.writeFileSync(`${MEM}/memory9999/state`, 'online\n');
    v.fs.writeFileSync(`${MEM}/memory9999/removable`, '1\n');
    const r = await lmbs(v.fs, '--json');
    expectClean(r, [0]);
    const doc = JSON.parse(r.stdout);
    const lmb5 = doc.lmbs.find((x: { drcIndex: string }) => x.drcIndex === '0x80000005');
    expect(lmb5.assigned).toBe(true);
    expect(lmb5.blocks).toEqual([]);
    const a = await runMain(main, ['audit', '--root', ROOT, '--json'], { fs: v.fs });
    expectClean(a, [0, 1]);
    expect(() => JSON.parse(a.stdout)).not.toThrow();
    const ls = await lsslot(v.fs);
    expectClean(ls, [0]);
    // lsslot still lists the LMB (its section is named even though memory5 is gone)
    expect(ls.stdout).toMatch(/DRC Index: 80000005 {8}Address: 50000000\n {4}Removable: Yes/);
  });

  it('blocks named oddly (memoryX, memory-1, memory99999999999) are ignored', async () => {
    const v = lparVolume();
    for (const n of ['memoryX', 'memory-1', 'memory99999999999', 'memory', 'memory007']) v.fs.mkdirSync(`${MEM}/${n}`, { recursive: true });
    expectClean(await lmbs(v.fs), [0]);
    expectClean(await lsslot(v.fs), [0]);
  });

  it('block_size_bytes garbage, zero, or not the LMB size', async () => {
    for (const text of ['', 'zz\n', '0\n', '1\n', '8000000\n', '100000000\n', 'ffffffffffffffffff\n']) {
      const v = lparVolume();
      v.fs.writeFileSync(`${MEM}/block_size_bytes`, text);
      expectClean(await lmbs(v.fs), [0]);
      expectClean(await lmbs(v.fs, '--json'), [0]);
      expectClean(await lsslot(v.fs), [0, 1, 255]);
    }
  });
});

describe('internal errors are one line without --debug', () => {
  it('an fs that throws a TypeError: exit 4, no stack; --debug shows it', async () => {
    const v = lparVolume();
    const broken = hookedFs(v.fs, (p) => {
      if (p.endsWith('ibm,lmb-size')) throw new TypeError('simulated bug');
    });
    // readDirTree turns read failures into findings; make listing itself blow up instead
    const exploding = new Proxy(broken, {
      get(t, prop, recv) {
        if (prop === 'readdirSync') return () => { throw new TypeError('simulated bug in readdir'); };
        return Reflect.get(t, prop, recv) as unknown;
      },
    });
    const r = await lmbs(exploding);
    expect([0, 3, 4]).toContain(r.code);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    if (r.code === 4) {
      expect(r.stderr).toMatch(/^drscope: internal error: .*--debug/);
      const d = await lmbs(exploding, '--debug');
      expect(d.stderr).toMatch(/\n\s+at /);
    }
  });
});

describe('live reads: absurd sizes in a v2 property', () => {
  it('seq_lmbs of 0xffffffff: lmbs reports it, lsslot -c mem refuses the property, neither allocates gigabytes', async () => {
    const v = lparVolume({ format: 'v2' });
    const p = `${DRCONF}/ibm,dynamic-memory-v2`;
    const bytes = new Uint8Array(v.fs.readFileSync(p) as Uint8Array);
    // first set's sequential-LMB count (cell right after the set count)
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, 0xffffffff);
    v.fs.writeFileSync(p, bytes);
    const r = await lmbs(v.fs, '--json');
    expectClean(r, [0]);
    expect(JSON.stringify(JSON.parse(r.stdout).findings)).toMatch(/ibm,dynamic-memory-v2/);
    const ls = await lsslot(v.fs);
    expectClean(ls, [0, 1, 255]);
    expect(ls.stdout).not.toMatch(/DRC Index/);
  });
});
