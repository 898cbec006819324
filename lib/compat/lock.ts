// dr_lock(): powerpc-utils serialises lsslot/drmgr on /var/lock/dr_config_lock
// (open O_RDWR|O_CREAT, mode 0444, then a POSIX fcntl write lock). Node has no
// fcntl() binding and drscope takes no native dependencies, so we do what can
// be done portably: create/open the file exactly like the original (so a
// missing /var/lock or a non-root user fails the same way) and close it again.
// We do NOT hold the POSIX lock: a concurrent real drmgr is not excluded by us.
import type { FsPort, Io } from '../io.js';

export const LOCK_PATH = '/var/lock/dr_config_lock';

/**
 * true when the lock file could be opened/created (the C code's rc 0). `fs`
 * takes paths inside the root (SystemView.direct.fs: under --root, symlinks
 * such as /var/lock -> /run/lock resolve inside it).
 */
export function drLock(io: Io, fs: FsPort): boolean {
  const path = LOCK_PATH;
  let fd: number | undefined;
  try {
    try {
      fd = fs.openSync(path, 'r+');
    } catch (e) {
      const code = (e as { code?: string }).code;
      // root opens a 0444 file read-write on Linux; in-memory file systems do not model that
      if (code === 'EACCES' && io.uid === 0) return true;
      if (code !== 'ENOENT') return false;
      try {
        fd = fs.openSync(path, 'wx', 0o444);
      } catch (e2) {
        // memfs creates the 0444 file, then refuses the write access that root would get
        return (e2 as { code?: string }).code === 'EACCES' && io.uid === 0 && fs.existsSync(path);
      }
    }
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* closing a just-opened fd does not fail in practice */
      }
    }
  }
}
