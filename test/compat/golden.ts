// Golden cases: JSON tree descriptions (oracle format) plus the real
// powerpc-utils 1.3.13 outputs, committed as data under test/compat/golden/.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');

export interface GoldenCase {
  name: string;
  program: 'lsslot' | 'drmgr';
  desc: string;
  args: string[];
}

export interface GoldenOutput {
  stdout: string;
  stderr: string;
  /** the --show frames (e.g. /sys/kernel/dlpar) appended to stderr by the oracle, in order */
  shown: { path: string; content: string | null }[];
  exit: number;
}

export function loadCases(): GoldenCase[] {
  const text = readFileSync(join(GOLDEN_DIR, 'cases.txt'), 'utf8');
  const out: GoldenCase[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [name, program, desc, args] = line.split('|').map((s) => s.trim());
    // arguments split on whitespace (no quoting); the one token '' stands for an empty argument
    out.push({ name: name!, program: program as GoldenCase['program'], desc: desc!, args: args ? args.split(/\s+/).map((a) => (a === "''" ? '' : a)) : [] });
  }
  return out;
}

export function loadDesc(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, 'desc', file), 'utf8')) as Record<string, unknown>;
}

/** parse the oracle's golden file format (see /work/shared/oracle/README.md) */
export function loadOutput(name: string): GoldenOutput {
  const text = readFileSync(join(GOLDEN_DIR, 'out', `${name}.txt`), 'latin1');
  const so = text.indexOf('\n[stdout]\n');
  const se = text.indexOf('\n[stderr]\n', so);
  const ex = text.lastIndexOf('[exit status] ');
  if (so < 0 || se < 0 || ex < 0) throw new Error(`${name}: not a golden file`);
  const stdout = text.slice(so + 10, se + 1);
  let stderr = text.slice(se + 10, ex);
  const shown: GoldenOutput['shown'] = [];
  const frame = /----- (\/[^\n]*) -----\n/;
  let m = frame.exec(stderr);
  if (m) {
    const rest = stderr.slice(m.index);
    stderr = stderr.slice(0, m.index);
    const re = /----- (\/[^\n]*) -----\n([\s\S]*?)----- end \1 -----\n/g;
    let f;
    while ((f = re.exec(rest))) {
      const body = f[2]!;
      shown.push({ path: f[1]!, content: body === '(absent)\n' ? null : body.slice(0, -1) });
    }
    m = null;
  }
  return { stdout, stderr, shown, exit: Number(text.slice(ex + 14).trim()) };
}

/** drmgr's "########## <date> ##########" separators carry the time: masked like run-examples.sh does */
export function maskTimestamps(s: string): string {
  return s.replace(/^########## .* ##########$/gm, '########## <timestamp> ##########');
}
