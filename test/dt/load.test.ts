import { describe, expect, it } from 'vitest';
import * as nodeFs from 'node:fs';
import { DtError } from '../../lib/errors.js';
import { DEFAULT_ARCHIVE_LIMITS } from '../../lib/dt/decompress.js';
import { loadSource } from '../../lib/dt/load.js';
import { InputTooLargeError, readFdCapped, type FsPort } from '../../lib/io.js';
import { getNode } from '../../lib/dt/tree.js';
import { memVolume, testIo } from '../helpers/run.js';
import { CAPTURES, SAMPLES, sampleFile } from './fixtures.js';

const be32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

/** a tiny live-looking tree below `dir` */
function liveTree(dir: string, drconf: Record<string, Uint8Array> = {}): Record<string, Uint8Array | string | null> {
  return {
    [`${dir}/compatible`]: 'qemu,pseries\0',
    [`${dir}/#address-cells`]: be32(2),
    [`${dir}/#size-cells`]: be32(2),
    [`${dir}/cpus`]: null,
    [`${dir}/ibm,dynamic-reconfiguration-memory/ibm,lmb-size`]: Uint8Array.of(0, 0, 0, 0, 0x10, 0, 0, 0),
    [`${dir}/ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory-v2`]: be32(0),
    [`${dir}/ibm,dynamic-reconfiguration-memory/ibm,associativity-lookup-arrays`]: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0),
    ...Object.fromEntries(Object.entries(drconf).map(([k, v]) => [`${dir}/ibm,dynamic-reconfiguration-memory/${k}`, v])),
  };
}

async function failure(p: Promise<unknown>): Promise<DtError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DtError) return e;
    throw e;
  }
  throw new Error('expected a DtError');
}

describe('live system and --root', () => {
  it('reads /proc/device-tree through its symlink, with sysfs and an unreadable boot FDT as a finding', async () => {
    const fs = memVolume({ ...liveTree('/sys/firmware/devicetree/base'), '/sys/firmware/fdt': 'x', '/proc/cpuinfo': 'platform\t: pSeries\n', '/sys/devices/system/memory/block_size_bytes': '10000000\n' });
    fs.symlinkSync('/sys/firmware/devicetree/base', '/proc/device-tree');
    fs.chmodSync('/sys/firmware/fdt', 0);
    const src = await loadSource(undefined, {}, testIo({ fs }));
    expect(src.kind).toBe('live');
    expect(getNode(src.tree, '/ibm,dynamic-reconfiguration-memory')?.prop('ibm,lmb-size')).toBeDefined();
    expect(src.files.readFile('/sys/devices/system/memory/block_size_bytes')).toBeDefined();
    expect(src.findings.map((f) => f.code)).toEqual(['boot-fdt-unreadable']);
    expect(src.bootTree).toBeUndefined();
  });

  it('a machine without a device tree gets an error that suggests a snapshot', async () => {
    const e = await failure(loadSource(undefined, {}, testIo({ fs: memVolume({ '/proc/cpuinfo': 'x86' }) })));
    expect(e.code).toBe('NO_DEVICE_TREE');
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/no device tree .*snapshot/);
  });

  it('--root DIR reads the same paths below DIR', async () => {
    const fs = memVolume(liveTree('/r/proc/device-tree'));
    const src = await loadSource(undefined, { root: '/r' }, testIo({ fs }));
    expect(src.kind).toBe('root');
    expect(src.treeLocation).toBe('/r/proc/device-tree');
    expect((await failure(loadSource(undefined, { root: '/nope' }, testIo({ fs })))).code).toBe('SOURCE_NOT_FOUND');
  });
});

describe('paths, stdin and --input-format', () => {
  it('a copy of the tree itself is a snapshot', async () => {
    const src = await loadSource('/copy', {}, testIo({ fs: memVolume(liveTree('/copy')) }));
    expect(src.layout).toBe('tree');
    expect(src.findings).toEqual([]);
  });
  it('"-" reads any file format from stdin', async () => {
    for (const [f, kind] of [['00-boot.dtb', 'dtb'], ['00-boot.tar.gz', 'tar'], ['00-boot.tar.xz', 'tar'], ['00-boot.full.dts', 'dts']] as const) {
      const src = await loadSource('-', {}, testIo({ stdin: sampleFile('pseries-7.2-numa2', f) }));
      expect(src.kind).toBe(kind);
      expect(src.label).toBe('-');
    }
  });
  it('--input-format forces the reader', async () => {
    const io = testIo({ stdin: sampleFile('pseries-7.2-numa2', '00-boot.tar.gz') });
    expect((await failure(loadSource('-', { format: 'dtb' }, io))).code).toBe('DTB_BAD_MAGIC');
    expect((await failure(loadSource('-', { format: 'dts' }, io))).code).toBe('DTS_SYNTAX');
    expect((await failure(loadSource('-', { format: 'dir' }, io))).code).toBe('UNKNOWN_FORMAT');
    expect((await failure(loadSource(SAMPLES, { format: 'tar' }, testIo()))).message).toMatch(/this is a directory/);
  });
  it('missing paths', async () => {
    const e = await failure(loadSource('/does/not/exist', {}, testIo({ fs: memVolume({}) })));
    expect(e.code).toBe('SOURCE_NOT_FOUND');
  });
});

describe('captures', () => {
  it.each(CAPTURES)('%s/%s: no findings, capture time from date.txt', async (s, f) => {
    const src = await loadSource(`${SAMPLES}/${s}/${f}`, {}, testIo());
    expect(src.findings).toEqual([]);
    expect(src.capturedAt).toMatch(/^2026-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(src.bootTree?.root.prop('name')).toBeDefined();
  });

  it('a partial tree (sosreport size cap) is a finding naming what is missing, not a failure', async () => {
    const files = liveTree('/sosreport-h/proc/device-tree');
    delete files['/sosreport-h/proc/device-tree/ibm,dynamic-reconfiguration-memory/ibm,associativity-lookup-arrays'];
    delete files['/sosreport-h/proc/device-tree/ibm,dynamic-reconfiguration-memory/ibm,lmb-size'];
    files['/sosreport-h/sos_commands'] = null;
    const src = await loadSource('/sosreport-h', {}, testIo({ fs: memVolume(files) }));
    expect(src.layout).toBe('sosreport');
    expect(src.findings).toHaveLength(1);
    const f = src.findings[0]!;
    expect(f.code).toBe('partial-tree');
    expect(f.severity).toBe('warning');
    expect(f.node).toBe('/ibm,dynamic-reconfiguration-memory');
    expect(f.message).toMatch(/lacks ibm,lmb-size, ibm,associativity-lookup-arrays/);
  });
});

describe('unreadable node directories', () => {
  it('a node directory that cannot be listed is a node-unreadable finding, not a silently empty node', async () => {
    const fs = memVolume({ ...liveTree('/cap/proc/device-tree'), '/cap/proc/device-tree/vdevice/name': 'vdevice\0' });
    const denied = new Proxy(fs, {
      get(t, k) {
        if (k === 'readdirSync') {
          return (p: string) => {
            if (p === '/cap/proc/device-tree/vdevice') throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
            return t.readdirSync(p);
          };
        }
        return Reflect.get(t, k) as unknown;
      },
    });
    const src = await loadSource('/cap', {}, testIo({ fs: denied }));
    expect(getNode(src.tree, '/vdevice')).toBeDefined();
    expect(src.findings.filter((f) => f.code === 'node-unreadable')).toEqual([
      { code: 'node-unreadable', severity: 'warning', node: '/vdevice', file: '/proc/device-tree/vdevice', message: '/proc/device-tree/vdevice: cannot list the node directory (permission denied): its properties and child nodes are missing' },
    ]);
    // an empty node that can be listed is fine
    const ok = await loadSource('/cap', {}, testIo({ fs: memVolume({ ...liveTree('/cap/proc/device-tree'), '/cap/proc/device-tree/vdevice': null }) }));
    expect(ok.findings.filter((f) => f.code === 'node-unreadable')).toEqual([]);
  });
});

describe('permission denied', () => {
  const deny = (fs: FsPort, denied: (op: string, p: string) => boolean): FsPort =>
    new Proxy(fs, {
      get(t, k) {
        const f = Reflect.get(t, k) as unknown;
        if (typeof k !== 'string' || typeof f !== 'function') return f;
        return (p: string, ...rest: unknown[]) => {
          if (denied(k, p)) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
          return (f as (...a: unknown[]) => unknown).call(t, p, ...rest);
        };
      },
    });
  it('an unlistable source directory says permission denied (exit 3), not "no device tree found here"', async () => {
    // chmod 000 /cap: it cannot be listed, and nothing below it can be reached
    const fs = deny(memVolume(liveTree('/cap/proc/device-tree')), (op, p) => (op === 'readdirSync' && p === '/cap') || (typeof p === 'string' && p.startsWith('/cap/')));
    const e = await failure(loadSource('/cap', {}, testIo({ fs })));
    expect([e.code, e.message, e.exitCode]).toEqual(['SOURCE_UNREADABLE', 'cannot list the directory (permission denied)', 3]);
  });
  it('a property unreadable here is blamed on the read, not on sosreport\'s size cap', async () => {
    const lmbSize = '/cap/proc/device-tree/ibm,dynamic-reconfiguration-memory/ibm,lmb-size';
    const fs = deny(memVolume(liveTree('/cap/proc/device-tree')), (op, p) => (op === 'readFileSync' || op === 'openSync') && p === lmbSize);
    const src = await loadSource('/cap', {}, testIo({ fs }));
    const partial = src.findings.find((f) => f.code === 'partial-tree');
    expect(partial?.message).toMatch(/lacks ibm,lmb-size: .*it could not be read here \(see the warnings above/);
    expect(partial?.message).not.toMatch(/sosreport/);
    expect(src.findings.some((f) => f.code === 'property-unreadable' && f.property === 'ibm,lmb-size')).toBe(true);
  });
});

describe('locating the tree', () => {
  it('finds a sosreport tarred from /var/tmp (three wrapping directories), not one level deeper', async () => {
    const src = await loadSource('/x', {}, testIo({ fs: memVolume({ ...liveTree('/x/var/tmp/sosreport-h/proc/device-tree'), '/x/var/tmp/sosreport-h/sos_commands': null }) }));
    expect(src.layout).toBe('sosreport');
    expect(src.treeLocation).toBe('/x/var/tmp/sosreport-h/proc/device-tree');
    const e = await failure(loadSource('/x', {}, testIo({ fs: memVolume(liveTree('/x/a/var/tmp/sosreport-h/proc/device-tree')) })));
    expect(e.code).toBe('NO_DEVICE_TREE');
    expect(e.message).toBe(
      'no device tree found here: looked in this directory and up to 3 levels of subdirectories for proc/device-tree, device-tree, ppc64/device-tree or sys/firmware/devicetree/base, ' +
        'or a directory that is itself a device-tree root (cpus/, rtas/, chosen/, vdevice/ or ibm,dynamic-reconfiguration-memory/ beside #address-cells, compatible, model or device_type)',
    );
  });

  it("drscope's own capture reads back even when its tree has none of the root markers (its manifest vouches for proc/device-tree)", async () => {
    const bare = { '/c/proc/device-tree/#address-cells': new Uint8Array([0, 0, 0, 2]), '/c/proc/device-tree/memory@0/device_type': 'memory\0' };
    const src = await loadSource('/c', {}, testIo({ fs: memVolume({ ...bare, '/c/drscope-manifest.json': '{}' }) }));
    expect([src.layout, src.treeLocation]).toEqual(['drscope-capture', '/c/proc/device-tree']);
    // without the manifest the same directory is not recognised: nothing says it is a tree
    expect((await failure(loadSource('/c', {}, testIo({ fs: memVolume(bare) })))).code).toBe('NO_DEVICE_TREE');
  });

  it('two captures side by side: the first is read and a warning names both', async () => {
    const files = { ...liveTree('/two/snap-00-boot/device-tree'), ...liveTree('/two/snap-03-after/device-tree'), ...liveTree('/two/z/deeper/device-tree') };
    const src = await loadSource('/two', {}, testIo({ fs: memVolume(files) }));
    expect(src.treeLocation).toBe('/two/snap-00-boot/device-tree');
    const f = src.findings.filter((x) => x.code === 'several-captures');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      severity: 'warning',
      message: '3 captures here: read /snap-00-boot, not /snap-03-after, /z/deeper; to read another, name its own directory (unpack an archive first)',
      evidence: { read: '/snap-00-boot', others: ['/snap-03-after', '/z/deeper'] },
    });
    // one capture: no warning, and nothing below a capture root counts as a second one
    const one = await loadSource('/one', {}, testIo({ fs: memVolume({ ...liveTree('/one/snap/device-tree'), ...liveTree('/one/snap/device-tree/vdevice/copy') }) }));
    expect(one.findings.filter((x) => x.code === 'several-captures')).toEqual([]);
  });

  it('follows a relative device-tree symlink from its own directory (supportconfig ppc64/)', async () => {
    const files = liveTree('/scc_h/ppc64/dt-copy');
    const fs = memVolume(files);
    fs.symlinkSync('dt-copy', '/scc_h/ppc64/device-tree');
    const src = await loadSource('/scc_h', {}, testIo({ fs }));
    expect(src.layout).toBe('supportconfig');
    expect(src.treeLocation).toBe('/scc_h/ppc64/dt-copy');
  });
  it('a symlink climbing above the capture root stays inside it', async () => {
    const fs = memVolume({ ...liveTree('/cap/sys/firmware/devicetree/base'), '/cap/proc': null });
    fs.symlinkSync('../../../../sys/firmware/devicetree/base', '/cap/proc/device-tree');
    const src = await loadSource('/cap', {}, testIo({ fs }));
    expect(src.treeLocation).toBe('/cap/sys/firmware/devicetree/base');
  });
});

describe('the input cap also holds for streams', () => {
  const small = { ...DEFAULT_ARCHIVE_LIMITS, maxOutput: 1 << 20 };
  it('stdin is read with the cap: at most one byte past it, then ARCHIVE_TOO_LARGE', async () => {
    const asked: (number | undefined)[] = [];
    const io = testIo();
    // an endless stream: hands out whatever it is asked for (a lot when asked for "all")
    io.readStdin = (limit?: number) => {
      asked.push(limit);
      return new Uint8Array(limit === undefined ? 3 << 20 : limit + 1);
    };
    const e = await failure(loadSource('-', {}, io, small));
    expect(asked).toEqual([1 << 20]);
    expect(e.code).toBe('ARCHIVE_TOO_LARGE');
    expect(e.file).toBe('-');
    expect(e.message).toBe('standard input is larger than the 1 MiB input limit (reading stopped there)');
  });
  it('stdin at the cap exactly still loads', async () => {
    const io = testIo({ stdin: sampleFile('pseries-7.2-numa2', '00-boot.dtb') });
    const src = await loadSource('-', {}, io, { ...DEFAULT_ARCHIVE_LIMITS, maxOutput: sampleFile('pseries-7.2-numa2', '00-boot.dtb').length });
    expect(src.kind).toBe('dtb');
  });
  it.runIf(nodeFs.existsSync('/dev/zero'))('a device (/dev/zero) stops at the cap instead of growing without bound', async () => {
    const e = await failure(loadSource('/dev/zero', {}, testIo(), small));
    expect(e.code).toBe('ARCHIVE_TOO_LARGE');
    expect(e.message).toBe('larger than the 1 MiB input limit (not a regular file: reading stopped there)');
  });
  it('stdin that says "too large" while reading (the real port) is ARCHIVE_TOO_LARGE too', async () => {
    const io = testIo();
    io.readStdin = (limit?: number) => {
      throw new InputTooLargeError(limit ?? 0);
    };
    expect((await failure(loadSource('-', {}, io, small))).code).toBe('ARCHIVE_TOO_LARGE');
  });
  it('readFdCapped: stops one byte past the limit of an endless descriptor, EAGAIN polled, EOF ends', () => {
    if (nodeFs.existsSync('/dev/zero')) {
      const fd = nodeFs.openSync('/dev/zero', 'r');
      try {
        expect(() => readFdCapped(nodeFs as unknown as FsPort, fd, 3_000_000)).toThrow(InputTooLargeError);
      } finally {
        nodeFs.closeSync(fd);
      }
    }
    const script: (number | 'EAGAIN')[] = ['EAGAIN', 5, 'EAGAIN', 7, 0];
    const fake = {
      readSync(_fd: number, buf: Uint8Array, off: number, len: number) {
        const step = script.shift()!;
        if (step === 'EAGAIN') throw Object.assign(new Error('again'), { code: 'EAGAIN' });
        buf.fill(1, off, off + Math.min(step, len));
        return Math.min(step, len);
      },
    };
    expect(readFdCapped(fake, 0, 100)).toEqual(new Uint8Array(12).fill(1));
    // exactly at the limit is fine; one more byte is not
    const once = (n: number) => {
      let left = n;
      return { readSync: (_f: number, _b: Uint8Array, _o: number, len: number) => { const k = Math.min(left, len); left -= k; return k; } };
    };
    expect(readFdCapped(once(12), 0, 12).length).toBe(12);
    expect(() => readFdCapped(once(13), 0, 12)).toThrow(InputTooLargeError);
  });
});
