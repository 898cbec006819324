import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { parseHookScript } from '../../lib/hooks/script.js';
import { runMain, testIo } from '../helpers/run.js';
import { sampleRoot } from '../capture/sample-root.js';

const SAMPLE = 'samples/pseries-7.2-numa2/00-boot.tar.gz';
let root: string;
let tmp: string;
let fake: string;

beforeAll(async () => {
  root = await sampleRoot(SAMPLE);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'drscope-hook-'));
  // a stand-in drscope that records how the hook called it, then fails
  fake = path.join(tmp, 'fake-drscope.mjs');
  fs.writeFileSync(fake, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(path.join(tmp, 'calls.txt'))}, JSON.stringify({ argv: process.argv.slice(2), env: process.env }) + '\\n');\nconsole.log('fake ran');\nconsole.error('fake complains');\nprocess.exit(7);\n`);
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** run the installed hook the way drmgr does: no arguments, only DRC_TYPE and PHASE, stdin /dev/null */
function drmgrRunsHook(hook: string, env: Record<string, string>) {
  return spawnSync(hook, [], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

/** main() with a clock that advances one second per call */
async function runAt(argv: string[], start: number, env: Record<string, string> = {}) {
  const io = testIo({ env });
  let t = start;
  io.now = () => new Date(t++ * 1000);
  const code = await main(argv, io);
  return { code, stdout: io.out.text(), stderr: io.err.text() };
}

describe('drscope hook install / status / remove', () => {
  it('installs an executable sh hook in <root>/etc/drmgr.d/pmig that records absolute paths', async () => {
    const r = await runMain(main, ['hook', 'install', '--root', root, '--node', process.execPath, '--drscope', fake, '--keep', '3']);
    expect(r.code).toBe(0);
    const hook = path.join(root, 'etc/drmgr.d/pmig/drscope');
    expect(r.stdout).toContain(`installed ${hook}`);
    expect(fs.statSync(hook).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(root, 'var/lib/drscope')).isDirectory()).toBe(true);
    const text = fs.readFileSync(hook, 'utf8');
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(parseHookScript(text)).toEqual({ node: process.execPath, drscope: fake, spool: '/var/lib/drscope', keep: 3 });
    const again = await runMain(main, ['hook', 'install', '--root', root, '--node', process.execPath, '--drscope', fake, '--keep', '3']);
    expect(again.stdout).toMatch(/^updated /);
    const s = await runMain(main, ['hook', 'status', '--root', root, '--json']);
    expect(JSON.parse(s.stdout)).toMatchObject({ schemaVersion: 1, installed: true, node: { path: process.execPath, exists: true }, drscope: { path: fake, exists: true }, keep: 3, snapshots: 0 });
  });

  it('the hook does nothing at check/undocheck and for other DRC types, and exits 0 with silent pipes', () => {
    const hook = path.join(root, 'etc/drmgr.d/pmig/drscope');
    fs.rmSync(path.join(tmp, 'calls.txt'), { force: true });
    const envs: Record<string, string>[] = [{ DRC_TYPE: 'pmig', PHASE: 'check' }, { DRC_TYPE: 'pmig', PHASE: 'undocheck' }, { DRC_TYPE: 'cpu', PHASE: 'pre' }, {}];
    for (const env of envs) {
      const r = drmgrRunsHook(hook, env);
      expect(r.status).toBe(0);
      expect(r.stdout + r.stderr).toBe('');
    }
    expect(fs.existsSync(path.join(tmp, 'calls.txt'))).toBe(false);
  });

  it('at pre/post it calls drscope hook run by absolute path, logs its output, and still exits 0 when drscope fails', () => {
    const hook = path.join(root, 'etc/drmgr.d/pmig/drscope');
    for (const phase of ['pre', 'post']) {
      const r = drmgrRunsHook(hook, { DRC_TYPE: 'pmig', PHASE: phase });
      expect(r.status).toBe(0);
      expect(r.stdout + r.stderr).toBe('');
    }
    const calls = fs.readFileSync(path.join(tmp, 'calls.txt'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> });
    expect(calls.map((c) => c.argv)).toEqual([
      ['hook', 'run', '--phase', 'pre', '--spool', '/var/lib/drscope', '--keep', '3', '--root', root],
      ['hook', 'run', '--phase', 'post', '--spool', '/var/lib/drscope', '--keep', '3', '--root', root],
    ]);
    expect(calls[0]!.env.PATH).toBeUndefined();
    expect(fs.readFileSync(path.join(root, 'var/lib/drscope/hook.log'), 'utf8')).toBe('fake ran\nfake complains\nfake ran\nfake complains\n');
  });

  it('logs and exits 0 when the recorded drscope has disappeared', () => {
    const gone = path.join(tmp, 'gone.mjs');
    fs.copyFileSync(fake, gone);
    return runMain(main, ['hook', 'install', '--root', root, '--node', process.execPath, '--drscope', gone]).then((inst) => {
      expect(inst.code).toBe(0);
      fs.rmSync(gone);
      const hook = path.join(root, 'etc/drmgr.d/pmig/drscope');
      const r = drmgrRunsHook(hook, { DRC_TYPE: 'pmig', PHASE: 'pre' });
      expect(r.status).toBe(0);
      expect(fs.readFileSync(path.join(root, 'var/lib/drscope/hook.log'), 'utf8')).toMatch(/pre: drscope hook: .* is missing; no capture/);
    });
  });

  it('a relative --root is recorded as an absolute path, so the hook works when drmgr runs it from /', async () => {
    const io = testIo();
    io.cwd = () => path.dirname(root);
    const rel = `./${path.basename(root)}/`;
    expect(await main(['hook', 'install', '--root', rel, '--node', process.execPath, '--drscope', fake, '--keep', '3'], io)).toBe(0);
    const hook = path.join(root, 'etc/drmgr.d/pmig/drscope');
    expect(io.out.text()).toMatch(new RegExp(`^(installed|updated) ${hook}\n`));
    const text = fs.readFileSync(hook, 'utf8');
    expect(text).toContain(`--root '${root}'`);
    expect(text).toContain(`LOG='${root}/var/lib/drscope/hook.log'`);
    fs.rmSync(path.join(tmp, 'calls.txt'), { force: true });
    const r = spawnSync(hook, [], { env: { DRC_TYPE: 'pmig', PHASE: 'pre' }, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
    const calls = fs.readFileSync(path.join(tmp, 'calls.txt'), 'utf8').trim().split('\n');
    expect((JSON.parse(calls[0]!) as { argv: string[] }).argv.at(-1)).toBe(root);
    // without a way to know the current directory, a relative --root is refused
    const noCwd = await runMain(main, ['hook', 'install', '--root', 'hr2', '--node', process.execPath, '--drscope', fake]);
    expect(noCwd.code).toBe(2);
    expect(noCwd.stderr).toBe("drscope: --root hr2: must be an absolute path\nTry 'drscope --help'\n");
  });

  it('usage errors say what is wrong with --node, --drscope and --keep', async () => {
    const err = async (...a: string[]) => {
      const r = await runMain(main, ['hook', 'install', '--root', root, ...a]);
      expect(r.code).toBe(2);
      return r.stderr.split('\n')[0];
    };
    expect(await err('--node', 'node', '--drscope', fake)).toBe('drscope: --node node: must be an absolute path (the hook runs with no PATH), e.g. --node $(command -v node)');
    expect(await err('--node', process.execPath, '--drscope', 'drscope.mjs')).toBe('drscope: --drscope drscope.mjs: must be an absolute path (the hook runs from /)');
    expect(await err('--node', process.execPath, '--drscope', fake, '--keep', 'abc')).toBe('drscope: --keep abc: must be a whole number >= 1');
    expect(await err('--node', process.execPath, '--drscope', fake, '--keep', '0')).toBe('drscope: --keep 0: must be a whole number >= 1');
    expect(await err('--node', process.execPath, '--drscope', fake, '--keep', '2.5')).toBe('drscope: --keep 2.5: must be a whole number >= 1');
  });

  it('refuses relative or missing paths, and a foreign hook file', async () => {
    expect((await runMain(main, ['hook', 'install', '--root', root, '--node', 'node', '--drscope', fake])).code).toBe(2);
    const r = await runMain(main, ['hook', 'install', '--root', root, '--node', process.execPath, '--drscope', '/nonexistent/drscope.mjs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'drscope-foreign-'));
    fs.mkdirSync(path.join(other, 'etc/drmgr.d/pmig'), { recursive: true });
    fs.writeFileSync(path.join(other, 'etc/drmgr.d/pmig/drscope'), '#!/bin/sh\necho mine\n');
    expect((await runMain(main, ['hook', 'install', '--root', other, '--node', process.execPath, '--drscope', fake])).code).toBe(2);
    expect((await runMain(main, ['hook', 'remove', '--root', other])).code).toBe(2);
    expect(fs.readFileSync(path.join(other, 'etc/drmgr.d/pmig/drscope'), 'utf8')).toBe('#!/bin/sh\necho mine\n');
    fs.rmSync(other, { recursive: true });
  });

  it('remove deletes only our hook and keeps the spool', async () => {
    const r = await runMain(main, ['hook', 'remove', '--root', root]);
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(root, 'etc/drmgr.d/pmig/drscope'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'var/lib/drscope'))).toBe(true);
    expect((await runMain(main, ['hook', 'remove', '--root', root])).stdout).toMatch(/nothing to remove/);
    expect(JSON.parse((await runMain(main, ['hook', 'status', '--root', root, '--json'])).stdout)).toMatchObject({ installed: false });
  });
});

describe('drscope hook run, history', () => {
  it('captures at pre and post into the spool, keeps the last N, and history pairs them as migrations', async () => {
    const spool = path.join(root, 'var/lib/drscope');
    const t0 = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000;
    for (let i = 0; i < 3; i++) {
      for (const phase of ['pre', 'post']) {
        const r = await runAt(['hook', 'run', '--phase', phase, '--root', root, '--keep', '4'], t0 + i * 100 + (phase === 'post' ? 50 : 0), { DRC_TYPE: 'pmig' });
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`Z ${phase}: captured \\d{8}T\\d{6}Z-${phase}\\.tar\\.gz \\(\\d+ bytes, 8 memory blocks`));
      }
    }
    const archives = fs.readdirSync(spool).filter((n) => n.endsWith('.tar.gz')).sort();
    expect(archives).toEqual(['20260102T030545Z-pre.tar.gz', '20260102T030635Z-post.tar.gz', '20260102T030725Z-pre.tar.gz', '20260102T030815Z-post.tar.gz']);
    expect(fs.readdirSync(spool).filter((n) => n.endsWith('.json'))).toHaveLength(4);

    const h = await runMain(main, ['history', '--root', root, '--json']);
    const j = JSON.parse(h.stdout) as { snapshots: { phase: string; migration: number; hostname: string; memoryBlocks: number }[] };
    expect(j.snapshots.map((s) => [s.phase, s.migration])).toEqual([['pre', 1], ['post', 1], ['pre', 2], ['post', 2]]);
    expect(j.snapshots[0]).toMatchObject({ hostname: 'lpar-test', memoryBlocks: 8 });
    const text = await runMain(main, ['history', '--root', root]);
    expect(text.stdout.split('\n')[0]).toMatch(/^#\s+time\s+phase\s+host\s+blocks\s+bytes\s+file$/);
    expect(text.stdout.trim().split('\n')).toHaveLength(5);

    // every spooled capture is a normal source
    const lm = await runMain(main, ['lmbs', '--json', path.join(spool, archives[0]!)]);
    expect(lm.code).toBe(0);
    expect(JSON.parse(lm.stdout).schemaVersion).toBe(1);
  });

  it('never fails: check phases are silent no-ops, capture errors are logged with exit 0', async () => {
    expect(await runAt(['hook', 'run', '--phase', 'check', '--root', root], 1e9)).toEqual({ code: 0, stdout: '', stderr: '' });
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'drscope-empty-'));
    const r = await runAt(['hook', 'run', '--root', empty], 1e9, { DRC_TYPE: 'pmig', PHASE: 'post' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/post: capture failed: .*no device tree/);
    expect(fs.readdirSync(path.join(empty, 'var/lib/drscope'))).toEqual([]);
    fs.rmSync(empty, { recursive: true });
  });

  it('history says where it looked when the spool is empty', async () => {
    const r = await runMain(main, ['history', '--spool', '/nonexistent/spool']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no captures in \/nonexistent\/spool/);
  });
});
