// memoryN/removable for every memory block at once, on the real file system.
// lsslot -c mem reads one small sysfs file per block (131,072 on a 32 TB LPAR
// of 256 MiB blocks): three system calls each, which is most of its time. Here
// the reads are spread over worker threads (the main thread reads too, so the
// workers' start-up never delays it) and no JS string or object is kept per
// block. Only used when the injected FsPort is node:fs itself; memfs volumes
// and wrapped ports (the tests) read in-thread through the port as before.
//
// The one other place besides lib/io.ts that touches node:fs: the workers
// cannot receive an FsPort, so "is this port node:fs" is decided by identity.
import * as nodeFs from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FsPort } from '../io.js';

/** per-block result codes */
export const ABSENT = 0; // no memoryN entry: the C code skips the block
export const TRUE = 1; // %i read, non-zero
export const FALSE = 2; // %i read as 0, or the file unreadable
const SLOW = 3; // not plain decimal digits: parsed on the main thread like any sysfs %i
const OPEN_FAILED = 4; // open() failed: ABSENT or FALSE, decided by lstat() of memoryN

/** Tuning (tests set these to exercise the threaded path on small trees). */
export const blockReadTuning = {
  /** worker threads besides the main thread; undefined = availableParallelism() - 1, at most 3 */
  workers: undefined as number | undefined,
  /** fewer blocks than this are read on the main thread only (a worker costs ~30 ms to start) */
  minBlocksForWorkers: 16384,
  /** blocks claimed at a time */
  chunk: 1024,
  /** main thread takes over a claimed chunk when the workers made no progress for this long */
  stallMs: 5000,
  /** false: only the workers read (tests: the main thread would otherwise finish a small tree before a worker starts) */
  mainThreadReads: true,
};

// The reading loop, as source: it runs in the workers (eval: no separate file,
// so it works from dist/ and from the single-file bundle alike) and, compiled
// once with new Function, on the main thread: one implementation.
// ctl[0] = next block to claim, ctl[1] = blocks finished.
const READ_SRC = `
function readOne(fs, path, buf, flags) {
  var fd;
  // flags: 'r', or O_RDONLY|O_NOFOLLOW under --root (a symlinked file is resolved inside the root on the main thread)
  try { fd = fs.openSync(path, flags); } catch (e) { return e && e.code === 'ELOOP' ? ${SLOW} : ${OPEN_FAILED}; }
  var n = -1;
  try { n = fs.readSync(fd, buf, 0, 64, 0); } catch (e) { n = -1; }
  try { fs.closeSync(fd); } catch (e) { /* nothing was lost */ }
  if (n < 0) return ${FALSE};
  // plain decimal digits (what sysfs writes); anything else on the main thread
  var i = 0;
  while (i < n && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x09)) i++;
  var v = 0, digits = 0;
  while (i < n && buf[i] >= 0x30 && buf[i] <= 0x39 && digits < 9) { v = v * 10 + (buf[i] - 0x30); i++; digits++; }
  if (digits > 0 && digits < 9 && (i === n || buf[i] === 0x0a || buf[i] === 0x20) && !(digits > 1 && buf[i - digits] === 0x30)) return v !== 0 ? ${TRUE} : ${FALSE};
  return ${SLOW};
}
function readBlocks(fs, dir, blocks, res, ctl, chunk, flags) {
  var buf = new Uint8Array(64), n = blocks.length;
  for (;;) {
    var from = Atomics.add(ctl, 0, chunk);
    if (from >= n) return;
    var to = Math.min(n, from + chunk);
    for (var i = from; i < to; i++) res[i] = readOne(fs, dir + blocks[i] + '/removable', buf, flags);
    Atomics.add(ctl, 1, to - from);
    Atomics.notify(ctl, 1);
  }
}
`;

const WORKER_SRC = `${READ_SRC}
const { workerData: w } = require('node:worker_threads');
readBlocks(require('node:fs'), w.dir, w.blocks, w.res, w.ctl, w.chunk, w.flags);
`;

type OpenFlags = string | number;
type ReadOne = (fs: FsPort, path: string, buf: Uint8Array, flags: OpenFlags) => number;
type ReadBlocks = (fs: FsPort, dir: string, blocks: Int32Array, res: Uint8Array, ctl: Int32Array, chunk: number, flags: OpenFlags) => void;
let compiled: { readOne: ReadOne; readBlocks: ReadBlocks } | null | undefined;
/** null when this process may not compile code from strings (--disallow-code-generation-from-strings) */
function impl(): { readOne: ReadOne; readBlocks: ReadBlocks } | null {
  if (compiled === undefined) {
    try {
      compiled = new Function(`${READ_SRC}\nreturn { readOne: readOne, readBlocks: readBlocks };`)() as { readOne: ReadOne; readBlocks: ReadBlocks };
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** true when `fs` is node:fs itself (not memfs, not a wrapper): the workers would read the same files */
export function isNodeFs(fs: FsPort): boolean {
  const f = fs as unknown as Record<string, unknown>;
  return f.openSync === nodeFs.openSync && f.readSync === nodeFs.readSync && f.closeSync === nodeFs.closeSync && f.lstatSync === nodeFs.lstatSync;
}

/** readdir() of `dir` would succeed (what the C code's view of present blocks needs), without listing it all */
export function listable(dir: string): boolean {
  try {
    const d = nodeFs.opendirSync(dir);
    try {
      d.readSync();
    } finally {
      d.closeSync();
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * true when a `memory*` entry of `dir` is a symbolic link (real sysfs has none):
 * under --root the bulk reader then gives way to the chroot-style port, since
 * the kernel would follow such a link on the host. One streamed readdir.
 */
export function hasMemorySymlinks(dir: string): boolean {
  let d: nodeFs.Dir;
  try {
    d = nodeFs.opendirSync(dir, { bufferSize: 1024 });
  } catch {
    return false;
  }
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) if (e.isSymbolicLink() && e.name.startsWith('memory')) return true;
    return false;
  } catch {
    return true; // unsure: take the exact path
  } finally {
    d.closeSync();
  }
}

/** what the last readRemovable() did (tests check the threaded path really ran) */
export const blockReadStats = { blocks: 0, workersStarted: 0 };

function workerCount(n: number): number {
  if (n < blockReadTuning.minBlocksForWorkers) return 0;
  if (blockReadTuning.workers !== undefined) return Math.max(0, blockReadTuning.workers);
  let cores = 1;
  try {
    cores = availableParallelism();
  } catch {
    cores = 1;
  }
  return Math.min(3, cores - 1);
}

/**
 * `<memDir>/memory<b>/removable` for every b of `blocks`, as ABSENT / TRUE / FALSE
 * per block, in `blocks` order. `slowRead(block)` is the general sysfs %i reader
 * for files that are not plain decimal (undefined = unreadable). Block order
 * never matters: every block is read once, whichever thread reads it.
 * undefined when the bulk reader cannot run here (the caller reads through its FsPort).
 */
export function readRemovable(memDir: string, blocks: Int32Array, slowRead: (block: number) => number | undefined, noFollow = false): Uint8Array | undefined {
  const n = blocks.length;
  const code = impl();
  if (!code) return undefined;
  const { readOne, readBlocks } = code;
  const fs = nodeFs as unknown as FsPort;
  const dir = `${memDir}/memory`;
  const chunk = Math.max(1, blockReadTuning.chunk);
  const flags: OpenFlags = noFollow ? nodeFs.constants.O_RDONLY | nodeFs.constants.O_NOFOLLOW : 'r';
  const nWorkers = workerCount(n);
  blockReadStats.blocks = n;
  blockReadStats.workersStarted = 0;
  let res: Uint8Array;
  if (nWorkers === 0) {
    res = new Uint8Array(n);
    readBlocks(fs, dir, blocks, res, new Int32Array(2), chunk, flags);
  } else {
    const shared = new Int32Array(new SharedArrayBuffer(n * 4));
    shared.set(blocks);
    res = new Uint8Array(new SharedArrayBuffer(n));
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    for (let k = 0; k < nWorkers; k++) {
      try {
        const w = new Worker(WORKER_SRC, { eval: true, workerData: { dir, blocks: shared, res, ctl, chunk, flags }, trackUnmanagedFds: false, stdout: true, stderr: true });
        // never keeps the process alive, never throws into it: whatever a worker leaves undone, the main thread reads
        w.unref();
        w.on('error', () => undefined);
        blockReadStats.workersStarted++;
      } catch {
        break; // no threads here (resource limits...): the main thread reads everything
      }
    }
    if (blockReadTuning.mainThreadReads || blockReadStats.workersStarted === 0) readBlocks(fs, dir, shared, res, ctl, chunk, flags);
    // wait for chunks the workers claimed; take them over if the workers stall
    let done = Atomics.load(ctl, 1);
    let since = Date.now();
    while (done < n) {
      Atomics.wait(ctl, 1, done, 50);
      const d = Atomics.load(ctl, 1);
      if (d !== done) {
        done = d;
        since = Date.now();
      } else if (Date.now() - since > blockReadTuning.stallMs) {
        const buf = new Uint8Array(64);
        for (let i = 0; i < n; i++) if (Atomics.load(res, i) === 0) Atomics.store(res, i, readOne(fs, `${dir}${shared[i]}/removable`, buf, flags));
        break;
      }
    }
    // a private copy: a stalled worker finishing late cannot change what is being evaluated
    res = new Uint8Array(res);
  }
  // the rare cases, on this thread: open() failures (is memoryN there at all?) and non-decimal content
  for (let i = 0; i < n; i++) {
    const r = res[i]!;
    if (r === OPEN_FAILED) res[i] = present(`${dir}${blocks[i]}`) ? FALSE : ABSENT;
    else if (r === SLOW) res[i] = slowRead(blocks[i]!) ? TRUE : FALSE;
  }
  return res;
}

/** the entry exists (a readdir() of its directory would name it) */
function present(path: string): boolean {
  try {
    nodeFs.lstatSync(path);
    return true;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}
