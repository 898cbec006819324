import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { be32, be64, cat, str } from '../helpers/cells.js';
import { memVolume, runMain } from '../helpers/run.js';

const S = 'samples';
const V2F2 = `${S}/pseries-7.2-numa2/02-after-add-dimm2-512M-node0.tar.gz`;
const V2F1 = `${S}/pseries-6.1-numa2/02-after-add-dimm2-512M-node0.tar.gz`;
const V1 = `${S}/pseries-7.2-numa2-v1/03-after-del-dimm1.tar.gz`;

describe('drscope show (golden)', () => {
  for (const [name, args] of [
    ['show-drconf-7.2-numa2-02', [V2F2]],
    ['show-drconf-7.2-numa2-v1-03', [V1]],
    ['show-rtas-6.1-numa2-02', [V2F1, '/rtas']],
    ['show-chosen-7.2-numa2-02', [V2F2, '/chosen']],
    ['show-memory0-6.1-numa2-02', [V2F1, '/memory@0']],
    ['show-root-7.2-numa2-02', [V2F2, '/', '--limit', '4']],
  ] as const) {
    it(name, async () => {
      const r = await runMain(main, ['show', ...args]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await expect(r.stdout).toMatchFileSnapshot(`golden/${name}.txt`);
    });
  }

  it('--json of the drconf node', async () => {
    const r = await runMain(main, ['show', V2F2, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, node: '/ibm,dynamic-reconfiguration-memory', children: [], findings: [] });
    const byName = Object.fromEntries(doc.properties.map((p: { name: string }) => [p.name, p]));
    expect(byName['ibm,lmb-size']).toMatchObject({ decoder: 'lmb-size', value: '0x10000000', length: 8, raw: '0000000010000000' });
    expect(byName['ibm,dynamic-memory-v2'].value.sets[1]).toEqual({ count: 4, base: '0x80000000', drc: 2147483656, aa: 1, flags: 8 });
    expect(byName['ibm,associativity-lookup-arrays'].value).toEqual({ count: 2, cellsPerArray: 1, arrays: [[0], [1]] });
    expect(byName['slof,from-fdt']).toMatchObject({ decoder: 'guess', value: { kind: 'cells', value: [1] } });
    await expect(r.stdout).toMatchFileSnapshot('golden/show-json-drconf-7.2-numa2-02.json');
  });

  it('one property by path', async () => {
    const r = await runMain(main, ['show', V2F2, '/ibm,dynamic-reconfiguration-memory/ibm,lmb-size']);
    expect(r.stdout).toBe('/ibm,dynamic-reconfiguration-memory/ibm,lmb-size\nibm,lmb-size  0x10000000 (256 MiB)\n');
  });

  it('a path that is neither node nor property: exit 3', async () => {
    const r = await runMain(main, ['show', V2F2, '/nope/x']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`drscope: ${V2F2}: no node or property /nope/x in this tree\n`);
  });
});

describe('drscope show: node path without a source, malformed properties', () => {
  const root = '/r/proc/device-tree';
  const fs = () =>
    memVolume({
      [`${root}/#address-cells`]: be32(2),
      [`${root}/#size-cells`]: be32(2),
      [`${root}/device_type`]: str('chrp'),
      [`${root}/rtas/name`]: str('rtas'),
      [`${root}/rtas/ibm,associativity-reference-points`]: be32(4, 2),
      [`${root}/ibm,dynamic-reconfiguration-memory/ibm,lmb-size`]: be64(0x10000000n),
      [`${root}/ibm,dynamic-reconfiguration-memory/ibm,associativity-lookup-arrays`]: be32(1, 1, 0),
      [`${root}/ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory-v2`]: cat(be32(2, 3), be64(0n), be32(0x80000000, 0, 8)),
      [`${root}/ibm,dynamic-reconfiguration-memory/ibm,drc-names`]: cat(be32(2), Buffer.from('LMB 1\0LMB 2')),
    });

  it('with --root a single positional is the node path', async () => {
    const r = await runMain(main, ['show', '--root', '/r', '/rtas'], { fs: fs() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('/rtas\nibm,associativity-reference-points  <4 2> (primary domain index: 4 for FORM1/2, 2 for FORM0)\nname                                "rtas"\n');
  });

  it('decoder issues become findings on stderr with node, property and offset; the rest still shows', async () => {
    const r = await runMain(main, ['show', '--root', '/r'], { fs: fs() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('v2: 1 set(s), 3 LMBs:');
    expect(r.stderr.trim().split('\n')).toEqual([
      'drscope: warning: /ibm,dynamic-reconfiguration-memory/ibm,drc-names: the last string is not NUL-terminated (offset 0xf)',
      'drscope: error: /ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory-v2: count cell says 2 sets but the 28-byte property holds 1 complete sets (expected 52 bytes); decoded 1 (offset 0x0)',
    ]);
    const j = JSON.parse((await runMain(main, ['show', '--root', '/r', '--json'], { fs: fs() })).stdout);
    expect(j.findings.map((f: { property: string; offset: number }) => [f.property, f.offset])).toEqual([
      ['ibm,drc-names', 15],
      ['ibm,dynamic-memory-v2', 0],
    ]);
  });
});

describe('a source and --root together are a usage error (every command taking [source])', () => {
  const DTB = 'samples/pseries-7.2-numa2/00-boot.dtb';
  it.each([
    ['lmbs', ['lmbs', '--root', '/nonexistent', DTB]],
    ['lmbs --source', ['lmbs', '--root', '/nonexistent', '--source', DTB]],
    ['show', ['show', '--root', '/nonexistent', DTB]],
    ['show with a node path', ['show', '--root', '/nonexistent', DTB, '/rtas']],
    ['slots', ['slots', '--root', '/nonexistent', DTB]],
  ])('%s', async (_n, argv) => {
    const r = await runMain(main, argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `drscope: --root /nonexistent and the source ${DTB} name two different inputs: give one (--root DIR reads a directory laid out like /, a source path reads that snapshot)\nTry 'drscope --help'\n`,
    );
  });
});

describe('usage errors are one line plus the --help hint', () => {
  it.each([
    [['frob'], 'unknown command frob; the commands are capture, hook, history, lmbs, show, diff, audit, lsslot, drmgr, slots'],
    [['lmb', 'x'], 'unknown command lmb (did you mean lmbs?); the commands are capture, hook, history, lmbs, show, diff, audit, lsslot, drmgr, slots'],
    [['--root', '/r', 'shwo'], 'unknown command shwo (did you mean show?); the commands are capture, hook, history, lmbs, show, diff, audit, lsslot, drmgr, slots'],
    [['lmbs', '--input-format', 'foo', 'x'], '--input-format foo: must be one of dir, tar, dtb, dts'],
    [['hook', 'frob'], 'unknown hook action frob (one of install, remove, status, run)'],
    [['lmbs', '--node'], '--node needs a value'],
    [['lmbs', '--bogus', 'x'], 'unknown option --bogus'],
    [['lmbs', 'x', 'y'], 'unexpected argument y'],
  ])('%j', async (argv, line) => {
    const r = await runMain(main, argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`drscope: ${line}\nTry 'drscope --help'\n`);
  });
});
