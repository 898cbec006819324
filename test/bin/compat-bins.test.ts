// bin/lsslot.js and bin/drmgr.js load dist/compat.bundle.mjs (the compat code
// without the drscope CLI), bin/drscope.js dist/cli.bundle.mjs: each built
// entry, run as a process, gives exactly what lsslotMain/drmgrMain give in
// process (npm test builds first).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drmgrMain } from '../../lib/compat/drmgr/main.js';
import { lsslotMain } from '../../lib/compat/lsslot/main.js';
import { runMain } from '../helpers/run.js';

const sample = join('samples', 'pseries-7.2-numa2', '02-after-add-dimm2-512M-node0.tar.gz');

function bin(name: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join('bin', name), ...args], { encoding: 'latin1' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the compat bins, built', () => {
  const cases = [
    ['lsslot.js', lsslotMain, ['-c', 'mem', '--source', sample]],
    ['lsslot.js', lsslotMain, ['-c', 'mem', '-d', '4', '--source', sample]],
    ['lsslot.js', lsslotMain, ['-x']],
    ['drmgr.js', drmgrMain, ['--source', sample, '-c', 'mem', '-r', '-q', '1']],
    ['drmgr.js', drmgrMain, ['-h']],
  ] as const;
  it.each(cases.map(([name, fn, args]) => [`${name} ${args.join(' ')}`, name, fn, args] as const))('%s: the same as in process', async (_title, name, fn, args) => {
    // messages name the program as the C tools do: argv[0], which node makes absolute
    const want = await runMain(fn, [...args], { argv0: join(process.cwd(), 'bin', name) });
    const got = bin(name, [...args]);
    expect(got).toEqual({ code: want.code, stdout: Buffer.from(want.stdoutBytes).toString('latin1'), stderr: Buffer.from(want.stderrBytes).toString('latin1') });
    expect(got.stdout.length + got.stderr.length).toBeGreaterThan(0);
  });
});
