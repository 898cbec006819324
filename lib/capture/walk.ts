// Generic directory walk over the captured root: yields archive entries and
// records every failure in the report instead of stopping. Sync generators:
// sysfs/procfs reads are tiny and the driver batches what they yield.
import type { CaptureEntry, CaptureReport, PartStats } from './entry.js';
import { describeErrno, kindOf, type RootFs } from './root-fs.js';

export interface WalkRules {
  /** skip this name without even an lstat (262,144 nodeX/memoryN links) */
  skip?(name: string, depth: number): boolean;
  /** descend into this directory? (depth of the directory being entered, 1 = child of the start) */
  dir?(name: string, path: string, depth: number): boolean;
  /** capture this regular file? */
  file?(name: string, path: string, depth: number): boolean;
  /** keep this symlink (as a symlink)? */
  symlink?(name: string, path: string, depth: number): boolean;
  /** emit directory entries (false for sparse walks such as devspec files) */
  emitDirs?: boolean;
  maxDepth?: number;
}

const join = (a: string, b: string) => (a === '/' ? `/${b}` : `${a}/${b}`);
const rel = (p: string) => p.replace(/^\/+/, '');

/**
 * The sysfs attributes drmgr writes and nothing reads (mode 0200: reading them
 * fails with EIO even as root). Only these become empty placeholders; any other
 * file without read bits (a chmod 000 property in a --root tree) is read, and
 * listed as unreadable when that fails.
 */
export const WRITE_ONLY = new Set([
  '/proc/ppc64/ofdt',
  '/proc/powerpc/ofdt',
  '/sys/bus/pci/slots/control/add_slot',
  '/sys/bus/pci/slots/control/remove_slot',
  '/sys/devices/system/memory/probe',
  '/sys/devices/system/cpu/probe',
  '/sys/devices/system/cpu/release',
]);

/** Read one file into an entry, or record why not. Known write-only attributes become empty placeholders. */
export function readEntry(fs: RootFs, report: CaptureReport, part: PartStats, path: string, mode: number, as = path): CaptureEntry | undefined {
  if ((mode & 0o444) === 0 && WRITE_ONLY.has(path)) {
    report.writeOnly.push(path);
    const e: CaptureEntry = { path: rel(as), kind: 'file', data: new Uint8Array(), mode: mode & 0o777 };
    report.count(part, e);
    return e;
  }
  const r = fs.read(path);
  if (!r.ok) {
    // vanished between readdir and read: a DLPAR in progress, not worth a line
    if (r.errno !== 'ENOENT') report.unreadable.push({ path, errno: r.errno, reason: describeErrno(r.errno) });
    return undefined;
  }
  const e: CaptureEntry = { path: rel(as), kind: 'file', data: r.value };
  report.count(part, e);
  return e;
}

/**
 * Walk `start` (read through `from`, which may differ when the live tree is a
 * symlink: /proc/device-tree -> /sys/firmware/devicetree/base) and store it
 * below `as` in the archive.
 */
export function* walk(fs: RootFs, report: CaptureReport, part: PartStats, from: string, as: string, rules: WalkRules): Generator<CaptureEntry> {
  const emitDirs = rules.emitDirs ?? true;
  const maxDepth = rules.maxDepth ?? 64;
  function* visit(dir: string, out: string, depth: number): Generator<CaptureEntry> {
    const names = fs.list(dir);
    if (!names.ok) {
      if (depth === 0 && names.errno === 'ENOENT') part.present = false;
      else report.unreadable.push({ path: dir, errno: names.errno, reason: describeErrno(names.errno) });
      return;
    }
    if (emitDirs) {
      const e: CaptureEntry = { path: `${rel(out)}/`, kind: 'dir' };
      report.count(part, e);
      yield e;
    }
    for (const name of names.value) {
      if (rules.skip?.(name, depth)) continue;
      const path = join(dir, name);
      const st = fs.lstat(path);
      if (!st.ok) {
        if (st.errno !== 'ENOENT') report.unreadable.push({ path, errno: st.errno, reason: describeErrno(st.errno) });
        continue;
      }
      const kind = kindOf(st.value);
      if (kind === 'dir') {
        if (!(rules.dir?.(name, path, depth + 1) ?? true)) continue;
        if (depth + 1 > maxDepth) {
          report.unreadable.push({ path, errno: 'ELOOP', reason: `nested deeper than ${maxDepth} levels: not captured` });
          continue;
        }
        yield* visit(path, join(out, name), depth + 1);
      } else if (kind === 'file') {
        if (!(rules.file?.(name, path, depth) ?? true)) continue;
        const e = readEntry(fs, report, part, path, st.value.mode, join(out, name));
        if (e) yield e;
      } else if (kind === 'symlink') {
        if (!(rules.symlink?.(name, path, depth) ?? false)) continue;
        const t = fs.readlink(path);
        if (!t.ok) {
          report.unreadable.push({ path, errno: t.errno, reason: describeErrno(t.errno) });
          continue;
        }
        const e: CaptureEntry = { path: rel(join(out, name)), kind: 'symlink', target: t.value };
        report.count(part, e);
        yield e;
      }
    }
  }
  yield* visit(from, as, 0);
}
