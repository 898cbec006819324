// Streams capture entries into a tar (ustar, pax for long names) or tar.gz.
// modern-tar packs each batch; the two zero blocks that end every packed batch
// are dropped except at the very end, so batches concatenate into one archive
// and memory stays bounded whatever the number of memory blocks.
import { packTar, type TarSource } from 'modern-tar/fs';
import type { TarHeader } from 'modern-tar';
import { createGzip, type Gzip } from 'node:zlib';
import type { CaptureEntry } from './entry.js';

export interface ByteSink {
  write(chunk: Uint8Array): void;
}

const END_OF_ARCHIVE = 1024;

export class ArchiveWriter {
  private readonly gzip: Gzip | undefined;
  private gzipDone: Promise<void> | undefined;
  /** bytes handed to the sink (compressed size for .tar.gz) */
  bytesOut = 0;
  /** uncompressed tar bytes */
  tarBytes = 0;
  entries = 0;

  constructor(
    private readonly sink: ByteSink,
    private readonly prefix: string,
    private readonly mtime: Date,
    compress: boolean,
  ) {
    if (compress) {
      // level 6 (the gzip default): sysfs text repeats so much that higher levels gain nothing
      const gz = createGzip({ level: 6 });
      gz.on('data', (c: Uint8Array) => {
        this.bytesOut += c.length;
        this.sink.write(c);
      });
      this.gzipDone = new Promise((resolve, reject) => {
        gz.on('end', () => resolve());
        gz.on('error', reject);
      });
      this.gzip = gz;
    }
  }

  private async emit(bytes: Uint8Array): Promise<void> {
    this.tarBytes += bytes.length;
    if (!this.gzip) {
      this.bytesOut += bytes.length;
      this.sink.write(bytes);
      return;
    }
    if (!this.gzip.write(bytes)) await new Promise<void>((r) => this.gzip!.once('drain', () => r()));
  }

  /** Pack one batch of entries (their order is kept). */
  async add(batch: readonly CaptureEntry[]): Promise<void> {
    if (batch.length === 0) return;
    const links = new Map<string, string>();
    const sources: TarSource[] = batch.map((e) => {
      const target = this.prefix + e.path;
      if (e.kind === 'symlink') links.set(target, e.target ?? '');
      return {
        type: 'content',
        target,
        content: e.kind === 'file' ? (e.data ?? new Uint8Array()) : null,
        mtime: this.mtime,
        mode: e.mode ?? (e.kind === 'dir' ? 0o755 : e.kind === 'symlink' ? 0o777 : 0o444),
      };
    });
    // content sources are files or directories; turn the marked ones into symlink entries
    const map = (h: TarHeader): TarHeader => {
      const t = links.get(h.name);
      return t === undefined ? h : { ...h, type: 'symlink', linkname: t, size: 0 };
    };
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const c of packTar(sources, { map, concurrency: 1 })) {
      chunks.push(c as Uint8Array);
      total += (c as Uint8Array).length;
    }
    const packed = Buffer.concat(chunks, total);
    await this.emit(packed.subarray(0, Math.max(0, packed.length - END_OF_ARCHIVE)));
    this.entries += batch.length;
  }

  async finish(): Promise<void> {
    await this.emit(new Uint8Array(END_OF_ARCHIVE));
    if (this.gzip) {
      this.gzip.end();
      await this.gzipDone;
    }
  }
}
