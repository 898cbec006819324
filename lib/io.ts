// The one place drscope touches the outside world. Library code receives an Io
// and never imports node:fs or process directly, so tests can run on memfs
// volumes and captured samples.
import * as nodeFs from 'node:fs';

/** The synchronous subset of node:fs that drscope uses. Sync on purpose:
 * sysfs/procfs files are tiny and a sync read is ~3 syscalls with no event-loop
 * overhead, which matters at 262,144 memory blocks. memfs implements the same API. */
export interface FsPort {
  readFileSync(path: string): Uint8Array;
  readdirSync(path: string): string[];
  lstatSync(path: string): FsStats;
  statSync(path: string): FsStats;
  readlinkSync(path: string): string;
  existsSync(path: string): boolean;
  writeFileSync(path: string, data: string | Uint8Array, options?: { flag?: string; mode?: number }): void;
  appendFileSync(path: string, data: string | Uint8Array): void;
  mkdirSync(path: string, options?: { recursive?: boolean; mode?: number }): unknown;
  symlinkSync(target: string, path: string): void;
  unlinkSync(path: string): void;
  renameSync(from: string, to: string): void;
  rmSync(path: string, options?: { recursive?: boolean; force?: boolean }): void;
  chmodSync(path: string, mode: number): void;
  openSync(path: string, flags: string | number, mode?: number): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  writeSync(fd: number, data: string | Uint8Array): number;
  closeSync(fd: number): void;
}

export interface FsStats {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  size: number;
  mode: number;
}

export interface Writer {
  write(chunk: string | Uint8Array): void;
  /** true when this stream is a terminal (colour, progress) */
  isTTY: boolean;
}

export interface Io {
  stdout: Writer;
  stderr: Writer;
  env: Record<string, string | undefined>;
  fs: FsPort;
  /**
   * Standard input, for the `-` source. With `limit`, reading stops as soon as
   * more than `limit` bytes have arrived and InputTooLargeError is thrown, so
   * an endless stream (`yes | drscope lmbs -`) is never held in memory.
   * (Callers also check the length, for ports that ignore the limit.)
   */
  readStdin(limit?: number): Uint8Array;
  now(): Date;
  /** program name as invoked (argv[0] of the C tools, used in their messages) */
  argv0?: string;
  /** real uid, for root-only behaviour; undefined when unknown */
  uid?: number;
  /** the current directory, to make relative paths absolute where they are recorded (hook install --root) */
  cwd?: () => string;
  /** absolute path of the node binary and of the running script (drmgr hooks record them) */
  execPath?: string;
  scriptPath?: string;
}

export function nodeIo(): Io {
  return {
    stdout: { write: (c) => void process.stdout.write(c), isTTY: Boolean(process.stdout.isTTY) },
    stderr: { write: (c) => void process.stderr.write(c), isTTY: Boolean(process.stderr.isTTY) },
    env: process.env,
    fs: nodeFs as unknown as FsPort,
    readStdin: (limit) => readFdCapped(nodeFs as unknown as FsPort, 0, limit ?? Number.MAX_SAFE_INTEGER),
    now: () => new Date(),
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    cwd: () => process.cwd(),
    execPath: process.execPath,
    ...(process.argv[1] !== undefined ? { scriptPath: process.argv[1] } : {}),
  };
}

/** more than `limit` bytes arrived on a stream read with a cap (readFdCapped, Io.readStdin) */
export class InputTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`input is larger than ${limit} bytes`);
    this.name = 'InputTooLargeError';
  }
}

const CHUNK = 1 << 20;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Read an open descriptor (a pipe, a terminal, a device such as /dev/zero, or
 * a file) to its end. Throws InputTooLargeError as soon as more than `limit`
 * bytes have arrived (what was read is dropped, so at most ~limit bytes are
 * ever held). A non-blocking descriptor (EAGAIN) is polled.
 */
export function readFdCapped(fs: Pick<FsPort, 'readSync'>, fd: number, limit: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    if (total > limit) {
      chunks.length = 0;
      throw new InputTooLargeError(limit);
    }
    const buf = new Uint8Array(Math.min(CHUNK, limit + 1 - total));
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 10);
        continue;
      }
      if (code === 'EOF') break; // Windows pipes
      throw e;
    }
    if (n === 0) break;
    chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    total += n;
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** A Writer that collects output, for tests and for commands composing output. */
export function bufferWriter(isTTY = false): Writer & { text(): string; bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  const enc = new TextEncoder();
  return {
    isTTY,
    write(c) {
      chunks.push(typeof c === 'string' ? enc.encode(c) : c);
    },
    bytes() {
      return Buffer.concat(chunks);
    },
    text() {
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/**
 * What happens when the reader of stdout goes away (`drscope diff a b | head`):
 * output stops quietly, never an EPIPE stack trace. 'finish': later output is
 * dropped and the command runs to its end, so its exit code is the real one
 * (diff: 1 = differences, not 0). 'exit': exit 0 at once, as the drop-in C
 * tools end (SIGPIPE) without finishing what they were printing.
 */
export function onStdoutEpipe(then: 'finish' | 'exit'): void {
  const out = process.stdout;
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && !(then === 'finish' && e.code === 'ERR_STREAM_DESTROYED')) throw e;
    if (then === 'exit') process.exit(0);
    out.write = (() => true) as typeof out.write;
  });
}
