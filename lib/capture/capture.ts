// drscope capture: read the live system (or --root) once and stream one
// archive that every drscope command and lsslot can read back as a source.
import { dirname } from 'node:path';
import { UsageError, WriteError } from '../errors.js';
import type { Io } from '../io.js';
import { ArchiveWriter, type ByteSink } from './archive-writer.js';
import { CaptureReport, type CaptureEntry } from './entry.js';
import { CAPTURE_FORMAT_VERSION, compactStamp, MANIFEST_NAME, safeHost, type CaptureManifest } from './manifest.js';
import { cpus, deviceTree, devspecs, memoryBlocks, nodes, pciSlots, singleFiles, type Progress } from './parts.js';
import { errnoOf, rootFs } from './root-fs.js';

export interface CaptureOptions {
  /** --root DIR; undefined = the live system */
  root?: string;
  /** output file, "-" for stdout, undefined = ./<dirName>.tar.gz */
  output?: string;
  /** "manual" or the hook phase */
  trigger?: string;
  progress?: Progress;
}

export interface CaptureResult {
  manifest: CaptureManifest;
  /** where it was written ("-" for stdout) */
  output: string;
  /** top directory inside the archive */
  dirName: string;
  bytes: number;
  tarBytes: number;
}

const BATCH_ENTRIES = 4096;
const BATCH_BYTES = 4 << 20;

function text(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString('utf8').trim();
}

/** Refuse to write into the pseudo file systems (or into the captured root's). */
export function checkOutputPath(out: string, root: string | undefined): void {
  const norm = out.replace(/\/+/g, '/');
  const bad = ['/proc', '/sys'];
  const r = root?.replace(/\/+$/, '');
  if (r) bad.push(`${r}/proc`, `${r}/sys`);
  if (bad.some((b) => norm === b || norm.startsWith(`${b}/`))) {
    throw new UsageError(`refusing to write the capture into ${norm}: /proc and /sys are never written to`);
  }
}

/**
 * -o as a file name: an existing directory ("-o .", "-o /var/tmp") gets the
 * default name inside it; a name ending in "/" must be an existing directory.
 */
export function outputPath(io: Io, output: string | undefined, defaultName: string): string {
  if (output === undefined) return defaultName;
  if (output === '-') return output;
  let isDir = false;
  try {
    isDir = io.fs.statSync(output).isDirectory();
  } catch {
    isDir = false;
  }
  if (isDir) return `${output.replace(/\/+$/, '') || ''}/${defaultName}`;
  if (output.endsWith('/')) throw new UsageError(`-o ${output}: no such directory`);
  return replacedFile(io, output, output, 0);
}

const S_IFMT = 0o170000;
const KINDS: Record<number, string> = { 0o020000: 'a character device', 0o060000: 'a block device', 0o010000: 'a FIFO', 0o140000: 'a socket', 0o040000: 'a directory' };

/**
 * The file the capture will replace (written as NAME.partial, then renamed
 * over it). A regular file or a new name is replaced; a symbolic link is
 * written through (its target is replaced, the link stays); anything else is
 * refused: renaming over /dev/null or a FIFO as root would delete it.
 */
function replacedFile(io: Io, path: string, asked: string, depth: number): string {
  let st;
  try {
    st = io.fs.lstatSync(path);
  } catch {
    return path;
  }
  if (st.isFile()) return path;
  if (st.isSymbolicLink() && depth < 16) {
    const link = io.fs.readlinkSync(path);
    return replacedFile(io, link.startsWith('/') ? link : `${dirname(path)}/${link}`, asked, depth + 1);
  }
  const kind = st.isSymbolicLink() ? 'a chain of more than 16 symbolic links' : (KINDS[st.mode & S_IFMT] ?? 'not a regular file');
  throw new UsageError(`-o ${asked}${asked === path ? '' : ` (${path})`}: ${kind}; the capture is only written to a regular file (-o - writes it to standard output)`);
}

/** `path` is the .partial file written first; `shown` the name the user asked for (messages) */
function fileSink(io: Io, path: string, shown = path): ByteSink & { close(): void } {
  let fd: number;
  try {
    fd = io.fs.openSync(path, 'w', 0o600);
  } catch (e) {
    const code = errnoOf(e);
    const dir = dirname(path);
    const why = code === 'ENOENT' ? `no such directory ${dir}` : code === 'EACCES' || code === 'EPERM' ? `permission denied in ${dir}` : code === 'EISDIR' ? 'it is a directory' : code;
    throw new WriteError('WRITE_FAILED', `cannot create the capture: ${why}`, { file: shown });
  }
  return {
    write(chunk) {
      try {
        let off = 0;
        while (off < chunk.length) off += io.fs.writeSync(fd, off === 0 ? chunk : chunk.subarray(off));
      } catch (e) {
        throw new WriteError('WRITE_FAILED', `write failed: ${errnoOf(e)}`, { file: path });
      }
    },
    close() {
      io.fs.closeSync(fd);
    },
  };
}

export async function runCapture(io: Io, opts: CaptureOptions): Promise<CaptureResult> {
  const started = io.now();
  const t0 = Date.now();
  const fs = rootFs(io.fs, opts.root);
  const hostRead = fs.read('/proc/sys/kernel/hostname');
  const hostname = (hostRead.ok && text(hostRead.value)) || 'unknown';
  const dirName = `drscope-capture-${safeHost(hostname)}-${compactStamp(started)}`;
  const output = outputPath(io, opts.output, `${dirName}.tar.gz`);
  if (output !== '-') checkOutputPath(output, opts.root);
  const compress = !/\.tar$/i.test(output);

  const report = new CaptureReport();
  const absent: string[] = [];
  let release: string | undefined;
  let version: string | undefined;
  const partial = output === '-' ? undefined : `${output}.partial`;
  const file = partial === undefined ? undefined : fileSink(io, partial, output);
  const sink: ByteSink = file ?? io.stdout;
  const writer = new ArchiveWriter(sink, `${dirName}/`, started, compress);
  let memoryBlockCount = 0;
  try {
    let batch: CaptureEntry[] = [];
    let batchBytes = 0;
    const gens = [
      singleFiles(fs, report, absent),
      deviceTree(fs, report),
      nodes(fs, report),
      cpus(fs, report),
      pciSlots(fs, report),
      devspecs(fs, report),
      memoryBlocks(fs, report, (done, total) => {
        memoryBlockCount = total;
        opts.progress?.(done, total);
      }),
    ];
    for (const gen of gens) {
      for (const e of gen) {
        if (e.path === 'proc/sys/kernel/osrelease') release = text(e.data);
        else if (e.path === 'proc/version') version = text(e.data);
        batch.push(e);
        batchBytes += e.data?.length ?? 0;
        if (batch.length >= BATCH_ENTRIES || batchBytes >= BATCH_BYTES) {
          await writer.add(batch);
          batch = [];
          batchBytes = 0;
        }
      }
    }
    const tree = report.parts.find((p) => p.name === 'device-tree');
    const manifest: CaptureManifest = {
      schemaVersion: 1,
      format: 'drscope-capture',
      formatVersion: CAPTURE_FORMAT_VERSION,
      capturedAt: started.toISOString(),
      hostname,
      kernel: { ...(release ? { release } : {}), ...(version ? { version } : {}) },
      root: opts.root ?? '/',
      trigger: opts.trigger ?? 'manual',
      parts: report.parts,
      absent,
      unreadable: report.unreadable,
      writeOnly: report.writeOnly,
      counts: { entries: writer.entries + batch.length + 1, memoryBlocks: memoryBlockCount, treeNodes: tree?.dirs ?? 0, treeProperties: tree?.files ?? 0 },
      durationMs: Date.now() - t0,
    };
    batch.push({ path: MANIFEST_NAME, kind: 'file', data: new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`), mode: 0o644 });
    await writer.add(batch);
    await writer.finish();
    if (file && partial) {
      file.close();
      try {
        io.fs.renameSync(partial, output);
      } catch (e) {
        throw new WriteError('WRITE_FAILED', `cannot rename ${partial}: ${errnoOf(e)}`, { file: output });
      }
    }
    return { manifest, output, dirName, bytes: writer.bytesOut, tarBytes: writer.tarBytes };
  } catch (e) {
    if (file && partial) {
      try {
        file.close();
      } catch {
        /* already closed */
      }
      try {
        io.fs.unlinkSync(partial);
      } catch {
        /* nothing to clean */
      }
    }
    throw e;
  }
}
