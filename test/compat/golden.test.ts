// Byte-for-byte comparison with the real lsslot/drmgr (powerpc-utils 1.3.13)
// on every committed golden case; the trees are built in memfs from the same
// JSON descriptions the oracle used. No oracle needed.
import { describe, expect, it } from 'vitest';
import { lsslotMain } from '../../lib/compat/lsslot/main.js';
import { drmgrMain } from '../../lib/compat/drmgr/main.js';
import { bufferWriter, type Io } from '../../lib/io.js';
import { buildTree, treeVolume } from './make-tree.js';
import { loadCases, loadDesc, loadOutput, maskTimestamps } from './golden.js';

const cases = loadCases();

async function run(c: (typeof cases)[number], prefix: string) {
  const { fs } = treeVolume(buildTree(loadDesc(c.desc) as never), prefix);
  const out = bufferWriter();
  const err = bufferWriter();
  const io: Io = { stdout: out, stderr: err, env: {}, fs, readStdin: () => new Uint8Array(), now: () => new Date('2026-01-02T03:04:05Z'), argv0: `/usr/sbin/${c.program}`, uid: 0 };
  const argv = prefix ? ['--root', prefix, ...c.args] : c.args;
  const code = c.program === 'lsslot' ? await lsslotMain(argv, io) : await drmgrMain(argv, io);
  return { fs, code, stdout: Buffer.from(out.bytes()).toString('latin1'), stderr: Buffer.from(err.bytes()).toString('latin1') };
}

describe('golden cases (real powerpc-utils 1.3.13 output)', () => {
  it('has at least 80 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
  });
  for (const c of cases) {
    it(`${c.name}: ${c.program} ${c.args.join(' ')}`, async () => {
      const want = loadOutput(c.name);
      const got = await run(c, '');
      expect(got.stdout).toBe(want.stdout);
      expect(maskTimestamps(got.stderr)).toBe(want.stderr);
      expect(got.code).toBe(want.exit);
      for (const s of want.shown) {
        let content: string | null = null;
        try {
          content = Buffer.from(got.fs.readFileSync(s.path)).toString('latin1');
        } catch {
          content = null;
        }
        expect(content === null ? null : maskTimestamps(content), s.path).toBe(s.content);
      }
    });
  }
});

describe('--root gives the same bytes as a tree at /', () => {
  for (const c of cases.filter((_, i) => i % 4 === 0)) {
    it(c.name, async () => {
      const a = await run(c, '');
      const b = await run(c, '/snap/root');
      expect(b.stdout).toBe(a.stdout);
      expect(b.stderr).toBe(a.stderr);
      expect(b.code).toBe(a.code);
    });
  }
});
