import { describe, expect, it } from 'vitest';
import { allocLmbArrays } from '../../lib/decode/lmb-arrays.js';
import { formatSize, hexBytes, hexPad } from '../../lib/render/hex.js';
import { toJsonText } from '../../lib/render/json.js';
import { lmbRuns } from '../../lib/render/lmb-runs.js';
import { renderTable } from '../../lib/render/table.js';
import { guessValue, renderGuessed } from '../../lib/render/value.js';
import { be32, str } from '../helpers/cells.js';

describe('renderTable', () => {
  it('aligns left and right columns, no trailing blanks', () => {
    const t = renderTable([{ header: 'A' }, { header: 'NUM', align: 'right' }, { header: 'LAST' }], [
      ['xx', '1', 'a'],
      ['y', '100', ''],
    ]);
    expect(t).toBe('A   NUM  LAST\nxx    1  a\ny   100\n');
  });
  it('colour wraps the text only', () => {
    const t = renderTable([{ header: 'A' }, { header: 'B' }], [['x', 'y']], { color: true, cellColor: (_r, c) => (c === 0 ? 'green' : undefined) });
    expect(t.split('\n')[1]).toBe('\x1b[32mx\x1b[39m  y');
  });
});

describe('hex and sizes', () => {
  it('formats', () => {
    expect(hexPad(0x1f, 4)).toBe('0x001f');
    expect(hexBytes(new Uint8Array([0, 255, 16]))).toBe('00 ff 10');
    expect(formatSize(0n)).toBe('0 bytes');
    expect(formatSize(0x10000000n)).toBe('256 MiB');
    expect(formatSize(0x60000000n)).toBe('1.5 GiB');
    expect(formatSize(0x100000000n)).toBe('4 GiB');
    expect(formatSize(64n << 40n)).toBe('64 TiB');
    expect(formatSize(1536n)).toBe('1.5 KiB');
  });
});

describe('toJsonText', () => {
  it('bigint as hex, typed arrays as arrays, undefined dropped, compact below depth 2', () => {
    expect(toJsonText({ a: 1n << 40n, b: undefined, c: [{ d: new Uint32Array([1, 2]), e: 255n }], f: { g: [1] } })).toBe(
      '{\n  "a": "0x10000000000",\n  "c": [\n    {"d":[1,2],"e":"0xff"}\n  ],\n  "f": {\n    "g": [1]\n  }\n}\n',
    );
    expect(JSON.parse(toJsonText({ x: [undefined, null] }))).toEqual({ x: [null, null] });
  });
});

describe('guessValue (dtc rules)', () => {
  it('strings, string lists, cells, bytes, empty', () => {
    expect(renderGuessed(guessValue(str('memory')))).toBe('"memory"');
    expect(renderGuessed(guessValue(str('a', 'b c')))).toBe('"a", "b c"');
    expect(renderGuessed(guessValue(be32(1, 0xff)))).toBe('<0x1 0xff>');
    expect(renderGuessed(guessValue(new Uint8Array([1, 2, 3])))).toBe('[01 02 03]');
    expect(renderGuessed(guessValue(new Uint8Array(0)))).toBe('(empty)');
    // "\0" alone and "a\0\0" are not strings for dtc
    expect(guessValue(new Uint8Array([0])).kind).toBe('bytes');
    expect(guessValue(new Uint8Array([0x61, 0, 0, 0])).kind).toBe('cells');
    expect(renderGuessed(guessValue(be32(1, 2, 3)), 2)).toBe('<0x1 0x2 ...> (3 cells)');
    expect(renderGuessed(guessValue(str('"q"')))).toBe('"\\"q\\""');
  });
});

describe('lmbRuns', () => {
  it('groups equal aa/flags with consecutive drc (or repeated drc) and a fixed address stride', () => {
    const a = allocLmbArrays(7, 'v1');
    const rows: [bigint, number, number, number][] = [
      [0n, 0, 0xffffffff, 0xa0],
      [0x10000000n, 0, 0xffffffff, 0xa0],
      [0x20000000n, 0x80000002, 1, 8],
      [0x30000000n, 0x80000003, 1, 8],
      [0x40000000n, 0x80000004, 1, 8],
      [0x60000000n, 0x80000005, 1, 8],
      [0x70000000n, 0x80000006, 0xffffffff, 0],
    ];
    rows.forEach(([b, d, aa, f], i) => {
      a.base[i] = b;
      a.drc[i] = d;
      a.aa[i] = aa;
      a.flags[i] = f;
    });
    expect(lmbRuns(a).map((r) => [r.count, r.drc, r.drcStep])).toEqual([
      [2, 0, 0],
      [3, 0x80000002, 1],
      [1, 0x80000005, undefined],
      [1, 0x80000006, undefined],
    ]);
  });
});
