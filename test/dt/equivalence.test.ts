// dtc's fs <-> dtb agreement check: the same capture as a directory, tar.gz,
// tar.xz, DTB (dtc -I fs -O dtb) and DTS (dtc -I fs -O dts) loads to one tree.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBytes } from '../../lib/dt/load-bytes.js';
import { loadSource } from '../../lib/dt/load.js';
import { readDtb } from '../../lib/dt/read-dtb.js';
import { getNode, treesEqual, type DtNode } from '../../lib/dt/tree.js';
import { testIo } from '../helpers/run.js';
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
