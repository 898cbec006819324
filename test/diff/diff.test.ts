// The semantic diff: real DLPAR histories diff exactly as they happened; synthetic
// trees cover matching (DRC index, DRC_INVALID by address, v1 <-> v2), every LMB
// field, lookup arrays, DRC lists and the generic property diff.
import { describe, expect, it } from 'vitest';
import { diffIsEmpty, diffSnapshots } from '../../lib/diff/diff.js';
import { groupRuns } from '../../lib/diff/lmb-diff.js';
import { snapshotFromSource } from '../../lib/audit/snapshots.js';
import { loadSource } from '../../lib/dt/load.js';
import { showValue } from '../../lib/diff/tree-diff.js';
import { renderDiffText } from '../../lib/render/diff-text.js';
import { lmbColumnsFromTree } from '../../lib/model/lmbs-from-tree.js';
import { testIo } from '../helpers/run.js';
import { be32, cat, str } from '../helpers/cells.js';
import { D, run, snap, type SynLmb } from '../audit/helpers.js';

const NONE = 0xffffffff;
const load = async (p: string) => snapshotFromSource(await loadSource(p, {}, testIo()));
const summary = (r: ReturnType<typeof diffSnapshots>) =>
  groupRuns(r.lmbs).map((g) => `${g.first.kind} ${g.first.drcIndex.toString(16)}-${g.last.drcIndex.toString(16)}: ${g.first.changes.map((c) => `${c.field}${c.flag ? `:${c.flag}` : ''}=${String(c.before)}>${String(c.after)}`).join(',')}`);

describe('real DLPAR histories', () => {
  for (const dir of ['samples/pseries-7.2-numa2', 'samples/pseries-6.1-numa2', 'samples/pseries-7.2-numa2-v1']) {
    it(`${dir}: add 1G on node 1, add 512M on node 0, remove the 1G`, async () => {
      const s = await Promise.all(['00-boot', '01-after-add-dimm1-1G-node1', '02-after-add-dimm2-512M-node0', '03-after-del-dimm1'].map((n) => load(`${dir}/${n}.tar.gz`)));
      const d01 = diffSnapshots(s[0]!, s[1]!);
      expect(summary(d01)).toEqual(['changed 80000008-8000000b: assigned=false>true,aaIndex=4294967295>1,node=null>1,sysfsBlock=false>true']);
      expect(d01.properties).toEqual([]);
      expect(d01.numa).toEqual({});
      expect(summary(diffSnapshots(s[1]!, s[2]!))).toEqual(['changed 8000000c-8000000d: assigned=false>true,aaIndex=4294967295>0,node=null>0,sysfsBlock=false>true']);
      expect(summary(diffSnapshots(s[2]!, s[3]!))).toEqual(['changed 80000008-8000000b: assigned=true>false,aaIndex=1>4294967295,node=1>null,sysfsBlock=true>false']);
      const same = diffSnapshots(s[3]!, s[3]!);
      expect(diffIsEmpty(same)).toBe(true);
    });
  }

  it('v2 and v1 captures of the same state differ only in format (and the vec5 bit / phandles)', async () => {
    const a = await load('samples/pseries-7.2-numa2/03-after-del-dimm1.tar.gz');
    const b = await load('samples/pseries-7.2-numa2-v1/03-after-del-dimm1.tar.gz');
    const r = diffSnapshots(a, b);
    expect(r.format).toEqual({ before: 'v2', after: 'v1' });
    // the DRC_INVALID boot LMBs (drc 0..7 expanded in v2, drc 0 x8 in v1) pair by address
    expect(r.lmbs).toEqual([]);
    expect(r.properties.map((p) => `${p.node}:${p.property}`)).toContain('/chosen:ibm,architecture-vec-5');
  });
});

describe('synthetic', () => {
  const A0 = [[0], [1]];
  const base: SynLmb[] = [...run(0, 2, NONE, 0xa0), ...run(2, 4, 1, 8), ...run(6, 6, NONE, 0)];

  it('matches by DRC index, not position: a shifted table reports address changes', () => {
    const moved = base.map((l) => (l.drc === D(3) ? { ...l, base: 0x100000000n } : l));
    const r = diffSnapshots(snap({ label: 'a', lmbs: base, arrays: A0, format: 'v1' }), snap({ label: 'b', lmbs: moved, arrays: A0, format: 'v1' }));
    expect(r.lmbs).toHaveLength(1);
    expect(r.lmbs[0]!.changes).toEqual([{ field: 'address', before: 0x30000000n, after: 0x100000000n }]);
  });

  it('only DRC_INVALID LMBs pair by address: a real DRC index renumbered is an entry gone and a new one', () => {
    const renum = base.map((l) => (l.drc === D(3) || l.drc === D(4) ? { ...l, drc: l.drc + 0x10000000, base: BigInt(l.drc - D(0)) * 0x10000000n } : l));
    const r = diffSnapshots(snap({ label: 'a', lmbs: base, arrays: A0, format: 'v1' }), snap({ label: 'b', lmbs: renum, arrays: A0, format: 'v1' }));
    expect(summary(r)).toEqual(['added 90000003-90000004: ', 'removed 80000003-80000004: ']);
    // the hypervisor turning a connector into DRC_INVALID boot RAM (drc 0) pairs by address
    const inval = base.map((l) => (l.drc === D(10) ? { ...l, drc: 0, flags: 0x20, base: 10n * 0x10000000n } : l));
    const r2 = diffSnapshots(snap({ label: 'a', lmbs: base, arrays: A0, format: 'v1' }), snap({ label: 'b', lmbs: inval, arrays: A0, format: 'v1' }));
    expect(summary(r2)).toEqual(['changed 0-0: drcIndex=2147483658>0,flag:DRC_INVALID=false>true']);
  });

  it('human runs: an LMB size change, DRC_INVALID boot RAM by address, a DRC renumbering to one index', () => {
    // v1 boot RAM: drc 0 repeated, DRC_INVALID
    const v1 = (flagsOf: (i: number) => number, drcOf: (i: number) => number): SynLmb[] =>
      Array.from({ length: 12 }, (_, i) => ({ drc: drcOf(i), aa: i < 2 ? NONE : 1, flags: flagsOf(i), base: BigInt(i) * 0x10000000n }));
    const a = v1((i) => (i < 2 ? 0xa0 : 8), (i) => (i < 2 ? 0 : D(i)));
    const text = (x: SynLmb[], y: SynLmb[], yExtra: (s: ReturnType<typeof snap>) => void = () => {}) => {
      const sa = snap({ label: 'a', lmbs: x, arrays: A0, format: 'v1' });
      const sb = snap({ label: 'b', lmbs: y, arrays: A0, format: 'v1' });
      yExtra(sb);
      const r = diffSnapshots(sa, sb);
      return renderDiffText(r, sa, sb, { color: false }).split('\n').filter((l) => l.startsWith('  LMB'));
    };
    // boot RAM losing RESERVED: by address, one line
    expect(text(a, a.map((l, i) => (i < 2 ? { ...l, flags: 0x20 } : l)))).toEqual(['  LMB @0x0–0x1fffffff: -RESERVED (2 LMBs, 512 MiB)']);
    // real connectors turned into DRC_INVALID drc 0 (and back): one line each way
    const inval = a.map((l, i) => (i >= 8 ? { ...l, drc: 0, flags: 0x28 } : l));
    expect(text(a, inval)).toEqual(['  LMB @0x80000000–0xbfffffff: DRC 80000008–8000000b → 00000000, +DRC_INVALID (4 LMBs, 1 GiB)']);
    expect(text(inval, a)).toEqual(['  LMB 80000008–8000000b: DRC 00000000 → 80000008–8000000b, -DRC_INVALID (4 LMBs, 1 GiB)']);
    // the LMB size doubled (addresses unchanged): runs by the old spacing
    const size = text(a, a, (sb) => {
      sb.tree.root.children.get('ibm,dynamic-reconfiguration-memory')!.setProp('ibm,lmb-size', be32(0, 0x20000000));
      sb.table = lmbColumnsFromTree(sb.tree);
    });
    expect(size).toEqual(['  LMB @0x0–0x2fffffff: size 256 MiB → 512 MiB (2 LMBs, 1 GiB)', '  LMB 80000002–8000000b: size 256 MiB → 512 MiB (10 LMBs, 5 GiB)']);
  });

  it('the LMB property re-encoded with the same LMBs is a difference: v1 reserved cells, count cell, v2 sets split or empty', () => {
    const v1 = snap({ label: 'a', lmbs: base, arrays: A0, format: 'v1' });
    const res = snap({ label: 'b', lmbs: base.map((l) => (l.drc === D(3) ? { ...l, reserved: 7 } : l)), arrays: A0, format: 'v1' });
    const r1 = diffSnapshots(v1, res);
    expect(diffIsEmpty(r1)).toBe(false);
    expect(summary(r1)).toEqual(['changed 80000003-80000003: reserved=0>7']);
    // a count cell one too high: the kernel would read past the end
    const count = snap({ label: 'c', lmbs: base, arrays: A0, format: 'v1' });
    const dr = count.tree.root.children.get('ibm,dynamic-reconfiguration-memory')!;
    const bytes = dr.prop('ibm,dynamic-memory')!.slice();
    new DataView(bytes.buffer).setUint32(0, base.length + 1);
    dr.setProp('ibm,dynamic-memory', bytes);
    const r2 = diffSnapshots(v1, count);
    expect(r2.lmbs).toEqual([]);
    expect(diffIsEmpty(r2)).toBe(false);
    expect(r2.properties.map((p) => [p.property, p.note])).toEqual([['ibm,dynamic-memory', 'count cell 12 for 12 entries → count cell 13 for 12 entries']]);
    // v2: the same LMBs in canonical runs vs split per DIMM, and with a zero-length set
    const canon = snap({ label: 'v2', lmbs: base, arrays: A0 });
    const split = snap({ label: 'split', lmbs: base, arrays: A0, v2Sets: [[2, 0n, D(0), NONE, 0xa0], [2, 0x20000000n, D(2), 1, 8], [2, 0x40000000n, D(4), 1, 8], [6, 0x60000000n, D(6), NONE, 0]] });
    const r3 = diffSnapshots(canon, split);
    expect(r3.lmbs).toEqual([]);
    expect(r3.properties.map((p) => p.note)).toEqual(['3 → 4 sets; sets split non-canonically (adjacent sets with equal aa index and flags: firmware, not drmem_update_dt_v2)']);
    const empty = snap({ label: 'empty', lmbs: base, arrays: A0, v2Sets: [[2, 0n, D(0), NONE, 0xa0], [4, 0x20000000n, D(2), 1, 8], [0, 0x60000000n, D(6), 0, 8], [6, 0x60000000n, D(6), NONE, 0]] });
    expect(diffSnapshots(canon, empty).properties.map((p) => p.note)).toEqual(['3 → 4 sets; zero-length sets 0 → 1']);
    // identical bytes: nothing
    expect(diffIsEmpty(diffSnapshots(canon, snap({ label: 'same', lmbs: base, arrays: A0 })))).toBe(true);
    // a DLPAR (LMB lines explain the new bytes, canonical both sides): no property entry
    const added = snap({ label: 'add', lmbs: base.map((l) => (l.drc === D(8) ? { ...l, aa: 1, flags: 8 } : l)), arrays: A0 });
    expect(diffSnapshots(canon, added).properties).toEqual([]);
  });

  it('tables in a different order (hash path) pair the same way', () => {
    const shuffled = [...base].reverse().map((l) => (l.drc === D(4) ? { ...l, aa: 0 } : l));
    const r = diffSnapshots(snap({ label: 'a', lmbs: base, arrays: A0, format: 'v1' }), snap({ label: 'b', lmbs: shuffled, arrays: A0, format: 'v1' }));
    expect(summary(r)).toEqual(['changed 80000004-80000004: aaIndex=1>0,node=1>0']);
  });

  it('added / removed entries and flag bits by name', () => {
    const b = [...base.slice(0, 11), { drc: D(12), aa: NONE, flags: 0 }].map((l) => (l.drc === D(2) ? { ...l, flags: 0x108 } : l.drc === D(6) ? { ...l, flags: 0x200 } : l));
    const r = diffSnapshots(snap({ label: 'a', lmbs: base, arrays: A0, format: 'v1' }), snap({ label: 'b', lmbs: b, arrays: A0, format: 'v1' }));
    expect(summary(r)).toEqual(['changed 80000002-80000002: flag:HOTREMOVABLE=false>true', 'changed 80000006-80000006: flag:0x200=false>true', 'added 8000000c-8000000c: ', 'removed 8000000b-8000000b: ']);
  });

  it('node change through the lookup arrays alone (same aa index)', () => {
    const r = diffSnapshots(snap({ label: 'a', lmbs: base, arrays: A0 }), snap({ label: 'b', lmbs: base, arrays: [[0], [0], [3]] }));
    expect(summary(r)).toEqual(['changed 80000002-80000005: node=1>0']);
    expect(r.numa.lookupArrays?.changed).toEqual([{ index: 1, before: [1], after: [0] }]);
    expect(r.numa.lookupArrays?.appended).toEqual([{ index: 2, cells: [3] }]);
  });

  it('reference points / affinity form changes', () => {
    const r = diffSnapshots(snap({ label: 'a', lmbs: base, arrays: A0, form: 2 }), snap({ label: 'b', lmbs: base, arrays: [[0, 0, 0, 0], [0, 0, 0, 1]], form: 1 }));
    expect(r.numa.form).toEqual({ before: 2, after: 1 });
    expect(r.numa.referencePoints).toEqual({ before: [1], after: [4, 3, 2, 1] });
  });

  it('generic property diff names what changed; runs group consecutive LMBs', () => {
    const enc = new TextEncoder();
    const r = diffSnapshots(snap({ label: 'a', lmbs: base, arrays: A0, rootProps: { model: enc.encode('IBM,9009-42A\0') } }), snap({ label: 'b', lmbs: base, arrays: A0, rootProps: { model: enc.encode('IBM,9080-HEX\0'), 'system-id': enc.encode('X\0') } }));
    expect(r.properties).toEqual([
      { kind: 'changed', node: '/', property: 'model', before: '"IBM,9009-42A"', after: '"IBM,9080-HEX"', offset: 6, beforeLength: 13, afterLength: 13 },
      { kind: 'added', node: '/', property: 'system-id', after: '"X"', afterLength: 2 },
    ]);
    expect(showValue(new Uint8Array(40), 36)).toBe('<@32: ... 0x0 0x0> (40 bytes)');
  });

  it('known cell properties are shown as cells even when their bytes look printable (/chosen ihandles, phandles)', () => {
    const ih = (v: number) => be32(v);
    // 0x3e377e00 reads ">7~" (plus a NUL) as a string
    const chosen = (memory: number, phandle: number) => {
      const s = snap({ label: 'x', lmbs: base, arrays: A0 });
      const c = s.tree.root.children.get('chosen')!;
      c.setProp('memory', ih(memory));
      c.setProp('phandle', ih(phandle));
      c.setProp('label', new TextEncoder().encode('>7~\0'));
      return s;
    };
    const a = chosen(0x3e377e00, 0x3e377a00);
    const b = chosen(0x7e377e00, 0x7e377a00);
    b.tree.root.children.get('chosen')!.setProp('label', new TextEncoder().encode('>8~\0'));
    const r = diffSnapshots(a, b).properties.map((p) => `${p.property}: ${p.before} → ${p.after}`);
    expect(r).toEqual(['label: ">7~" → ">8~"', 'memory: <0x3e377e00> → <0x7e377e00>', 'phandle: <0x3e377a00> → <0x7e377a00>']);
    // a cell property of odd length is still shown as bytes
    expect(showValue(new Uint8Array([0x3e, 0x37, 0x7e]), 0, false)).toBe('[3e 37 7e]');
  });

  it('DRC lists: identical lists (the root names every LMB) report nothing; added, removed, renamed connectors and a format change do', () => {
    const classic = (entries: [number, string][]) => ({
      'ibm,drc-indexes': be32(entries.length, ...entries.map(([i]) => i)),
      'ibm,drc-names': cat(be32(entries.length), str(...entries.map(([, n]) => n))),
      'ibm,drc-types': cat(be32(entries.length), str(...entries.map(() => 'MEM'))),
      'ibm,drc-power-domains': be32(entries.length, ...entries.map(() => 0xffffffff)),
    });
    const info = cat(be32(1), str('MEM', 'LMB '), be32(D(0), 0, 3, 1, 0xffffffff));
    const lists = [0, 1, 2].map((i): [number, string] => [D(i), `LMB ${i}`]);
    const side = (label: string, rootProps: Record<string, Uint8Array>) => snap({ label, lmbs: base, arrays: A0, rootProps });
    expect(diffSnapshots(side('a', classic(lists)), side('b', classic(lists))).drc).toEqual([]);
    expect(diffSnapshots(side('a', { 'ibm,drc-info': info }), side('b', { 'ibm,drc-info': info })).drc).toEqual([]);
    const changed = diffSnapshots(side('a', classic(lists)), side('b', classic([[D(0), 'LMB 0'], [D(2), 'LMB two'], [D(3), 'LMB 3']]))).drc;
    expect(changed).toEqual([
      {
        node: '/',
        formatBefore: 'classic',
        formatAfter: 'classic',
        added: [{ index: D(3), name: 'LMB 3', type: 'MEM', powerDomain: 0xffffffff }],
        removed: [{ index: D(1), name: 'LMB 1', type: 'MEM', powerDomain: 0xffffffff }],
        changed: [{ index: D(2), before: { index: D(2), name: 'LMB 2', type: 'MEM', powerDomain: 0xffffffff }, after: { index: D(2), name: 'LMB two', type: 'MEM', powerDomain: 0xffffffff } }],
      },
    ]);
    // the same connectors in the other encoding: only the format differs
    const format = diffSnapshots(side('a', classic(lists)), side('b', { 'ibm,drc-info': info })).drc;
    expect(format.map((d) => [d.formatBefore, d.formatAfter, d.added.length, d.removed.length, d.changed.length])).toEqual([['classic', 'drc-info', 0, 0, 0]]);
    expect(diffSnapshots(side('a', {}), side('b', classic(lists))).drc.map((d) => [d.formatBefore, d.formatAfter, d.added.length])).toEqual([['none', 'classic', 3]]);
  });
});
