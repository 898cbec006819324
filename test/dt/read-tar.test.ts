import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DtError } from '../../lib/errors.js';
import { DEFAULT_ARCHIVE_LIMITS, unxzCapped, type ArchiveLimits } from '../../lib/dt/decompress.js';
import { parseXz } from '../../lib/dt/xz-container.js';
import { loadBytes } from '../../lib/dt/load-bytes.js';
import { loadSource } from '../../lib/dt/load.js';
import { readTar } from '../../lib/dt/read-tar.js';
import { getNode, treesEqual } from '../../lib/dt/tree.js';
import type { FsPort } from '../../lib/io.js';
import { testIo } from '../helpers/run.js';
import { gnuLong, paxHeader, tarArchive, tarEntry, type TarEntrySpec } from './tar-builder.js';
import { sampleFile } from './fixtures.js';

const be32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

/** a small device tree under `dir`, as tar entries */
function treeEntries(dir: string): TarEntrySpec[] {
  return [
    { name: `${dir}/`, type: '5' },
    { name: `${dir}/compatible`, data: 'qemu,pseries\0' },
    { name: `${dir}/#address-cells`, data: be32(2) },
    { name: `${dir}/cpus/`, type: '5' },
    { name: `${dir}/ibm,dynamic-reconfiguration-memory/`, type: '5' },
    { name: `${dir}/ibm,dynamic-reconfiguration-memory/ibm,lmb-size`, data: Uint8Array.of(0, 0, 0, 0, 0x10, 0, 0, 0) },
    { name: `${dir}/ibm,dynamic-reconfiguration-memory/ibm,associativity-lookup-arrays`, data: Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0) },
    { name: `${dir}/ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory-v2`, data: be32(0) },
  ];
}
const archive = (...specs: (TarEntrySpec | Uint8Array)[]) => tarArchive(...specs.map((s) => (s instanceof Uint8Array ? s : tarEntry(s))));

async function failure(p: Promise<unknown>): Promise<DtError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DtError) return e;
    throw e;
  }
  throw new Error('expected a DtError');
}

const load = (bytes: Uint8Array, limits?: ArchiveLimits) => loadBytes(bytes, 'a.tar', {}, testIo(), limits);

describe('tar formats', () => {
  it('ustar prefix, GNU ././@LongLink and pax path names all resolve', async () => {
    const long = `deep/${'x'.repeat(120)}/file`;
    const { entries } = await readTar(
      archive(
        { name: 'file', prefix: `${'p'.repeat(90)}/dir` },
        gnuLong(long),
        { name: long.slice(0, 99), data: 'gnu', format: 'gnu' },
        paxHeader({ path: `pax/${'y'.repeat(150)}` }),
        { name: 'truncated-name', data: 'pax' },
        gnuLong(`link/${'z'.repeat(110)}`, 'K'),
        { name: 'sym', type: '2', linkname: 'short', format: 'gnu' },
      ),
      'a.tar',
    );
    expect(entries.has(`/${'p'.repeat(90)}/dir/file`)).toBe(true);
    expect(Buffer.from(entries.get(`/${long}`)!.data!).toString()).toBe('gnu');
    expect(Buffer.from(entries.get(`/pax/${'y'.repeat(150)}`)!.data!).toString()).toBe('pax');
    expect(entries.get('/sym')).toEqual({ kind: 'symlink', target: `link/${'z'.repeat(110)}` });
  });

  it('a v7 tar (no ustar magic) is detected by its checksum and read', async () => {
    const src = await load(archive(...treeEntries('snap/device-tree').map((e) => ({ ...e, format: 'v7' as const }))));
    expect(src.kind).toBe('tar');
    expect(getNode(src.tree, '/ibm,dynamic-reconfiguration-memory')).toBeDefined();
  });

  it('symlinks are kept: proc/device-tree -> ../sys/firmware/devicetree/base (sosreport)', async () => {
    const src = await load(
      archive(
        ...treeEntries('sosreport-host-2026/sys/firmware/devicetree/base'),
        { name: 'sosreport-host-2026/proc/device-tree', type: '2', linkname: '../sys/firmware/devicetree/base' },
        { name: 'sosreport-host-2026/sos_commands/', type: '5' },
        { name: 'sosreport-host-2026/sys/devices/system/memory/memory0/node0', type: '2', linkname: '../../node/node0' },
      ),
    );
    expect(src.layout).toBe('sosreport');
    expect(src.files.kind('/sys/devices/system/memory/memory0/node0')).toBe('symlink');
    expect(src.files.readlink('/sys/devices/system/memory/memory0/node0')).toBe('../../node/node0');
    expect(getNode(src.tree, '/cpus')).toBeDefined();
  });

  it('an absolute symlink target is resolved inside the capture, never on this machine', async () => {
    const src = await load(archive(...treeEntries('r/sys/firmware/devicetree/base'), { name: 'r/proc/device-tree', type: '2', linkname: '/sys/firmware/devicetree/base' }));
    expect(src.treeLocation).toBe('a.tar:/r/sys/firmware/devicetree/base');
  });

  it('supportconfig layout: scc_*/ppc64/device-tree', async () => {
    const src = await load(archive(...treeEntries('scc_host_260101_1200/ppc64/device-tree'), { name: 'scc_host_260101_1200/hardware.txt', data: 'x' }));
    expect(src.layout).toBe('supportconfig');
    expect(src.files.readFile('/hardware.txt')).toBeDefined();
  });

  it('absolute entry names are read relative to the archive root, with a finding', async () => {
    const src = await load(archive(...treeEntries('/snap/device-tree')));
    expect(src.findings.map((f) => f.code)).toContain('archive-absolute-paths');
    expect(getNode(src.tree, '/cpus')).toBeDefined();
  });

  it('hard links to earlier files are resolved; devices and FIFOs are skipped with a finding', async () => {
    const src = await load(
      archive(
        ...treeEntries('snap/device-tree'),
        { name: 'snap/device-tree/model', type: '1', linkname: 'snap/device-tree/compatible' },
        { name: 'snap/dev/nvram', type: '3' },
        { name: 'snap/dev/sda', type: '4' },
        { name: 'snap/fifo', type: '6' },
      ),
    );
    expect(Buffer.from(src.tree.root.prop('model')!).toString()).toBe('qemu,pseries\0');
    expect(src.findings.filter((f) => f.code === 'archive-entry-skipped').map((f) => f.message)).toEqual([
      'a.tar:/snap/dev/nvram: character-device entry ignored (only files, directories and symlinks are read)',
      'a.tar:/snap/dev/sda: block-device entry ignored (only files, directories and symlinks are read)',
      'a.tar:/snap/fifo: fifo entry ignored (only files, directories and symlinks are read)',
    ]);
  });
});

describe('hostile archives are refused with a clear message', () => {
  const cases: [string, Uint8Array, string, RegExp][] = [
    ['../ in a name', archive(...treeEntries('snap/device-tree'), { name: 'snap/../../etc/passwd', data: 'x' }), 'ARCHIVE_UNSAFE', /"snap\/..\/..\/etc\/passwd" has a ".." component \(path traversal\)/],
    ['a bare ..', archive({ name: '../x', data: 'x' }), 'ARCHIVE_UNSAFE', /path traversal/],
    ['pax path with ..', archive(paxHeader({ path: 'a/../../b' }), { name: 'ok', data: 'x' }), 'ARCHIVE_UNSAFE', /path traversal/],
    ['symlink escaping the root', archive({ name: 'snap/link', type: '2', linkname: '../../../etc/shadow' }), 'ARCHIVE_UNSAFE', /symlink "snap\/link" -> "..\/..\/..\/etc\/shadow" points outside the archive/],
    ['hard link with ..', archive({ name: 'a', type: '1', linkname: '../etc/passwd' }), 'ARCHIVE_UNSAFE', /hard link "a" -> "..\/etc\/passwd"/],
    ['huge declared size', archive({ name: 'big', declaredSize: 2 ** 40, data: 'x' }), 'ARCHIVE_UNSAFE', /declares a size of 1099511627776 bytes but the whole archive is \d+ bytes/],
    ['size just past the end', archive({ name: 'big', declaredSize: 1600, data: 'x' }), 'TAR_BAD_HEADER', /^the archive is truncated: entry "big" \(header at tar offset 0x0\) needs 1600 bytes of data up to 0x840, the archive ends at 0x800$/],
    ['bad header checksum', archive({ name: 'x', data: 'x', badChecksum: true }), 'TAR_BAD_HEADER', /checksum/],
    ['bad checksum further on', archive({ name: 'a', data: 'x' }, { name: 'b', data: 'x', badChecksum: true }), 'TAR_BAD_HEADER', /^invalid tar header checksum at tar offset 0x400 \(after entry "a"\)/],
    ['cut in the middle', archive(...treeEntries('snap/device-tree')).subarray(0, 2048 + 100), 'TAR_BAD_HEADER', /^the archive is truncated: it ends at 0x864, inside the last data block of entry "snap\/device-tree\/#address-cells" \(header at tar offset 0x600\); later entries are missing$/],
    ['cut inside a header', archive(...treeEntries('snap/device-tree')).subarray(0, 2560 + 100), 'TAR_BAD_HEADER', /^the archive is truncated: it ends inside a header at tar offset 0xa00 \(after entry "snap\/device-tree\/#address-cells"\)$/],
    ['cut inside the data', archive({ name: 'a', data: 'x' }, { name: 'snap/b', data: 'y'.repeat(1000) }).subarray(0, 1024 + 512 + 300), 'TAR_BAD_HEADER', /entry "snap\/b" \(header at tar offset 0x400\) needs 1000 bytes of data up to 0x9e8, the archive ends at 0x72c/],
    ['one zero block, then the rest of a header', Buffer.concat([tarEntry({ name: 'a', data: 'x' }), new Uint8Array(512), Uint8Array.of(1, 2, 3)]), 'TAR_BAD_HEADER', /ends inside a header at tar offset 0x600 \(after entry "a"\)/],
    ['no device tree inside', archive({ name: 'README', data: 'hello' }), 'NO_DEVICE_TREE', /no device tree found/],
  ];
  it.each(cases)('%s', async (_n, bytes, code, re) => {
    const e = await failure(load(bytes));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(re);
    expect(e.file).toBe('a.tar');
  });

  it('too many entries', async () => {
    const e = await failure(load(archive(...treeEntries('s/device-tree')), { ...DEFAULT_ARCHIVE_LIMITS, maxEntries: 3 }));
    expect(e.code).toBe('ARCHIVE_TOO_LARGE');
  });
});

describe('the end-of-archive marker', () => {
  const entries = () => treeEntries('snap/device-tree').map((e) => tarEntry(e));
  it.each([
    ['no zero blocks at all', 0, 'lacks the two zero blocks'],
    ['only one zero block', 512, 'has only one of the two zero blocks'],
    ['one zero block and a short rest of zeros', 700, 'has only one of the two zero blocks'],
    ['a short run of zeros', 300, 'lacks the two zero blocks'],
  ] as const)('%s: read, with an info finding (GNU tar lists these too)', async (_n, zeros, what) => {
    const src = await load(Buffer.concat([...entries(), new Uint8Array(zeros)]));
    expect(getNode(src.tree, '/ibm,dynamic-reconfiguration-memory')?.prop('ibm,lmb-size')).toBeDefined();
    const f = src.findings.filter((x) => x.code === 'archive-no-end-marker');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('info');
    expect(f[0]!.message).toContain(what);
    expect(f[0]!.message).toContain('all 8 entries are complete');
  });
  it('the same archive at an odd byte offset in memory reads the same (unaligned checksum path)', async () => {
    const a = Buffer.concat([...entries(), new Uint8Array(512)]);
    const odd = new Uint8Array(a.length + 1).subarray(1);
    odd.set(a);
    const src = await load(odd);
    expect(src.findings.map((x) => x.code)).toContain('archive-no-end-marker');
    const bad = new Uint8Array(a.length + 1).subarray(1);
    bad.set(archive({ name: 'a', data: 'x' }, { name: 'b', data: 'x', badChecksum: true }));
    expect((await failure(load(bad))).message).toMatch(/^invalid tar header checksum at tar offset 0x400/);
  });
  it('a proper marker (and GNU tar record padding) gives no finding', async () => {
    const src = await load(Buffer.concat([...entries(), new Uint8Array(10240)]));
    expect(src.findings.filter((x) => x.code.startsWith('archive'))).toEqual([]);
  });
});

describe('GNU sparse files (tar -S)', () => {
  const data = (f: string) => new Uint8Array(nodeFs.readFileSync(join(import.meta.dirname, 'data', f)));
  const holes = () => {
    const b = new Uint8Array(16 * 65536 + 10);
    for (let i = 0; i < 16; i++) b.fill(i + 1, i * 65536, i * 65536 + 100);
    return b;
  };
  it.each(['sparse-gnu.tar.gz', 'sparse-pax-0.0.tar.gz', 'sparse-pax-0.1.tar.gz', 'sparse-pax-1.0.tar.gz'])('%s: the file is rebuilt with its holes, and the entry after it is read', async (f) => {
    const { entries, findings } = await readTar(gunzipSync(data(f)), f);
    expect(findings).toEqual([]);
    expect([...entries.keys()].filter((k) => entries.get(k)!.kind === 'file').sort()).toEqual(['/s/after.txt', '/s/holes.bin']);
    expect(Buffer.compare(Buffer.from(entries.get('/s/holes.bin')!.data!), Buffer.from(holes()))).toBe(0);
    expect(Buffer.from(entries.get('/s/after.txt')!.data!).toString()).toBe('after the sparse file\n');
  });

  /** an old GNU 'S' header with up to 4 map regions, real size and the stored data */
  function gnuSparse(name: string, regions: [number, number][], realSize: number, stored: Uint8Array): Uint8Array {
    const e = tarEntry({ name, type: 'S', data: stored, format: 'gnu' });
    const put = (off: number, len: number, v: number) => e.set(new TextEncoder().encode(`${v.toString(8).padStart(len - 1, '0')}\0`), off);
    regions.forEach(([o, n], i) => {
      put(386 + 24 * i, 12, o);
      put(386 + 24 * i + 12, 12, n);
    });
    put(483, 12, realSize);
    e.fill(0x20, 148, 156);
    const sum = e.subarray(0, 512).reduce((a, b) => a + b, 0);
    e.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    return e;
  }
  it('a hand-made S entry: regions land at their offsets', async () => {
    const { entries } = await readTar(archive(gnuSparse('f', [[2, 3], [10, 1]], 12, new TextEncoder().encode('abcd')), { name: 'g', data: 'z' }), 'a.tar');
    expect([...entries.get('/f')!.data!]).toEqual([0, 0, 97, 98, 99, 0, 0, 0, 0, 0, 100, 0]);
    expect(Buffer.from(entries.get('/g')!.data!).toString()).toBe('z');
  });
  it('a map region outside the file, or more data than stored, is refused naming the entry', async () => {
    const e1 = await failure(load(archive(gnuSparse('snap/f', [[10, 5]], 12, new Uint8Array(5)))));
    expect(e1.code).toBe('TAR_BAD_HEADER');
    expect(e1.message).toBe('sparse entry "snap/f" (tar offset 0x0): map region 10+5 lies outside the 12-byte file');
    const e2 = await failure(load(archive(gnuSparse('snap/f', [[0, 9]], 12, new Uint8Array(5)))));
    expect(e2.message).toBe('sparse entry "snap/f" (tar offset 0x0): the map needs 9 bytes of data but the entry stores 5');
  });
  it('a sparse file larger than the archive output cap is refused before it is allocated', async () => {
    const e = await failure(load(archive(gnuSparse('snap/f', [[0, 1]], 2 ** 32, new Uint8Array(1)))));
    expect(e.code).toBe('ARCHIVE_TOO_LARGE');
    expect(e.message).toMatch(/^sparse entry "snap\/f" expands to 4294967296 bytes: more than the 1073741824-byte limit/);
  });
});

describe('decompression bombs and corrupt compression', () => {
  const small: ArchiveLimits = { ...DEFAULT_ARCHIVE_LIMITS, maxOutput: 1 << 20, ratioFloor: 64 << 10 };
  const data = (f: string) => new Uint8Array(nodeFs.readFileSync(join(import.meta.dirname, 'data', f)));

  it('gzip: 100 MiB of zeros (ratio ~1000) is refused with the default caps', async () => {
    const bomb = gzipSync(new Uint8Array(100 << 20), { level: 9 });
    const e = await failure(load(bomb));
    expect(e.code).toBe('ARCHIVE_TOO_LARGE');
    expect(e.message).toMatch(/^gzip data expands to more than \d+ MiB .*: refusing a possible decompression bomb$/);
  });
  it('gzip: output over maxOutput is refused', async () => {
    const e = await failure(load(gzipSync(new Uint8Array(2 << 20)), small));
    expect(e.code).toBe('ARCHIVE_TOO_LARGE');
  });
  it('xz: 100 MiB of zeros in 15 KB is refused with the default caps', async () => {
    const e = await failure(load(data('zeros-100M.xz')));
    expect(e.code).toBe('ARCHIVE_TOO_LARGE');
    expect(e.message).toMatch(/^xz data expands to more than/);
  });
  it('xz: output over maxOutput is refused', async () => {
    const e = await failure(load(data('zeros-4M.xz'), small));
    expect(e.code).toBe('ARCHIVE_TOO_LARGE');
  });
  it('xz with SHA-256 checks (several blocks and streams, stream padding) decompresses, and each block is verified', async () => {
    const seq = Array.from({ length: 50000 }, (_, i) => `${i + 1}\n`).join('');
    const xz = data('sha256-multi.xz');
    const out = await unxzCapped(xz, 'm.xz');
    expect(Buffer.from(out).toString()).toBe(`${seq}second\nthird\n`);
    const streams = parseXz(xz)!;
    expect(streams.map((st) => [st.check, st.blocks.length])).toEqual([[10, 5], [4, 1], [10, 1]]);
    // flip one bit of block 3's stored SHA-256 (the decoder never sees it: drscope checks it)
    const bad = new Uint8Array(xz);
    const bl = streams[0]!.blocks[2]!;
    bad[bl.offset + Math.ceil(bl.unpadded / 4) * 4 - 1]! ^= 1;
    const e = await failure(unxzCapped(bad, 'm.xz'));
    expect(e.code).toBe('DECOMPRESS_FAILED');
    expect(e.message).toBe('xz data is corrupt: the SHA-256 check of block 3 does not match its data');
  });
  it('xz with a BCJ or delta filter is named as an unsupported feature, not as corrupt data', async () => {
    for (const [f, name] of [['x86.xz', 'x86 BCJ'], ['delta.xz', 'delta']] as const) {
      const e = await failure(unxzCapped(data(f), f));
      expect(e.code).toBe('DECOMPRESS_FAILED');
      expect(e.message).toMatch(new RegExp(`^unsupported xz feature \\(the ${name} filter\\): the data is valid xz, but .* decompress it with xz first`));
      expect(e.message).not.toMatch(/corrupt/);
    }
  });
  it('the xz container parser never throws on cut or damaged input', () => {
    for (const f of ['sha256-multi.xz', 'x86.xz', 'zeros-4M.xz']) {
      const xz = data(f);
      for (let n = 0; n <= xz.length; n += Math.max(1, Math.floor(xz.length / 300))) {
        expect(() => parseXz(xz.subarray(0, n))).not.toThrow();
        const d = new Uint8Array(xz);
        d[n % d.length]! ^= 0x5a;
        expect(() => parseXz(d)).not.toThrow();
      }
    }
  });
  it('a truncated tar.gz / tar.xz says so', async () => {
    const gz = sampleFile('pseries-7.2-numa2', '00-boot.tar.gz');
    const e1 = await failure(load(gz.subarray(0, gz.length - 100)));
    expect(e1.code).toBe('DECOMPRESS_FAILED');
    expect(e1.message).toMatch(/truncated/);
    const xz = sampleFile('pseries-7.2-numa2', '00-boot.tar.xz');
    const e2 = await failure(load(xz.subarray(0, 2000)));
    expect(e2.code).toBe('DECOMPRESS_FAILED');
    expect(e2.message).toMatch(/xz data is corrupt: unexpected end of input/);
  });
  it('gzip with trailing garbage after the last complete member is read, with an info finding (as gzip -d)', async () => {
    const tar = archive(...treeEntries('snap/device-tree'));
    const junk = new TextEncoder().encode('<html>not found</html>\n');
    const one = await load(Buffer.concat([gzipSync(tar), junk]));
    expect(getNode(one.tree, '/cpus')).toBeDefined();
    const f = one.findings.filter((x) => x.code === 'gzip-trailing-garbage');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'info', file: 'a.tar', evidence: { bytes: junk.length } });
    expect(f[0]!.message).toMatch(/^a\.tar: 23 byte\(s\) after the end of the gzip data at offset 0x[0-9a-f]+ are not gzip data; ignored/);
    // two members, then junk: both members are kept
    const half = tar.length / 2;
    const two = await load(Buffer.concat([gzipSync(tar.subarray(0, half)), gzipSync(tar.subarray(half)), junk]));
    expect(treesEqual(two.tree.root, one.tree.root)).toBe(true);
    // trailing zeros are padding: no finding
    const zeros = await load(Buffer.concat([gzipSync(tar), new Uint8Array(100)]));
    expect(zeros.findings.filter((x) => x.code === 'gzip-trailing-garbage')).toEqual([]);
  });
  it('gzip: a broken second member or a bad CRC is still corrupt data, not trailing garbage', async () => {
    const tar = archive(...treeEntries('snap/device-tree'));
    const second = gzipSync(tar);
    expect((await failure(load(Buffer.concat([gzipSync(tar), second.subarray(0, 30)])))).code).toBe('DECOMPRESS_FAILED');
    const badCrc = new Uint8Array(gzipSync(tar));
    badCrc[badCrc.length - 8]! ^= 1;
    expect((await failure(load(Buffer.concat([badCrc, new TextEncoder().encode('junk')])))).code).toBe('DECOMPRESS_FAILED');
  });
  it('corrupt gzip data', async () => {
    const gz = new Uint8Array(sampleFile('pseries-7.2-numa2', '00-boot.tar.gz'));
    gz.fill(0x55, 100, 200);
    expect((await failure(load(gz))).code).toBe('DECOMPRESS_FAILED');
  });
  it('unsupported compressors are named', async () => {
    expect((await failure(load(Uint8Array.of(0x42, 0x5a, 0x68, 0x39, 1, 2)))).message).toMatch(/bzip2/);
    expect((await failure(load(Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 1)))).message).toMatch(/zstd/);
    expect((await failure(load(Uint8Array.of(0x50, 0x4b, 3, 4)))).message).toMatch(/zip archives/);
    expect((await failure(load(new Uint8Array()))).message).toMatch(/empty/);
    expect((await failure(load(new TextEncoder().encode('hello world')))).code).toBe('UNKNOWN_FORMAT');
  });
});

describe('nothing is written', () => {
  it('loading archives and directories never calls a writing fs method', async () => {
    const writes: string[] = [];
    const readOnly = new Proxy(nodeFs as unknown as FsPort, {
      get(target, prop: string) {
        const v = (target as unknown as Record<string, unknown>)[prop];
        if (/^(write|append|mkdir|symlink|unlink|rename|rm|chmod|open)/.test(prop)) {
          return (...args: unknown[]) => {
            writes.push(`${prop}(${String(args[0])})`);
            throw new Error(`write attempted: ${prop}`);
          };
        }
        return v;
      },
    });
    const io = testIo({ fs: readOnly });
    const root = join(import.meta.dirname, '../../samples/pseries-7.2-numa2');
    for (const f of ['00-boot.tar.gz', '00-boot.tar.xz', '00-boot.dtb', '00-boot.full.dts']) await loadSource(join(root, f), {}, io);
    expect(writes).toEqual([]);
  });
});

describe('archives made by the real tools (fixtures built once with Python tarfile and GNU tar)', () => {
  const data = (f: string) => new Uint8Array(nodeFs.readFileSync(join(import.meta.dirname, 'data', f)));
  const sampleTree = async () => (await load(sampleFile('pseries-7.2-numa2', '00-boot.tar.gz'))).tree;

  it('sosreport layout written by Python tarfile (PAX headers on every entry, pax path for long names)', async () => {
    const src = await loadBytes(data('sosreport-pax.tar.xz'), 'sos.tar.xz', {}, testIo());
    expect(src.layout).toBe('sosreport');
    expect(src.treeLocation).toBe('sos.tar.xz:/sosreport-lpar1-01234567-2026-11-25-abcdefg/proc/device-tree');
    expect(treesEqual(src.tree.root, (await sampleTree()).root)).toBe(true);
    const long = '/sos_commands/powerpc/lparnumascore_-c_mem_-d_3_with_a_deliberately_long_name_to_need_a_pax_path_record_beyond_one_hundred_bytes';
    expect(Buffer.from(src.files.readFile(long)!).toString()).toBe('score 100\n');
    expect(src.files.readlink('/sys/devices/system/memory/memory0/node0')).toBe('../../node/node0');
  });

  it('supportconfig layout written by GNU tar --format=gnu (././@LongLink names and link targets)', async () => {
    const src = await loadBytes(data('supportconfig-gnu.txz'), 'scc.txz', {}, testIo());
    expect(src.layout).toBe('supportconfig');
    expect(treesEqual(src.tree.root, (await sampleTree()).root)).toBe(true);
    expect(Buffer.from(src.files.readFile(`/${'d'.repeat(60)}/${'f'.repeat(70)}`)!).toString()).toBe('long\n');
    expect(src.files.readlink('/longlink')).toBe('x'.repeat(120));
  });
});

