// One LMB of `lmbs --json`, written as bytes straight into the output chunk:
// exactly the bytes of JSON.stringify(lmbJson(l)) (property-tested), without
// the plain object, the string, or the garbage. At 262,144 LMBs this was the
// largest cost of the command. LMBs share flag-name and associativity arrays,
// and runs of LMBs repeat everything from "size" to "origin", so that middle
// part is encoded once per run. lmbColumnJsonWriter() writes the same bytes
// from a column table, without an Lmb record per LMB.
import { lmbCategory } from '../model/lmb-category.js';
import type { Lmb, MemoryBlock } from '../model/lmb.js';
import { addressNumber, addressWords, BLOCKS_UNLISTED, type LmbColumnTable } from '../model/lmb-columns.js';
import type { ByteSink } from './byte-sink.js';

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);
const DRC = b('{"drcIndex":"0x');
const NAME = b('","name":');
const ADDRESS = b(',"address":');
const ORIGIN_V1 = b('{"kind":"v1","entry":');
const ORIGIN_V2 = b('{"kind":"v2","set":');
const POSITION = b(',"position":');
const MEMORY_NODE = b(',"memoryNode":');
const RESERVED = b(',"reservedCell":');
const BLOCK_INDEXES = b(',"blockIndexes":');
const BLOCKS = b(',"blocks":');
const NULL = b('null');
const END = b('}');

/** JSON text of a plain string: printable ASCII without quote/backslash needs no escaping */
function quoted(v: string): string {
  return /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(v) ? `"${v}"` : JSON.stringify(v);
}

/** "0x…" as JSON.stringify writes a hex64() string */
function hexText(v: bigint): string {
  return `"0x${v.toString(16)}"`;
}

const QUOTE_0X = b('"0x');
const QUOTE = b('"');

/** (call reserve(24) first) */
function writeHex64(s: ByteSink, v: bigint): void {
  const n = Number(v);
  if (n < 2 ** 53) {
    s.bytes(QUOTE_0X);
    s.hex(n);
    s.bytes(QUOTE);
  } else s.text(hexText(v));
}

function num(v: number | null): string {
  return v === null || !Number.isFinite(v) ? 'null' : String(v);
}

const sharedText = new WeakMap<object, string>();
function shared(a: readonly unknown[]): string {
  let t = sharedText.get(a);
  if (t === undefined) sharedText.set(a, (t = JSON.stringify(a)));
  return t;
}

interface Middle {
  size: bigint;
  aa: number | null;
  flags: number;
  flagNames: readonly string[];
  unknown: number;
  assigned: boolean;
  node: number | null;
  assoc: readonly number[] | undefined;
  bytes: Uint8Array;
}
let last: Middle | undefined;

/** `,"size":…,"origin":` of an LMB: everything between its address and its origin */
function middleBytes(l: Lmb): Uint8Array {
  const assoc = l.associativity === undefined ? 'null' : shared(l.associativity);
  return enc.encode(
    `,"size":${hexText(l.size)},"aaIndex":${num(l.aaIndex)},"flags":${num(l.flags)},"flagNames":${shared(l.flagNames)},"unknownFlags":${num(l.unknownFlags)},` +
      `"assigned":${l.assigned},"category":"${lmbCategory(l)}","node":${num(l.node)},"associativity":${assoc},"origin":`,
  );
}

/** middleBytes(l), reused while a run of LMBs repeats it */
function middle(l: Lmb): Uint8Array {
  const m = last;
  if (m && m.size === l.size && m.aa === l.aaIndex && m.flags === l.flags && m.flagNames === l.flagNames && m.unknown === l.unknownFlags && m.assigned === l.assigned && m.node === l.node && m.assoc === l.associativity) return m.bytes;
  last = { size: l.size, aa: l.aaIndex, flags: l.flags, flagNames: l.flagNames, unknown: l.unknownFlags, assigned: l.assigned, node: l.node, assoc: l.associativity, bytes: middleBytes(l) };
  return last.bytes;
}

function blockText(x: MemoryBlock): string {
  let t = `{"index":${num(x.index)},"state":${x.state === undefined ? 'null' : quoted(x.state)},"node":${num(x.node)}`;
  if (x.removable !== undefined) t += `,"removable":${x.removable}`;
  if (x.validZones !== undefined) t += `,"validZones":${quoted(x.validZones)}`;
  return `${t}}`;
}

// The tail of an LMB without sysfs memory node, reserved cell or blocks: one copy instead of six
const TAIL_NO_EXTRAS = b(',"memoryNode":null,"blockIndexes":null,"blocks":null}');
// ... and of a v1 LMB (reserved cell) without the others: two copies and the number
const MEMORY_NODE_NULL_RESERVED = b(',"memoryNode":null,"reservedCell":');
const TAIL_NULL_BLOCKS = b(',"blockIndexes":null,"blocks":null}');
const NAME_NULL_ADDRESS = b('","name":null,"address":');

/**
 * `{"drcIndex":…,"name":…,"address":…`; `address` as a number when it is
 * exact (below 2^53). Leaves room for `room` more bytes plus a fixed-size tail.
 */
function writeHead(s: ByteSink, drc: number, name: string | undefined, address: number | bigint, room: number): void {
  // every fixed-size piece fits in this; the variable ones (text) reserve their own room
  s.reserve(160 + room);
  if (Number.isSafeInteger(drc) && drc >= 0) {
    s.bytes(DRC);
    s.hex(drc);
  } else s.text(`{"drcIndex":"0x${drc.toString(16)}`);
  if (name === undefined) s.bytes(NAME_NULL_ADDRESS);
  else {
    s.bytes(NAME);
    s.text(quoted(name));
    s.reserve(160 + room);
    s.bytes(ADDRESS);
  }
  if (typeof address === 'number') {
    s.bytes(QUOTE_0X);
    s.hex(address);
    s.bytes(QUOTE);
  } else writeHex64(s, address);
  s.reserve(96 + room);
}

function writeOrigin(s: ByteSink, o: Lmb['origin']): void {
  if (o.kind === 'v1' && Number.isSafeInteger(o.entry) && o.entry >= 0) {
    s.bytes(ORIGIN_V1);
    s.dec(o.entry);
    s.bytes(END);
  } else if (o.kind === 'v2' && Number.isSafeInteger(o.set) && o.set >= 0 && Number.isSafeInteger(o.position) && o.position >= 0) {
    s.bytes(ORIGIN_V2);
    s.dec(o.set);
    s.bytes(POSITION);
    s.dec(o.position);
    s.bytes(END);
  } else s.text(JSON.stringify(o));
}

/** `,"memoryNode":…` to the closing brace */
function writeTail(s: ByteSink, l: Pick<Lmb, 'memoryNode' | 'reservedCell' | 'blockIndexes' | 'blocks'>): void {
  const { memoryNode, reservedCell, blockIndexes, blocks } = l;
  if (memoryNode === undefined && blockIndexes === undefined && blocks === undefined) {
    s.reserve(80);
    if (reservedCell === undefined) s.bytes(TAIL_NO_EXTRAS);
    else {
      s.bytes(MEMORY_NODE_NULL_RESERVED);
      if (Number.isSafeInteger(reservedCell) && reservedCell >= 0) s.dec(reservedCell);
      else s.text(num(reservedCell));
      s.bytes(TAIL_NULL_BLOCKS);
    }
    return;
  }
  s.reserve(64);
  s.bytes(MEMORY_NODE);
  if (memoryNode === undefined) s.bytes(NULL);
  else s.text(JSON.stringify({ path: memoryNode.path, node: memoryNode.node }));
  s.reserve(64);
  if (reservedCell !== undefined) {
    s.bytes(RESERVED);
    s.text(num(reservedCell));
  }
  s.reserve(64);
  s.bytes(BLOCK_INDEXES);
  if (blockIndexes === undefined) s.bytes(NULL);
  else s.text(`[${blockIndexes.join(',')}]`);
  s.reserve(64);
  s.bytes(BLOCKS);
  if (blocks === undefined) s.bytes(NULL);
  else s.text(`[${blocks.map(blockText).join(',')}]`);
  s.reserve(1);
  s.bytes(END);
}

export function writeLmbJson(l: Lmb, s: ByteSink): void {
  const mid = middle(l);
  writeHead(s, l.drcIndex, l.name, l.address, mid.length);
  s.bytes(mid);
  writeOrigin(s, l.origin);
  writeTail(s, l);
}

/** distinct (flags, aa index) middles kept per table; a hostile table with more gets them encoded per LMB */
const MAX_MIDDLES = 4096;

/**
 * writeLmbJson(t.lmb(k)) for the LMBs of a column table, without the Lmb
 * record (262,144 of them were half of `lmbs --json`'s time, counting the
 * garbage collector). In a drconf table everything from "size" to "origin"
 * follows from an LMB's flags and aa index, so that part is encoded once per
 * pair, from a record built by t.lmb() itself: one source of truth. LMBs with
 * sysfs blocks take the record path.
 */
export function lmbColumnJsonWriter(t: LmbColumnTable): (k: number, s: ByteSink) => void {
  const a = t.drconf?.lmbs;
  if (!a || a.count !== t.count || (t.format !== 'v1' && t.format !== 'v2')) return (k, s) => writeLmbJson(t.lmb(k), s);
  const { drc, flags, aa, base, reserved, set, position } = a;
  const words = addressWords(t);
  const block = t.block;
  const mids = new Map<number, Map<number, Uint8Array>>();
  let kept = 0;
  let lastFlags = -1;
  let lastAa = -1;
  let lastMid: Uint8Array = new Uint8Array(0);
  const tail: Pick<Lmb, 'memoryNode' | 'reservedCell'> = { memoryNode: undefined, reservedCell: undefined };
  return (k, s) => {
    if (block !== null && block[k] !== BLOCKS_UNLISTED) return writeLmbJson(t.lmb(k), s);
    const f = flags[k]!;
    const i = aa[k]!;
    if (f !== lastFlags || i !== lastAa) {
      let byAa = mids.get(f);
      let mid = byAa?.get(i);
      if (mid === undefined) {
        mid = middleBytes(t.lmb(k));
        if (kept < MAX_MIDDLES) {
          if (!byAa) mids.set(f, (byAa = new Map()));
          byAa.set(i, mid);
          kept++;
        }
      }
      lastFlags = f;
      lastAa = i;
      lastMid = mid;
    }
    const address = addressNumber(words, k);
    writeHead(s, drc[k]!, t.name(k), address < 2 ** 53 ? address : base[k]!, lastMid.length);
    s.bytes(lastMid);
    if (set && position) {
      s.bytes(ORIGIN_V2);
      s.dec(set[k]!);
      s.bytes(POSITION);
      s.dec(position[k]!);
    } else {
      s.bytes(ORIGIN_V1);
      s.dec(k);
    }
    s.bytes(END);
    tail.memoryNode = t.memoryNode(k);
    tail.reservedCell = reserved?.[k];
    writeTail(s, tail);
  };
}
