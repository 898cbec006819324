import { describe, expect, it } from 'vitest';
import { fsFileView } from '../../lib/dt/file-view.js';
import { lmbColumnsFromTree, lmbTableFromTree } from '../../lib/model/lmbs-from-tree.js';
import { be32 } from '../helpers/cells.js';
import { memVolume } from '../helpers/run.js';
import { MB256, memoryNode, pseriesTree, v1Entry, v2Set } from './tree-builder.js';

const FORM1 = { form: 1 as const, refPoints: [4, 3, 2, 1], lookup: [2, 4, 0, 0, 0, 0, 0, 0, 0, 1], maxDomains: [4, 2, 2, 2, 2] };

describe('lmbTableFromTree: NUMA node like Linux', () => {
  it('FORM1: entry[primary-1] of the lookup array; AI_INVALID, 0xffffffff and aa >= A give no node', () => {
    const t = pseriesTree({
      ...FORM1,
      v1: [
        v1Entry(0n, 0, 0xffffffff, 0xa0),
        v1Entry(MB256, 0x80000001, 1, 0x8),
        v1Entry(2n * MB256, 0x80000002, 0, 0x8),
        v1Entry(3n * MB256, 0x80000003, 1, 0x48),
        v1Entry(4n * MB256, 0x80000004, 2, 0x8),
        v1Entry(5n * MB256, 0x80000005, 0xffffffff, 0),
      ],
    });
    const tab = lmbTableFromTree(t);
    expect(tab.format).toBe('v1');
    expect(tab.numa).toMatchObject({ form: 1, primaryDomainIndex: 4, nrNodeIds: 2, nrNodeIdsSource: 'max-associativity-domains' });
    expect(tab.lmbs.map((l) => l.node)).toEqual([null, 1, 0, null, null, null]);
    expect(tab.lmbs[1]!.associativity).toEqual([0, 0, 0, 1]);
    expect(tab.lmbs[3]!.associativity).toBeUndefined();
    expect(tab.lmbs.map((l) => l.assigned)).toEqual([false, true, true, true, true, false]);
    expect(tab.lmbs[0]!.flagNames).toEqual(['DRC_INVALID', 'RESERVED']);
    expect(tab.lmbs[1]!.origin).toEqual({ kind: 'v1', entry: 1 });
    const bad = tab.findings.find((f) => f.code === 'aa-index-out-of-range')!;
    expect(bad).toMatchObject({ node: '/ibm,dynamic-reconfiguration-memory', property: 'ibm,dynamic-memory', offset: 4 + 24 * 4 + 16, lmbs: [0x80000004], severity: 'error' });
  });

  it('FORM0 uses reference point 2 as primary domain index', () => {
    const t = pseriesTree({ refPoints: [4, 2], lookup: [2, 4, 0, 5, 0, 0, 0, 1, 0, 0], v1: [v1Entry(0n, 0x80000000, 0, 8), v1Entry(MB256, 0x80000001, 1, 8)] });
    const tab = lmbTableFromTree(t);
    expect(tab.numa.form).toBe(0);
    expect(tab.numa.primaryDomainIndex).toBe(2);
    // nrNodeIds unknown -> MAX_NUMNODES bound
    expect(tab.numa.nrNodeIds).toBeNull();
    expect(tab.lmbs.map((l) => l.node)).toEqual([5, 1]);
  });

  it('FORM2 with vec5 FORM1+FORM2: FORM2 wins, primary = ref point 1', () => {
    const t = pseriesTree({ form: 2, refPoints: [1], lookup: [2, 1, 0, 1], maxDomains: [1, 2], v2: [v2Set(2, 0n, 0, 0xffffffff, 0xa0), v2Set(2, 2n * MB256, 0x80000002, 1, 8)] });
    const tab = lmbTableFromTree(t);
    expect(tab.numa).toMatchObject({ form: 2, primaryDomainIndex: 1, nrNodeIds: 2 });
    expect(tab.lmbs.map((l) => l.node)).toEqual([null, null, 1, 1]);
    expect(tab.lmbs[3]!.origin).toEqual({ kind: 'v2', set: 1, position: 1 });
    expect(tab.lmbs[3]!.drcIndex).toBe(0x80000003);
  });

  it('nid 0xffff and nid >= nr_node_ids give no node', () => {
    const t = pseriesTree({ form: 2, refPoints: [1], lookup: [3, 1, 0, 0xffff, 2], maxDomains: [1, 2], v1: [0, 1, 2].map((i) => v1Entry(BigInt(i) * MB256, 0x80000000 + i, i, 8)) });
    expect(lmbTableFromTree(t).lmbs.map((l) => l.node)).toEqual([0, null, null]);
  });

  it('primary index beyond the array cells, no reference points, short lookup arrays: no node, with a finding', () => {
    const base = { v1: [v1Entry(0n, 0x80000000, 0, 8)] };
    const a = lmbTableFromTree(pseriesTree({ ...base, form: 1, refPoints: [4], lookup: [1, 2, 0, 1] }));
    expect(a.lmbs[0]!.node).toBeNull();
    expect(a.findings.map((f) => f.code)).toContain('primary-domain-out-of-range');
    const b = lmbTableFromTree(pseriesTree({ ...base, form: 1, lookup: [1, 1, 0] }));
    expect(b.numa.primaryDomainIndex).toBeNull();
    expect(b.lmbs[0]!.node).toBeNull();
    const c = lmbTableFromTree(pseriesTree({ ...base, form: 2, refPoints: [1], lookup: [2, 1, 0] }));
    expect(c.lmbs[0]!.node).toBeNull();
    expect(c.findings.find((f) => f.code === 'lookup-arrays-short')).toMatchObject({ property: 'ibm,associativity-lookup-arrays', offset: 0 });
  });

  it('no reference points anywhere: NUMA off, said as a numa-off info (like a missing vec5)', () => {
    const base = { v1: [v1Entry(0n, 0x80000000, 0, 8)], form: 1 as const, lookup: [1, 4, 0, 0, 0, 0] };
    for (const build of [lmbTableFromTree, lmbColumnsFromTree]) {
      const t = build(pseriesTree(base));
      expect(t.findings.filter((f) => f.code === 'numa-off').map((f) => [f.severity, f.property])).toEqual([['info', 'ibm,associativity-reference-points']]);
      const ok = build(pseriesTree({ ...base, refPoints: [4, 3, 2, 1] }));
      expect(ok.findings.map((f) => f.code)).not.toContain('numa-off');
    }
  });

  it('a memory@ node beside the drconf node with a bad reg is a finding of the table', () => {
    for (const build of [lmbTableFromTree, lmbColumnsFromTree]) {
      const t = pseriesTree({ ...FORM1, v1: [v1Entry(MB256, 0x80000001, 1, 0x8)] });
      memoryNode(t, 0n, MB256);
      expect(build(t).findings.map((f) => f.code)).not.toContain('entry-truncated');
      t.root.child('memory@0')!.setProp('reg', new Uint8Array([0, 0, 1]));
      expect(build(t).findings.filter((f) => f.node === '/memory@0').map((f) => [f.code, f.property])).toEqual([['entry-truncated', 'reg']]);
    }
  });

  it('numa=off on the command line', () => {
    const t = pseriesTree({ ...FORM1, v1: [v1Entry(MB256, 0x80000001, 1, 0x8)] });
    t.root.child('chosen')!.setProp('bootargs', Buffer.from('root=/dev/sda numa=off\0'));
    expect(lmbTableFromTree(t).lmbs[0]!.node).toBeNull();
  });
});

describe('lmbTableFromTree: formats, names, findings', () => {
  it('v1 preferred over v2 with a finding', () => {
    const t = pseriesTree({ ...FORM1, v1: [v1Entry(0n, 0x80000000, 1, 8)], v2: [v2Set(1, 0n, 0x80000000, 0, 8)] });
    const tab = lmbTableFromTree(t);
    expect(tab.format).toBe('v1');
    expect(tab.bothFormats).toBe(true);
    expect(tab.lmbs[0]!.node).toBe(1);
    expect(tab.findings.map((f) => f.code)).toContain('both-dynamic-memory-formats');
  });

  it('DRC names from the root lists, not for DRC_INVALID LMBs', () => {
    const t = pseriesTree({ ...FORM1, v2: [v2Set(2, 0n, 0, 0xffffffff, 0xa0), v2Set(2, 2n * MB256, 0x80000002, 0xffffffff, 0)], drc: [0, 1, 2, 3].map((i) => ({ index: i < 2 ? i : 0x80000000 + i, name: `LMB ${i}` })) });
    const tab = lmbTableFromTree(t);
    expect(tab.lmbs.map((l) => l.name)).toEqual([undefined, undefined, 'LMB 2', 'LMB 3']);
  });

  it('a malformed entry is a finding and every other LMB still decodes', () => {
    const t = pseriesTree({ ...FORM1, v1: [v1Entry(0n, 0x80000000, 1, 8), v1Entry(MB256, 0x80000001, 0, 8)] });
    const d = t.root.child('ibm,dynamic-reconfiguration-memory')!;
    const full = d.prop('ibm,dynamic-memory')!;
    const bytes = new Uint8Array(full.length + 24 - 6);
    bytes.set(full);
    new DataView(bytes.buffer).setUint32(0, 3);
    d.setProp('ibm,dynamic-memory', bytes);
    const tab = lmbTableFromTree(t);
    expect(tab.lmbs.map((l) => l.node)).toEqual([1, 0]);
    expect(tab.findings.filter((f) => f.property === 'ibm,dynamic-memory').map((f) => [f.code, f.offset])).toEqual([
      ['lmb-count-mismatch', 0],
      ['entry-truncated', 52],
    ]);
  });

  it('unknown flag bits are reported once per value', () => {
    const t = pseriesTree({ ...FORM1, v1: [v1Entry(0n, 0x80000000, 1, 0x1008), v1Entry(MB256, 0x80000001, 1, 0x1008)] });
    const tab = lmbTableFromTree(t);
    expect(tab.lmbs[0]!.unknownFlags).toBe(0x1000);
    const f = tab.findings.filter((x) => x.code === 'unknown-lmb-flags');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ lmbs: [0x80000000, 0x80000001], offset: 4 + 20 });
  });

  it('no dynamic-memory property: format none with a finding', () => {
    const tab = lmbTableFromTree(pseriesTree({ ...FORM1 }));
    expect(tab.format).toBe('none');
    expect(tab.lmbs).toEqual([]);
    expect(tab.findings.map((f) => f.code)).toContain('dynamic-memory-missing');
  });

  it('legacy memory@ nodes become LMBs (node from ibm,associativity with its length cell)', () => {
    const t = pseriesTree({ ...FORM1 });
    t.root.children.delete('ibm,dynamic-reconfiguration-memory');
    memoryNode(t, MB256, MB256, [0, 0, 0, 1], 0x80000001);
    memoryNode(t, 0n, MB256, [0, 0, 0, 0]);
    const tab = lmbTableFromTree(t);
    expect(tab.format).toBe('legacy');
    expect(tab.lmbSize).toBeNull();
    expect(tab.lmbs.map((l) => [l.address, l.drcIndex, l.node, l.flagNames, l.origin])).toEqual([
      [0n, 0, 0, ['ASSIGNED', 'DRC_INVALID'], { kind: 'legacy', node: '/memory@0' }],
      [MB256, 0x80000001, 1, ['ASSIGNED'], { kind: 'legacy', node: '/memory@10000000' }],
    ]);
  });

  it('RESERVED boot LMBs point at the memory@ node that covers them', () => {
    const t = pseriesTree({ ...FORM1, v2: [v2Set(2, 0n, 0, 0xffffffff, 0xa0), v2Set(1, 2n * MB256, 0x80000002, 0xffffffff, 0)] });
    memoryNode(t, 0n, MB256, [0, 0, 0, 0]);
    memoryNode(t, MB256, MB256, [0, 0, 0, 1]);
    const tab = lmbTableFromTree(t);
    expect(tab.lmbs.map((l) => l.memoryNode)).toEqual([{ path: '/memory@0', node: 0 }, { path: '/memory@10000000', node: 1 }, undefined]);
  });
});

describe('lmbTableFromTree: sysfs memory blocks', () => {
  const sys = '/sys/devices/system';
  function volume(bs: string, blocks: Record<number, { state: string; node: number }>, style: 'links' | 'text' | 'per-block' = 'links') {
    const files: Record<string, string | null> = { [`${sys}/memory/block_size_bytes`]: `${bs}\n`, [`${sys}/node/possible`]: '0-1\n' };
    for (const [i, b] of Object.entries(blocks)) {
      files[`${sys}/memory/memory${i}/state`] = `${b.state}\n`;
      files[`${sys}/memory/memory${i}/removable`] = '1\n';
      files[`${sys}/memory/memory${i}/valid_zones`] = 'Normal\n';
      if (style === 'per-block') files[`${sys}/memory/memory${i}/node-links`] = `node${b.node}\n`;
    }
    for (const n of [0, 1]) {
      files[`${sys}/node/node${n}/cpulist`] = '\n';
      if (style === 'text') files[`${sys}/node/node${n}/memory-links`] = Object.entries(blocks).filter(([, b]) => b.node === n).map(([i]) => `memory${i}\n`).join('');
    }
    const fs = memVolume(files);
    if (style === 'links') for (const [i, b] of Object.entries(blocks)) fs.symlinkSync(`../../memory/memory${i}`, `${sys}/node/node${b.node}/memory${i}`);
    return fsFileView(fs, '');
  }
  const tree = () => pseriesTree({ ...FORM1, v1: [v1Entry(0n, 0, 0xffffffff, 0xa0), v1Entry(MB256, 0x80000001, 1, 8), v1Entry(2n * MB256, 0x80000002, 0xffffffff, 0)] });

  for (const style of ['links', 'text', 'per-block'] as const) {
    it(`block = address / block_size_bytes; node from ${style}`, () => {
      const tab = lmbTableFromTree(tree(), volume('10000000', { 0: { state: 'online', node: 0 }, 1: { state: 'online', node: 1 } }, style));
      expect(tab.blockSize).toBe(MB256);
      expect(tab.numa.nrNodeIdsSource).toBe('sysfs');
      expect(tab.lmbs.map((l) => l.blockIndexes)).toEqual([[0], [1], [2]]);
      expect(tab.lmbs.map((l) => l.blocks)).toEqual([[{ index: 0, node: 0, state: 'online' }], [{ index: 1, node: 1, state: 'online' }], []]);
    });
  }

  it('full detail reads removable and valid_zones', () => {
    const tab = lmbTableFromTree(tree(), volume('10000000', { 1: { state: 'offline', node: 1 } }), { detail: 'full' });
    expect(tab.lmbs[1]!.blocks).toEqual([{ index: 1, node: 1, state: 'offline', removable: true, validZones: 'Normal' }]);
  });

  it('block size smaller than the LMB: one LMB spans several blocks', () => {
    const tab = lmbTableFromTree(tree(), volume('8000000', { 2: { state: 'online', node: 1 }, 3: { state: 'online', node: 1 } }));
    expect(tab.lmbs[1]!.blockIndexes).toEqual([2, 3]);
    expect(tab.lmbs[1]!.blocks!.map((b) => b.index)).toEqual([2, 3]);
  });

  it('block size larger than the LMB: LMBs share a block', () => {
    const tab = lmbTableFromTree(tree(), volume('20000000', { 0: { state: 'online', node: 0 } }));
    expect(tab.lmbs.map((l) => l.blockIndexes)).toEqual([[0], [0], [1]]);
    expect(tab.lmbs[0]!.blocks![0]).toBe(tab.lmbs[1]!.blocks![0]);
  });

  it('garbled block_size_bytes: no blocks, a finding', () => {
    const tab = lmbTableFromTree(tree(), volume('zz', { 1: { state: 'online', node: 1 } }));
    expect(tab.blockSize).toBeNull();
    expect(tab.lmbs[1]!.blocks).toBeUndefined();
    expect(tab.findings.map((f) => f.code)).toContain('block-size-unknown');
  });

  it('no /sys at all: blocks undefined', () => {
    const tab = lmbTableFromTree(tree(), fsFileView(memVolume({ '/proc/cmdline': 'quiet\n' }), ''));
    expect(tab.blockSize).toBeNull();
    expect(tab.lmbs[1]!.blocks).toBeUndefined();
    void be32;
  });
});
