// Acceptance: every real QEMU/Linux snapshot decodes so that each assigned
// LMB's node and memory blocks equal the sysfs view captured with it, no free
// LMB has a block, and every LMB equals the independent Python decode in
// NN.lmbs.txt (base, drc, aa, flags, block, state, node).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSource } from '../../lib/dt/load.js';
import { LmbFlag } from '../../lib/model/lmb.js';
import { lmbsFromSource } from '../../lib/model/lmbs-from-tree.js';
import { testIo } from '../helpers/run.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const scenarios = readdirSync(SAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
// the QEMU captures (samples/pseries-*, copied from shared/samples): each
// snapshot comes with an independent NN.lmbs.txt decode
const snapshots = scenarios
  .filter((s) => s.startsWith('pseries-'))
  .flatMap((s) => readdirSync(join(SAMPLES, s)).filter((f) => f.endsWith('.tar.gz')).sort().map((f) => ({ scenario: s, step: f.replace(/\.tar\.gz$/, '') })))
  .filter(({ scenario, step }) => existsSync(join(SAMPLES, scenario, `${step}.lmbs.txt`)));

interface RefRow {
  base: bigint;
  drc: number;
  aa: number;
  flags: number;
  block?: { index: number; state: string; node: number };
}

function parseLmbsTxt(text: string): { format: string; rows: RefRow[] } {
  const format = /\((v1|v2)\)/.exec(text.split('\n')[0]!)![1]!;
  const rows: RefRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\d+ (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) .*\| (.*)$/.exec(line);
    if (!m) continue;
    const row: RefRow = { base: BigInt(m[1]!), drc: Number(m[2]), aa: Number(m[3]), flags: Number(m[4]) };
    const b = /^memory(\d+) (\S+) node(\d+)/.exec(m[5]!);
    if (b) row.block = { index: Number(b[1]), state: b[2]!, node: Number(b[3]) };
    rows.push(row);
  }
  return { format, rows };
}

describe('samples: LMB table agrees with the captured sysfs view', () => {
  it('finds all 14 snapshots', () => {
    expect(snapshots).toHaveLength(14);
  });

  for (const { scenario, step } of snapshots) {
    it(`${scenario}/${step}`, async () => {
      const src = await loadSource(join(SAMPLES, scenario, `${step}.tar.gz`), {}, testIo());
      const tab = lmbsFromSource(src);
      const ref = parseLmbsTxt(readFileSync(join(SAMPLES, scenario, `${step}.lmbs.txt`), 'utf8'));
      expect(tab.format).toBe(ref.format);
      expect(tab.lmbSize).toBe(0x10000000n);
      expect(tab.blockSize).toBe(0x10000000n);
      expect(tab.lmbs).toHaveLength(32);
      expect(tab.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      let assigned = 0;
      for (const [k, lmb] of tab.lmbs.entries()) {
        const r = ref.rows[k]!;
        expect([lmb.address, lmb.drcIndex, lmb.aaIndex, lmb.flags]).toEqual([r.base, r.drc, r.aa, r.flags]);
        expect(lmb.blocks!.map((b) => ({ index: b.index, state: b.state, node: b.node }))).toEqual(r.block ? [r.block] : []);
        if (lmb.assigned) {
          assigned++;
          // the NUMA node Linux computes from the DT is the node sysfs put the block on
          expect(lmb.node).not.toBeNull();
          expect(lmb.blocks).toHaveLength(1);
          expect(lmb.blocks![0]!.node).toBe(lmb.node);
          expect(lmb.blocks![0]!.state).toBe('online');
          expect(lmb.name).toBe(`LMB ${lmb.drcIndex & 0xffffff}`);
        } else if (lmb.flags & LmbFlag.RESERVED) {
          // boot RAM: its block exists, on the node of the memory@ node covering it
          expect(lmb.node).toBeNull();
          expect(lmb.memoryNode).toBeDefined();
          expect(lmb.blocks!.map((b) => b.node)).toEqual([lmb.memoryNode!.node]);
        } else {
          expect(lmb.node).toBeNull();
          expect(lmb.blocks).toEqual([]);
        }
      }
      expect(assigned).toBe(ref.rows.filter((r) => r.flags & LmbFlag.ASSIGNED).length);
    });
  }
});

// The generated LPM histories (samples/lpm-*): after a migration the DT node
// of an LMB may legitimately differ from its sysfs node, but ownership never
// does: every assigned LMB still has its online block and no free LMB has one.
const allSnapshots = scenarios.flatMap((s) => readdirSync(join(SAMPLES, s)).filter((f) => f.endsWith('.tar.gz')).sort().map((f) => ({ scenario: s, step: f.replace(/\.tar\.gz$/, '') })));

describe('samples: ownership agrees with sysfs in every snapshot (incl. LPM histories)', () => {
  for (const { scenario, step } of allSnapshots.filter((x) => x.scenario.startsWith('lpm-'))) {
    it(`${scenario}/${step}`, async () => {
      const tab = lmbsFromSource(await loadSource(join(SAMPLES, scenario, `${step}.tar.gz`), {}, testIo()));
      expect(tab.lmbs.length).toBe(32);
      expect(tab.findings.filter((f) => f.severity === 'error')).toEqual([]);
      for (const lmb of tab.lmbs) {
        if (lmb.flags & LmbFlag.RESERVED) expect(lmb.blocks!.map((b) => b.node)).toEqual([lmb.memoryNode!.node]);
        else if (lmb.assigned) expect(lmb.blocks!.map((b) => b.state)).toEqual(['online']);
        else expect(lmb.blocks).toEqual([]);
      }
    });
  }
});

// The real-kernel LPM histories (samples/real-lpm-*, scripts/real-lpm): the
// harness's own Python decoder wrote NN.lmbs.txt (drc, base, aa, flags, the
// node the DT implies, the sysfs block and its node, the v1 reserved cell).
// After the emulated LPM the DT node differs from sysfs for re-homed LMBs, so
// drscope must agree with the harness on both, independently.
interface RealRow {
  drc: number;
  base: bigint;
  aa: number;
  flags: number;
  dtNode: number | null;
  block: number | null;
  sysfsNode: number | null;
  reserved?: number;
}

function parseRealLpmTxt(text: string): { format: 'v1' | 'v2'; rows: RealRow[] } {
  const head = text.split('\n')[0]!;
  const format = / ibm,dynamic-memory-v2,/.test(head) ? 'v2' : / ibm,dynamic-memory,/.test(head) ? 'v1' : undefined;
  if (!format) throw new Error(`unrecognised lmbs.txt header: ${head}`);
  const opt = (x: string) => (x === '-' ? null : Number(x));
  const rows: RealRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('0x')) continue;
    const c = line.trim().split(/\s+/);
    const row: RealRow = {
      drc: Number(c[0]), base: BigInt(c[1]!), aa: Number(c[2]), flags: Number(c[3]),
      dtNode: opt(c[5]!), block: c[6] === '-' ? null : Number(c[6]!.replace('memory', '')), sysfsNode: opt(c[7]!),
    };
    if (c[8] !== undefined) row.reserved = Number(c[8]);
    rows.push(row);
  }
  return { format, rows };
}

const realLpm = scenarios
  .filter((s) => s.startsWith('real-lpm-'))
  .flatMap((s) => readdirSync(join(SAMPLES, s)).filter((f) => f.endsWith('.lmbs.txt')).sort().map((f) => ({ scenario: s, step: f.replace(/\.lmbs\.txt$/, '') })));

describe('samples: real-kernel LPM histories agree with the harness decode', () => {
  it('finds the real-lpm snapshots', () => {
    expect(realLpm.length).toBeGreaterThanOrEqual(16);
  });

  for (const { scenario, step } of realLpm) {
    it(`${scenario}/${step}`, async () => {
      const tab = lmbsFromSource(await loadSource(join(SAMPLES, scenario, `${step}.tar.gz`), {}, testIo()));
      const ref = parseRealLpmTxt(readFileSync(join(SAMPLES, scenario, `${step}.lmbs.txt`), 'utf8'));
      expect(tab.format).toBe(ref.format);
      expect(tab.lmbs).toHaveLength(ref.rows.length);
      for (const [k, lmb] of tab.lmbs.entries()) {
        const r = ref.rows[k]!;
        const got = {
          drc: lmb.drcIndex, base: lmb.address, aa: lmb.aaIndex, flags: lmb.flags, dtNode: lmb.node,
          block: lmb.blocks!.length ? lmb.blocks![0]!.index : null,
          sysfsNode: lmb.blocks!.length ? lmb.blocks![0]!.node : null,
          ...(r.reserved !== undefined ? { reserved: lmb.reservedCell } : {}),
        };
        expect(got, `row ${k}`).toEqual(r);
      }
    });
  }
});
