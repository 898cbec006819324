// Read-only access to the system being captured (the live "/" or a --root
// directory), keeping the errno of every failure so the manifest can say why
// something is missing. Never writes.
import type { FsPort, FsStats } from '../io.js';

export type Kind = 'file' | 'dir' | 'symlink' | 'other';

export type Result<T> = { ok: true; value: T } | { ok: false; errno: string };

export function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'EIO';
}

export function describeErrno(errno: string): string {
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (run as root to capture it)';
    case 'ENOENT':
      return 'not present on this system';
    case 'EIO':
      return 'I/O error while reading';
    default:
      return errno;
  }
}

export interface RootFs {
  /** "" for the live system, else the --root directory */
  readonly root: string;
  /** absolute path on the real file system for a path inside the root */
  real(path: string): string;
  lstat(path: string): Result<FsStats>;
  /** stat following symlinks (the live /proc/device-tree is a symlink) */
  stat(path: string): Result<FsStats>;
  list(path: string): Result<string[]>;
  read(path: string): Result<Uint8Array>;
  /** a small attribute in open/read/close, without readFileSync's fstat: 262,144 blocks x 5 reads */
  readSmall(path: string): Result<Uint8Array>;
  readlink(path: string): Result<string>;
}

export function kindOf(st: FsStats): Kind {
  return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

function attempt<T>(f: () => T): Result<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, errno: errnoOf(e) };
  }
}

export function rootFs(fs: FsPort, root: string | undefined): RootFs {
  const buf = new Uint8Array(4096);
  const readSmall = (p: string): Uint8Array => {
    const fd = fs.openSync(p, 'r');
    try {
      const parts: Uint8Array[] = [];
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n > 0) parts.push(buf.slice(0, n));
        if (n < buf.length) break;
      }
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    } finally {
      fs.closeSync(fd);
    }
  };
  const base = root === undefined || root === '/' ? '' : root.replace(/\/+$/, '');
  const real = (p: string) => base + (p.startsWith('/') ? p : `/${p}`);
  return {
    root: base,
    real,
    lstat: (p) => attempt(() => fs.lstatSync(real(p))),
    stat: (p) => attempt(() => fs.statSync(real(p))),
    list: (p) => attempt(() => fs.readdirSync(real(p))),
    read: (p) => attempt(() => fs.readFileSync(real(p))),
    readSmall: (p) => attempt(() => readSmall(real(p))),
    readlink: (p) => attempt(() => fs.readlinkSync(real(p))),
  };
}
