import { describe, expect, it } from 'vitest';
import { decodeDrcClassic, decodeDrcInfo, drcListOfNode, drcListUsableByC } from '../../lib/decode/drc.js';
import { DtNode } from '../../lib/dt/tree.js';
import { be32, cat, str } from '../helpers/cells.js';

const drcInfoSet = (type: string, prefix: string, start: number, suffix: number, count: number, inc: number, dom: number) =>
  cat(str(type, prefix), be32(start, suffix, count, inc, dom));

describe('decodeDrcInfo', () => {
  it('expands sets: index = start + i*inc, name = prefix + (suffix + i*inc)', () => {
    const v = cat(be32(2), drcInfoSet('CPU', 'CPU ', 0x10000000, 0, 3, 8, 0xffffffff), drcInfoSet('MEM', 'LMB ', 0x80000000, 0, 2, 1, 0xffffffff));
    const r = decodeDrcInfo(v, '/cpus');
    expect(r.findings).toEqual([]);
    expect(r.entries.map((e) => [e.index.toString(16), e.name, e.type])).toEqual([
      ['10000000', 'CPU 0', 'CPU'],
      ['10000008', 'CPU 8', 'CPU'],
      ['10000010', 'CPU 16', 'CPU'],
      ['80000000', 'LMB 0', 'MEM'],
      ['80000001', 'LMB 1', 'MEM'],
    ]);
  });
  it('skips sets with count <= 0 and reports truncation with an offset', () => {
    const v = cat(be32(2), drcInfoSet('CPU', 'CPU ', 1, 0, 0, 1, 0), str('MEM'));
    const r = decodeDrcInfo(v, '/x');
    expect(r.entries).toEqual([]);
    expect(r.findings.map((f) => f.code)).toEqual(['drc-info-empty-set', 'drc-info-truncated']);
    expect(r.findings[1]!.offset).toBe(4 + 9 + 20);
  });
  it('never throws on short input', () => {
    expect(decodeDrcInfo(new Uint8Array([0, 0]), '/x').findings[0]!.code).toBe('drc-info-truncated');
  });
});

describe('decodeDrcClassic', () => {
  it('walks the four lists in parallel, count taken from names', () => {
    const r = decodeDrcClassic(
      { names: cat(be32(2), str('PHB 1', 'PHB 2')), types: cat(be32(2), str('PHB', 'PHB')), indexes: be32(2, 0x20000001, 0x20000002), powerDomains: be32(2, 0xffffffff, 0xffffffff) },
      '/',
    );
    expect(r.findings).toEqual([]);
    expect(r.entries).toEqual([
      { index: 0x20000001, name: 'PHB 1', type: 'PHB', powerDomain: 0xffffffff },
      { index: 0x20000002, name: 'PHB 2', type: 'PHB', powerDomain: 0xffffffff },
    ]);
  });
  it('reports short and mismatched lists', () => {
    const r = decodeDrcClassic({ names: cat(be32(2), str('A', 'B')), types: cat(be32(2), str('X', 'Y')), indexes: be32(1, 5), powerDomains: be32(2, 0, 0) }, '/n');
    expect(r.entries.map((e) => e.index)).toEqual([5, 0]);
    expect(r.findings.map((f) => f.code).sort()).toEqual(['drc-list-count-mismatch', 'drc-list-truncated']);
  });
});

describe('drcListOfNode', () => {
  it('prefers ibm,drc-info and knows what the C tools accept', () => {
    const n = new DtNode('cpus', new DtNode(''));
    n.setProp('ibm,drc-info', cat(be32(1), drcInfoSet('CPU', 'CPU ', 0x10, 0, 1, 1, 0)));
    n.setProp('ibm,drc-names', cat(be32(1), str('other')));
    const l = drcListOfNode(n);
    expect(l.format).toBe('drc-info');
    expect(l.entries[0]!.name).toBe('CPU 0');
    expect(drcListUsableByC(n, l)).toBe(true);
    const m = new DtNode('x', new DtNode(''));
    m.setProp('ibm,drc-names', cat(be32(1), str('a')));
    m.setProp('ibm,drc-types', cat(be32(1), str('t')));
    m.setProp('ibm,drc-indexes', be32(1, 1));
    m.setProp('ibm,drc-power-domains', new Uint8Array());
    expect(drcListUsableByC(m, drcListOfNode(m))).toBe(false);
  });
});
