// get_drc_info() as the C tools see a node's DRC lists (drcListForC) and the
// two views built on it: lsslot's C names, drscope's own names.
import { describe, expect, it } from 'vitest';
import { decodeDrcClassic, drcByIndex, drcListForC, drcListOfNode } from '../../lib/decode/drc.js';
import { dlparNodes } from '../../lib/model/slot.js';
import { systemFromRoot, ofNode } from '../../lib/compat/system.js';
import { testIo } from '../helpers/run.js';
import { buildTree, treeVolume } from './make-tree.js';
import { loadDesc } from './golden.js';

function view(desc: string) {
  return systemFromRoot(testIo({ fs: treeVolume(buildTree(loadDesc(desc) as never)).fs }), undefined);
}

describe('drcListForC', () => {
  it('fails on a count of 0, naming the first such list in C read order', () => {
    const v = view('kvm-empty-drc.json');
    expect(drcListForC(ofNode(v, '/cpus')).failure).toEqual({ kind: 'empty', property: 'ibm,drc-names' });
    const p = view('cpu-empty-power-domains.json');
    const c = drcListForC(ofNode(p, '/cpus'));
    expect(c.entries).toBeUndefined();
    expect(c.failure).toEqual({ kind: 'empty', property: 'ibm,drc-power-domains' });
    // drscope's own decoder still lists CPU 0
    expect(drcListOfNode(ofNode(p, '/cpus')).entries.map((e) => e.name)).toEqual(['CPU 0']);
  });
  it('fails without a group when ibm,drc-names is missing', () => {
    expect(drcListForC(ofNode(view('cpu-no-drc-lists.json'), '/cpus')).failure).toEqual({ kind: 'no-group' });
  });
  it('runs names of 48+ bytes on into the type, as dr_connector.name[48] does', () => {
    const v = view('slots-drc-name-48.json');
    const names = drcListForC(ofNode(v, '/vdevice')).entries!.map((e) => e.name);
    expect(names).toEqual(['U9080.HEX.134C1E8-V3-C2-ABCDEFGHIJKLMNOPQRSTUVWXSLOT', 'U9080.HEX.134C1E8-V3-C3-ABCDEFGHIJKLMNOPQRSTUVW', 'U9080.HEX.134C1E8-V3-C4-ABCDEFGHIJKLMNOPQRSTUVWXSLOT']);
  });
  it('leaves drscope slots the real names (cNames only for lsslot)', () => {
    const v = view('slots-drc-name-48.json');
    const own = dlparNodes(v, { vio: true }).nodes.map((n) => n.drcName);
    const c = dlparNodes(v, { vio: true }, { cNames: true }).nodes.map((n) => n.drcName);
    expect(own).toContain('U9080.HEX.134C1E8-V3-C2-ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    expect(c).toContain('U9080.HEX.134C1E8-V3-C2-ABCDEFGHIJKLMNOPQRSTUVWXSLOT');
  });
});

describe('classic lists whose counts disagree (ibm,drc-indexes count 0x99 holding one index)', () => {
  const be32 = (...v: number[]) => Buffer.concat(v.map((x) => { const b = Buffer.alloc(4); b.writeUInt32BE(x >>> 0); return b; }));
  const strs = (...v: string[]) => Buffer.concat(v.map((x) => Buffer.from(`${x}\0`, 'latin1')));
  const props = {
    names: Buffer.concat([be32(3), strs('PHB 15', 'LMB 8', 'LMB 9')]),
    types: Buffer.concat([be32(3), strs('PHB', 'MEM', 'MEM')]),
    indexes: be32(0x99, 0x80000008),
    powerDomains: be32(3, -1, -1, -1),
  };
  it('reports the mismatch and names nothing by index (no "PHB 15" for LMB 0x80000008)', () => {
    const r = decodeDrcClassic(props, '/');
    expect(r.findings.map((f) => f.code).sort()).toEqual(['drc-list-count-mismatch', 'drc-list-truncated']);
    expect(r.findings.find((f) => f.code === 'drc-list-count-mismatch')!.message).toContain('cannot be paired');
    expect(r.paired).toBe(0);
    expect(drcByIndex({ format: 'classic', ...r }).size).toBe(0);
  });
  it('leaves the C pairing (lsslot, drmgr) as powerpc-utils does it', () => {
    const r = decodeDrcClassic(props, '/');
    expect(r.entries.map((e) => [e.index, e.name])).toEqual([[0x80000008, 'PHB 15'], [0, 'LMB 8'], [0, 'LMB 9']]);
  });
  it('pairs up to the end of a list that is short but has the right count', () => {
    const r = decodeDrcClassic({ ...props, indexes: be32(3, 0x20000f, 0x80000008) }, '/');
    expect(r.paired).toBe(2);
    expect([...drcByIndex({ format: 'classic', ...r }).entries()].map(([i, e]) => [i, e.name])).toEqual([[0x20000f, 'PHB 15'], [0x80000008, 'LMB 8']]);
  });
});
