// dtc's fs <-> dtb agreement check: the same capture as a directory, tar.gz,
// tar.xz, DTB (dtc -I fs -O dtb) and DTS (dtc -I fs -O dts) loads to one tree.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Volume, createFsFromVolume } from 'memfs';
import { packTar, type TarEntry } from 'modern-tar';
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { unxzCapped } from '../../lib/dt/decompress.js';
import { readTar } from '../../lib/dt/read-tar.js';
import type { FsPort } from '../../lib/io.js';
import { loadBytes } from '../../lib/dt/load-bytes.js';
import { loadSource } from '../../lib/dt/load.js';
import { readDtb } from '../../lib/dt/read-dtb.js';
import { getNode, treesEqual, type DtNode } from '../../lib/dt/tree.js';
import { runMain, testIo } from '../helpers/run.js';
import { SAMPLES, SCENARIOS, sampleFile, unpackToMemfs } from './fixtures.js';

function countNodes(n: DtNode): number {
  let c = 1;
  for (const ch of n.children.values()) c += countNodes(ch);
  return c;
}

describe.each(SCENARIOS)('%s 00-boot in every format', (scenario) => {
  it('directory, tar.gz and DTB give the same tree', async () => {
    const io = testIo({ fs: await unpackToMemfs(scenario, '00-boot.tar.gz') });
    const dir = await loadSource('/cap', {}, io);
    expect(dir.kind).toBe('dir');
    expect(dir.layout).toBe('sample-capture');
    const tgz = await loadBytes(sampleFile(scenario, '00-boot.tar.gz'), '00-boot.tar.gz', {}, testIo());
    expect(tgz.kind).toBe('tar');
    expect(tgz.treeLocation).toBe('00-boot.tar.gz:/snap-00-boot/device-tree');
    const dtb = await loadBytes(sampleFile(scenario, '00-boot.dtb'), '00-boot.dtb', {}, testIo());
    expect(dtb.kind).toBe('dtb');
    expect(countNodes(dir.tree.root)).toBeGreaterThan(20);
    expect(getNode(dir.tree, '/ibm,dynamic-reconfiguration-memory')?.prop('ibm,lmb-size')).toBeDefined();
    expect(treesEqual(dir.tree.root, tgz.tree.root)).toBe(true);
    expect(treesEqual(dir.tree.root, dtb.tree.root)).toBe(true);
    // the boot FDT beside the tree is found and parses, in both forms
    expect(dir.bootTree).toBeDefined();
    expect(tgz.bootTree).toBeDefined();
    expect(treesEqual(dir.bootTree!.root, tgz.bootTree!.root)).toBe(true);
    // sysfs beside the tree is reachable through files
    expect(tgz.files.kind('/sys/devices/system/memory')).toBe('dir');
    expect(tgz.files.readFile('/proc/cpuinfo')?.length).toBeGreaterThan(0);
  });

  it.runIf(existsSync(join(SAMPLES, scenario, '00-boot.tar.xz')))('tar.xz gives the same tree as tar.gz', async () => {
    const tgz = await loadBytes(sampleFile(scenario, '00-boot.tar.gz'), 'a.tar.gz', {}, testIo());
    const txz = await loadBytes(sampleFile(scenario, '00-boot.tar.xz'), 'a.tar.xz', {}, testIo());
    expect(treesEqual(tgz.tree.root, txz.tree.root)).toBe(true);
  });

  it('the DTB reader agrees with dtc on node and property counts', () => {
    const t = readDtb(sampleFile(scenario, '00-boot.dtb'), '00-boot.dtb');
    expect(t.root.prop('compatible')).toEqual(new TextEncoder().encode('qemu,pseries\0'));
  });
});

describe('the same capture in every format gives identical findings', () => {
  const PARTIAL = join(SAMPLES, 'bundles/sosreport-lpar1-04123456-2026-11-25-partial.tar.xz');

  /** the archive's entries, with extra files, as a directory at /cap and as tar and tar.gz files */
  async function formats(extra: Record<string, string>): Promise<{ fs: FsPort; top: string }> {
    const { entries } = await readTar(await unxzCapped(new Uint8Array(readFileSync(PARTIAL)), 'p'), 'p');
    const top = [...entries.keys()][0]!.split('/')[1]!;
    for (const [p, text] of Object.entries(extra)) entries.set(`/${top}${p}`, { kind: 'file', data: new TextEncoder().encode(text) });
    const vol = new Volume();
    const tarEntries: TarEntry[] = [];
    for (const [path, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const full = `/cap${path}`;
      vol.mkdirSync(full.slice(0, full.lastIndexOf('/')), { recursive: true });
      if (e.kind === 'dir') vol.mkdirSync(full, { recursive: true });
      else if (e.kind === 'file') vol.writeFileSync(full, Buffer.from(e.data ?? new Uint8Array()));
      else vol.symlinkSync(e.target ?? '', full);
      const name = path.slice(1);
      tarEntries.push(e.kind === 'file' ? { header: { name, size: e.data?.length ?? 0, type: 'file' }, body: e.data ?? new Uint8Array() } : e.kind === 'dir' ? { header: { name: `${name}/`, size: 0, type: 'directory' } } : { header: { name, size: 0, type: 'symlink', linkname: e.target ?? '' } });
    }
    const tar = await packTar(tarEntries);
    vol.writeFileSync('/cap.tar', Buffer.from(tar));
    vol.writeFileSync('/cap.tar.gz', gzipSync(tar));
    vol.writeFileSync('/partial.tar.xz', readFileSync(PARTIAL));
    return { fs: createFsFromVolume(vol) as unknown as FsPort, top };
  }

  const lmbsJson = async (fs: FsPort, src: string) => {
    const r = await runMain(main, ['lmbs', '--json', src], { fs });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { source: { label: string }; findings: { code: string; file?: string; message: string }[] };
    return doc;
  };

  it('partial sosreport (no lookup arrays), a bad block_size_bytes and a corrupt boot FDT: directory (unwrapped and wrapped) = tar = tar.gz', async () => {
    const { fs, top } = await formats({ '/sys/devices/system/memory/block_size_bytes': 'zzz\n', '/sys/firmware/fdt': 'not a DTB' });
    const docs = await Promise.all([`/cap/${top}`, '/cap', '/cap.tar', '/cap.tar.gz'].map((s) => lmbsJson(fs, s)));
    const codes = docs[0]!.findings.map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['partial-tree', 'block-size-unknown', 'boot-fdt-corrupt']));
    for (const d of docs) {
      expect(d.findings).toEqual(docs[0]!.findings);
      // where the capture was found stays in source, never in a finding
      for (const f of d.findings) expect(JSON.stringify(f)).not.toContain(d.source.label);
      const { source: _s, ...rest } = d;
      const { source: _s0, ...rest0 } = docs[0]!;
      expect(rest).toEqual(rest0);
    }
    expect(docs[0]!.findings.find((f) => f.code === 'block-size-unknown')!.file).toBe('/sys/devices/system/memory/block_size_bytes');
    expect(docs[0]!.findings.find((f) => f.code === 'boot-fdt-corrupt')!.file).toBe('/sys/firmware/fdt');
    expect(docs[0]!.findings.find((f) => f.code === 'partial-tree')!.file).toBe('/proc/device-tree');
  });

  it('the partial sosreport as shipped (.tar.xz) and unpacked', async () => {
    const { fs, top } = await formats({});
    const [xz, dir] = await Promise.all(['/partial.tar.xz', `/cap/${top}`].map((s) => lmbsJson(fs, s)));
    expect(xz!.findings.length).toBeGreaterThan(0);
    expect(xz!.findings).toEqual(dir!.findings);
  });
});
