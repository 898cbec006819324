// The captured (or live) root file system around the device tree: /sys, /proc,
// sos_commands/... Paths are absolute within the capture ("/sys/devices/system/memory").
// Two implementations: over an FsPort with a prefix (live, --root, directory
// snapshots) and over an in-memory map (archives).
import type { FsPort } from '../io.js';

export type EntryKind = 'file' | 'dir' | 'symlink';

export interface FileView {
  /** raw bytes; undefined when the path does not exist. Throws FileViewError for other failures (EACCES...). */
  readFile(path: string): Uint8Array | undefined;
  /** entry names of a directory (unordered); undefined when not a directory */
  list(path: string): string[] | undefined;
  /** why list(path) failed on an existing directory ("EACCES", "EIO"); undefined when it can be listed or is absent (optional) */
  listError?(path: string): string | undefined;
  /** kind without following a final symlink; undefined when absent */
  kind(path: string): EntryKind | undefined;
  /** symlink target; undefined when not a symlink */
  readlink(path: string): string | undefined;
  /** human description of where a path really lives, for messages */
  describe(path: string): string;
  /**
   * Where a path of the view is on a real file system (fsFileView only): the
   * bulk sysfs readers (lib/compat/block-reads.ts) read there with worker
   * threads. Contract: readFile(`${path}/x`) reads exactly `${hostPath(path).path}/x`
   * through `hostPath(path).fs`, symlinks followed as readFileSync follows them.
   */
  hostPath?(path: string): { fs: FsPort; path: string } | undefined;
}

export class FileViewError extends Error {
  constructor(
    readonly path: string,
    readonly errno: string,
    message: string,
  ) {
    super(message);
  }
}

function joinPath(prefix: string, path: string): string {
  const p = path.startsWith('/') ? path : `/${path}`;
  if (prefix === '' || prefix === '/') return p;
  return prefix.replace(/\/+$/, '') + p;
}

function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'EIO';
}

/** FileView over a real (or memfs) file system below `prefix` ("" = live system). */
export function fsFileView(fs: FsPort, prefix: string): FileView {
  return {
    readFile(path) {
      const full = joinPath(prefix, path);
      try {
        return fs.readFileSync(full);
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        if (code === 'EISDIR') return undefined;
        throw new FileViewError(full, code, `${full}: ${code === 'EACCES' ? 'permission denied' : code}`);
      }
    },
    list(path) {
      try {
        return fs.readdirSync(joinPath(prefix, path));
      } catch {
        return undefined;
      }
    },
    listError(path) {
      try {
        fs.readdirSync(joinPath(prefix, path));
        return undefined;
      } catch (e) {
        const code = errnoOf(e);
        return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : code;
      }
    },
    kind(path) {
      try {
        const st = fs.lstatSync(joinPath(prefix, path));
        return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
      } catch {
        return undefined;
      }
    },
    readlink(path) {
      try {
        return fs.readlinkSync(joinPath(prefix, path));
      } catch {
        return undefined;
      }
    },
    describe(path) {
      return joinPath(prefix, path);
    },
    hostPath: (path) => ({ fs, path: joinPath(prefix, path) }),
  };
}

export interface MemEntry {
  kind: EntryKind;
  data?: Uint8Array;
  target?: string;
}

/** FileView over an in-memory map of absolute paths (archives). Parent dirs are implied. */
export function memFileView(entries: Map<string, MemEntry>, label: string): FileView {
  const dirs = new Map<string, Set<string>>();
  const addDir = (p: string) => {
    if (!dirs.has(p)) dirs.set(p, new Set());
  };
  addDir('/');
  for (const [path, e] of entries) {
    if (e.kind === 'dir') addDir(path);
    let child = path;
    while (child !== '/') {
      const slash = child.lastIndexOf('/');
      const parent = slash <= 0 ? '/' : child.slice(0, slash);
      addDir(parent);
      dirs.get(parent)!.add(child.slice(slash + 1));
      child = parent;
    }
  }
  const norm = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p) || '/';
  return {
    readFile(path) {
      const e = entries.get(norm(path));
      return e?.kind === 'file' ? (e.data ?? new Uint8Array()) : undefined;
    },
    list(path) {
      const d = dirs.get(norm(path));
      return d ? [...d] : undefined;
    },
    kind(path) {
      const p = norm(path);
      const e = entries.get(p);
      if (e) return e.kind;
      return dirs.has(p) ? 'dir' : undefined;
    },
    readlink(path) {
      const e = entries.get(norm(path));
      return e?.kind === 'symlink' ? e.target : undefined;
    },
    describe(path) {
      return `${label}:${path}`;
    },
  };
}

/** An empty view, for sources that are only a tree (DTB, DTS). */
export const emptyFileView: FileView = memFileView(new Map(), '(none)');

/** Read a small text attribute (sysfs style): trimmed, undefined when absent or unreadable. */
export function readText(view: FileView, path: string): string | undefined {
  try {
    const b = view.readFile(path);
    return b === undefined ? undefined : Buffer.from(b).toString('utf8');
  } catch {
    return undefined;
  }
}
