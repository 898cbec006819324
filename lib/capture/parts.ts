// What a capture holds: everything drscope and lsslot/drmgr read, each part
// walked from the captured root and stored at the same path in the archive,
// so the capture loads through the ordinary locate logic like a --root tree.
import { SourceError } from '../errors.js';
import type { CaptureEntry, CaptureReport } from './entry.js';
import { describeErrno, type RootFs } from './root-fs.js';
import { ABSENT, BLOCK_ATTRS, cell, MEMORY_TABLE_HEADER, MEMORY_TABLE_NAME, TABLE_COLUMNS } from './memory-table.js';
import { readEntry, walk } from './walk.js';

export type Progress = (done: number, total: number) => void;

/** single files: text the tools parse, plus identification for the manifest */
export const SINGLE_FILES = [
  '/proc/cpuinfo',
  '/proc/meminfo',
  '/proc/version',
  '/proc/cmdline',
  '/proc/sys/kernel/hostname',
  '/proc/sys/kernel/osrelease',
  '/proc/ppc64/lparcfg',
  '/proc/ppc64/ofdt',
  '/sys/kernel/dlpar',
  '/sys/firmware/fdt',
  '/sys/bus/pci/slots/control/add_slot',
  '/sys/bus/pci/slots/control/remove_slot',
] as const;

const MEMORY_TOP = new Set(['block_size_bytes', 'auto_online_blocks']);
const NODE_TOP = new Set(['online', 'possible', 'has_memory', 'has_cpu', 'has_normal_memory']);
const NODE_ATTRS = new Set(['cpulist', 'cpumap', 'distance', 'meminfo']);
const CPU_TOP = new Set(['online', 'possible', 'present', 'offline', 'kernel_max']);
const CPU_ATTRS = new Set(['physical_id', 'online']);
/** big sysfs subtrees with no devspec files, skipped by the devspec walk */
const DEVSPEC_SKIP = new Set(['/sys/devices/system/memory', '/sys/devices/system/node', '/sys/devices/system/cpu', '/sys/devices/virtual']);

/** Where the live tree is: /proc/device-tree (often a symlink into /sys), else the sysfs path. */
export function locateLiveTree(fs: RootFs): string {
  const l = fs.lstat('/proc/device-tree');
  if (l.ok && l.value.isSymbolicLink()) {
    const t = fs.readlink('/proc/device-tree');
    if (t.ok) {
      const target = t.value.startsWith('/') ? t.value : `/proc/${t.value}`;
      const st = fs.stat(target);
      if (st.ok && st.value.isDirectory()) return target;
    }
  } else if (l.ok && l.value.isDirectory()) return '/proc/device-tree';
  const s = fs.stat('/sys/firmware/devicetree/base');
  if (s.ok && s.value.isDirectory()) return '/sys/firmware/devicetree/base';
  throw new SourceError('NO_DEVICE_TREE', 'no device tree to capture (not a POWER/pseries Linux system?)', { file: fs.real('/proc/device-tree') });
}

export function* deviceTree(fs: RootFs, report: CaptureReport): Generator<CaptureEntry> {
  const from = locateLiveTree(fs);
  const part = report.part('device-tree', '/proc/device-tree');
  // stored as a real directory at proc/device-tree whatever the live symlink says
  yield* walk(fs, report, part, from, '/proc/device-tree', { file: () => true, dir: () => true, symlink: () => false });
}

export function* singleFiles(fs: RootFs, report: CaptureReport, absent: string[]): Generator<CaptureEntry> {
  const part = report.part('files', '/proc, /sys');
  for (const path of SINGLE_FILES) {
    const st = fs.stat(path); // follows /proc/ppc64 -> /proc/powerpc
    if (!st.ok) {
      if (st.errno === 'ENOENT') absent.push(path);
      else report.unreadable.push({ path, errno: st.errno, reason: describeErrno(st.errno) });
      continue;
    }
    if (!st.value.isFile()) continue;
    const e = readEntry(fs, report, part, path, st.value.mode);
    if (e) yield e;
  }
}

export function* nodes(fs: RootFs, report: CaptureReport): Generator<CaptureEntry> {
  const part = report.part('numa-nodes', '/sys/devices/system/node');
  yield* walk(fs, report, part, '/sys/devices/system/node', '/sys/devices/system/node', {
    maxDepth: 1,
    skip: (n) => n.startsWith('memory'),
    dir: (n, _p, d) => d === 1 && /^node\d+$/.test(n),
    file: (n, _p, d) => (d === 0 ? NODE_TOP.has(n) : NODE_ATTRS.has(n)),
    // nodeX/memoryN links are rebuilt from the memory-block table
    symlink: (n, _p, d) => d === 1 && /^cpu\d+$/.test(n),
  });
}

export function* cpus(fs: RootFs, report: CaptureReport): Generator<CaptureEntry> {
  const part = report.part('cpus', '/sys/devices/system/cpu');
  yield* walk(fs, report, part, '/sys/devices/system/cpu', '/sys/devices/system/cpu', {
    maxDepth: 1,
    dir: (n, _p, d) => d === 1 && /^cpu\d+$/.test(n),
    file: (n, _p, d) => (d === 0 ? CPU_TOP.has(n) : CPU_ATTRS.has(n)),
    symlink: (n, _p, d) => d === 1 && /^node\d+$/.test(n),
  });
}

/** lsslot maps DT nodes to Linux devices through every devspec file below /sys/devices. */
export function* devspecs(fs: RootFs, report: CaptureReport): Generator<CaptureEntry> {
  const part = report.part('devspec', '/sys/devices/**/devspec');
  yield* walk(fs, report, part, '/sys/devices', '/sys/devices', {
    emitDirs: false,
    maxDepth: 32,
    dir: (_n, p) => !DEVSPEC_SKIP.has(p),
    file: (n) => n === 'devspec',
    symlink: () => false,
  });
}

export function* pciSlots(fs: RootFs, report: CaptureReport): Generator<CaptureEntry> {
  const part = report.part('pci-slots', '/sys/bus/pci/slots');
  yield* walk(fs, report, part, '/sys/bus/pci/slots', '/sys/bus/pci/slots', {
    maxDepth: 1,
    dir: (_n, _p, d) => d === 1,
    file: (_n, _p, d) => d === 1,
    symlink: (_n, _p, d) => d === 1,
  });
}

/**
 * The memory blocks: up to 262,144 of them, so no generic walk and no entry
 * per file: one readdir for the list, the known attributes read directly, one
 * readdir per block for its node link, all into one table (memory-table.ts).
 */
export function* memoryBlocks(fs: RootFs, report: CaptureReport, progress?: Progress): Generator<CaptureEntry> {
  const part = report.part('memory-blocks', '/sys/devices/system/memory');
  const base = '/sys/devices/system/memory';
  const names = fs.list(base);
  if (!names.ok) {
    if (names.errno === 'ENOENT') part.present = false;
    else report.unreadable.push({ path: base, errno: names.errno, reason: describeErrno(names.errno) });
    return;
  }
  const top: CaptureEntry = { path: `${base.slice(1)}/`, kind: 'dir' };
  report.count(part, top);
  yield top;
  for (const n of names.value) {
    if (!MEMORY_TOP.has(n)) continue;
    const st = fs.lstat(`${base}/${n}`);
    if (!st.ok || !st.value.isFile()) continue;
    const e = readEntry(fs, report, part, `${base}/${n}`, st.value.mode);
    if (e) yield e;
  }
  const ids = new Uint32Array(names.value.length);
  let count = 0;
  for (const n of names.value) {
    const m = /^memory(\d+)$/.exec(n);
    if (m) ids[count++] = Number(m[1]);
  }
  const sorted = ids.subarray(0, count).sort();
  // block -> nodes from the nodeX/memoryN links: a few big readdirs instead of
  // one per block (the kernel creates both directions of the link together)
  const nodeOf = blockNodes(fs);
  const rows: string[] = [MEMORY_TABLE_HEADER, TABLE_COLUMNS.join('\t')];
  for (let i = 0; i < count; i++) {
    const dir = `${base}/memory${sorted[i]}`;
    const cols: string[] = [String(sorted[i])];
    for (const a of BLOCK_ATTRS) {
      const r = fs.readSmall(`${dir}/${a}`);
      if (r.ok) {
        cols.push(cell(r.value));
        part.files++;
        part.bytes += r.value.length;
      } else {
        cols.push(ABSENT);
        if (r.errno !== 'ENOENT') report.unreadable.push({ path: `${dir}/${a}`, errno: r.errno, reason: describeErrno(r.errno) });
      }
    }
    // every attribute gone: the block was removed (DLPAR) while we read
    if (cols.every((c, k) => k === 0 || c === ABSENT)) continue;
    part.dirs++;
    let nodeIds: string[] = [];
    if (nodeOf) nodeIds = nodeOf.get(sorted[i]!) ?? [];
    else {
      const inner = fs.list(dir);
      if (inner.ok) {
        for (const n of inner.value) {
          const m = /^node(\d+)$/.exec(n);
          if (m) nodeIds.push(m[1]!);
        }
      } else if (inner.errno !== 'ENOENT') report.unreadable.push({ path: dir, errno: inner.errno, reason: describeErrno(inner.errno) });
    }
    part.symlinks += nodeIds.length;
    cols.push(nodeIds.length === 0 ? ABSENT : nodeIds.join(','));
    rows.push(cols.join('\t'));
    if (progress && (i & 1023) === 1023) progress(i + 1, count);
  }
  progress?.(count, count);
  yield { path: MEMORY_TABLE_NAME, kind: 'file', data: Buffer.from(`${rows.join('\n')}\n`, 'latin1'), mode: 0o644 };
}

/** block id -> node ids, from /sys/devices/system/node/nodeX/memoryN; undefined when no node lists any block */
function blockNodes(fs: RootFs): Map<number, string[]> | undefined {
  const base = '/sys/devices/system/node';
  const nodes = fs.list(base);
  if (!nodes.ok) return undefined;
  const map = new Map<number, string[]>();
  for (const n of nodes.value) {
    const nm = /^node(\d+)$/.exec(n);
    if (!nm) continue;
    const inner = fs.list(`${base}/${n}`);
    if (!inner.ok) continue;
    for (const e of inner.value) {
      if (!e.startsWith('memory')) continue;
      const m = /^memory(\d+)$/.exec(e);
      if (!m) continue;
      const id = Number(m[1]);
      const l = map.get(id);
      if (l) l.push(nm[1]!);
      else map.set(id, [nm[1]!]);
    }
  }
  return map.size === 0 ? undefined : map;
}
