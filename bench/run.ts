// `npm run bench`: generate large LPAR trees in a temp dir, time drscope,
// drscope-lsslot and dtc on them as child processes, print a table, delete
// the trees. Not part of the test suite (takes a few minutes, needs ~3 GB of
// free disk for the sysfs tree).
//
// Env: BENCH_REPEAT (default 3), BENCH_KEEP=1 keeps the temp dir (with the lsslot --root tree),
//      BENCH_SIZES=26214,262144 limits the lmbs sizes, BENCH_ONLY=lmbs,lsslot,diff,audit,dtc
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FsPort } from '../lib/io.js';
import { encodeLparDtb } from './dtb.js';
import { lookupArrays, lparLmbs, lparTree, type LmbFormat, type LparSpec } from './lpar-tree.js';
import { expectedLsslotMem } from './lsslot-expected.js';
import { measure, which, type Measurement } from './measure.js';
import { writeRoot, writeTreeDir } from './write-root.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const drscope = join(repo, 'bin/drscope.js');
const lsslot = join(repo, 'bin/lsslot.js');
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const only = process.env.BENCH_ONLY?.split(',');
const want = (k: string) => !only || only.includes(k);
const sizes = (process.env.BENCH_SIZES ?? '26214,32768,131072,262144').split(',').map(Number);
const nfs = fs as unknown as FsPort;

interface Row extends Measurement {
  lmbs: number;
  target?: { seconds?: number; ratio?: number; note: string };
  ratio?: number;
  cpuRatio?: number;
  check?: string;
}

const tmp = mkdtempSync(join(tmpdir(), 'drscope-bench-'));
const rows: Row[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);
const dtc = which('dtc');

function gen(spec: LparSpec, name: string, opts: { dtb?: boolean; dir?: boolean } = {}) {
  const l = lparLmbs(spec);
  const tree = lparTree(l, spec.format);
  const out: { dtb?: string; dir?: string } = {};
  if (opts.dtb !== false) {
    out.dtb = join(tmp, `${name}.dtb`);
    writeFileSync(out.dtb, encodeLparDtb(tree));
  }
  if (opts.dir) {
    out.dir = join(tmp, `${name}.d`);
    writeTreeDir(nfs, out.dir, tree);
  }
  return { l, ...out };
}

function run(label: string, lmbs: number, argv: string[], extra: Partial<Row> = {}): Row {
  log(`  ${label} ...`);
  const m = measure(label, argv, { repeat, tmp });
  const row: Row = { ...m, lmbs, ...extra };
  rows.push(row);
  if (m.exitCode !== 0 && m.exitCode !== 1) log(`    exit ${m.exitCode}: ${m.stderr ?? ''}`);
  return row;
}

try {
  log(`drscope bench: ${tmp} (repeat ${repeat}, node ${process.version}${dtc ? `, ${dtc}` : ', no dtc'}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)})`);
  const dtcRows = new Map<number, Row>();
  // the fixed cost every command pays (node start-up, loading the bundle): what the scaling ratio hides
  if (want('lmbs')) run('drscope --version (start-up only)', 0, [node, drscope, '--version']);
  // lmbs --json from DTB, v1, at every size (linearity), with dtc as the yardstick
  for (const n of sizes) {
    log(`generate v1 ${n}`);
    const g = gen({ lmbs: n, format: 'v1' }, `v1-${n}`, { dir: n === 262144 });
    if (want('dtc') && dtc) dtcRows.set(n, run(`dtc -I dtb -O dts (v1 DTB)`, n, [dtc, '-I', 'dtb', '-O', 'dts', g.dtb!]));
    if (want('lmbs')) {
      const r = run(`drscope lmbs --json (v1 DTB)`, n, [node, drscope, 'lmbs', '--json', g.dtb!], { target: n === 262144 ? { ratio: 5, note: '<= 5x dtc' } : { note: '' } });
      const d = dtcRows.get(n);
      if (d && d.exitCode === 0) {
        r.ratio = r.seconds / d.seconds;
        if (r.cpuSeconds !== undefined && d.cpuSeconds) r.cpuRatio = r.cpuSeconds / d.cpuSeconds;
      }
      if (g.dir) run(`drscope lmbs --json (v1 directory)`, n, [node, drscope, 'lmbs', '--json', g.dir]);
      // the text table too: its peak RSS counts against the same memory target
      if (n === 262144) run(`drscope lmbs, text table (v1 DTB)`, n, [node, drscope, 'lmbs', g.dtb!]);
    }
    rmSync(join(tmp, `v1-${n}.d`), { recursive: true, force: true });
  }
  if (want('lmbs')) {
    const n = 262144;
    log(`generate v2 ${n}`);
    const g = gen({ lmbs: n, format: 'v2' }, `v2-${n}`, { dir: true });
    run(`drscope lmbs --json (v2 DTB)`, n, [node, drscope, 'lmbs', '--json', g.dtb!]);
    run(`drscope lmbs --json (v2 directory)`, n, [node, drscope, 'lmbs', '--json', g.dir!]);
    rmSync(g.dir!, { recursive: true, force: true });
  }
  if (want('diff') || want('audit')) {
    const n = 262144;
    log(`generate 3 snapshots of ${n} (10% changed between neighbours)`);
    const a = gen({ lmbs: n, format: 'v1' }, 'snap-a');
    const b = gen({ lmbs: n, format: 'v1', mutate: { fraction: 0.1, seed: 1 } }, 'snap-b');
    const c = gen({ lmbs: n, format: 'v1', mutate: { fraction: 0.1, seed: 2 } }, 'snap-c');
    if (want('diff')) run(`drscope diff (2 snapshots, 10% differ)`, n, [node, drscope, 'diff', '--json', a.dtb!, b.dtb!], { target: { seconds: 1, note: '< 1 s' } });
    if (want('audit')) run(`drscope audit (3-snapshot history)`, n, [node, drscope, 'audit', '--json', a.dtb!, b.dtb!, c.dtb!]);
  }
  if (want('lsslot')) {
    const n = 131072;
    log(`generate --root with ${n} sysfs memory blocks (takes a while)`);
    const spec: LparSpec = { lmbs: n, format: 'v1', freeTail: 0, holeEvery: Number.MAX_SAFE_INTEGER };
    const l = lparLmbs(spec);
    const root = join(tmp, 'root-131072');
    const blocks = writeRoot(nfs, root, lparTree(l, 'v1'), l);
    const keep = join(tmp, 'lsslot.out');
    // Live sysfs has no dirty pages and no atime to write back. A tree just written to disk has both: the
    // first read of each file updates its atime (relatime) and writeback of ~1 GB runs during the timing.
    // Flush first and do one untimed run, so the timed runs see what lsslot costs on a steady tree.
    log(`  sync + one untimed lsslot run ...`);
    spawnSync('sync');
    measure('warm-up', [node, lsslot, '--root', root, '-c', 'mem'], { repeat: 1, tmp });
    log(`  lsslot -c mem (${blocks} blocks) ...`);
    const m = measure('drscope lsslot -c mem (sysfs)', [node, lsslot, '--root', root, '-c', 'mem'], { repeat, tmp, keepStdout: keep });
    const expected = expectedLsslotMem(l, lookupArrays(l.nodes), () => true);
    const got = fs.existsSync(keep) ? fs.readFileSync(keep, 'utf8') : '';
    rows.push({ ...m, lmbs: blocks, target: { seconds: 1.5, note: '< 1.5 s (aim 1.0)' }, check: got === expected ? 'byte-identical' : `DIFFERS (${got.length} vs ${expected.length} bytes)` });
    // BENCH_KEEP=1 keeps the --root tree too (for profiling: node --cpu-prof, strace -c)
    if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
  }
  report(rows, dtcRows);
} finally {
  if (process.env.BENCH_KEEP) log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

function report(rs: Row[], dtcRows: Map<number, Row>): void {
  const lines = [
    `| case | LMBs | wall s (median of ${repeat}) | CPU s | peak RSS MB | LMBs/s | vs dtc (wall / CPU) | target | exit | check |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |',
  ];
  for (const r of rs) {
    const rate = r.seconds > 0 ? Math.round(r.lmbs / r.seconds).toLocaleString('en-US') : '';
    let verdict = '';
    if (r.target?.seconds !== undefined) verdict = r.seconds <= r.target.seconds ? 'met' : 'MISSED';
    if (r.target?.ratio !== undefined && r.ratio !== undefined) verdict = r.ratio <= r.target.ratio ? 'met' : 'MISSED';
    if (r.rssMb !== undefined && r.rssMb > 250 && !r.label.startsWith('dtc')) verdict += ' RSS>250MB';
    lines.push(
      `| ${r.label} | ${r.lmbs.toLocaleString('en-US')} | ${r.seconds.toFixed(3)} | ${r.cpuSeconds?.toFixed(2) ?? 'n/a'} | ${r.rssMb ?? 'n/a'} | ${rate} | ${r.ratio !== undefined ? `${r.ratio.toFixed(2)}x${r.cpuRatio !== undefined ? ` / ${r.cpuRatio.toFixed(2)}x` : ''}` : ''} | ${r.target?.note ?? ''} ${verdict} | ${r.exitCode} | ${r.check ?? ''} |`,
    );
  }
  const lm = rs.filter((r) => r.label === 'drscope lmbs --json (v1 DTB)');
  const small = lm.find((r) => r.lmbs === 26214);
  const big = lm.find((r) => r.lmbs === 262144);
  if (small && big) {
    const ratio = big.seconds / small.seconds;
    lines.push('', `Scaling, lmbs --json v1 DTB: 262,144 vs 26,214 LMBs (10x): time ratio ${ratio.toFixed(2)} (10 = linear; lower means fixed start-up cost dominates the small case)`);
    const d0 = dtcRows.get(26214);
    const d1 = dtcRows.get(262144);
    if (d0 && d1) lines.push(`dtc on the same files: time ratio ${(d1.seconds / d0.seconds).toFixed(2)}`);
  }
  // linear = the same cost per LMB at every size, once the fixed start-up (the --version row) is taken off
  const startup = rs.find((r) => r.label.startsWith('drscope --version'));
  const sized = lm.filter((r) => r.exitCode === 0).sort((a, b) => a.lmbs - b.lmbs);
  if (startup && sized.length >= 2) {
    const per = sized.map((r) => `${r.lmbs.toLocaleString('en-US')}: ${(((r.seconds - startup.seconds) / r.lmbs) * 1e6).toFixed(2)} µs`);
    lines.push('', `Linearity, lmbs --json v1 DTB, wall time per LMB after start-up (${startup.seconds.toFixed(3)} s): ${per.join('; ')} (equal = linear)`);
  }
  const drs = rs.filter((r) => r.label.includes('drscope') && r.rssMb !== undefined);
  if (drs.length > 0) {
    const top = drs.reduce((a, b) => (b.rssMb! > a.rssMb! ? b : a));
    lines.push('', `Peak RSS, largest drscope row: ${top.rssMb} MB (${top.label}, ${top.lmbs.toLocaleString('en-US')}): target < 250 MB ${top.rssMb! < 250 ? 'met' : 'MISSED'}`);
  }
  lines.push('', `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (wall times are only comparable on an idle machine; CPU s is steadier)`);
  if (!dtc) lines.push('', 'dtc not installed: reference rows skipped (apt-get install device-tree-compiler)');
  process.stdout.write(`${lines.join('\n')}\n`);
  const resultsFile = join(repo, 'build', 'bench-results.json');
  fs.mkdirSync(dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify({ node: process.version, repeat, rows: rs }, null, 2));
  log(`results also in ${resultsFile}`);
}
