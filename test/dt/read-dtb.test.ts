import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addKernelNameProps } from '../../lib/dt/name-props.js';
import { FormatError } from '../../lib/errors.js';
import { HeaderField } from '../../lib/dt/fdt-format.js';
import { gunzipCapped } from '../../lib/dt/decompress.js';
import { checkDtbHeader, readDtb } from '../../lib/dt/read-dtb.js';
import { readTar } from '../../lib/dt/read-tar.js';
import { getNode, treesEqual } from '../../lib/dt/tree.js';
import { buildFdt, minimalTokens, withField, type FdtToken } from '../helpers/fdt-builder.js';
import { CAPTURES, SCENARIOS, sampleFile } from './fixtures.js';

const enc = new TextEncoder();

/** the error code readDtb throws, or "ok"; anything but a FormatError fails the test */
function outcome(blob: Uint8Array): string {
  try {
    readDtb(blob, 't.dtb');
    return 'ok';
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return e.code;
  }
}

describe('readDtb on real blobs', () => {
  it.each(SCENARIOS)('%s: dtc-made 00-boot.dtb', (s) => {
    const t = readDtb(sampleFile(s, '00-boot.dtb'), '00-boot.dtb');
    expect(t.memreserve).toEqual([]);
    expect(getNode(t, '/ibm,dynamic-reconfiguration-memory')?.prop('ibm,lmb-size')?.length).toBe(8);
    // dtc drops "name" properties equal to the node name; readDtb must not invent them
    expect(t.root.prop('name')).toBeUndefined();
  });

  it.each(CAPTURES)('%s/%s: the boot FDT (sys-firmware-fdt.dtb) parses', async (s, f) => {
    const { entries } = await readTar(gunzipCapped(sampleFile(s, f), f), f);
    const path = [...entries.keys()].find((p) => p.endsWith('/sys-firmware-fdt.dtb'))!;
    const fdt = readDtb(entries.get(path)!.data!, path);
    expect(fdt.memreserve.length).toBeGreaterThan(0);
    expect(getNode(fdt, '/cpus')).toBeDefined();
    expect(getNode(fdt, '/chosen')).toBeDefined();
  });
});

describe('readDtb header checks (libfdt check_header mangles)', () => {
  const good = sampleFile('pseries-7.2-numa2', '00-boot.dtb');
  const h = checkDtbHeader(good, 'x');
  const F = HeaderField;
  const cases: [string, string, Uint8Array][] = [
    ['magic ^ 1', 'DTB_BAD_MAGIC', withField(good, F.magic, 0xd00dfeed ^ 1)],
    ['magic ^ 0x80000000', 'DTB_BAD_MAGIC', withField(good, F.magic, (0xd00dfeed ^ 0x80000000) >>> 0)],
    ['version 1', 'DTB_BAD_VERSION', withField(good, F.version, 1)],
    ['last_comp_version 18', 'DTB_BAD_VERSION', withField(good, F.last_comp_version, 18)],
    ['version 15 < last_comp 16', 'DTB_BAD_VERSION', withField(good, F.version, 15)],
    ['totalsize below the header', 'DTB_TRUNCATED', withField(good, F.totalsize, 39)],
    ['totalsize > INT_MAX', 'DTB_TRUNCATED', withField(good, F.totalsize, 0x80000000)],
    ['totalsize beyond the file', 'DTB_TRUNCATED', withField(good, F.totalsize, good.length + 1)],
    ['totalsize cuts the strings block', 'DTB_TRUNCATED', withField(good, F.totalsize, good.length - 1)],
    ['off_mem_rsvmap misaligned', 'DTB_ALIGNMENT', withField(good, F.off_mem_rsvmap, h.offMemRsvmap + 4)],
    ['off_mem_rsvmap inside the header', 'DTB_TRUNCATED', withField(good, F.off_mem_rsvmap, 32)],
    ['off_mem_rsvmap past totalsize', 'DTB_TRUNCATED', withField(good, F.off_mem_rsvmap, (good.length + 8) & ~7)],
    ['off_mem_rsvmap without room for an entry', 'DTB_TRUNCATED', withField(good, F.off_mem_rsvmap, good.length & ~7)],
    ['off_dt_struct misaligned', 'DTB_ALIGNMENT', withField(good, F.off_dt_struct, h.offDtStruct + 2)],
    ['off_dt_struct inside the header', 'DTB_TRUNCATED', withField(good, F.off_dt_struct, 36)],
    ['off_dt_struct past totalsize', 'DTB_TRUNCATED', withField(good, F.off_dt_struct, (good.length + 4) & ~3)],
    ['size_dt_struct wraps', 'DTB_TRUNCATED', withField(good, F.size_dt_struct, 0xffffffff)],
    ['size_dt_struct past totalsize', 'DTB_TRUNCATED', withField(good, F.size_dt_struct, good.length)],
    ['size_dt_struct too small for the tree', 'DTB_TRUNCATED', withField(good, F.size_dt_struct, 8)],
    ['off_dt_strings 0xffffffff', 'DTB_TRUNCATED', withField(good, F.off_dt_strings, 0xffffffff)],
    ['off_dt_strings inside the header', 'DTB_TRUNCATED', withField(good, F.off_dt_strings, 4)],
    ['size_dt_strings wraps', 'DTB_TRUNCATED', withField(good, F.size_dt_strings, 0xfffffff0)],
    ['size_dt_strings 0', 'DTB_BAD_OFFSET', withField(good, F.size_dt_strings, 0)],
    ['size_dt_strings cuts the last NUL', 'DTB_BAD_STRING', withField(good, F.size_dt_strings, h.sizeDtStrings - 1)],
    ['struct block starts on a non-tag', 'DTB_BAD_STRUCTURE', withField(good, F.off_dt_struct, h.offDtStruct + 4)],
    ['boot_cpuid_phys anything', 'ok', withField(good, F.boot_cpuid_phys, 0xdeadbeef)],
    ['version 16 (no size_dt_struct)', 'ok', withField(withField(good, F.version, 16), F.size_dt_struct, 0xffffffff)],
    ['a future version compatible with 16', 'ok', withField(good, F.version, 0xffffffff)],
  ];
  it.each(cases)('%s -> %s', (_name, code, blob) => {
    expect(outcome(blob)).toBe(code);
  });
  it('every error names the file and an offset', () => {
    try {
      readDtb(withField(good, F.off_dt_struct, h.offDtStruct + 2), 'f.dtb');
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as FormatError).file).toBe('f.dtb');
      expect((e as FormatError).offset).toBe(F.off_dt_struct);
      expect((e as FormatError).message).toMatch(/off_dt_struct 0x3a is not 4-byte aligned/);
    }
  });
  it('short files', () => {
    expect(outcome(new Uint8Array())).toBe('DTB_TRUNCATED');
    expect(outcome(good.subarray(0, 3))).toBe('DTB_TRUNCATED');
    expect(outcome(good.subarray(0, 24))).toBe('DTB_TRUNCATED');
    expect(outcome(good.subarray(0, 39))).toBe('DTB_TRUNCATED');
  });
  it('version 16 gives the same tree as 17', () => {
    expect(treesEqual(readDtb(withField(good, F.version, 16), 'a').root, readDtb(good, 'b').root)).toBe(true);
  });
});

describe('readDtb structure walk (hand-made blobs)', () => {
  const v = (s: string) => enc.encode(s);
  const cases: [string, string, FdtToken[]][] = [
    ['minimal', 'ok', minimalTokens()],
    ['NOPs anywhere', 'ok', [{ nop: true }, { begin: '' }, { nop: true }, { prop: 'a', value: v('b\0') }, { nop: true }, { end: true }, { nop: true }, { fdtEnd: true }]],
    ['property outside a node', 'DTB_BAD_STRUCTURE', [{ prop: 'a' }, { begin: '' }, { end: true }, { fdtEnd: true }]],
    ['unknown tag', 'DTB_BAD_STRUCTURE', [{ begin: '' }, { raw: Uint8Array.of(0, 0, 0, 7) }, { end: true }, { fdtEnd: true }]],
    ['END_NODE with nothing open', 'DTB_BAD_STRUCTURE', [{ end: true }, { fdtEnd: true }]],
    ['FDT_END with a node open', 'DTB_BAD_STRUCTURE', [{ begin: '' }, { begin: 'a' }, { end: true }, { fdtEnd: true }]],
    ['FDT_END before any root', 'DTB_BAD_STRUCTURE', [{ fdtEnd: true }]],
    ['root with a name', 'DTB_BAD_STRUCTURE', [{ begin: 'root' }, { end: true }, { fdtEnd: true }]],
    ['second root', 'DTB_BAD_STRUCTURE', [{ begin: '' }, { end: true }, { begin: '' }, { end: true }, { fdtEnd: true }]],
    ['child with a slash in its name', 'DTB_BAD_STRUCTURE', [{ begin: '' }, { begin: 'a/b' }, { end: true }, { end: true }, { fdtEnd: true }]],
    ['child with an empty name', 'DTB_BAD_STRUCTURE', [{ begin: '' }, { begin: '' }, { end: true }, { end: true }, { fdtEnd: true }]],
    ['no FDT_END', 'DTB_TRUNCATED', [{ begin: '' }, { end: true }]],
    ['unterminated node name', 'DTB_TRUNCATED', [{ begin: '' }, { raw: Uint8Array.of(0, 0, 0, 1, 0x61, 0x62, 0x63, 0x64) }]],
    ['property header cut', 'DTB_TRUNCATED', [{ begin: '' }, { raw: Uint8Array.of(0, 0, 0, 3, 0, 0, 0, 0) }]],
    ['property length past the block', 'DTB_TRUNCATED', [{ begin: '' }, { prop: 'a', value: v('xy'), len: 0x7ffffff0 }, { end: true }, { fdtEnd: true }]],
    ['property length 0xffffffff', 'DTB_TRUNCATED', [{ begin: '' }, { prop: 'a', value: v('xy'), len: 0xffffffff }, { end: true }, { fdtEnd: true }]],
    ['name offset past the strings', 'DTB_BAD_OFFSET', [{ begin: '' }, { prop: 'a', nameoff: 999 }, { end: true }, { fdtEnd: true }]],
    ['name offset 0xffffffff', 'DTB_BAD_OFFSET', [{ begin: '' }, { prop: 'a', nameoff: 0xffffffff }, { end: true }, { fdtEnd: true }]],
  ];
  it.each(cases)('%s -> %s', (_n, code, tokens) => {
    expect(outcome(buildFdt({ tokens }))).toBe(code);
  });

  it('an unterminated name in the strings block is DTB_BAD_STRING', () => {
    // strings "a\0" then "zz" with no NUL; nameoff 2 points at "zz"
    const blob = buildFdt({ tokens: [{ begin: '' }, { prop: 'a' }, { prop: 'zz', nameoff: 2 }, { end: true }, { fdtEnd: true }], stringsTail: v('zz') });
    expect(outcome(blob)).toBe('DTB_BAD_STRING');
  });

  it('nesting is capped at 64 levels', () => {
    const nest = (n: number): FdtToken[] => [{ begin: '' }, ...Array.from({ length: n }, (_, i) => ({ begin: `n${i}` })), ...Array.from({ length: n + 1 }, () => ({ end: true as const })), { fdtEnd: true }];
    expect(outcome(buildFdt({ tokens: nest(63) }))).toBe('ok');
    expect(outcome(buildFdt({ tokens: nest(64) }))).toBe('DTB_BAD_STRUCTURE');
    expect(outcome(buildFdt({ tokens: nest(100_000) }))).toBe('DTB_BAD_STRUCTURE');
  });

  it('reads memreserve, boot cpu and values', () => {
    const t = readDtb(buildFdt({ tokens: minimalTokens(), memrsv: [{ address: 0x2c90000n, size: 0x130000n }], bootCpuidPhys: 8 }), 'm');
    expect(t.memreserve).toEqual([{ address: 0x2c90000n, size: 0x130000n }]);
    expect(t.bootCpuidPhys).toBe(8);
    expect(getNode(t, '/child@1')).toBeDefined();
    expect(t.root.prop('compatible')).toEqual(v('x\0'));
  });

  it('before version 16 node names are full paths', () => {
    const tokens: FdtToken[] = [{ begin: '/' }, { begin: '/child@1' }, { begin: '/child@1/leaf' }, { end: true }, { end: true }, { end: true }, { fdtEnd: true }];
    const t = readDtb(buildFdt({ tokens, version: 3, lastCompVersion: 2 }), 'old');
    expect(getNode(t, '/child@1/leaf')).toBeDefined();
  });
});

describe('truncation: every prefix of every sample DTB', () => {
  const blobs: [string, Uint8Array][] = SCENARIOS.map((s) => [s, sampleFile(s, '00-boot.dtb')]);
  it.each(blobs)('%s: each prefix is a FormatError, never a RangeError', (_s, blob) => {
    const seen = new Set<string>();
    for (let len = 0; len < blob.length; len++) seen.add(outcome(blob.subarray(0, len)));
    expect([...seen]).toEqual(['DTB_TRUNCATED']);
    expect(outcome(blob)).toBe('ok');
  });
  it.each(blobs)('%s: the structure block cut at every 4 bytes (header agreeing)', (_s, blob) => {
    const h = checkDtbHeader(blob, 'x');
    const seen = new Set<string>();
    for (let size = 0; size < h.sizeDtStruct; size += 4) seen.add(outcome(withField(blob, HeaderField.size_dt_struct, size)));
    expect(seen.has('ok')).toBe(false);
    expect([...seen].every((c) => c === 'DTB_TRUNCATED' || c === 'DTB_BAD_STRUCTURE')).toBe(true);
  });
});

describe('resource caps', () => {
  it('a blob of a million-plus empty nodes is refused, not read', () => {
    const n = 1_000_001;
    const node = Uint8Array.of(0, 0, 0, 1, 0x61, 0, 0, 0, 0, 0, 0, 2); // BEGIN_NODE "a" END_NODE
    const body = new Uint8Array(node.length * n);
    for (let i = 0; i < n; i++) body.set(node, i * node.length);
    const blob = buildFdt({ tokens: [{ begin: '' }, { raw: body }, { end: true }, { fdtEnd: true }] });
    expect(outcome(blob)).toBe('DTB_BAD_STRUCTURE');
  });
  it('a memory reservation map without terminator is bounded', () => {
    const memrsv = Array.from({ length: 65_537 }, (_, i) => ({ address: BigInt(i + 1), size: 1n }));
    expect(outcome(buildFdt({ tokens: minimalTokens(), memrsv }))).toBe('DTB_BAD_STRUCTURE');
  });
});

describe('version 2 and 3 blobs (dtc -V 2 / -V 3): full-path node names, 8-byte aligned values', () => {
  const fixture = (v: number) => new Uint8Array(readFileSync(join(import.meta.dirname, 'data', `pseries-7.2-numa2-00-boot.v${v}.dtb`)));
  it.each([2, 3])('version %i reads as the same tree as the version 17 blob', (v) => {
    const old = readDtb(fixture(v), `v${v}.dtb`);
    expect(checkDtbHeader(fixture(v), 'x').version).toBe(v);
    const cur = readDtb(sampleFile('pseries-7.2-numa2', '00-boot.dtb'), '00-boot.dtb');
    // dtc writes a "name" property into every old-format node (FTF_NAMEPROPS); the kernel's rule adds the same
    addKernelNameProps(old);
    addKernelNameProps(cur);
    expect(treesEqual(old.root, cur.root)).toBe(true);
    expect(getNode(old, '/ibm,dynamic-reconfiguration-memory')?.prop('ibm,dynamic-memory-v2')).toEqual(getNode(cur, '/ibm,dynamic-reconfiguration-memory')?.prop('ibm,dynamic-memory-v2'));
  });
  it('a node name that is not a full path below its parent is refused', () => {
    const b = fixture(3);
    const at = Buffer.from(b).indexOf(Buffer.from('\0\0\0\x01/cpus\0', 'latin1'));
    expect(at).toBeGreaterThan(0);
    b[at + 4] = 0x78; // "xcpus"
    expect(outcome(b)).toBe('DTB_BAD_STRUCTURE');
    expect(() => readDtb(b, 't.dtb')).toThrow(/version 3 node names are full paths, but "xcpus" does not start with "\/"/);
  });
});
