import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unpackTar } from 'modern-tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { loadSource } from '../../lib/dt/load.js';
import type { FileView } from '../../lib/dt/file-view.js';
import type { DtNode } from '../../lib/dt/tree.js';
import type { FsPort } from '../../lib/io.js';
import { parseManifest } from '../../lib/capture/manifest.js';
import { runCapture } from '../../lib/capture/capture.js';
import { lmbsFromSource } from '../../lib/model/lmbs-from-tree.js';
import { sysfsMemoryView } from '../../lib/model/sysfs-memory.js';
import { runMain, testIo } from '../helpers/run.js';
import { sampleRoot } from './sample-root.js';

const SAMPLE = 'samples/pseries-7.2-numa2/02-after-add-dimm2-512M-node0.tar.gz';
let root: string;
let out: string;

beforeAll(async () => {
  root = await sampleRoot(SAMPLE);
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'drscope-cap-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
});

function flatten(node: DtNode, prefix = ''): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of node.props) m.set(`${prefix}/${k}`, Buffer.from(v).toString('hex'));
  for (const [k, c] of node.children) for (const [p, v] of flatten(c, `${prefix}/${k}`)) m.set(p, v);
  return m;
}

/** every sysfs memory/node entry as "path kind value" lines */
function sysfsDump(v: FileView): string[] {
  const lines: string[] = [];
  const walk = (p: string) => {
    const k = v.kind(p);
    if (k === 'dir') for (const n of [...(v.list(p) ?? [])].sort()) walk(`${p}/${n}`);
    else if (k === 'symlink') lines.push(`${p} -> ${v.readlink(p)}`);
    else if (k === 'file') lines.push(`${p} = ${Buffer.from(v.readFile(p)!).toString('hex')}`);
  };
  walk('/sys/devices/system/memory');
  walk('/sys/devices/system/node');
  // phys_device is not captured (always 0 except on s390)
  return lines.filter((l) => !/\/(memory-links|node-links|meminfo|phys_device)/.test(l));
}

describe('drscope capture', () => {
  it('captures a --root tree into one tar.gz that loads with the same tree, sysfs view and LMB table', async () => {
    const file = path.join(out, 'cap.tar.gz');
    const r = await runMain(main, ['capture', '--root', root, '-o', file]);
    expect(r.stderr).toMatch(/captured \d+ device-tree nodes, 14 memory blocks/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${file}\n`);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);

    const live = await loadSource(undefined, { root }, testIo());
    const cap = await loadSource(file, {}, testIo());
    expect(cap.layout).toBe('drscope-capture');
    expect(cap.capturedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(flatten(cap.tree.root)).toEqual(flatten(live.tree.root));
    expect(cap.bootTree).toBeDefined();
    expect(flatten(cap.bootTree!.root)).toEqual(flatten(live.bootTree!.root));
    const dump = sysfsDump(cap.files);
    expect(dump.length).toBeGreaterThan(60);
    expect(dump).toEqual(sysfsDump(live.files));
    expect(sysfsMemoryView(cap.files, 'full')?.indexes).toEqual(sysfsMemoryView(live.files, 'full')?.indexes);
    const a = lmbsFromSource(live);
    const b = lmbsFromSource(cap);
    expect(JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))).toBe(JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v)));
    for (const p of ['/proc/cpuinfo', '/proc/meminfo', '/sys/devices/system/cpu/cpu1/physical_id', '/sys/devices/vio/30000000/devspec', '/sys/bus/pci/slots/C1/address', '/sys/kernel/dlpar']) {
      const hex = (b: Uint8Array | undefined) => (b === undefined ? 'absent' : Buffer.from(b).toString('hex'));
      expect(hex(cap.files.readFile(p)), p).toBe(hex(live.files.readFile(p)));
      expect(hex(cap.files.readFile(p))).not.toBe('absent');
    }
  });

  it('writes the manifest last, under drscope-capture-<host>-<time>/, with counts and absent files', async () => {
    const file = path.join(out, 'm.tar.gz');
    await runMain(main, ['capture', '--root', root, '-o', file, '-q']);
    const entries = await unpackTar(gunzipSync(fs.readFileSync(file)));
    const names = entries.map((e) => e.header.name);
    expect(names.every((n) => n.startsWith('drscope-capture-lpar-test-20260102T030405Z/'))).toBe(true);
    expect(names.at(-1)).toBe('drscope-capture-lpar-test-20260102T030405Z/drscope-manifest.json');
    expect(names).toContain('drscope-capture-lpar-test-20260102T030405Z/proc/device-tree/ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory-v2');
    const m = parseManifest(entries.at(-1)!.data!)!;
    expect(m).toMatchObject({ format: 'drscope-capture', formatVersion: 1, hostname: 'lpar-test', kernel: { release: '6.1.0-50-powerpc64le' }, root, trigger: 'manual' });
    expect(m.counts.memoryBlocks).toBe(14);
    expect(m.counts.treeNodes).toBeGreaterThan(30);
    expect(m.absent).toContain('/proc/ppc64/lparcfg');
    expect(m.parts.find((p) => p.name === 'cpus')).toMatchObject({ present: true, files: 5 });
    // no nodeX/memoryN duplicates and no per-block entries: the table holds them
    expect(names.filter((n) => /memory\d+\//.test(n))).toEqual([]);
  });

  it('-o - streams the archive to stdout and writes nothing else there', async () => {
    const r = await runMain(main, ['capture', '--root', root, '-o', '-']);
    expect(r.code).toBe(0);
    const entries = await unpackTar(gunzipSync(r.stdoutBytes));
    expect(entries.length).toBeGreaterThan(400);
    expect(r.stderr).toMatch(/-> stdout/);
  });

  it('a .tar output is not compressed; symlinks stay symlinks', async () => {
    const file = path.join(out, 'plain.tar');
    await runMain(main, ['capture', '--root', root, '-o', file, '-q']);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(257, 262).toString()).toBe('ustar');
    const entries = await unpackTar(bytes);
    const link = entries.find((e) => e.header.type === 'symlink');
    expect(link?.header.name).toMatch(/cpu\/cpu\d\/node|node\/node\d\/cpu/);
  });

  it('never renames over a device or FIFO (as root, -o /dev/null would delete it); a symlink is written through', async () => {
    const { execFileSync } = await import('node:child_process');
    const fifo = path.join(out, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await runMain(main, ['capture', '--root', root, '-o', fifo]);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, `drscope: -o ${fifo}: a FIFO; the capture is only written to a regular file (-o - writes it to standard output)`]);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    const toNull = path.join(out, 'to-null');
    fs.symlinkSync('/dev/null', toNull);
    const r2 = await runMain(main, ['capture', '--root', root, '-o', toNull]);
    expect([r2.code, r2.stderr.split('\n')[0]]).toEqual([2, `drscope: -o ${toNull} (/dev/null): a character device; the capture is only written to a regular file (-o - writes it to standard output)`]);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.partial'))).toEqual([]);
    // a link to a (not yet existing) file: the target is written, the link stays a link
    const link = path.join(out, 'latest.tar.gz');
    fs.symlinkSync('target.tar.gz', link);
    const r3 = await runMain(main, ['capture', '--root', root, '-o', link, '-q']);
    expect(r3.code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync(path.join(out, 'target.tar.gz')).size).toBeGreaterThan(1000);
  });

  it('refuses to write below /proc or /sys (exit 2) and leaves no partial file on failure', async () => {
    const r = await runMain(main, ['capture', '--root', root, '-o', '/proc/x.tar.gz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/never written/);
    const r2 = await runMain(main, ['capture', '--root', root, '-o', `${root}/sys/cap.tgz`]);
    expect(r2.code).toBe(2);
    const r3 = await runMain(main, ['capture', '--root', root, '-o', path.join(out, 'no/such/dir/c.tar.gz')]);
    expect(r3.code).toBe(3);
    expect(r3.stderr).toBe(`drscope: ${path.join(out, 'no/such/dir/c.tar.gz')}: cannot create the capture: no such directory ${path.join(out, 'no/such/dir')}\n`);
  });

  it('-o DIR writes the default name into an existing directory; -o NAME/ must be one', async () => {
    const dir = fs.mkdtempSync(path.join(out, 'odir-'));
    for (const o of [dir, `${dir}/`]) {
      const r = await runMain(main, ['capture', '--root', root, '-o', o, '-q']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${dir}/drscope-capture-${r.stdout.match(/drscope-capture-(.*)\.tar\.gz/)![1]}.tar.gz\n`);
      expect(fs.existsSync(r.stdout.trim())).toBe(true);
      fs.rmSync(r.stdout.trim());
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    const r = await runMain(main, ['capture', '--root', root, '-o', `${dir}/sub/`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`drscope: -o ${dir}/sub/: no such directory\nTry 'drscope --help'\n`);
  });

  it('exit 3 with one line when there is no device tree', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'drscope-empty-'));
    const r = await runMain(main, ['capture', '--root', empty, '-o', path.join(out, 'e.tar.gz')]);
    fs.rmSync(empty, { recursive: true });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(out, 'e.tar.gz.partial'))).toBe(false);
  });

  it('records unreadable files with the reason and stores write-only attributes as empty placeholders', async () => {
    const real = fs as unknown as FsPort;
    const denied = path.join(root, 'sys/firmware/fdt');
    const port: FsPort = new Proxy(real, {
      get(t, k) {
        if (k === 'readFileSync') {
          return (p: string) => {
            if (p === denied) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
            return real.readFileSync(p);
          };
        }
        return Reflect.get(t, k);
      },
    });
    const wo = path.join(root, 'sys/bus/pci/slots/control');
    fs.mkdirSync(wo, { recursive: true });
    fs.writeFileSync(`${wo}/add_slot`, '');
    fs.chmodSync(`${wo}/add_slot`, 0o200);
    const io = testIo({ fs: port });
    const res = await runCapture(io, { root, output: path.join(out, 'u.tar.gz') });
    fs.rmSync(wo, { recursive: true });
    expect(res.manifest.unreadable).toContainEqual({ path: '/sys/firmware/fdt', errno: 'EACCES', reason: 'permission denied (run as root to capture it)' });
    expect(res.manifest.writeOnly).toContain('/sys/bus/pci/slots/control/add_slot');
    const cap = await loadSource(path.join(out, 'u.tar.gz'), {}, testIo());
    expect(cap.bootTree).toBeUndefined();
    expect(cap.files.kind('/sys/bus/pci/slots/control/add_slot')).toBe('file');
  });

  it('a file without read bits that is not a known write-only attribute is read (as root), or listed as unreadable', async () => {
    const prop = path.join(root, 'proc/device-tree/ibm,dynamic-reconfiguration-memory/ibm,lmb-size');
    const before = fs.readFileSync(prop);
    const mode = fs.statSync(prop).mode & 0o777;
    fs.chmodSync(prop, 0);
    try {
      const res = await runCapture(testIo(), { root, output: path.join(out, 'm0.tar.gz') });
      expect(res.manifest.writeOnly).toEqual([]);
      const cap = await loadSource(path.join(out, 'm0.tar.gz'), {}, testIo());
      // testIo runs as root in the container: root reads a mode 000 file
      if (process.getuid?.() === 0) expect(Buffer.from(cap.tree.root.child('ibm,dynamic-reconfiguration-memory')!.prop('ibm,lmb-size')!)).toEqual(before);
      // a reader that gets EACCES (not root): listed under unreadable, never stored as an empty file
      const real = fs as unknown as FsPort;
      const port: FsPort = new Proxy(real, {
        get(t, k) {
          if (k === 'readFileSync') {
            return (p: string) => {
              if (p === prop) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
              return real.readFileSync(p);
            };
          }
          return Reflect.get(t, k);
        },
      });
      const res2 = await runCapture(testIo({ fs: port }), { root, output: path.join(out, 'm1.tar.gz') });
      expect(res2.manifest.writeOnly).toEqual([]);
      expect(res2.manifest.unreadable).toContainEqual({ path: '/proc/device-tree/ibm,dynamic-reconfiguration-memory/ibm,lmb-size', errno: 'EACCES', reason: 'permission denied (run as root to capture it)' });
      const cap2 = await loadSource(path.join(out, 'm1.tar.gz'), {}, testIo());
      expect(cap2.tree.root.child('ibm,dynamic-reconfiguration-memory')!.props.has('ibm,lmb-size')).toBe(false);
      // read back, the gap is explained by the manifest, not by sosreport's size cap
      const partial = cap2.findings.filter((f) => f.code === 'partial-tree');
      expect(partial.map((f) => f.message)).toEqual([
        '/ibm,dynamic-reconfiguration-memory lacks ibm,lmb-size: LMBs cannot be fully decoded; it was unreadable when the capture was taken (EACCES: capture as root; listed under "unreadable" in drscope-manifest.json)',
      ]);
      // missing on the captured system itself: no read error to point at, and no sosreport advice either
      fs.renameSync(prop, `${prop}.away`);
      try {
        await runCapture(testIo(), { root, output: path.join(out, 'm2.tar.gz') });
      } finally {
        fs.renameSync(`${prop}.away`, prop);
      }
      const cap3 = await loadSource(path.join(out, 'm2.tar.gz'), {}, testIo());
      expect(cap3.findings.filter((f) => f.code === 'partial-tree').map((f) => f.message)).toEqual([
        '/ibm,dynamic-reconfiguration-memory lacks ibm,lmb-size: LMBs cannot be fully decoded; the drscope capture does not hold it and its manifest lists no read error (it was not there when the capture was taken)',
      ]);
    } finally {
      fs.chmodSync(prop, mode);
    }
  });

  it('shows progress on stderr only when it is a terminal, and clears the line', async () => {
    const io = testIo();
    io.stderr.isTTY = true;
    expect(await main(['capture', '--root', root, '-o', path.join(out, 'p.tar.gz')], io)).toBe(0);
    const err = io.err.text();
    expect(err).toContain('\rdrscope: capturing memory blocks 14/14\x1b[K');
    expect(err).toMatch(/\r\x1b\[Kdrscope: captured /);
    const quiet = await runMain(main, ['capture', '--root', root, '-o', path.join(out, 'p2.tar.gz')]);
    expect(quiet.stderr).not.toContain('\r');
  });
});
