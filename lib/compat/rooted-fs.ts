// --root DIR as a chroot: every path lsslot/drmgr read or write is taken below
// DIR, and symbolic links met on the way resolve inside DIR too (an absolute
// target starts again at DIR, ".." stops at DIR), as the original sees them
// when it runs chrooted into a copy of a system. A real Linux layout needs
// this: /proc/device-tree -> /sys/firmware/devicetree/base, Debian's
// /var/lock -> /run/lock. Without it the kernel would follow such links on the
// host. (openat2(RESOLVE_IN_ROOT) would do this in one call; Node has no binding.)
import type { FsPort, FsStats } from '../io.js';

/** the kernel's limit on symbolic links followed while resolving one path */
const MAX_LINKS = 40;

export interface RootedFs extends FsPort {
  /** the directory everything is below ("" = the host's /: no resolution needed) */
  readonly root: string;
  /**
   * the host path for a path inside the root; `followLast` = also resolve a
   * symlink in the final component (open, stat, readdir) or not (lstat,
   * readlink, unlink, rename, O_EXCL create)
   */
  resolve(path: string, followLast?: boolean): string;
}

function errno(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

function parts(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/** `fs` below `root`, symlinks resolved chroot-style. `root` "" or "/" gives `fs` itself (wrapped). */
export function rootedFs(fs: FsPort, root: string): RootedFs {
  const base = root === '' ? '' : root.replace(/\/+$/, '') || '';
  // resolved directory prefixes: "<resolved parent>\0<name>" -> resolved path ("" = the root itself)
  const cache = new Map<string, string>();
  const host = (rel: string) => (base === '' ? rel || '/' : base + rel);

  /** one component below an already resolved path (no symlinks in `at`); follows a symlink */
  const step = (at: string, name: string, links: { n: number }): string => {
    if (name === '..') return at.slice(0, Math.max(0, at.lastIndexOf('/')));
    const key = `${at}\0${name}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const here = `${at}/${name}`;
    let st: FsStats;
    try {
      st = fs.lstatSync(host(here));
    } catch {
      return here; // absent (or unreadable): the operation itself reports it; not cached, it may be created
    }
    let out = here;
    if (st.isSymbolicLink()) {
      if (++links.n > MAX_LINKS) throw errno('ELOOP', `too many levels of symbolic links: ${here}`);
      const target = fs.readlinkSync(host(here));
      out = walk(target.startsWith('/') ? '' : at, parts(target), true, links);
    }
    cache.set(key, out);
    return out;
  };

  const walk = (from: string, comps: string[], followLast: boolean, links: { n: number }): string => {
    let at = from;
    for (let i = 0; i < comps.length; i++) {
      const c = comps[i]!;
      if (i === comps.length - 1 && !followLast && c !== '..') return `${at}/${c}`;
      at = step(at, c, links);
    }
    return at;
  };

  const resolve = (p: string, followLast = true): string => host(walk('', parts(p), followLast, { n: 0 }));
  const changed = <T>(v: T): T => {
    cache.clear();
    return v;
  };
  const noFollowOpen = (flags: string | number) => typeof flags === 'string' && flags.includes('x');

  return {
    root: base,
    resolve,
    readFileSync: (p) => fs.readFileSync(resolve(p)),
    readdirSync: (p) => fs.readdirSync(resolve(p)),
    lstatSync: (p) => fs.lstatSync(resolve(p, false)),
    statSync: (p) => fs.statSync(resolve(p)),
    readlinkSync: (p) => fs.readlinkSync(resolve(p, false)),
    existsSync: (p) => {
      try {
        return fs.existsSync(resolve(p));
      } catch {
        return false;
      }
    },
    writeFileSync: (p, data, options) => fs.writeFileSync(resolve(p, !options?.flag?.includes('x')), data, options),
    appendFileSync: (p, data) => fs.appendFileSync(resolve(p), data),
    mkdirSync: (p, options) => changed(fs.mkdirSync(resolve(p, false), options)),
    symlinkSync: (target, p) => changed(fs.symlinkSync(target, resolve(p, false))),
    unlinkSync: (p) => changed(fs.unlinkSync(resolve(p, false))),
    renameSync: (from, to) => changed(fs.renameSync(resolve(from, false), resolve(to, false))),
    rmSync: (p, options) => changed(fs.rmSync(resolve(p, false), options)),
    chmodSync: (p, mode) => fs.chmodSync(resolve(p), mode),
    // O_CREAT|O_EXCL ("wx") does not follow a final symlink: it fails with EEXIST on one
    openSync: (p, flags, mode) => fs.openSync(resolve(p, !noFollowOpen(flags)), flags, mode),
    readSync: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
    writeSync: (fd, data) => fs.writeSync(fd, data),
    closeSync: (fd) => fs.closeSync(fd),
  };
}
