// drscope slots: the whole report (goldens made before its output was
// streamed), and the streaming itself: a large LMB table leaves in pieces
// whose concatenation is the whole-string rendering of the records.
import { describe, expect, it } from 'vitest';
import { lparLmbs, lparTree } from '../../bench/lpar-tree.js';
import { main } from '../../lib/cli.js';
import { writeDtb } from '../../lib/dt/write-dtb.js';
import { ensureNode } from '../../lib/dt/tree.js';
import type { Io } from '../../lib/io.js';
import { lmbCategory } from '../../lib/model/lmb-category.js';
import type { Lmb } from '../../lib/model/lmb.js';
import { lmbTableFromTree } from '../../lib/model/lmbs-from-tree.js';
import { formatSize, hexOf } from '../../lib/render/hex.js';
import { hex64, toJsonText } from '../../lib/render/json.js';
import { renderTable } from '../../lib/render/table.js';
import { be32, cat, str } from '../helpers/cells.js';
import { memVolume, runMain, testIo } from '../helpers/run.js';
import { buildTree, treeVolume } from '../compat/make-tree.js';
import { loadDesc } from '../compat/golden.js';

const S = 'samples';
const V2F2 = `${S}/pseries-7.2-numa2/02-after-add-dimm2-512M-node0.tar.gz`;
const V1 = `${S}/pseries-7.2-numa2-v1/02-after-add-dimm2-512M-node0.tar.gz`;
const LPM = `${S}/real-lpm-form2/00-boot.tar.gz`;

describe('drscope slots (golden)', () => {
  for (const [name, args] of [
    ['slots-7.2-numa2-02', [V2F2]],
    ['slots-mem-7.2-numa2-v1-02', [V1, '--type', 'mem']],
    ['slots-mem-cpu-phb-real-lpm-form2-00', [LPM, '--type', 'mem,cpu,phb']],
  ] as const) {
    it(name, async () => {
      const r = await runMain(main, ['slots', ...args]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      await expect(r.stdout).toMatchFileSnapshot(`golden/${name}.txt`);
      const j = await runMain(main, ['slots', ...args, '--json']);
      expect(j.code).toBe(0);
      await expect(j.stdout).toMatchFileSnapshot(`golden/${name}.json`);
    });
  }
  for (const desc of ['slots-many', 'io-slots-drc-info', 'cpu-mem-dlpar', 'hea-ports']) {
    it(`${desc} (compat tree)`, async () => {
      const { fs } = treeVolume(buildTree(loadDesc(`${desc}.json`) as never), '/snap');
      const r = await runMain(main, ['slots', '--root', '/snap'], { fs });
      expect(r.code).toBe(0);
      const j = await runMain(main, ['slots', '--root', '/snap', '--json'], { fs });
      const c = await runMain(main, ['slots', '--root', '/snap', '--color'], { fs });
      await expect(`${r.stdout}--- stderr\n${r.stderr}--- --json\n${j.stdout}--- --color\n${c.stdout}`).toMatchFileSnapshot(`golden/slots-tree-${desc}.txt`);
    });
  }
});

// the rendering slots had before it was column-wise and streamed: from the records, whole
const blocksOf = (l: Lmb) => (l.blocks ? l.blocks.map((b) => b.index) : null);
const memCells = (l: Lmb) => [hexOf(l.drcIndex), l.name ?? '-', hexOf(l.address), formatSize(l.size), lmbCategory(l), l.node === null ? '-' : String(l.node), l.aaIndex === null ? '-' : l.aaIndex === 0xffffffff ? 'none' : String(l.aaIndex), blocksOf(l)?.join(',') || '-'];
const memJson = (l: Lmb) => ({ drcIndex: hexOf(l.drcIndex), name: l.name ?? null, address: hex64(l.address), size: hex64(l.size), state: lmbCategory(l), node: l.node, aaIndex: l.aaIndex, flags: l.flags, blocks: blocksOf(l), blockIndexes: l.blockIndexes ?? null });

/** main() with every stdout write recorded */
async function chunked(argv: string[], fs: Io['fs']): Promise<{ code: number; text: string; sizes: number[]; stderr: string; log: ('stdout' | 'stderr')[] }> {
  const io = testIo({ fs });
  const sizes: number[] = [];
  const log: ('stdout' | 'stderr')[] = [];
  const { out, err } = io;
  const io2: Io = {
    ...io,
    stdout: { isTTY: false, write: (c) => (sizes.push(c.length), log.push('stdout'), out.write(c)) },
    stderr: { isTTY: false, write: (c) => (log.push('stderr'), err.write(c)) },
  };
  const code = await main(argv, io2);
  return { code, text: io.out.text(), sizes, stderr: io.err.text(), log };
}

describe('drscope slots --type mem is streamed', () => {
  // 20,000 LMBs, named by an ibm,drc-info set (computed per LMB), with some free ones
  const tree = lparTree(lparLmbs({ lmbs: 20_000, format: 'v1', freeTail: 0.1 }), 'v1');
  ensureNode(tree, '/').setProp('ibm,drc-info', cat(be32(2), str('CPU', 'CPU '), be32(0x10000000, 0, 64, 8, 0xffffffff), str('MEM', 'LMB '), be32(0x80000000, 0, 30_000, 1, 0xffffffff)));
  const fs = memVolume({ '/t.dtb': writeDtb(tree) });
  const records = lmbTableFromTree(tree);

  it('text: pieces of at most ~64 KiB whose concatenation is the whole table rendered from the records', async () => {
    const r = await chunked(['slots', '/t.dtb', '--type', 'mem'], fs);
    expect(r.code).toBe(0);
    const cols = ['DRC', 'NAME', 'ADDRESS', 'SIZE', 'STATE', 'NODE', 'AA', 'BLOCKS'].map((header) => ({ header }));
    const whole = `Memory (LMB size ${formatSize(records.lmbSize!)}, v1)\n${renderTable(cols, records.lmbs.map(memCells), { headerColor: 'bold' })}`;
    expect(r.text).toBe(whole);
    expect(r.text).toContain('0x80004e1f  LMB 19999  ');
    expect(r.sizes.length).toBeGreaterThan(10);
    expect(Math.max(...r.sizes)).toBeLessThan(80 * 1024);
  });
  it('--json: chunks of ~1 MB whose concatenation is toJsonText of the whole document', async () => {
    const r = await chunked(['slots', '/t.dtb', '--type', 'mem', '--json'], fs);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.text) as { source: unknown; lmbs: unknown[] };
    expect(doc.lmbs).toHaveLength(20_000);
    expect(r.text).toBe(toJsonText({ schemaVersion: 1, source: doc.source, lmbSize: hex64(records.lmbSize), lmbs: records.lmbs.map(memJson) }));
    expect(r.sizes.length).toBeGreaterThan(1);
    expect(Math.max(...r.sizes)).toBeLessThan(1.5 * 1024 * 1024);
  });
  it('every type together: sections in order, a blank line between them; findings on stderr before any output', async () => {
    const broken = lparTree(lparLmbs({ lmbs: 3000, format: 'v1' }), 'v1');
    // lookup arrays that end early: a finding, and LMBs without a node
    ensureNode(broken, '/ibm,dynamic-reconfiguration-memory').setProp('ibm,associativity-lookup-arrays', be32(4, 4, 0, 0, 0, 0));
    const r = await chunked(['slots', '/b.dtb'], memVolume({ '/b.dtb': writeDtb(broken) }));
    expect(r.code).toBe(0);
    expect(r.text.split('\n\n').map((s) => s.split('\n')[0])).toEqual(['Logical and virtual I/O slots', 'Hot-plug PCI slots', 'PCI host bridges', 'CPUs', 'Memory (LMB size 256 MiB, v1)', 'HEA ports']);
    expect(r.text.endsWith('\nHEA ports\nno HEA ports\n')).toBe(true);
    expect(r.stderr).toMatch(/lookup/);
    expect(r.log[0]).toBe('stderr');
    expect(r.log.lastIndexOf('stderr')).toBeLessThan(r.log.indexOf('stdout'));
  });
});
