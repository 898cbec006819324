import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { parseDrcIndex } from '../../lib/commands/lmbs.js';
import { be32, be64, cat } from '../helpers/cells.js';
import { memVolume, runMain } from '../helpers/run.js';

const S = 'samples';
const V2F2 = `${S}/pseries-7.2-numa2/02-after-add-dimm2-512M-node0.tar.gz`;
const V2F1 = `${S}/pseries-6.1-numa2/03-after-del-dimm1.tar.gz`;
const V1 = `${S}/pseries-7.2-numa2-v1/02-after-add-dimm2-512M-node0.tar.gz`;
const NONUMA = `${S}/pseries-7.2-nonuma/01-after-add-dimm1-1G.tar.gz`;

describe('drscope lmbs (golden)', () => {
  for (const [name, src] of [
    ['lmbs-7.2-numa2-02', V2F2],
    ['lmbs-6.1-numa2-03', V2F1],
    ['lmbs-7.2-numa2-v1-02', V1],
    ['lmbs-7.2-nonuma-01', NONUMA],
  ] as const) {
    it(name, async () => {
      const r = await runMain(main, ['lmbs', src]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await expect(r.stdout).toMatchFileSnapshot(`golden/${name}.txt`);
    });
  }

  it('--summary', async () => {
    for (const [name, src] of [
      ['lmbs-summary-7.2-numa2-02', V2F2],
      ['lmbs-summary-6.1-numa2-03', V2F1],
    ] as const) {
      const r = await runMain(main, ['lmbs', '--summary', src]);
      expect(r.code).toBe(0);
      await expect(r.stdout).toMatchFileSnapshot(`golden/${name}.txt`);
    }
  });

  it('--json follows the contract', async () => {
    const r = await runMain(main, ['lmbs', V2F2, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, source: { label: V2F2, kind: 'tar', layout: 'sample-capture' }, format: 'v2', lmbSize: '0x10000000', blockSize: '0x10000000', numa: { form: 2, primaryDomainIndex: 1 } });
    expect(doc.lmbs).toHaveLength(32);
    expect(doc.lmbs[12]).toMatchObject({ drcIndex: '0x8000000c', name: 'LMB 12', address: '0xc0000000', size: '0x10000000', aaIndex: 0, flags: 8, flagNames: ['ASSIGNED'], assigned: true, node: 0, blocks: [{ index: 12, state: 'online', node: 0 }] });
    expect(doc.lmbs[0]).toMatchObject({ drcIndex: '0x0', name: null, aaIndex: 0xffffffff, flags: 0xa0, assigned: false, node: null, memoryNode: { path: '/memory@0', node: 0 } });
    expect(doc.lmbs[20].blocks).toEqual([]);
    await expect(r.stdout).toMatchFileSnapshot('golden/lmbs-json-7.2-numa2-02.json');
  });

  it('--summary --json', async () => {
    const doc = JSON.parse((await runMain(main, ['lmbs', '--summary', '--json', V2F2])).stdout);
    expect(doc.lmbs).toBeUndefined();
    expect(doc.summary).toEqual([
      { node: 0, assigned: { lmbs: 2, bytes: '0x20000000' }, free: { lmbs: 0, bytes: '0x0' }, reserved: { lmbs: 0, bytes: '0x0' } },
      { node: 1, assigned: { lmbs: 4, bytes: '0x40000000' }, free: { lmbs: 0, bytes: '0x0' }, reserved: { lmbs: 0, bytes: '0x0' } },
      { node: null, assigned: { lmbs: 0, bytes: '0x0' }, free: { lmbs: 18, bytes: '0x120000000' }, reserved: { lmbs: 8, bytes: '0x80000000' } },
    ]);
    expect(doc.total.assigned).toEqual({ lmbs: 6, bytes: '0x60000000' });
  });
});

describe('drscope lmbs: legacy memory@ nodes, boot FDT', () => {
  it('a tree without a drconf node (QEMU before CAS, real DTS) lists its memory@ nodes', async () => {
    const r = await runMain(main, ['lmbs', `${S}/pseries-6.1-numa2/qemu-dumpdtb.dts`]);
    expect(r.code).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot('golden/lmbs-legacy-6.1-qemu-dumpdtb.txt');
    const doc = JSON.parse((await runMain(main, ['lmbs', `${S}/pseries-6.1-numa2/qemu-dumpdtb.dts`, '--json'])).stdout);
    expect(doc.format).toBe('legacy');
    expect(doc.lmbSize).toBeNull();
    // FORM0 (vec5 empty before CAS): primary = reference point 2 = 3; memory@40000000 has <4 0 0 0 1>
    expect(doc.numa).toMatchObject({ form: 0, primaryDomainIndex: 3 });
    expect(doc.lmbs.map((l: { origin: unknown; aaIndex: unknown; node: unknown }) => [l.origin, l.aaIndex, l.node])).toEqual([
      [{ kind: 'legacy', node: '/memory@0' }, null, 0],
      [{ kind: 'legacy', node: '/memory@40000000' }, null, 0],
    ]);
  });

  it('--boot reads sys-firmware-fdt.dtb: before any hot-add every LMB is free', async () => {
    const doc = JSON.parse((await runMain(main, ['lmbs', '--boot', V2F2, '--json'])).stdout);
    expect(doc.blockSize).toBeNull();
    expect(doc.lmbs.filter((l: { assigned: boolean }) => l.assigned)).toEqual([]);
    expect(doc.lmbs).toHaveLength(32);
    const r = await runMain(main, ['lmbs', '--boot', `${S}/pseries-6.1-numa2/qemu-dumpdtb.dts`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no boot-time FDT in this source');
  });
});

describe('drscope lmbs filters', () => {
  const drcs = async (...args: string[]) => {
    const r = await runMain(main, ['lmbs', V2F2, '--json', ...args]);
    expect(r.code).toBe(0);
    return (JSON.parse(r.stdout).lmbs as { drcIndex: string }[]).map((l) => l.drcIndex);
  };
  it('--node, --assigned, --free, --reserved', async () => {
    expect(await drcs('--node', '0')).toEqual(['0x8000000c', '0x8000000d']);
    expect(await drcs('--assigned', '--node', '1')).toEqual(['0x80000008', '0x80000009', '0x8000000a', '0x8000000b']);
    expect(await drcs('--free')).toHaveLength(18);
    expect(await drcs('--reserved')).toHaveLength(8);
    expect(await drcs('--node', 'none', '--assigned')).toEqual([]);
    expect(await drcs('--free', '--reserved')).toHaveLength(26);
  });
  it('--drc in any base', async () => {
    expect(await drcs('--drc', '0x8000000C')).toEqual(['0x8000000c']);
    expect(await drcs('--drc', String(0x8000000c))).toEqual(['0x8000000c']);
    expect(await drcs('--drc', '0o20000000014')).toEqual(['0x8000000c']);
    expect(parseDrcIndex('0b101')).toBe(5);
  });
  it('bad filter values are usage errors (exit 2)', async () => {
    const r = await runMain(main, ['lmbs', V2F2, '--drc', '8000000c']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean 0x8000000c?');
    expect((await runMain(main, ['lmbs', V2F2, '--node', 'x'])).code).toBe(2);
    expect((await runMain(main, ['lmbs', V2F2, '--drc', '0x100000000'])).code).toBe(2);
  });
  it('a DRC index no LMB has: empty table and a note on stderr', async () => {
    const r = await runMain(main, ['lmbs', V2F2, '--drc', '0x90000000']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe('drscope: no LMB has DRC index 0x90000000\n');
  });
});

describe('drscope lmbs: findings, sources, colour', () => {
  // a --root tree whose v1 property lies about its count and has a bad aa_index
  const drconf = '/r/proc/device-tree/ibm,dynamic-reconfiguration-memory';
  const badTree = () =>
    memVolume({
      '/r/proc/device-tree/#address-cells': be32(2),
      '/r/proc/device-tree/#size-cells': be32(2),
      '/r/proc/device-tree/device_type': 'chrp\0',
      '/r/proc/device-tree/chosen/ibm,architecture-vec-5': Buffer.from('19002000002000000000000000000000000000000000804040004000', 'hex').subarray(0, 27),
      '/r/proc/device-tree/rtas/ibm,associativity-reference-points': be32(1),
      [`${drconf}/ibm,lmb-size`]: be64(0x10000000n),
      [`${drconf}/ibm,associativity-lookup-arrays`]: be32(1, 1, 0),
      [`${drconf}/ibm,dynamic-memory`]: cat(be32(3), be64(0n), be32(0x80000000, 0, 0, 8), be64(0x10000000n), be32(0x80000001, 0, 7, 8)),
    });

  it('human mode: findings are one-line warnings on stderr, the LMBs still list', async () => {
    const r = await runMain(main, ['lmbs', '--root', '/r'], { fs: badTree() });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('0x'))).toHaveLength(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      'drscope: error: /ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory: count cell says 3 LMBs but the 52-byte property holds 2 complete entries (expected 76 bytes); decoded 2 (offset 0x0)',
      'drscope: error: /ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory: 1 LMB(s) have an aa_index beyond the 1 lookup array(s) (first: DRC 0x80000001); Linux gives them no node (offset 0x2c)',
    ]);
  });

  it('--json: findings inside the document, nothing on stderr', async () => {
    const r = await runMain(main, ['lmbs', '--root', '/r', '--json'], { fs: badTree() });
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.findings.map((f: { code: string }) => f.code)).toEqual(['lmb-count-mismatch', 'aa-index-out-of-range']);
    expect(doc.lmbs.map((l: { node: number | null }) => l.node)).toEqual([0, null]);
    expect(doc.blockSize).toBeNull();
    expect(doc.lmbs[0].blocks).toBeNull();
  });

  it('--source works like the positional; a missing source exits 3', async () => {
    const a = await runMain(main, ['lmbs', '--source', V2F2, '--summary']);
    const b = await runMain(main, ['lmbs', V2F2, '--summary']);
    expect(a.stdout).toBe(b.stdout);
    const m = await runMain(main, ['lmbs', 'no/such/snapshot.tar.gz']);
    expect(m.code).toBe(3);
    expect(m.stderr).toMatch(/^drscope: no\/such\/snapshot\.tar\.gz: /);
  });

  it('colour only when asked or on a TTY without NO_COLOR', async () => {
    expect((await runMain(main, ['lmbs', V2F2])).stdout).not.toContain('\x1b[');
    expect((await runMain(main, ['lmbs', V2F2], { tty: true })).stdout).not.toContain('\x1b[');
    const c = await runMain(main, ['lmbs', V2F2, '--color']);
    expect(c.stdout).toContain('\x1b[32mASSIGNED\x1b[39m');
    // colour never moves columns
    const strip = (s: string) => s.replace(/\x1b\[\d+m/g, '');
    expect(strip(c.stdout)).toBe((await runMain(main, ['lmbs', V2F2])).stdout);
  });
});

describe('option values are checked before anything is read', () => {
  it.each([
    [['lmbs', V2F2, '--node', '99999999999999999999'], 'drscope: --node 99999999999999999999: not a node number (at most 4294967295)'],
    [['lmbs', V2F2, '--node', 'one'], 'drscope: --node one: not a node number (or "none")'],
    [['show', V2F2, '/', '--limit', 'abc'], 'drscope: --limit abc: not a positive whole number'],
    [['show', V2F2, '/', '--limit', '1.5'], 'drscope: --limit 1.5: not a positive whole number'],
  ])('%j', async (argv, line) => {
    const r = await runMain(main, argv);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `${line}\nTry 'drscope --help'\n`]);
  });
  it('--node 4294967295 and --limit 3 are fine', async () => {
    expect((await runMain(main, ['lmbs', V2F2, '--node', '4294967295'])).code).toBe(0);
    expect((await runMain(main, ['show', V2F2, '/', '--limit', '3'])).code).toBe(0);
  });
});
