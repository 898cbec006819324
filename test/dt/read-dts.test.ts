import { describe, expect, it } from 'vitest';
import { FormatError } from '../../lib/errors.js';
import { loadBytes } from '../../lib/dt/load-bytes.js';
import { readDtb } from '../../lib/dt/read-dtb.js';
import { readDts } from '../../lib/dt/read-dts.js';
import { getNode, treesEqual } from '../../lib/dt/tree.js';
import { testIo } from '../helpers/run.js';
import { SCENARIOS, sampleFile } from './fixtures.js';

const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('hex'));
const dts = (body: string) => readDts(`/dts-v1/;\n${body}`, 't.dts');

function syntaxError(text: string): FormatError {
  try {
    readDts(text, 'bad.dts');
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('readDts on dtc output', () => {
  it.each(SCENARIOS)('%s: 00-boot.full.dts equals the dtc-made DTB', (s) => {
    const fromDts = readDts(new TextDecoder().decode(sampleFile(s, '00-boot.full.dts')), 'full.dts');
    const fromDtb = readDtb(sampleFile(s, '00-boot.dtb'), '00-boot.dtb');
    expect(treesEqual(fromDts.root, fromDtb.root)).toBe(true);
  });
  it.each(SCENARIOS)('%s: as a Source, DTS equals the tar.gz capture', async (s) => {
    const a = await loadBytes(sampleFile(s, '00-boot.full.dts'), 'full.dts', {}, testIo());
    const b = await loadBytes(sampleFile(s, '00-boot.tar.gz'), '00-boot.tar.gz', {}, testIo());
    expect(a.kind).toBe('dts');
    expect(treesEqual(a.tree.root, b.tree.root)).toBe(true);
  });
});

describe('readDts values', () => {
  it('cells, /bits/, byte strings, strings and mixed values', () => {
    const t = dts(`/ {
      a = <0x1 2 010 'A' (1 + 2 * 3) ((1 << 4) | 1) (-1)>;
      b = /bits/ 8 <0xff 1>, /bits/ 16 <0x1234>, /bits/ 64 <0x1122334455667788>;
      c = [00 01 ab], [cdef];
      d = "x", "y\\tz\\0\\x41\\101\\"";
      e;
      64-bit;
      f = "a", <1>, [02];
    };`);
    const r = t.root;
    expect(hex(r.prop('a'))).toBe('00000001' + '00000002' + '00000008' + '00000041' + '00000007' + '00000011' + 'ffffffff');
    expect(hex(r.prop('b'))).toBe('ff01' + '1234' + '1122334455667788');
    expect(hex(r.prop('c'))).toBe('0001abcdef');
    expect(Buffer.from(r.prop('d')!).toString('latin1')).toBe('x\0y\tz\0AA"\0');
    expect(r.prop('e')?.length).toBe(0);
    expect(r.prop('64-bit')?.length).toBe(0);
    expect(hex(r.prop('f'))).toBe('6100' + '00000001' + '02');
  });

  it('memreserve, labels, phandle and path references, merges and deletions', () => {
    const t = dts(`/memreserve/ 0x1000 0x2000;
    / {
      #address-cells = <2>;
      cpus { cpu0: cpu@0 { reg = <0>; phandle = <0x42>; }; };
      intc: interrupt-controller { };
      ref = <&cpu0 &intc &{/cpus/cpu@0}>;
      path = &cpu0;
      gone = "x";
      old { };
    };
    &intc { added = <1>; };
    / { /delete-property/ gone; /delete-node/ old; };`);
    expect(t.memreserve).toEqual([{ address: 0x1000n, size: 0x2000n }]);
    // cpu0 has phandle 0x42; intc gets max + 1 like dtc
    expect(hex(t.root.prop('ref'))).toBe('00000042' + '00000043' + '00000042');
    expect(hex(getNode(t, '/interrupt-controller')?.prop('phandle'))).toBe('00000043');
    expect(Buffer.from(t.root.prop('path')!).toString()).toBe('/cpus/cpu@0\0');
    expect(hex(getNode(t, '/interrupt-controller')?.prop('added'))).toBe('00000001');
    expect(t.root.prop('gone')).toBeUndefined();
    expect(getNode(t, '/old')).toBeUndefined();
  });

  it('a later definition of a property wins', () => {
    const t = dts('/ { a = <1>; a = <2>; };');
    expect(hex(t.root.prop('a'))).toBe('00000002');
  });

  it('comments and cpp line markers are skipped', () => {
    const t = readDts('// c\n/* x */ /dts-v1/;\n# 1 "file.dts"\n/ { /* in */ a = <1>; // end\n};\n', 'c.dts');
    expect(hex(t.root.prop('a'))).toBe('00000001');
  });
});

describe('readDts errors carry DTS_SYNTAX and a line number', () => {
  const cases: [string, string, RegExp][] = [
    ['no header', '/ { };', /line 1, column 1: expected "\/dts-v1\/;"/],
    ['missing semicolon', '/dts-v1/;\n/ {\n  a = <1>\n};', /line 4, column 1: expected ";" after the value of "a"/],
    ['unterminated string', '/dts-v1/;\n/ { a = "abc; };', /line 2, .*unterminated string/],
    ['bad cell', '/dts-v1/;\n/ { a = <1 x>; };', /line 2, .*expected a number/],
    ['undefined label', '/dts-v1/;\n/ { a = <&nope>; };', /line 2, .*undefined label "nope"/],
    ['bad /bits/', '/dts-v1/;\n/ { a = /bits/ 7 <1>; };', /\/bits\/ must be 8, 16, 32 or 64/],
    ['value too wide', '/dts-v1/;\n/ { a = /bits/ 8 <0x100>; };', /does not fit in 8 bits/],
    ['include', '/dts-v1/;\n/include/ "x.dtsi"', /line 2, .*\/include\/ is not supported/],
    ['cpp', '/dts-v1/;\n#include <x.h>\n/ { };', /line 2, .*preprocessor/],
    ['overlay', '/dts-v1/;\n/plugin/;', /overlays/],
    ['odd byte string', '/dts-v1/;\n/ { a = [123]; };', /hex byte pairs/],
    ['division by zero', '/dts-v1/;\n/ { a = <(1 / 0)>; };', /division by zero/],
    ['unclosed node', '/dts-v1/;\n/ { a { };', /line 2, .*expected a property or node name, found end of file/],
    ['garbage at top level', '/dts-v1/;\nhello', /expected "\/ {"/],
    ['unterminated comment', '/dts-v1/;\n/* ...', /unterminated \/\* comment/],
  ];
  it.each(cases)('%s', (_n, text, re) => {
    const e = syntaxError(text);
    expect(e.code).toBe('DTS_SYNTAX');
    expect(e.file).toBe('bad.dts');
    expect(e.message).toMatch(re);
  });
});
