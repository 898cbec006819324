// A "system view": the device tree plus the files around it (/proc/cpuinfo,
// /sys/...). lsslot runs over this one abstraction whether it reads the live
// system, a --root directory or any snapshot drscope can load, so all three
// share one code path. Directory walks use kernfs order (what readdir returns
// on a live /proc/device-tree and /sys), whatever the snapshot was stored on.
import type { FsPort, Io } from '../io.js';
import { loadSource } from '../dt/load.js';
import { fsFileView, type FileView } from '../dt/file-view.js';
import { readDirTree } from '../dt/read-dir.js';
import { getNode, type DtNode, type DtTree } from '../dt/tree.js';
import { kernfsOrder } from '../dt/kernfs-order.js';
import { rootedFs } from './rooted-fs.js';
import type { CDrcList } from '../decode/drc.js';

export interface SystemView {
  tree: DtTree;
  files: FileView;
  /** what was read, for messages */
  label: string;
  /**
   * live / --root: the file system itself, for hot loops (one open/read/close
   * per sysfs file) and for what the tools write (lock, log, /sys/kernel/dlpar).
   * `fs` takes paths inside the root (/sys/...) and resolves symlinks in it
   * chroot-style; `raw` is the port below it and `resolve` gives a host path on it.
   */
  direct?: { fs: FsPort; raw: FsPort; resolve: (path: string, followLast?: boolean) => string; rooted: boolean };
}

export const OFDT_BASE = '/proc/device-tree';

/** "/proc/device-tree" + an OF path ("/" is the base itself), as the C code names nodes in messages */
export function ofFullPath(path: string): string {
  return path === '/' || path === '' ? OFDT_BASE : OFDT_BASE + path;
}

/** the messages get_drc_info() prints when it fails for the node at `full` (level, text) */
export function drcFailureMessages(full: string, failure: CDrcList['failure']): [number, string][] {
  if (!failure || failure.kind === 'drc-info') return [];
  const out: [number, string][] = [];
  if (failure.kind === 'empty') out.push([1, `No entries found in ${full}/${failure.property}\n`]);
  out.push([4, `Could not find DRC property group in path: ${full}.\n`]);
  return out;
}

/** Live system (root undefined) or a directory laid out like / (--root). Never throws: a missing tree is an empty one. */
export function systemFromRoot(io: Io, root: string | undefined): SystemView {
  const prefix = (root ?? '').replace(/\/+$/, '');
  const direct =
    prefix === ''
      ? { fs: io.fs, raw: io.fs, resolve: (p: string) => p, rooted: false }
      : (() => {
          const r = rootedFs(io.fs, prefix);
          return { fs: r as FsPort, raw: io.fs, resolve: r.resolve, rooted: true };
        })();
  const files = fsFileView(direct.fs, '');
  const dtKind = files.kind(OFDT_BASE);
  const { tree } = dtKind === undefined ? { tree: { root: emptyRoot(), memreserve: [] } } : readDirTree(files, OFDT_BASE);
  return { tree, files, label: root ?? '/', direct };
}

function emptyRoot(): DtNode {
  return readDirTree({ readFile: () => undefined, list: () => undefined, kind: () => undefined, readlink: () => undefined, describe: (p) => p }, '/').tree.root;
}

/** Any snapshot drscope reads (directory, archive, DTB/DTS, sosreport). */
export async function systemFromSource(io: Io, spec: string): Promise<SystemView> {
  const src = await loadSource(spec, {}, io);
  return { tree: src.tree, files: src.files, label: src.label };
}

/** Node at an OF path ("/cpus"); paths may carry the /proc/device-tree prefix. */
export function ofNode(view: SystemView, path: string): DtNode | undefined {
  const p = path.startsWith(OFDT_BASE) ? path.slice(OFDT_BASE.length) || '/' : path;
  return getNode(view.tree, p);
}

/** child nodes in kernfs readdir order */
export function childrenInOrder(node: DtNode): DtNode[] {
  return kernfsOrder(node.children.keys()).map((n) => node.children.get(n)!);
}

/**
 * get_property(): the raw value, or undefined when it would fail in C: missing,
 * zero length (fread of 0 items) or larger than the caller's buffer.
 */
export function getProperty(node: DtNode | undefined, name: string, bufsz = Infinity): Uint8Array | undefined {
  const v = node?.prop(name);
  if (v === undefined || v.length === 0 || v.length > bufsz) return undefined;
  return v;
}

/** get_ofdt_uint_property(): first 4 bytes, big-endian */
export function getUintProperty(node: DtNode | undefined, name: string): number | undefined {
  const v = getProperty(node, name, 4);
  if (!v) return undefined;
  const b = new Uint8Array(4);
  b.set(v);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** a string property up to its first NUL */
export function propString(v: Uint8Array | undefined): string | undefined {
  if (v === undefined) return undefined;
  const end = v.indexOf(0);
  return Buffer.from(v.subarray(0, end < 0 ? v.length : end)).toString('latin1');
}

/** sysfs "%s" read: first whitespace-delimited word; undefined when unreadable or empty */
export function sysfsWord(view: SystemView, path: string): string | undefined {
  let b: Uint8Array | undefined;
  try {
    b = view.files.readFile(path);
  } catch {
    return undefined;
  }
  if (b === undefined) return undefined;
  const m = /^\s*(\S+)/.exec(Buffer.from(b).toString('latin1'));
  return m ? m[1] : undefined;
}

/** sysfs "%i" read (fscanf: base auto-detected), undefined on failure */
export function sysfsInt(view: SystemView, path: string): number | undefined {
  const w = sysfsWord(view, path);
  if (w === undefined) return undefined;
  const m = /^[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(w);
  if (!m) return undefined;
  return Number(BigInt.asIntN(32, BigInt(parseCInt(m[0]))));
}

function parseCInt(s: string): bigint {
  const neg = s.startsWith('-');
  const t = s.replace(/^[+-]/, '');
  let v: bigint;
  if (/^0[xX]/.test(t)) v = BigInt(t);
  else if (t.length > 1 && t.startsWith('0')) v = BigInt(`0o${t.slice(1)}`);
  else v = BigInt(t);
  return neg ? -v : v;
}

/**
 * A reader for many small sysfs attributes (memoryN/removable): one
 * open/read/close with a reused buffer on live systems and --root trees;
 * the FileView otherwise. Returns the %i value, or undefined when unreadable.
 */
export function sysfsIntReader(view: SystemView): (path: string) => number | undefined {
  const d = view.direct;
  if (!d) return (p) => sysfsInt(view, p);
  const buf = new Uint8Array(64);
  return (p) => {
    let fd: number;
    try {
      fd = d.fs.openSync(p, 'r');
    } catch {
      return undefined;
    }
    let n = 0;
    try {
      n = d.fs.readSync(fd, buf, 0, 64, 0);
    } catch {
      return undefined;
    } finally {
      d.fs.closeSync(fd);
    }
    // fast path: plain decimal digits (what sysfs writes); anything else via the general parser
    let i = 0;
    while (i < n && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x09)) i++;
    let v = 0;
    let digits = 0;
    while (i < n && buf[i]! >= 0x30 && buf[i]! <= 0x39 && digits < 9) {
      v = v * 10 + (buf[i]! - 0x30);
      i++;
      digits++;
    }
    if (digits > 0 && digits < 9 && (i === n || buf[i] === 0x0a || buf[i] === 0x20) && !(digits > 1 && buf[i - digits] === 0x30)) return v;
    return sysfsInt(view, p);
  };
}
