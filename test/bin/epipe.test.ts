// The reader of stdout going away (`drscope diff a b --json | head -c 100`):
// no EPIPE stack trace, and drscope still exits with the command's own code
// (diff: 1 = differences). The C drop-ins end at once (as SIGPIPE ends the
// originals). Runs the built bin/ entries (npm test builds first).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeLparDtb } from '../../bench/dtb.js';
import { lparLmbs, lparTree } from '../../bench/lpar-tree.js';

const dir = mkdtempSync(join(tmpdir(), 'drscope-epipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dtb = (name: string, mutate?: { fraction: number; seed: number }) => {
  const l = lparLmbs({ lmbs: 8192, format: 'v1', ...(mutate ? { mutate } : {}) });
  const file = join(dir, `${name}.dtb`);
  writeFileSync(file, encodeLparDtb(lparTree(l, 'v1')));
  return file;
};
const a = dtb('a');
const b = dtb('b', { fraction: 0.5, seed: 7 });

/** run a bin entry, close our end of its stdout after the first chunk; exit code, stderr, bytes read */
function closeEarly(bin: string, args: string[]): Promise<{ code: number | null; stderr: string; got: number }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join('bin', bin), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let got = 0;
    let stderr = '';
    p.stdout.once('data', (c: Buffer) => {
      got = c.length;
      p.stdout.destroy();
    });
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => resolve({ code, stderr, got }));
  });
}

describe('stdout closed early', () => {
  it('drscope diff --json: quiet, exit 1 (differences), not 0', async () => {
    const r = await closeEarly('drscope.js', ['diff', a, b, '--json']);
    expect(r.got).toBeGreaterThan(0);
    expect([r.code, r.stderr]).toEqual([1, '']);
  });
  it('drscope lmbs --json: quiet, exit 0', async () => {
    const r = await closeEarly('drscope.js', ['lmbs', a, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
  it('drscope diff of identical sources still exits 0', async () => {
    const r = await closeEarly('drscope.js', ['diff', a, a, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
});
