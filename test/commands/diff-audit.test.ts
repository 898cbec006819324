// drscope diff / drscope audit through the CLI: output, --json schema, exit codes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { runMain, testIo } from '../helpers/run.js';
import { diffSnapshots } from '../../lib/diff/diff.js';
import { diffJson } from '../../lib/render/diff-json.js';
import { PlainJsonArray, toJsonText } from '../../lib/render/json.js';
import { snapshotFromSource } from '../../lib/audit/snapshots.js';
import { loadSource } from '../../lib/dt/load.js';

const S = 'samples/pseries-6.1-numa2';
const L = 'samples/lpm-v2-form1-pre515';

describe('drscope diff', () => {
  it('groups runs and exits 1 on differences', async () => {
    const r = await runMain(main, ['diff', `${S}/00-boot.tar.gz`, `${S}/01-after-add-dimm1-1G-node1.tar.gz`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('LMB 80000008–8000000b: hot-added (ASSIGNED set), aa 0xffffffff → 1, node none → 1, sysfs block appeared (4 LMBs, 1 GiB)');
    expect(r.stderr).toBe('');
  });

  it('exits 0 with no differences', async () => {
    const r = await runMain(main, ['diff', `${S}/00-boot.tar.gz`, `${S}/00-boot.tar.gz`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no differences');
  });

  it('boot:SOURCE compares a capture with its own boot FDT', async () => {
    const r = await runMain(main, ['diff', `boot:${S}/02-after-add-dimm2-512M-node0.tar.gz`, `${S}/02-after-add-dimm2-512M-node0.tar.gz`, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.before.origin).toBe('boot-fdt');
    expect(j.lmbs.map((l: { drcIndex: string }) => l.drcIndex)).toEqual(['0x80000008', '0x80000009', '0x8000000a', '0x8000000b', '0x8000000c', '0x8000000d']);
  });

  it('--json lists every change with the documented schema', async () => {
    const r = await runMain(main, ['diff', `${L}/03-after-lpm.tar.gz`, `${L}/04-after-dlpar-add.tar.gz`, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.schemaVersion).toBe(1);
    expect(j.identical).toBe(false);
    expect(j.summary).toEqual({ lmbsChanged: 8, lmbEntriesAdded: 0, lmbEntriesRemoved: 0, properties: 0, drcLists: 0 });
    expect(j.lmbs[0]).toEqual({ kind: 'changed', drcIndex: '0x80000008', address: '0x80000000', size: '0x10000000', changes: [{ field: 'aaIndex', before: 2, after: 1 }] });
    expect(j.lmbs[2].changes).toEqual([
      { field: 'aaIndex', before: 0, after: 1 },
      { field: 'node', before: 0, after: 1 },
    ]);
  });

  it('lookup arrays replaced by the LPM', async () => {
    const r = await runMain(main, ['diff', `${L}/02-after-add-dimm2-512M-node0.tar.gz`, `${L}/03-after-lpm.tar.gz`]);
    expect(r.stdout).toContain('lookup arrays: 2 × 4 → 3 × 4');
    expect(r.stdout).toContain('  + [2] <0 0 2 1> (appended)');
    expect(r.stdout).toContain('  ~ [0] <0 0 0 0> → <0 0 1 0>');
  });

  it('--json is streamed as bytes (lmbs lazily, one line each), byte for byte the document toJsonText gives', async () => {
    const [b, a] = [`${L}/03-after-lpm.tar.gz`, `${L}/04-after-dlpar-add.tar.gz`];
    for (const cmd of [['diff', b, a, '--json'], ['audit', b, a, '--json']]) {
      const io = testIo();
      const kinds: string[] = [];
      const write = io.stdout.write.bind(io.stdout);
      io.stdout.write = (c) => {
        kinds.push(typeof c === 'string' ? 'string' : 'bytes');
        write(c);
      };
      await main(cmd, io);
      expect(kinds.length, cmd[0]).toBeGreaterThan(0);
      expect(new Set(kinds), cmd[0]).toEqual(new Set(['bytes']));
      expect(() => JSON.parse(io.out.text())).not.toThrow();
    }
    const sb = snapshotFromSource(await loadSource(b, {}, testIo()));
    const sa = snapshotFromSource(await loadSource(a, {}, testIo()));
    const doc = diffJson(diffSnapshots(sb, sa), sb, sa);
    expect(doc.lmbs).toBeInstanceOf(PlainJsonArray);
    const eager = { ...doc, lmbs: (doc.lmbs as PlainJsonArray<unknown>).toJSON() };
    const r = await runMain(main, ['diff', b, a, '--json']);
    expect(r.stdout).toBe(toJsonText(eager));
    expect(r.stdout).toContain('\n    {"kind":"changed","drcIndex":"0x80000008","address":"0x80000000","size":"0x10000000","changes":[');
  });

  it('exit 3 for a missing source, 2 without arguments', async () => {
    expect((await runMain(main, ['diff', 'nope.tar.gz', `${S}/00-boot.tar.gz`])).code).toBe(3);
    expect((await runMain(main, ['diff'])).code).toBe(2);
  });
});

describe('drscope audit', () => {
  it('flags the overwrite, exits 1', async () => {
    const files = ['00-boot', '01-after-add-dimm1-1G-node1', '02-after-add-dimm2-512M-node0', '03-after-lpm', '04-after-dlpar-add', '05-after-dlpar-remove'].map((f) => `${L}/${f}.tar.gz`);
    const r = await runMain(main, ['audit', ...files]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ERROR +kernel-overwrite \[certain\] +LMB 80000008–8000000d/);
    expect(r.stdout).toContain('[3] → [4]: hypervisor update: lookup-changed, lmbs-changed-without-dlpar');
  });

  it('--json: snapshots, steps, findings', async () => {
    const r = await runMain(main, ['audit', `${L}/03-after-lpm.tar.gz`, `${L}/04-after-dlpar-add.tar.gz`, '--json', '--no-boot']);
    const j = JSON.parse(r.stdout);
    expect(j.schemaVersion).toBe(1);
    expect(j.snapshots).toHaveLength(2);
    expect(j.steps[0].added).toEqual(['0x8000000e', '0x8000000f']);
    const ko = j.findings.find((f: { code: string }) => f.code === 'kernel-overwrite');
    // no boot baseline and no earlier capture: the kernel's table is not known, so "likely"
    expect(ko.confidence).toBe('likely');
    expect(ko.lmbs).toEqual(['0x80000008', '0x80000009', '0x8000000a', '0x8000000b', '0x8000000c', '0x8000000d']);
    expect(j.exitCode).toBe(1);
  });

  it('clean history exits 0; --fail-on and --ignore', async () => {
    const ok = await runMain(main, ['audit', `${S}/00-boot.tar.gz`, `${S}/03-after-del-dimm1.tar.gz`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('no findings');
    const ctl = 'samples/lpm-v2-form1-515/05-after-dlpar-remove.tar.gz';
    expect((await runMain(main, ['audit', ctl])).code).toBe(1); // node-mismatch warning
    expect((await runMain(main, ['audit', ctl, '--fail-on', 'error'])).code).toBe(0);
    expect((await runMain(main, ['audit', ctl, '--ignore', 'node-mismatch'])).code).toBe(0);
    const bad = await runMain(main, ['audit', ctl, '--ignore', 'no-such-code']);
    expect(bad.stderr).toContain('not a known finding code');
  });

  it('sources out of time order are audited sorted by capture time (said on stderr and in JSON); --keep-order keeps them', async () => {
    const R = 'samples/real-lpm-form2';
    const inOrder = ['00-boot', '01-after-lpm', '02-after-add-dimm1-512M-node0', '03-after-del-dimm1'].map((f) => `${R}/${f}.tar.gz`);
    const want = await runMain(main, ['audit', ...inOrder, '--json']);
    expect(want.stderr).toBe('');
    expect(JSON.parse(want.stdout).sourceOrder).toBeUndefined();
    const strip = (j: { findings: unknown[]; steps: unknown[]; snapshots: unknown[] }) => JSON.stringify([j.findings, j.steps, j.snapshots]);
    for (const order of [[3, 2, 1, 0], [0, 2, 1, 3]]) {
      const given = order.map((i) => inOrder[i]!);
      const r = await runMain(main, ['audit', ...given, '--json']);
      expect(r.stderr).toContain('sorted by capture time');
      const j = JSON.parse(r.stdout);
      expect(j.sourceOrder).toEqual({ sortedByCaptureTime: true, given, used: inOrder });
      expect(strip(j)).toBe(strip(JSON.parse(want.stdout)));
      const kept = JSON.parse((await runMain(main, ['audit', ...given, '--json', '--keep-order'])).stdout);
      expect(kept.sourceOrder).toBeUndefined();
      expect(kept.findings.map((f: { code: string }) => f.code)).toContain('history-order');
    }
  });

  it('--list-codes prints the catalogue', async () => {
    const r = await runMain(main, ['audit', '--list-codes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kernel-overwrite (error, history)');
  });

  it('exit 3 for a missing source', async () => {
    expect((await runMain(main, ['audit', 'missing.tar.gz'])).code).toBe(3);
  });
});

describe('"-" (stdin) and option parsing in diff and audit', () => {
  const read = (p: string) => new Uint8Array(readFileSync(p));

  it('diff reads "-" on either side', async () => {
    const a = `${S}/00-boot.tar.gz`;
    const b = `${S}/01-after-add-dimm1-1G-node1.tar.gz`;
    const want = await runMain(main, ['diff', a, b, '--json']);
    const left = await runMain(main, ['diff', '-', b, '--json'], { stdin: read(a) });
    const right = await runMain(main, ['diff', a, '-', '--json'], { stdin: read(b) });
    expect(left.code).toBe(1);
    expect(right.code).toBe(1);
    const lmbs = (r: { stdout: string }) => JSON.parse(r.stdout).lmbs;
    expect(lmbs(left)).toEqual(lmbs(want));
    expect(lmbs(right)).toEqual(lmbs(want));
    expect(JSON.parse(left.stdout).before.label).toBe('-');
  });

  it('diff - - is a usage error (stdin is read once)', async () => {
    const r = await runMain(main, ['diff', '-', '-'], { stdin: read(`${S}/00-boot.tar.gz`) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/read only once/);
  });

  it('audit keeps "-" among its sources, in place', async () => {
    const files = ['00-boot', '01-after-add-dimm1-1G-node1', '02-after-add-dimm2-512M-node0'].map((f) => `${S}/${f}.tar.gz`);
    const r = await runMain(main, ['audit', files[0]!, '-', files[2]!, '--json', '--no-boot'], { stdin: read(files[1]!) });
    const j = JSON.parse(r.stdout);
    expect(j.snapshots.map((s: { label: string }) => s.label)).toEqual([files[0], '-', files[2]]);
  });

  it('--ignore takes one code and leaves the sources after it alone', async () => {
    const files = ['00-boot', '01-after-lpm', '02-after-add-dimm1-512M-node0'].map((f) => `samples/real-lpm-form2/${f}.tar.gz`);
    const all = await runMain(main, ['audit', ...files, '--json']);
    expect(JSON.parse(all.stdout).findings.map((f: { code: string }) => f.code)).toContain('kernel-overwrite');
    for (const argv of [['--ignore', 'kernel-overwrite', ...files], ['--ignore=kernel-overwrite', ...files], [...files, '--ignore', 'node-mismatch,kernel-overwrite']]) {
      const r = await runMain(main, ['audit', ...argv, '--json']);
      expect(r.stderr).toBe('');
      const j = JSON.parse(r.stdout);
      expect(j.snapshots.filter((s: { origin: string }) => s.origin === 'tree').map((s: { label: string }) => s.label)).toEqual(files);
      expect(j.findings.map((f: { code: string }) => f.code)).not.toContain('kernel-overwrite');
    }
  });

  it('--max-runs must be a whole number >= 0', async () => {
    for (const bad of ['abc', '-1', '1.5']) {
      const r = await runMain(main, ['diff', `${S}/00-boot.tar.gz`, `${S}/01-after-add-dimm1-1G-node1.tar.gz`, `--max-runs=${bad}`]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/--max-runs/);
    }
    const ok = await runMain(main, ['diff', `${S}/00-boot.tar.gz`, `${S}/01-after-add-dimm1-1G-node1.tar.gz`, '--max-runs', '0']);
    expect(ok.code).toBe(1);
  });
});
