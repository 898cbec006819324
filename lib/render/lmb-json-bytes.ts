// One LMB of `lmbs --json`, written as bytes straight into the output chunk:
// exactly the bytes of JSON.stringify(lmbJson(l)) (property-tested), without
// the plain object, the string, or the garbage. At 262,144 LMBs this was the
// largest cost of the command. LMBs share flag-name and associativity arrays,
// and runs of LMBs repeat everything from "size" to "origin", so that middle
// part is encoded once per run.
import { lmbCategory } from '../model/lmb-category.js';
import type { Lmb, MemoryBlock } from '../model/lmb.js';
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

/** `"size":…,"origin":` of this LMB, reused while a run of LMBs repeats it */
function middle(l: Lmb): Uint8Array {
  const m = last;
  if (m && m.size === l.size && m.aa === l.aaIndex && m.flags === l.flags && m.flagNames === l.flagNames && m.unknown === l.unknownFlags && m.assigned === l.assigned && m.node === l.node && m.assoc === l.associativity) return m.bytes;
  const assoc = l.associativity === undefined ? 'null' : shared(l.associativity);
  const text =
    `,"size":${hexText(l.size)},"aaIndex":${num(l.aaIndex)},"flags":${num(l.flags)},"flagNames":${shared(l.flagNames)},"unknownFlags":${num(l.unknownFlags)},` +
    `"assigned":${l.assigned},"category":"${lmbCategory(l)}","node":${num(l.node)},"associativity":${assoc},"origin":`;
  last = { size: l.size, aa: l.aaIndex, flags: l.flags, flagNames: l.flagNames, unknown: l.unknownFlags, assigned: l.assigned, node: l.node, assoc: l.associativity, bytes: enc.encode(text) };
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
const NAME_NULL_ADDRESS = b('","name":null,"address":');

export function writeLmbJson(l: Lmb, s: ByteSink): void {
  const mid = middle(l);
  // every fixed-size piece below fits in this; the variable ones (text) reserve their own room
  s.reserve(160 + mid.length);
  const plainDrc = Number.isSafeInteger(l.drcIndex) && l.drcIndex >= 0;
  if (plainDrc) {
    s.bytes(DRC);
    s.hex(l.drcIndex);
  } else s.text(`{"drcIndex":"0x${l.drcIndex.toString(16)}`);
  if (l.name === undefined) s.bytes(NAME_NULL_ADDRESS);
  else {
    s.bytes(NAME);
    s.text(quoted(l.name));
    s.reserve(160 + mid.length);
    s.bytes(ADDRESS);
  }
  writeHex64(s, l.address);
  s.reserve(96 + mid.length);
  s.bytes(mid);
  const o = l.origin;
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
  if (l.memoryNode === undefined && l.reservedCell === undefined && l.blockIndexes === undefined && l.blocks === undefined) {
    s.reserve(TAIL_NO_EXTRAS.length);
    s.bytes(TAIL_NO_EXTRAS);
    return;
  }
  s.reserve(64);
  s.bytes(MEMORY_NODE);
  if (l.memoryNode === undefined) s.bytes(NULL);
  else s.text(JSON.stringify({ path: l.memoryNode.path, node: l.memoryNode.node }));
  s.reserve(64);
  if (l.reservedCell !== undefined) {
    s.bytes(RESERVED);
    s.text(num(l.reservedCell));
  }
  s.reserve(64);
  s.bytes(BLOCK_INDEXES);
  if (l.blockIndexes === undefined) s.bytes(NULL);
  else s.text(`[${l.blockIndexes.join(',')}]`);
  s.reserve(64);
  s.bytes(BLOCKS);
  if (l.blocks === undefined) s.bytes(NULL);
  else s.text(`[${l.blocks.map(blockText).join(',')}]`);
  s.reserve(1);
  s.bytes(END);
}
