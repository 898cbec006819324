// gzip and xz, in memory, with an output cap: a capture is at most a few hundred
// MiB unpacked, so anything that expands past the cap (or by a ratio no real
// capture reaches) is refused as a possible decompression bomb before it can
// exhaust memory. Nothing is written to disk.
import { constants as zlibConstants, crc32, gunzipSync, inflateRawSync } from 'node:zlib';
import xzDecompress from 'xz-decompress';
import { FormatError } from '../errors.js';
import { firstSha256Mismatch, parseXz, unsupportedFeatures, withoutSha256, XZ_CHECK, type Sha256Blocks } from './xz-container.js';

export interface ArchiveLimits {
  /** hard cap on decompressed bytes */
  maxOutput: number;
  /** decompressed/compressed ratio allowed once the output passes ratioFloor */
  maxRatio: number;
  /** outputs up to this size are never refused for their ratio (small, very regular captures) */
  ratioFloor: number;
  /** most entries an archive may hold */
  maxEntries: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxOutput: 1024 * 1024 * 1024,
  maxRatio: 1000,
  ratioFloor: 64 * 1024 * 1024,
  maxEntries: 5_000_000,
};

const MiB = (n: number) => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KiB` : `${Math.round(n / (1024 * 1024))} MiB`);

/** the most a compressed input of `inputLength` bytes may expand to */
export function outputCap(inputLength: number, limits: ArchiveLimits): number {
  return Math.min(limits.maxOutput, Math.max(limits.ratioFloor, inputLength * limits.maxRatio));
}

function bombError(kind: string, inputLength: number, cap: number, label: string): FormatError {
  const why = cap < DEFAULT_ARCHIVE_LIMITS.maxOutput && cap >= inputLength * 1000 ? ` (over ${Math.round(cap / Math.max(1, inputLength))}x its ${MiB(inputLength)} compressed size)` : '';
  return new FormatError('ARCHIVE_TOO_LARGE', `${kind} data expands to more than ${MiB(cap)}${why}: refusing a possible decompression bomb`, { file: label });
}

function codeOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/**
 * gunzip with the output cap. Like gzip(1), data after the last complete member
 * that is not another member (a download page appended, a disk block of junk)
 * is ignored: `onTrailing` is told how many bytes; trailing zeros are ignored silently.
 */
export function gunzipCapped(bytes: Uint8Array, label: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS, onTrailing?: (bytes: number, at: number) => void): Uint8Array {
  const cap = outputCap(bytes.length, limits);
  try {
    const out = gunzipSync(bytes, { maxOutputLength: cap, finishFlush: zlibConstants.Z_FINISH });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    if (codeOf(e) === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw bombError('gzip', bytes.length, cap, label);
    const members = gunzipMembers(bytes, cap);
    if (members === 'too-large') throw bombError('gzip', bytes.length, cap, label);
    if (members !== undefined) {
      onTrailing?.(bytes.length - members.end, members.end);
      return members.data;
    }
    const msg = e instanceof Error ? e.message : String(e);
    const hint = /unexpected end/i.test(msg) ? ' (the file is truncated: an incomplete copy or download?)' : '';
    throw new FormatError('DECOMPRESS_FAILED', `gzip data is corrupt: ${msg}${hint}`, { file: label, cause: e });
  }
}

/**
 * Member by member (RFC 1952), each checked against its CRC32 and size. The
 * output when at least one member is complete and what follows the last one is
 * not the start of another member; undefined otherwise (the data is corrupt).
 */
function gunzipMembers(b: Uint8Array, cap: number): { data: Uint8Array; end: number } | 'too-large' | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  let off = 0;
  while (off + 18 <= b.length && b[off] === 0x1f && b[off + 1] === 0x8b && b[off + 2] === 8) {
    const flags = b[off + 3]!;
    let p = off + 10;
    if (flags & 4) p += 2 + (b[p]! | (b[p + 1]! << 8)); // FEXTRA
    const skipString = () => {
      const nul = b.indexOf(0, p);
      p = nul < 0 ? b.length : nul + 1;
    };
    if (flags & 8) skipString(); // FNAME
    if (flags & 16) skipString(); // FCOMMENT
    if (flags & 2) p += 2; // FHCRC
    if (p >= b.length) return undefined;
    let r: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      r = inflateRawSync(b.subarray(p), { info: true, maxOutputLength: Math.max(1, cap - total) }) as unknown as typeof r;
    } catch (e) {
      if (codeOf(e) === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) return 'too-large';
      return undefined;
    }
    const end = p + r.engine.bytesWritten;
    if (end + 8 > b.length) return undefined;
    const le32 = (o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
    if (le32(end) !== crc32(r.buffer) || le32(end + 4) !== r.buffer.length % 2 ** 32) return undefined;
    parts.push(r.buffer);
    total += r.buffer.length;
    if (total > cap) return 'too-large';
    off = end + 8;
  }
  // nothing decoded, or what follows looks like another (broken) member: corrupt, not trailing garbage
  if (parts.length === 0 || (b[off] === 0x1f && b[off + 1] === 0x8b)) return undefined;
  const data = new Uint8Array(total);
  let o = 0;
  for (const part of parts) {
    data.set(part, o);
    o += part.length;
  }
  return { data, end: off };
}

export async function unxzCapped(bytes: Uint8Array, label: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<Uint8Array> {
  const cap = outputCap(bytes.length, limits);
  // the container first: name what the decoder cannot do, and take SHA-256 checks off its hands
  let data = bytes;
  let sha: Sha256Blocks | undefined;
  const streams = parseXz(bytes);
  if (streams) {
    const missing = unsupportedFeatures(streams);
    if (missing.length > 0) {
      throw new FormatError(
        'DECOMPRESS_FAILED',
        `unsupported xz feature (${missing.join(', ')}): the data is valid xz, but drscope's built-in decoder reads only LZMA2 with a none, CRC32, CRC64 or SHA-256 check; decompress it with xz first (xz -dc FILE | drscope COMMAND -)`,
        { file: label },
      );
    }
    if (streams.some((st) => st.check === XZ_CHECK.SHA256)) ({ bytes: data, expect: sha } = withoutSha256(bytes, streams));
  }
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(data);
      controller.close();
    },
  });
  const chunks: Uint8Array[] = [];
  let total = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    reader = new xzDecompress.XzReadableStream(input).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > cap) {
        await reader.cancel().catch(() => undefined);
        throw bombError('xz', bytes.length, cap, label);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof FormatError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    const code = /error code (\d+)/.exec(msg)?.[1];
    // 2 and 6 are features the decoder lacks, not damage
    const what = code === '2' || code === '6' ? `unsupported xz feature (${xzReason(msg)}); decompress it with xz first (xz -dc FILE | drscope COMMAND -)` : `xz data is corrupt: ${xzReason(msg)}`;
    throw new FormatError('DECOMPRESS_FAILED', what, { file: label, cause: e });
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  if (sha) {
    const bad = firstSha256Mismatch(out, sha);
    if (bad >= 0) throw new FormatError('DECOMPRESS_FAILED', `xz data is corrupt: the SHA-256 check of block ${bad + 1} does not match its data`, { file: label });
  }
  return out;
}

/** xz-embedded's xz_ret codes, as the wasm build reports them ("... error code N") */
const XZ_RET: Record<string, string> = {
  '2': 'an unsupported integrity check',
  '3': 'out of memory',
  '4': 'needs more memory than allowed',
  '5': 'not in xz format',
  '6': 'options the decoder does not support',
  '7': 'compressed data is corrupt',
  '8': 'unexpected end of input (the file is truncated: an incomplete copy or download?)',
};

function xzReason(msg: string): string {
  const m = /error code (\d+)/.exec(msg);
  return (m && XZ_RET[m[1]!]) ?? msg;
}
