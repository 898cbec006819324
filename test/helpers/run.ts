// Run a CLI main() in-process with a captured Io, on the real fs or a memfs volume.
import * as nodeFs from 'node:fs';
import { Volume, createFsFromVolume } from 'memfs';
import { bufferWriter, type FsPort, type Io } from '../../lib/io.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
  stdoutBytes: Uint8Array;
  stderrBytes: Uint8Array;
}

export function testIo(opts: { fs?: FsPort; env?: Record<string, string>; stdin?: Uint8Array; argv0?: string; tty?: boolean } = {}): Io & { out: ReturnType<typeof bufferWriter>; err: ReturnType<typeof bufferWriter> } {
  const out = bufferWriter(opts.tty ?? false);
  const err = bufferWriter(false);
  return {
    stdout: out,
    stderr: err,
    out,
    err,
    env: { NO_COLOR: '1', ...(opts.env ?? {}) },
    fs: opts.fs ?? (nodeFs as unknown as FsPort),
    readStdin: () => opts.stdin ?? new Uint8Array(),
    now: () => new Date('2026-01-02T03:04:05Z'),
    ...(opts.argv0 !== undefined ? { argv0: opts.argv0 } : {}),
    uid: 0,
  };
}

export async function runMain(
  mainFn: (argv: string[], io: Io) => Promise<number> | number,
  argv: string[],
  opts: Parameters<typeof testIo>[0] = {},
): Promise<RunResult> {
  const io = testIo(opts);
  const code = await mainFn(argv, io);
  return { stdout: io.out.text(), stderr: io.err.text(), code, stdoutBytes: io.out.bytes(), stderrBytes: io.err.bytes() };
}

/** memfs volume from a flat {path: content} object; content string or bytes. */
export function memVolume(files: Record<string, string | Uint8Array | null>): FsPort {
  const vol = new Volume();
  for (const [path, content] of Object.entries(files)) {
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    vol.mkdirSync(dir, { recursive: true });
    if (content === null) vol.mkdirSync(path, { recursive: true });
    else vol.writeFileSync(path, typeof content === 'string' ? content : Buffer.from(content));
  }
  return createFsFromVolume(vol) as unknown as FsPort;
}
