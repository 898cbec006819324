// What every drmgr run shares: the root prefix, say() with the /var/log/drmgr
// copy, the lock, and dr_init()/dr_fini() (separators, log rotation at 1 MiB).
import type { FsPort, Io } from '../../io.js';
import { drLock } from '../lock.js';
import { Level, Say } from '../say.js';
import { strerror } from '../errno.js';
import type { SystemView } from '../system.js';

export const DR_LOG = '/var/log/drmgr';
export const DR_LOG0 = '/var/log/drmgr.0';
const MAX_LOG = 1 << 20;

/** strftime("%b %d %T %G") in local time (%G: ISO-8601 week-based year) */
export function drDate(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()]!;
  const p2 = (n: number) => String(n).padStart(2, '0');
  const t = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  t.setDate(t.getDate() + 3 - ((t.getDay() + 6) % 7)); // Thursday of this ISO week decides the year
  return `${mon} ${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${t.getFullYear()}`;
}

export class DrSession {
  readonly say: Say;
  /** paths inside the root (symlinks resolved chroot-style under --root) */
  readonly fs: FsPort;
  private logOpen = false;
  constructor(
    readonly io: Io,
    /** "" = live system */
    readonly root: string,
    readonly view: SystemView,
    /** --dry-run: write nothing at all (no lock file, no log, no request) */
    readonly dryRun: boolean,
  ) {
    this.say = new Say(io, 1);
    this.fs = view.direct?.fs ?? io.fs;
  }

  /** where a path inside the root is, for messages (--dry-run) */
  path(p: string): string {
    return this.root + p;
  }

  /** dr_init() up to (not including) check_kmods; false = exit 255 */
  init(): boolean {
    if (!this.dryRun && !drLock(this.io, this.fs)) {
      this.say.say(Level.ERROR, 'Unable to obtain Dynamic Reconfiguration lock. Please try command again later.\n');
      return false;
    }
    if (this.dryRun) return true;
    try {
      const fd = this.fs.openSync(DR_LOG, 'a', 0o644);
      this.fs.closeSync(fd);
      this.logOpen = true;
      this.say.log = (text) => {
        try {
          this.fs.appendFileSync(DR_LOG, Buffer.from(text, 'latin1'));
        } catch {
          /* the C code ignores failed log writes */
        }
      };
    } catch (e) {
      this.say.say(Level.ERROR, `Could not open log file ${DR_LOG}\n\t${strerror(e)}\n`);
    }
    if (this.logOpen) this.say.say(Level.DEBUG, `\n########## ${drDate(this.io.now())} ##########\n`);
    return true;
  }

  /** the early return of dr_init() (check_kmods failure): log closed, no separator */
  abort(): void {
    this.say.log = undefined;
    this.logOpen = false;
  }

  /** dr_fini() */
  fini(): void {
    if (!this.logOpen) return;
    this.say.say(Level.DEBUG, `########## ${drDate(this.io.now())} ##########\n`);
    this.say.log = undefined;
    this.logOpen = false;
    let size: number;
    try {
      size = this.fs.statSync(DR_LOG).size;
    } catch (e) {
      this.io.stderr.write(`Cannot determine log size to check for rotation:\n\t${strerror(e)}\n`);
      return;
    }
    if (size >= MAX_LOG) {
      this.io.stderr.write('Rotating logs...\n');
      try {
        this.fs.unlinkSync(DR_LOG0);
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOENT') {
          this.io.stderr.write(`Could not remove ${DR_LOG0}\n\t${strerror(e)}\n`);
          return;
        }
      }
      try {
        this.fs.renameSync(DR_LOG, DR_LOG0);
      } catch (e) {
        this.io.stderr.write(`Could not rename ${DR_LOG} to ${DR_LOG0}\n\t${strerror(e)}\n`);
      }
    }
  }
}
