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
// the QEMU captures: each snapshot comes with an independent NN.lmbs.txt decode
const snapshots = scenarios
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
