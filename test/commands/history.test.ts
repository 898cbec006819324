// audit --history: the LPM hook's captures, oldest first, audited exactly as
// if they had been named on the command line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { loadSource } from '../../lib/dt/load.js';
import { runMain, testIo } from '../helpers/run.js';
import { sampleRoot } from '../capture/sample-root.js';

let root: string;
beforeAll(async () => {
  root = await sampleRoot('samples/pseries-7.2-numa2/00-boot.tar.gz');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function hookRun(phase: string, at: string) {
  const io = testIo({ env: { DRC_TYPE: 'pmig', PHASE: phase } });
  io.now = () => new Date(at);
  expect(await main(['hook', 'run', '--root', root], io)).toBe(0);
  return io.out.text();
}

describe('drscope audit --history', () => {
  it('audits the spool in time order, like naming the captures oldest first', async () => {
    expect(await hookRun('pre', '2026-03-01T10:00:00Z')).toMatch(/pre: captured 20260301T100000Z-pre\.tar\.gz/);
    // the "migration": the partition comes back with the tree of a later step
    const later = await loadSource('samples/pseries-7.2-numa2/02-after-add-dimm2-512M-node0.tar.gz', {}, testIo());
    const dt = path.join(root, 'proc/device-tree');
    fs.rmSync(dt, { recursive: true });
    const copy = (p: string, to: string) => {
      const k = later.files.kind(p);
      if (k === 'dir') {
        fs.mkdirSync(to, { recursive: true });
        for (const n of later.files.list(p) ?? []) copy(`${p}/${n}`, `${to}/${n}`);
      } else if (k === 'file') fs.writeFileSync(to, later.files.readFile(p)!);
    };
    copy('/device-tree', dt);
    expect(await hookRun('post', '2026-03-01T10:05:00Z')).toMatch(/post: captured 20260301T100500Z-post\.tar\.gz/);

    const spool = path.join(root, 'var/lib/drscope');
    const files = ['20260301T100000Z-pre.tar.gz', '20260301T100500Z-post.tar.gz'].map((n) => path.join(spool, n));
    const viaHistory = await runMain(main, ['audit', '--history', '--root', root, '--json']);
    const named = await runMain(main, ['audit', '--json', ...files]);
    expect(viaHistory.code).toBe(named.code);
    expect(viaHistory.stdout).toBe(named.stdout);
    const j = JSON.parse(viaHistory.stdout) as Record<string, unknown>;
    expect(JSON.stringify(j)).toContain('20260301T100500Z-post.tar.gz');

    // named sources come after the history (e.g. the system as it is now)
    const plus = await runMain(main, ['audit', '--history', '--root', root, '--json', files[1]!]);
    expect(plus.stdout).toBe((await runMain(main, ['audit', '--json', ...files, files[1]!])).stdout);
  });

  it('a damaged capture in the spool is left out with a warning; the rest is still audited', async () => {
    const spool = path.join(root, 'var/lib/drscope');
    const files = ['20260301T100000Z-pre.tar.gz', '20260301T100500Z-post.tar.gz'].map((n) => path.join(spool, n));
    const bad = path.join(spool, '20260301T100700Z-post.tar.gz');
    // a capture cut short (full disk during the hook)
    fs.writeFileSync(bad, fs.readFileSync(files[1]!).subarray(0, 200));
    try {
      const r = await runMain(main, ['audit', '--history', '--root', root, '--json']);
      const j = JSON.parse(r.stdout) as { findings: Array<{ code: string; severity: string; file?: string; message: string }> };
      const skipped = j.findings.filter((f) => f.code === 'history-capture-unreadable');
      expect(skipped).toHaveLength(1);
      expect(skipped[0]).toMatchObject({ severity: 'warning', file: bad });
      expect(skipped[0]!.message).toMatch(/gzip data is corrupt.*left out of the history$/);
      // the other findings are those of the two good captures
      const good = JSON.parse((await runMain(main, ['audit', '--json', ...files])).stdout) as { findings: unknown[] };
      expect(j.findings.filter((f) => f.code !== 'history-capture-unreadable')).toEqual(good.findings);
      expect(r.code).toBe(1);
      // sorted with the other findings by severity, and --ignore drops it like any code
      const rank = { error: 0, warning: 1, info: 2 } as Record<string, number>;
      const ranks = j.findings.map((f) => rank[f.severity]!);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      const ign = JSON.parse((await runMain(main, ['audit', '--history', '--root', root, '--json', '--ignore', 'history-capture-unreadable'])).stdout) as typeof j;
      expect(ign.findings.some((f) => f.code === 'history-capture-unreadable')).toBe(false);
      // named on the command line, the same file is still an error (exit 3)
      expect((await runMain(main, ['audit', bad])).code).toBe(3);
    } finally {
      fs.rmSync(bad);
    }
  });

  it('exit 3 with one line when the spool has no captures', async () => {
    const r = await runMain(main, ['audit', '--history', '--spool', '/nonexistent/spool']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^drscope: \/nonexistent\/spool: no captures here/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
