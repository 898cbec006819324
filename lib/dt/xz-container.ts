// The .xz container (tukaani xz-file-format 1.2.0) around the LZMA2 data, read
// from the end the way `xz --list` does: stream footer -> index -> blocks ->
// stream header, for every concatenated stream. The WebAssembly decoder
// (xz-embedded) knows only LZMA2 with no/CRC32/CRC64 checks; this lets drscope
//  - name exactly what a file uses that the decoder lacks (a BCJ or delta
//    filter, an unknown check) instead of calling valid data corrupt, and
//  - read SHA-256-checked streams (xz --check=sha256): they are rewritten with
//    no check for the decoder, and every block's SHA-256 is verified here.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const XZ_CHECK = { NONE: 0, CRC32: 1, CRC64: 4, SHA256: 10 } as const;

const CHECK_SIZE = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];
const CHECK_NAME: Record<number, string> = { 0: 'none', 1: 'CRC32', 4: 'CRC64', 10: 'SHA-256' };
export const checkName = (id: number) => CHECK_NAME[id] ?? `reserved check type ${id}`;

const FILTER_NAME: Record<number, string> = {
  0x03: 'delta',
  0x04: 'x86 BCJ',
  0x05: 'PowerPC BCJ',
  0x06: 'IA-64 BCJ',
  0x07: 'ARM BCJ',
  0x08: 'ARM-Thumb BCJ',
  0x09: 'SPARC BCJ',
  0x0a: 'ARM64 BCJ',
  0x0b: 'RISC-V BCJ',
  0x21: 'LZMA2',
};
export const LZMA2 = 0x21;
export const filterName = (id: number) => FILTER_NAME[id] ?? `filter 0x${id.toString(16)}`;

export interface XzBlock {
  /** offset of the block header in the file */
  offset: number;
  headerSize: number;
  /** block header + compressed data + check (the index's "unpadded size") */
  unpadded: number;
  uncompressed: number;
  /** filter IDs in the chain, LZMA2 last */
  filters: number[];
}

export interface XzStream {
  start: number;
  /** end of the stream footer */
  end: number;
  check: number;
  blocks: XzBlock[];
}

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const le32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const round4 = (n: number) => n + ((4 - (n % 4)) % 4);

/** a multibyte integer (at most 9 bytes, 7 bits each); undefined when malformed or past `end` */
function vli(b: Uint8Array, at: { o: number }, end: number): number | undefined {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    if (at.o >= end) return undefined;
    const c = b[at.o++]!;
    v += (c & 0x7f) * 2 ** (7 * i);
    if ((c & 0x80) === 0) return c === 0 && i > 0 ? undefined : Number.isSafeInteger(v) ? v : undefined;
  }
  return undefined;
}

function encodeVli(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** The streams of an .xz file, first to last; undefined when the container does not parse (the decoder then says why). */
export function parseXz(b: Uint8Array): XzStream[] | undefined {
  const streams: XzStream[] = [];
  let end = b.length;
  for (;;) {
    // stream padding: zero bytes in multiples of four, after and between streams
    while (end >= 4 && b[end - 1] === 0 && b[end - 2] === 0 && b[end - 3] === 0 && b[end - 4] === 0) end -= 4;
    if (end === 0) break;
    if (end < 24) return undefined;
    const footer = end - 12;
    if (b[end - 2] !== 0x59 || b[end - 1] !== 0x5a) return undefined;
    if (crc32(b.subarray(footer + 4, footer + 10)) !== le32(b, footer)) return undefined;
    if (b[footer + 8] !== 0 || (b[footer + 9]! & 0xf0) !== 0) return undefined;
    const check = b[footer + 9]!;
    const indexSize = (le32(b, footer + 4) + 1) * 4;
    const indexStart = footer - indexSize;
    if (indexStart < 12 || b[indexStart] !== 0) return undefined;
    if (crc32(b.subarray(indexStart, footer - 4)) !== le32(b, footer - 4)) return undefined;
    const at = { o: indexStart + 1 };
    const count = vli(b, at, footer - 4);
    if (count === undefined || count > indexSize) return undefined;
    const records: [number, number][] = [];
    for (let i = 0; i < count; i++) {
      const unpadded = vli(b, at, footer - 4);
      const uncompressed = vli(b, at, footer - 4);
      if (unpadded === undefined || uncompressed === undefined || unpadded < 5 + CHECK_SIZE[check]!) return undefined;
      records.push([unpadded, uncompressed]);
    }
    const blocksSize = records.reduce((n, [u]) => n + round4(u), 0);
    const start = indexStart - blocksSize - 12;
    if (start < 0 || !MAGIC.every((m, i) => b[start + i] === m)) return undefined;
    if (b[start + 6] !== 0 || b[start + 7] !== check || crc32(b.subarray(start + 6, start + 8)) !== le32(b, start + 8)) return undefined;
    const blocks: XzBlock[] = [];
    let off = start + 12;
    for (const [unpadded, uncompressed] of records) {
      const headerSize = (b[off]! + 1) * 4;
      if (b[off] === 0 || headerSize > unpadded) return undefined;
      const flags = b[off + 1]!;
      const h = { o: off + 2 };
      const hend = off + headerSize - 4;
      if ((flags & 0x40) !== 0 && vli(b, h, hend) === undefined) return undefined;
      if ((flags & 0x80) !== 0 && vli(b, h, hend) === undefined) return undefined;
      const filters: number[] = [];
      for (let i = 0; i <= (flags & 3); i++) {
        const id = vli(b, h, hend);
        const props = vli(b, h, hend);
        if (id === undefined || props === undefined || h.o + props > hend) return undefined;
        h.o += props;
        filters.push(id);
      }
      blocks.push({ offset: off, headerSize, unpadded, uncompressed, filters });
      off += round4(unpadded);
    }
    streams.unshift({ start, end, check, blocks });
    end = start;
  }
  return streams.length > 0 ? streams : undefined;
}

/** what these streams use that xz-embedded cannot decode: filter and check names, [] when nothing */
export function unsupportedFeatures(streams: readonly XzStream[]): string[] {
  const out = new Set<string>();
  for (const s of streams) {
    if (!(s.check in CHECK_NAME)) out.add(`the ${checkName(s.check)} integrity check`);
    for (const bl of s.blocks) for (const f of bl.filters) if (f !== LZMA2) out.add(`the ${filterName(f)} filter`);
  }
  return [...out];
}

export interface Sha256Blocks {
  /** uncompressed size and expected SHA-256 of every block, in output order (0-length entries for other streams' blocks) */
  blocks: { size: number; sha256: Uint8Array | undefined }[];
}

/**
 * The same file with every SHA-256 stream rewritten to check type "none"
 * (stream flags, the 32-byte check after each block, the index's unpadded
 * sizes and CRC32, the footer), plus the checks to verify after decoding.
 */
export function withoutSha256(b: Uint8Array, streams: readonly XzStream[]): { bytes: Uint8Array; expect: Sha256Blocks } {
  const parts: Uint8Array[] = [];
  const expect: Sha256Blocks = { blocks: [] };
  let at = 0;
  for (const s of streams) {
    if (s.start > at) parts.push(b.subarray(at, s.start)); // stream padding
    at = s.end;
    if (s.check !== XZ_CHECK.SHA256) {
      parts.push(b.subarray(s.start, s.end));
      for (const bl of s.blocks) expect.blocks.push({ size: bl.uncompressed, sha256: undefined });
      continue;
    }
    const flags = Uint8Array.of(0, XZ_CHECK.NONE);
    const header = new Uint8Array(12);
    header.set(MAGIC);
    header.set(flags, 6);
    header.set(u32le(crc32(flags)), 8);
    parts.push(header);
    const index: number[] = [0, ...encodeVli(s.blocks.length)];
    for (const bl of s.blocks) {
      const total = round4(bl.unpadded);
      parts.push(b.subarray(bl.offset, bl.offset + total - 32));
      expect.blocks.push({ size: bl.uncompressed, sha256: b.subarray(bl.offset + total - 32, bl.offset + total) });
      index.push(...encodeVli(bl.unpadded - 32), ...encodeVli(bl.uncompressed));
    }
    while (index.length % 4 !== 0) index.push(0);
    const indexBytes = Uint8Array.from(index);
    parts.push(indexBytes, Uint8Array.from(u32le(crc32(indexBytes))));
    const footerBody = Uint8Array.from([...u32le((indexBytes.length + 4) / 4 - 1), 0, XZ_CHECK.NONE]);
    parts.push(Uint8Array.from(u32le(crc32(footerBody))), footerBody, Uint8Array.of(0x59, 0x5a));
  }
  if (at < b.length) parts.push(b.subarray(at));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { bytes: out, expect };
}

/** index of the first block whose SHA-256 does not match the decoded data, or -1 */
export function firstSha256Mismatch(data: Uint8Array, expect: Sha256Blocks): number {
  let off = 0;
  for (let i = 0; i < expect.blocks.length; i++) {
    const { size, sha256 } = expect.blocks[i]!;
    if (sha256 !== undefined) {
      const got = createHash('sha256').update(data.subarray(off, off + size)).digest();
      if (off + size > data.length || Buffer.compare(got, Buffer.from(sha256.buffer, sha256.byteOffset, sha256.byteLength)) !== 0) return i;
    }
    off += size;
  }
  return -1;
}
