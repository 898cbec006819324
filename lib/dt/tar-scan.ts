// A first pass over a tar archive, before modern-tar parses it, for what
// modern-tar's strict mode gets wrong:
//  - an archive without its end-of-archive marker (two zero blocks), or with
//    only one: GNU tar lists it and all data is there, so it is accepted when
//    the last entry is complete (with an info finding); an entry cut short is
//    still refused, naming the entry and where it was cut.
//  - GNU sparse files (tar -S): old GNU 'S' headers (with extension blocks) and
//    the pax formats 0.0, 0.1 and 1.0. modern-tar would hand out the packed
//    data (or lose its place in the archive); here they are rebuilt with their
//    holes and cut out of the bytes modern-tar sees.
// Every header is located by walking sizes, so a truncation or a bad checksum
// is reported with the entry name and the tar byte offset.
import { FormatError } from '../errors.js';
import type { Finding } from '../model/finding.js';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './decompress.js';

const BLOCK = 512;

export interface SparseEntry {
  /** entry name as stored (GNU.sparse.name, pax path, GNU long name or ustar name) */
  name: string;
  data: Uint8Array;
}

export interface TarScan {
  /** the bytes modern-tar should parse: sparse entries cut out, a missing end marker added */
  bytes: Uint8Array;
  /** rebuilt sparse files, by their position among the archive's entries (metadata headers not counted) */
  sparse: Map<number, SparseEntry>;
  findings: Finding[];
}

const hex = (n: number) => `0x${n.toString(16)}`;
const utf8 = new TextDecoder('utf-8');
const pad = (n: number) => n + ((BLOCK - (n % BLOCK)) % BLOCK);

function isZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

function str(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return utf8.decode(b.subarray(off, end));
}

/** an octal (NUL/space padded) or GNU base-256 number field; NaN when invalid */
function num(b: Uint8Array, off: number, len: number): number {
  if (b[off]! & 0x80) {
    let v = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i]!;
    return Number.isSafeInteger(v) ? v : NaN;
  }
  let v = 0;
  let digits = 0;
  for (let i = off; i < off + len; i++) {
    const c = b[i]!;
    if (c === 0) break;
    if (c === 0x20) {
      if (digits > 0) break;
      continue;
    }
    if (c < 0x30 || c > 0x37) return NaN;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  return v;
}

/** the header checksum at `off` adds up; `words` is a Uint32Array over the same bytes when they are 4-byte aligned */
function checksumOk(b: Uint8Array, off: number, words: Uint32Array | undefined): boolean {
  const stored = num(b, off + 148, 8);
  // the checksum field (bytes 148..155) counts as eight spaces
  let sum = 8 * 0x20;
  if (words) {
    // four bytes at a time, in two 16-bit lanes per accumulator (128 words * 255 cannot overflow a lane)
    let even = 0;
    let odd = 0;
    const w0 = off >>> 2;
    for (let i = 0; i < BLOCK / 4; i++) {
      if (i === 37 || i === 38) continue;
      const v = words[w0 + i]!;
      even += v & 0x00ff00ff;
      odd += (v >>> 8) & 0x00ff00ff;
    }
    sum += (even & 0xffff) + (even >>> 16) + (odd & 0xffff) + (odd >>> 16);
  } else {
    for (let i = 0; i < 148; i++) sum += b[off + i]!;
    for (let i = 156; i < BLOCK; i++) sum += b[off + i]!;
  }
  return stored === sum;
}

/** pax records in order (keys may repeat: the 0.0 sparse format repeats offset/numbytes) */
function paxRecords(body: Uint8Array): [string, string][] {
  const out: [string, string][] = [];
  let off = 0;
  while (off < body.length) {
    const sp = body.indexOf(0x20, off);
    if (sp < 0) break;
    const len = Number(utf8.decode(body.subarray(off, sp)));
    if (!Number.isSafeInteger(len) || len <= sp - off || off + len > body.length) break;
    const rec = utf8.decode(body.subarray(sp + 1, off + len - 1));
    const eq = rec.indexOf('=');
    if (eq > 0) out.push([rec.slice(0, eq), rec.slice(eq + 1)]);
    off += len;
  }
  return out;
}

/** typeflags whose size field is ignored (no data blocks follow), as modern-tar reads them */
const BODYLESS = new Set(['1', '2', '3', '4', '5', '6']);
const META = new Set(['x', 'g', 'L', 'K']);

interface Region {
  offset: number;
  length: number;
}

export function scanTar(bytes: Uint8Array, label: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): TarScan {
  const len = bytes.length;
  const findings: Finding[] = [];
  const sparse = new Map<number, SparseEntry>();
  const cuts: [number, number][] = [];
  const bad = (message: string) => new FormatError('TAR_BAD_HEADER', message, { file: label });
  const globals = new Map<string, string>();
  let local: [string, string][] = [];
  let longName: string | undefined;
  let metaStart: number | undefined;
  /** the previous entry's name, decoded only when a message needs it */
  let lastName: (() => string) | undefined;
  let index = 0;
  let sparseBytes = 0;
  let off = 0;
  /** where the entries end when the end marker is missing or short; undefined when the marker is there */
  let endOfEntries: number | undefined;
  let marker: 'missing' | 'one' = 'missing';
  const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, len >>> 2) : undefined;
  const after = () => (lastName === undefined ? '' : ` (after entry "${lastName()}")`);

  for (;;) {
    if (off >= len) {
      endOfEntries = len;
      marker = 'missing';
      break;
    }
    if (len - off < BLOCK) {
      if (!isZero(bytes, off, len)) throw bad(`the archive is truncated: it ends inside a header at tar offset ${hex(off)}${after()}`);
      endOfEntries = off;
      marker = 'missing';
      break;
    }
    if (isZero(bytes, off, off + BLOCK)) {
      // two zero blocks: the proper end (a lone zero block before more headers is modern-tar's to judge)
      if (len - off >= 2 * BLOCK) break;
      if (!isZero(bytes, off + BLOCK, len)) throw bad(`the archive is truncated: it ends inside a header at tar offset ${hex(off + BLOCK)}${after()}`);
      endOfEntries = off;
      marker = 'one';
      break;
    }
    const h = bytes.subarray(off, off + BLOCK);
    if (!checksumOk(bytes, off, words)) throw bad(`invalid tar header checksum at tar offset ${hex(off)}${after()}: not a tar header (a corrupt archive?)`);
    const type = String.fromCharCode(h[156]! || 0x30);
    // POSIX "ustar\0" has the 155-byte prefix; GNU "ustar  " keeps other fields there
    const posix = h[257] === 0x75 && h[258] === 0x73 && h[259] === 0x74 && h[260] === 0x61 && h[261] === 0x72 && h[262] === 0;
    const ustarName = () => (posix && h[345] !== 0 ? `${str(h, 345, 155)}/${str(h, 0, 100)}` : str(h, 0, 100));
    const paxOf = (k: string) => {
      for (let i = local.length - 1; i >= 0; i--) if (local[i]![0] === k) return local[i]![1];
      return globals.get(k);
    };
    const given = paxOf('path') ?? longName;
    const name = () => given ?? ustarName();
    let size = num(h, 124, 12);
    if (Number.isNaN(size)) throw bad(`entry "${name()}" at tar offset ${hex(off)} has an invalid size field`);
    if (META.has(type)) {
      if (size > len) break; // modern-tar refuses it (metadata size cap)
      const bodyEnd = off + BLOCK + size;
      if (bodyEnd > len) throw bad(`the archive is truncated: the ${type === 'x' || type === 'g' ? 'pax' : 'GNU long-name'} header at tar offset ${hex(off)}${after()} needs ${size} bytes, the archive ends at ${hex(len)}`);
      const body = bytes.subarray(off + BLOCK, bodyEnd);
      metaStart ??= off;
      if (type === 'x') local.push(...paxRecords(body));
      else if (type === 'g') for (const [k, v] of paxRecords(body)) globals.set(k, v);
      else if (type === 'L') longName = str(body, 0, body.length);
      off += BLOCK + pad(size);
      continue;
    }
    const paxSize = paxOf('size');
    if (paxSize !== undefined && /^\d+$/.test(paxSize) && Number.isSafeInteger(Number(paxSize))) size = Number(paxSize);
    if (BODYLESS.has(type)) size = 0;
    if (size > len) {
      throw new FormatError('ARCHIVE_UNSAFE', `entry "${name()}" declares a size of ${size} bytes but the whole archive is ${len} bytes: refusing`, { file: label });
    }
    let dataStart = off + BLOCK;
    // GNU sparse: the map, and the size of the file with its holes
    let regions: Region[] | undefined;
    let realSize = 0;
    let sparseName: string | undefined;
    if (type === 'S') {
      regions = [];
      const take = (b: Uint8Array, at: number, n: number) => {
        for (let i = 0; i < n; i++) {
          const o = at + 24 * i;
          if (b[o] === 0) break;
          regions!.push({ offset: num(b, o, 12), length: num(b, o + 12, 12) });
        }
      };
      take(h, 386, 4);
      realSize = num(h, 483, 12);
      let extended = h[482] !== 0;
      while (extended) {
        if (dataStart + BLOCK > len) throw bad(`the archive is truncated: sparse entry "${name()}" (tar offset ${hex(off)}) loses its map extension at ${hex(dataStart)}`);
        const ext = bytes.subarray(dataStart, dataStart + BLOCK);
        take(ext, 0, 21);
        extended = ext[504] !== 0;
        dataStart += BLOCK;
        if (regions.length > 1_000_000) throw bad(`sparse entry "${name()}" (tar offset ${hex(off)}): more than 1,000,000 map entries`);
      }
    } else if (paxOf('GNU.sparse.major') === '1') {
      sparseName = paxOf('GNU.sparse.name');
      realSize = Number(paxOf('GNU.sparse.realsize') ?? NaN);
      // 1.0: the map is decimal lines at the start of the data, padded to a block
      const parsed = sparseMap1(bytes, dataStart, Math.min(len, dataStart + size));
      if (parsed === undefined) throw bad(`sparse entry "${sparseName ?? name()}" (tar offset ${hex(off)}): unreadable sparse map (pax format 1.0)`);
      regions = parsed.regions;
      size -= parsed.bytes;
      dataStart += parsed.bytes;
    } else if (paxOf('GNU.sparse.map') !== undefined || local.some(([k]) => k === 'GNU.sparse.offset')) {
      sparseName = paxOf('GNU.sparse.name');
      realSize = Number(paxOf('GNU.sparse.size') ?? paxOf('GNU.sparse.realsize') ?? NaN);
      const nums: number[] = [];
      const map = paxOf('GNU.sparse.map');
      if (map !== undefined) nums.push(...(map === '' ? [] : map.split(',').map(Number)));
      else for (const [k, v] of local) if (k === 'GNU.sparse.offset' || k === 'GNU.sparse.numbytes') nums.push(Number(v));
      if (nums.length % 2 !== 0) throw bad(`sparse entry "${sparseName ?? name()}" (tar offset ${hex(off)}): odd number of values in its sparse map`);
      regions = [];
      for (let i = 0; i < nums.length; i += 2) regions.push({ offset: nums[i]!, length: nums[i + 1]! });
    }
    const end = dataStart + size;
    const shown = () => sparseName ?? name();
    if (end > len) {
      throw bad(`the archive is truncated: entry "${shown()}" (header at tar offset ${hex(off)}) needs ${size} bytes of data up to ${hex(end)}, the archive ends at ${hex(len)}`);
    }
    if (regions) {
      // holes cost nothing in the archive but everything in memory: the output cap applies before allocating
      sparseBytes += Number.isSafeInteger(realSize) ? realSize : 0;
      if (realSize > limits.maxOutput || sparseBytes > limits.maxOutput) {
        throw new FormatError('ARCHIVE_TOO_LARGE', `sparse entry "${shown()}" expands to ${realSize} bytes${realSize <= limits.maxOutput ? ' (with the sparse files before it)' : ''}: more than the ${limits.maxOutput}-byte limit for an archive's contents`, { file: label });
      }
      const data = rebuildSparse(bytes.subarray(dataStart, end), regions, realSize, (why) => bad(`sparse entry "${shown()}" (tar offset ${hex(off)}): ${why}`));
      sparse.set(index, { name: shown(), data });
      cuts.push([metaStart ?? off, Math.min(len, dataStart + pad(size))]);
    }
    index++;
    lastName = shown;
    local = [];
    longName = undefined;
    metaStart = undefined;
    const headerOff = off;
    off = dataStart + pad(size);
    if (off > len) {
      // no writer leaves a data block unpadded: the copy was cut here, and whatever followed is lost
      throw bad(`the archive is truncated: it ends at ${hex(len)}, inside the last data block of entry "${shown()}" (header at tar offset ${hex(headerOff)}); later entries are missing`);
    }
  }

  if (endOfEntries !== undefined) {
    findings.push({
      code: 'archive-no-end-marker',
      severity: 'info',
      file: label,
      message: `${label}: the tar archive ${marker === 'one' ? 'has only one of the two zero blocks that end' : 'lacks the two zero blocks that end'} an archive; all ${index} entries are complete, so it was read as is (a copy cut exactly between two entries would look the same)`,
    });
  }
  if (endOfEntries === undefined && cuts.length === 0) return { bytes, sparse, findings };
  // the bytes modern-tar parses: without the sparse entries, ending in a proper marker
  const stop = endOfEntries ?? len;
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const [from, to] of cuts) {
    parts.push(bytes.subarray(at, from));
    at = to;
  }
  if (at < stop) parts.push(bytes.subarray(at, stop));
  const kept = parts.reduce((n, p) => n + p.length, 0);
  // new Uint8Array is zero-filled: the padding and the two end blocks come free
  const out = new Uint8Array(endOfEntries === undefined ? kept : pad(kept) + 2 * BLOCK);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { bytes: out, sparse, findings };
}

/** pax sparse 1.0 map: "count\n" then count "offset\nnumbytes\n" pairs, padded to a block */
function sparseMap1(bytes: Uint8Array, from: number, to: number): { regions: Region[]; bytes: number } | undefined {
  let at = from;
  const line = (): number | undefined => {
    const nl = bytes.indexOf(0x0a, at);
    if (nl < 0 || nl >= to || nl - at > 20) return undefined;
    const t = utf8.decode(bytes.subarray(at, nl));
    at = nl + 1;
    return /^\d+$/.test(t) ? Number(t) : undefined;
  };
  const count = line();
  if (count === undefined || count > 1_000_000) return undefined;
  const regions: Region[] = [];
  for (let i = 0; i < count; i++) {
    const offset = line();
    const length = line();
    if (offset === undefined || length === undefined) return undefined;
    regions.push({ offset, length });
  }
  return { regions, bytes: pad(at - from) };
}

function rebuildSparse(stored: Uint8Array, regions: Region[], realSize: number, bad: (why: string) => FormatError): Uint8Array {
  if (!Number.isSafeInteger(realSize) || realSize < 0) throw bad('no valid real size');
  let used = 0;
  for (const r of regions) {
    if (!Number.isSafeInteger(r.offset) || !Number.isSafeInteger(r.length) || r.offset < 0 || r.length < 0 || r.offset + r.length > realSize) {
      throw bad(`map region ${r.offset}+${r.length} lies outside the ${realSize}-byte file`);
    }
    used += r.length;
  }
  if (used > stored.length) throw bad(`the map needs ${used} bytes of data but the entry stores ${stored.length}`);
  const out = new Uint8Array(realSize);
  let at = 0;
  for (const r of regions) {
    out.set(stored.subarray(at, at + r.length), r.offset);
    at += r.length;
  }
  return out;
}
