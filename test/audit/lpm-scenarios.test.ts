// The generated LPM histories (samples/lpm-*): audit must flag exactly the LMBs the
// generator's kernel overwrote (expected.json), and nothing on the 5.15+ controls.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditSources } from '../../lib/audit/audit.js';
import { loadSource } from '../../lib/dt/load.js';
import { testIo } from '../helpers/run.js';

interface Expected {
  scenario: string;
  kernel: string;
  overwrittenPerCapture: Array<{ to: string; overwritten: string[] }>;
}

const DIRS = readdirSync('samples').filter((d) => d.startsWith('lpm-')).sort();
const hex = (n: number) => `0x${n.toString(16)}`;

async function load(dir: string, files: string[]) {
  const io = testIo();
  return Promise.all(files.map((f) => loadSource(`samples/${dir}/${f}`, {}, io)));
}

describe('LPM scenarios', () => {
  it('there are pre-5.15 scenarios and 5.15+ controls', () => {
    expect(DIRS.filter((d) => d.endsWith('-pre515')).length).toBeGreaterThanOrEqual(4);
    expect(DIRS.filter((d) => d.endsWith('-515')).length).toBeGreaterThanOrEqual(4);
  });

  for (const dir of DIRS) {
    it(`${dir}: kernel-overwrite findings match expected.json`, async () => {
      const exp = JSON.parse(readFileSync(`samples/${dir}/expected.json`, 'utf8')) as Expected;
      const files = readdirSync(`samples/${dir}`).filter((f) => f.endsWith('.tar.gz')).sort();
      const r = auditSources(await load(dir, files));
      const got = new Map<string, string[]>();
      for (const f of r.findings.filter((x) => x.code === 'kernel-overwrite')) {
        const to = String(f.evidence?.to).split('/').pop()!;
        got.set(to, [...(got.get(to) ?? []), ...(f.lmbs ?? []).map(hex)].sort());
      }
      const want = new Map(exp.overwrittenPerCapture.filter((e) => e.overwritten.length).map((e) => [e.to, [...e.overwritten].sort()]));
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
      if (exp.kernel === '5.15+') expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
      // same-interval histories can only be "possible"; separate captures give "certain"
      for (const f of r.findings.filter((x) => x.code === 'kernel-overwrite')) expect(f.confidence).toBe(dir.includes('same-interval') || dir.includes('boot-dimms') ? 'possible' : 'certain');
    });
  }

  it('a single post-LPM capture audits against its own boot FDT', async () => {
    const [pre] = await load('lpm-v2-form1-boot-dimms-pre515', ['01-after-lpm-and-dlpar.tar.gz']);
    const r = auditSources([pre!]);
    expect(r.snapshots.map((s) => s.origin)).toEqual(['boot-fdt', 'tree']);
    const f = r.findings.filter((x) => x.code === 'kernel-overwrite');
    expect(f).toHaveLength(1);
    expect(f[0]!.lmbs!.map(hex)).toEqual(['0x80000008', '0x80000009', '0x8000000a', '0x8000000b', '0x8000000c', '0x8000000d']);
    const [ctl] = await load('lpm-v2-form1-boot-dimms-515', ['01-after-lpm-and-dlpar.tar.gz']);
    expect(auditSources([ctl!]).findings.map((x) => x.code)).not.toContain('kernel-overwrite');
  });
});
