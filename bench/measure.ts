// Run one command as a child process and measure wall time and peak RSS.
// /usr/bin/time -f gives the child's own maxrss (what a user would see);
// without it we still get wall time from the parent.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface Measurement {
  label: string;
  /** median wall time, seconds */
  seconds: number;
  /** peak RSS of the slowest-memory run, MB; undefined when /usr/bin/time is absent */
  rssMb?: number;
  /** median user+sys CPU seconds (steadier than wall time on a busy machine) */
  cpuSeconds?: number;
  exitCode: number;
  stdoutBytes: number;
  /** first stderr line of the last run, when any (a failing command shows why) */
  stderr?: string;
  runs: number[];
}

const TIME = '/usr/bin/time';
export const haveTime = existsSync(TIME);

export function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

/**
 * stdout goes to a file (not a pipe into this process) so a 60 MB JSON document
 * costs the child what it would cost writing to a terminal redirect.
 */
export function measure(label: string, argv: string[], opts: { repeat: number; tmp: string; keepStdout?: string }): Measurement {
  const runs: number[] = [];
  const cpu: number[] = [];
  let rss = 0;
  let exitCode = 0;
  let stdoutBytes = 0;
  let stderr: string | undefined;
  const out = opts.keepStdout ?? join(opts.tmp, 'stdout.bin');
  const timeFile = join(opts.tmp, 'time.txt');
  for (let i = 0; i < opts.repeat; i++) {
    const cmd = haveTime ? [TIME, '-f', '%e %M %U %S', '-o', timeFile, ...argv] : argv;
    const script = `exec "$@" > ${JSON.stringify(out)}`;
    const t0 = process.hrtime.bigint();
    const r = spawnSync('sh', ['-c', script, 'sh', ...cmd], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    exitCode = r.status ?? -1;
    stderr = r.stderr.split('\n').find((l) => l.trim() !== '');
    // wall time from here (ns clock; sh + time add ~2 ms), RSS from time(1)
    if (haveTime && existsSync(timeFile)) {
      const [, m, u, sy] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ');
      if (m !== undefined) rss = Math.max(rss, Number(m) / 1024);
      if (u !== undefined && sy !== undefined) cpu.push(Number(u) + Number(sy));
      rmSync(timeFile, { force: true });
    }
    runs.push(wall);
    try {
      stdoutBytes = readFileSync(out).length;
    } catch {
      stdoutBytes = 0;
    }
  }
  const sorted = [...runs].sort((a, b) => a - b);
  const m: Measurement = { label, seconds: sorted[Math.floor(sorted.length / 2)]!, exitCode, stdoutBytes, runs };
  if (haveTime) m.rssMb = Math.round(rss * 10) / 10;
  if (cpu.length > 0) m.cpuSeconds = [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)]!;
  if (stderr !== undefined) m.stderr = stderr;
  return m;
}
