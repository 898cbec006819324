// One small sysfs file per memory block, for every block at once, on the real
// file system: memoryN/removable for lsslot -c mem (131,072 blocks on a 32 TB
// LPAR of 256 MiB blocks), memoryN/state for drscope lmbs. Three system calls
// per block are most of those commands' time. Here the reads are spread over
// worker threads (the main thread reads too, so the workers' start-up never
// delays it) and no JS string or object is kept per block: one result code per
// block. Only used when the file system is node:fs itself; memfs volumes and
// wrapped ports (the tests) read in-thread through the port as before.
//
// A session (startBlockReads) starts the workers before the caller knows which
// blocks it wants: they start up (~30-50 ms) while the caller decodes its LMBs,
// and under --root one of them checks the memory directory for symlinks meanwhile.
//
// The one other place besides lib/io.ts that touches node:fs: the workers
// cannot receive an FsPort, so "is this port node:fs" is decided by identity.
import * as nodeFs from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { FsPort } from '../io.js';

/** readRemovable() per-block results */
export const ABSENT = 0; // no memoryN entry: the C code skips the block
export const TRUE = 1; // %i read, non-zero
export const FALSE = 2; // %i read as 0, or the file unreadable

/** readBlockFiles() raw codes, besides the kind's own (0 is never returned: it means "not read yet") */
export const SLOW = 3; // not what the fast parser knows (or a symlink under noFollow): read it the general way
export const OPEN_FAILED = 4; // open() failed
/** kind 'int': TRUE (decimal, non-zero) / FALSE (0, or read() failed) / SLOW / OPEN_FAILED */
/** kind 'state': exactly the word, with or without one trailing newline; anything else (read() failing too) is SLOW */
export const STATE_ONLINE = 1;
export const STATE_OFFLINE = 2;
export const STATE_GOING_OFFLINE = 5;
/** the words of the state codes (drivers/base/memory.c state_show()) */
export const STATE_WORDS: Readonly<Record<number, string>> = { [STATE_ONLINE]: 'online', [STATE_OFFLINE]: 'offline', [STATE_GOING_OFFLINE]: 'going-offline' };

export type BlockFileKind = 'int' | 'state';
const KIND = { int: 0, state: 1 } as const;

/**
 * memoryN numbers to read, as written in the file names: doubles, so that any id a
 * directory lists (sysfs-memory) is exact; lsslot passes the C code's int-wrapped ones.
 */
export type BlockIds = Float64Array;

/** Tuning (tests set these to exercise the threaded path on small trees). */
export const blockReadTuning = {
  /** worker threads besides the main thread; undefined = availableParallelism() - 1, at most 3 */
  workers: undefined as number | undefined,
  /** fewer blocks than this are read on the main thread only (a worker costs ~30-50 ms to start) */
  minBlocksForWorkers: 16384,
  /** blocks claimed at a time */
  chunk: 1024,
  /** main thread takes over a claimed chunk (or the symlink check) when the workers made no progress for this long */
  stallMs: 5000,
  /** a worker that was given nothing to do for this long ends (the session's reads then run on the main thread) */
  idleMs: 30000,
  /** false: only the workers read (tests: the main thread would otherwise finish a small tree before a worker starts) */
  mainThreadReads: true,
};

// session control words (Int32Array over a SharedArrayBuffer)
const S_SEQ = 0; // read jobs posted so far; -1 = the session is closed
const S_SCAN_CLAIM = 1; // 0, then who began the symlink check: SCAN_BY_MAIN, SCAN_BY_WORKER
const S_SCAN = 2; // symlink check: 0 pending, SCAN_NONE, SCAN_LINKS (or unsure)
const S_LIVE = 3; // workers started and not yet ended
const SCAN_NONE = 1;
const SCAN_LINKS = 2;
const SCAN_BY_MAIN = 1;
const SCAN_BY_WORKER = 2;

// The reading loop, as source: it runs in the workers (eval: no separate file,
// so it works from dist/ and from the single-file bundle alike) and, compiled
// once with new Function, on the main thread: one implementation.
// ctl[0] = next block to claim, ctl[1] = blocks finished.
const READ_SRC = `
var STATE_WORDS = [[${STATE_ONLINE}, 'online'], [${STATE_OFFLINE}, 'offline'], [${STATE_GOING_OFFLINE}, 'going-offline']];
function intCode(buf, n) {
  // plain decimal digits (what sysfs writes); anything else on the main thread
  var i = 0;
  while (i < n && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x09)) i++;
  var v = 0, digits = 0;
  while (i < n && buf[i] >= 0x30 && buf[i] <= 0x39 && digits < 9) { v = v * 10 + (buf[i] - 0x30); i++; digits++; }
  if (digits > 0 && digits < 9 && (i === n || buf[i] === 0x0a || buf[i] === 0x20) && !(digits > 1 && buf[i - digits] === 0x30)) return v !== 0 ? ${TRUE} : ${FALSE};
  return ${SLOW};
}
function stateCode(buf, n) {
  var len = n > 0 && buf[n - 1] === 0x0a ? n - 1 : n;
  for (var w = 0; w < STATE_WORDS.length; w++) {
    var word = STATE_WORDS[w][1];
    if (word.length !== len) continue;
    var k = 0;
    while (k < len && buf[k] === word.charCodeAt(k)) k++;
    if (k === len) return STATE_WORDS[w][0];
  }
  return ${SLOW};
}
function readOne(fs, path, buf, flags, kind) {
  var fd;
  // flags: 'r', or O_RDONLY|O_NOFOLLOW under --root (a symlinked file is resolved inside the root on the main thread)
  try { fd = fs.openSync(path, flags); } catch (e) { return e && e.code === 'ELOOP' ? ${SLOW} : ${OPEN_FAILED}; }
  var n = -1;
  try { n = fs.readSync(fd, buf, 0, 64, 0); } catch (e) { n = -1; }
  try { fs.closeSync(fd); } catch (e) { /* nothing was lost */ }
  if (kind === ${KIND.int}) return n < 0 ? ${FALSE} : intCode(buf, n);
  return n < 0 ? ${SLOW} : stateCode(buf, n);
}
function readBlocks(fs, dir, blocks, res, ctl, chunk, flags, suffix, kind) {
  var buf = new Uint8Array(64), n = blocks.length;
  for (;;) {
    var from = Atomics.add(ctl, 0, chunk);
    if (from >= n) return;
    var to = Math.min(n, from + chunk);
    for (var i = from; i < to; i++) res[i] = readOne(fs, dir + blocks[i] + suffix, buf, flags, kind);
    Atomics.add(ctl, 1, to - from);
    Atomics.notify(ctl, 1);
  }
}
// true when a memory* entry of dir is a symbolic link (or the listing fails part-way: unsure); one streamed readdir
function hasSymlinks(fs, dir) {
  var d;
  try { d = fs.opendirSync(dir, { bufferSize: 1024 }); } catch (e) { return false; }
  try {
    for (var e = d.readSync(); e !== null; e = d.readSync()) if (e.isSymbolicLink() && e.name.startsWith('memory')) return true;
    return false;
  } catch (e) {
    return true;
  } finally {
    try { d.closeSync(); } catch (e) { /* nothing was lost */ }
  }
}
// the symlink check, by whichever thread comes first (session words ${S_SCAN_CLAIM}, ${S_SCAN})
function claimScan(fs, dir, s, by) {
  if (Atomics.compareExchange(s, ${S_SCAN_CLAIM}, 0, by) !== 0) return;
  var r = ${SCAN_LINKS};
  try { r = hasSymlinks(fs, dir) ? ${SCAN_LINKS} : ${SCAN_NONE}; } finally { Atomics.store(s, ${S_SCAN}, r); Atomics.notify(s, ${S_SCAN}); }
}
`;

// A worker: the symlink check if asked, then read jobs (posted on its port, announced by S_SEQ) until the session closes.
const WORKER_SRC = `${READ_SRC}
(function () {
  var wt = require('node:worker_threads'), fs = require('node:fs'), w = wt.workerData, s = w.session;
  function work() {
    if (w.scan) claimScan(fs, w.dir, s, ${SCAN_BY_WORKER});
    for (var seen = w.seq;;) {
      var seq = Atomics.load(s, ${S_SEQ});
      if (seq < 0) return;
      if (seq === seen) {
        if (Atomics.wait(s, ${S_SEQ}, seen, w.idleMs) === 'timed-out') return;
        continue;
      }
      seen = seq;
      // only the newest job: an older one was finished without this worker
      var m, job;
      while ((m = wt.receiveMessageOnPort(w.port)) !== undefined) job = m.message;
      if (job) readBlocks(fs, job.dir, job.blocks, job.res, job.ctl, job.chunk, job.flags, job.suffix, job.kind);
    }
  }
  try { work(); } finally { Atomics.sub(s, ${S_LIVE}, 1); }
})();
`;

type OpenFlags = string | number;
interface Impl {
  readOne: (fs: FsPort, path: string, buf: Uint8Array, flags: OpenFlags, kind: number) => number;
  readBlocks: (fs: FsPort, dir: string, blocks: BlockIds, res: Uint8Array, ctl: Int32Array, chunk: number, flags: OpenFlags, suffix: string, kind: number) => void;
  claimScan: (fs: FsPort, dir: string, s: Int32Array, by: number) => void;
}
let compiled: Impl | null | undefined;
/** null when this process may not compile code from strings (--disallow-code-generation-from-strings) */
function impl(): Impl | null {
  if (compiled === undefined) {
    try {
      compiled = new Function(`${READ_SRC}\nreturn { readOne: readOne, readBlocks: readBlocks, claimScan: claimScan };`)() as Impl;
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

/** what the last read did, and how many reads had workers (tests check the threaded path really ran) */
export const blockReadStats = { blocks: 0, workersStarted: 0, threadedReads: 0 };

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

export interface BlockRead {
  /** the codes, once every block is read (the main thread reads what the workers have not claimed) */
  wait(): Uint8Array;
}

export interface BlockReads {
  /**
   * true when an entry memory* of the directory is a symbolic link, or that
   * could not be checked (real sysfs has none; under --root the kernel would
   * follow one on the host). Only for a session started with `scan`; waits for
   * a worker's check, or makes it.
   */
  hasSymlinks(): boolean;
  /** which thread began the symlink check (tests) */
  readonly scanBy: 'main' | 'worker' | undefined;
  /**
   * `<memDir>/memory<b><suffix>` for every b of `blocks`, one raw code per
   * block in `blocks` order (kind's codes, SLOW, OPEN_FAILED). Block order
   * never matters: every block is read once, whichever thread reads it.
   */
  read(blocks: BlockIds, suffix: string, kind: BlockFileKind, noFollow: boolean): Uint8Array;
  /** read() in two halves: the workers begin now, the main thread joins in (and gets the codes) in wait() */
  start(blocks: BlockIds, suffix: string, kind: BlockFileKind, noFollow: boolean): BlockRead;
  /** the workers end (idempotent); reads after it run on the main thread */
  close(): void;
}

/**
 * Start reading blocks of `memDir` (a host path): workers when about
 * `expectedBlocks` blocks will be read, and under `scan` the symlink check
 * begins in one of them. Workers given nothing to read for `idleMs` end
 * (later reads start new ones). undefined when the bulk reader cannot run here
 * (the caller reads through its FsPort). Close it when done.
 */
export function startBlockReads(memDir: string, opts: { expectedBlocks: number; scan: boolean; idleMs?: number }): BlockReads | undefined {
  const code = impl();
  if (!code) return undefined;
  const fs = nodeFs as unknown as FsPort;
  const session = new Int32Array(new SharedArrayBuffer(16));
  let ports: MessagePort[] = [];
  const idleMs = opts.idleMs ?? blockReadTuning.idleMs;
  const spawn = (count: number, scan: boolean) => {
    for (const p of ports) p.close();
    ports = [];
    for (let k = 0; k < count; k++) {
      try {
        const { port1, port2 } = new MessageChannel();
        const w = new Worker(WORKER_SRC, {
          eval: true,
          workerData: { dir: memDir, session, scan: scan && k === 0, idleMs, seq: Atomics.load(session, S_SEQ), port: port2 },
          transferList: [port2],
          trackUnmanagedFds: false,
          stdout: true,
          stderr: true,
        });
        Atomics.add(session, S_LIVE, 1);
        // never keeps the process alive, never throws into it: whatever a worker leaves undone, the main thread reads
        w.unref();
        w.on('error', () => undefined);
        port1.unref();
        ports.push(port1);
      } catch {
        break; // no threads here (resource limits...): the main thread reads everything
      }
    }
  };
  spawn(workerCount(opts.expectedBlocks), opts.scan);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    Atomics.store(session, S_SEQ, -1);
    Atomics.notify(session, S_SEQ);
    for (const p of ports) p.close();
  };
  const start = (blocks: BlockIds, suffix: string, kind: BlockFileKind, noFollow: boolean): BlockRead => {
    const n = blocks.length;
    const dir = `${memDir}/memory`;
    const chunk = Math.max(1, blockReadTuning.chunk);
    const flags: OpenFlags = noFollow ? nodeFs.constants.O_RDONLY | nodeFs.constants.O_NOFOLLOW : 'r';
    const k = KIND[kind];
    // more blocks than expected when the session started (or the ones started ended, idle): workers start now
    if (!closed && n > 0 && Atomics.load(session, S_LIVE) <= 0) spawn(workerCount(n), false);
    const workers = !closed && n > 0 ? ports.length : 0;
    if (workers === 0) {
      return {
        wait() {
          blockReadStats.blocks = n;
          blockReadStats.workersStarted = 0;
          const res = new Uint8Array(n);
          code.readBlocks(fs, dir, blocks, res, new Int32Array(2), chunk, flags, suffix, k);
          return res;
        },
      };
    }
    const shared = new Float64Array(new SharedArrayBuffer(n * 8));
    shared.set(blocks);
    const res = new Uint8Array(new SharedArrayBuffer(n));
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    for (const p of ports) p.postMessage({ dir, blocks: shared, res, ctl, chunk, flags, suffix, kind: k });
    Atomics.add(session, S_SEQ, 1);
    Atomics.notify(session, S_SEQ);
    return {
      wait() {
        blockReadStats.blocks = n;
        blockReadStats.workersStarted = workers;
        blockReadStats.threadedReads++;
        if (blockReadTuning.mainThreadReads) code.readBlocks(fs, dir, shared, res, ctl, chunk, flags, suffix, k);
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
            for (let i = 0; i < n; i++) if (Atomics.load(res, i) === 0) Atomics.store(res, i, code.readOne(fs, `${dir}${shared[i]}${suffix}`, buf, flags, k));
            break;
          }
        }
        // a private copy: a stalled worker finishing late cannot change what is being evaluated
        return new Uint8Array(res);
      },
    };
  };
  return {
    get scanBy() {
      const by = Atomics.load(session, S_SCAN_CLAIM);
      return by === SCAN_BY_WORKER ? 'worker' : by === SCAN_BY_MAIN ? 'main' : undefined;
    },
    hasSymlinks() {
      if (!opts.scan) return false;
      // not begun yet (the worker is still starting, or there is none): this thread checks; else wait for it
      code.claimScan(fs, memDir, session, SCAN_BY_MAIN);
      const start = Date.now();
      while (Atomics.load(session, S_SCAN) === 0 && Date.now() - start <= blockReadTuning.stallMs) Atomics.wait(session, S_SCAN, 0, 50);
      const r = Atomics.load(session, S_SCAN);
      if (r !== 0) return r !== SCAN_NONE;
      // the worker stalled in the check: make it here
      const own = new Int32Array(4);
      code.claimScan(fs, memDir, own, SCAN_BY_MAIN);
      return own[S_SCAN] !== SCAN_NONE;
    },
    read(blocks, suffix, kind, noFollow) {
      return start(blocks, suffix, kind, noFollow).wait();
    },
    start,
    close,
  };
}

/**
 * `<memDir>/memory<b>/removable` for every b of `blocks`, as ABSENT / TRUE / FALSE
 * per block, in `blocks` order. `slowRead(block)` is the general sysfs %i reader
 * for files that are not plain decimal (undefined = unreadable). `session`: one
 * started earlier for `memDir` (else one is started and closed here).
 * undefined when the bulk reader cannot run here (the caller reads through its FsPort).
 */
export function readRemovable(memDir: string, blocks: BlockIds, slowRead: (block: number) => number | undefined, noFollow = false, session?: BlockReads): Uint8Array | undefined {
  const reads = session ?? startBlockReads(memDir, { expectedBlocks: blocks.length, scan: false });
  if (!reads) return undefined;
  let res: Uint8Array;
  try {
    res = reads.read(blocks, '/removable', 'int', noFollow);
  } finally {
    if (!session) reads.close();
  }
  const dir = `${memDir}/memory`;
  // the rare cases, on this thread: open() failures (is memoryN there at all?) and non-decimal content
  for (let i = 0; i < res.length; i++) {
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
