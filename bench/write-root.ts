// Lay an LPAR out like "/" below a directory, through an FsPort (node:fs for the
// benchmarks, memfs for tests): proc/device-tree (one file per property),
// sys/devices/system/memory (one memoryN dir per assigned LMB, as the kernel
// creates them), sys/devices/system/node, proc/cpuinfo.
import type { FsPort } from '../lib/io.js';
import type { DtNode, DtTree } from '../lib/dt/tree.js';
import { CPUINFO, DRCONF_ASSIGNED, type LparLmbs } from './lpar-tree.js';

export function writeTreeDir(fs: FsPort, dir: string, tree: DtTree): void {
  const put = (node: DtNode, path: string) => {
    fs.mkdirSync(path, { recursive: true });
    for (const [name, value] of node.props) fs.writeFileSync(`${path}/${name}`, value);
    for (const [name, child] of node.children) put(child, `${path}/${name}`);
  };
  put(tree.root, dir);
}

export interface SysfsOptions {
  /** write memoryN blocks (the expensive part: 7 entries per block) */
  blocks?: boolean;
  /** skip (delete) these block numbers after writing: sysfs/DT disagreement */
  omitBlocks?: number[];
}

export function writeSysfs(fs: FsPort, root: string, l: LparLmbs, opts: SysfsOptions = {}): number {
  const mem = `${root}/sys/devices/system/memory`;
  const nodeDir = `${root}/sys/devices/system/node`;
  fs.mkdirSync(mem, { recursive: true });
  fs.writeFileSync(`${mem}/block_size_bytes`, `${l.lmbSize.toString(16)}\n`);
  fs.writeFileSync(`${mem}/auto_online_blocks`, 'online\n');
  const nodeList = l.nodes === 1 ? '0' : `0-${l.nodes - 1}`;
  fs.mkdirSync(nodeDir, { recursive: true });
  for (const f of ['online', 'possible', 'has_memory', 'has_cpu', 'has_normal_memory']) fs.writeFileSync(`${nodeDir}/${f}`, `${nodeList}\n`);
  for (let nd = 0; nd < l.nodes; nd++) {
    fs.mkdirSync(`${nodeDir}/node${nd}`, { recursive: true });
    fs.writeFileSync(`${nodeDir}/node${nd}/distance`, `${Array.from({ length: l.nodes }, (_, k) => (k === nd ? 10 : 40)).join(' ')}\n`);
  }
  let written = 0;
  if (opts.blocks === false) return written;
  const omit = new Set(opts.omitBlocks ?? []);
  // block id = address / block size = LMB index (block size == LMB size on pseries)
  for (let i = 0; i < l.drc.length; i++) {
    if (!(l.flags[i]! & DRCONF_ASSIGNED) || omit.has(i)) continue;
    const b = `${mem}/memory${i}`;
    fs.mkdirSync(b, { recursive: true });
    fs.writeFileSync(`${b}/state`, 'online\n');
    fs.writeFileSync(`${b}/online`, '1\n');
    fs.writeFileSync(`${b}/removable`, '1\n');
    fs.writeFileSync(`${b}/phys_index`, `${i.toString(16).padStart(8, '0')}\n`);
    fs.writeFileSync(`${b}/phys_device`, '0\n');
    fs.writeFileSync(`${b}/valid_zones`, i < 16 ? 'Normal\n' : 'Movable\n');
    fs.symlinkSync(`../../node/node${l.aa[i]}`, `${b}/node${l.aa[i]}`);
    // the mirror link the kernel makes in the node directory
    fs.symlinkSync(`../../memory/memory${i}`, `${nodeDir}/node${l.aa[i]}/memory${i}`);
    written++;
  }
  return written;
}

/** A whole --root directory: device tree, sysfs, /proc/cpuinfo. */
export function writeRoot(fs: FsPort, root: string, tree: DtTree, l: LparLmbs, opts: SysfsOptions = {}): number {
  writeTreeDir(fs, `${root}/proc/device-tree`, tree);
  fs.writeFileSync(`${root}/proc/cpuinfo`, CPUINFO);
  // lsslot/drmgr take their lock in /var/lock, as powerpc-utils does
  fs.mkdirSync(`${root}/var/lock`, { recursive: true });
  return writeSysfs(fs, root, l, opts);
}
