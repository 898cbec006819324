// Dynamic-reconfiguration connector (DRC) lists of one device-tree node:
// PAPR "ibm,drc-info" (compressed sets) or the four classic parallel lists
// "ibm,drc-indexes" / "-names" / "-types" / "-power-domains". Pure decoder:
// bad bytes become Findings (node, property, byte offset), never exceptions.
import type { Finding } from '../model/finding.js';
import type { DtNode } from '../dt/tree.js';

export interface DrcEntry {
  /** DRC index (u32) */
  index: number;
  /** DRC name ("LMB 12", "CPU 8", "U9009.42A.1234567-V1-C3") */
  name: string;
  /** DRC type ("MEM", "CPU", "PHB", "SLOT", or a numeric PCI slot type such as "28") */
  type: string;
  /** power domain (u32; 0xffffffff = none / "live insertion") */
  powerDomain: number;
}

export interface DrcList {
  /** which encoding the node uses; "none" when it has neither */
  format: 'drc-info' | 'classic' | 'none';
  /**
   * entries in property order (drc-info sets expanded in order; for drc-info
   * an array that computes each entry from its set when read, a new object per
   * read: see drcInfoSetsOf, drcByIndex, drcFind for lookups without a scan)
   */
  entries: DrcEntry[];
  findings: Finding[];
  /**
   * how many leading entries are a trustworthy name/type/index/domain tuple
   * (undefined = all). The classic lists are only paired where they agree: a
   * count that differs from the ibm,drc-names count makes it 0 (the lists cannot
   * be aligned), a list that ends early stops it there. drcByIndex() uses only
   * these; the C-compatible tools (drcListForC) pair every entry in order.
   */
  paired?: number;
}

const DRC_INFO = 'ibm,drc-info';
/** 64 TB in 64 MiB LMBs, plus room for CPUs and slots: no real node has more connectors */
export const MAX_DRC_ENTRIES = 1 << 20;
const NAMES = 'ibm,drc-names';
const TYPES = 'ibm,drc-types';
const INDEXES = 'ibm,drc-indexes';
const DOMAINS = 'ibm,drc-power-domains';

function u32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** NUL-terminated string at off; end = offset after the NUL, or -1 when unterminated */
function cstr(b: Uint8Array, off: number): { s: string; end: number } {
  let e = off;
  while (e < b.length && b[e] !== 0) e++;
  const s = Buffer.from(b.buffer, b.byteOffset + off, e - off).toString('latin1');
  return { s, end: e < b.length ? e + 1 : -1 };
}

function finding(node: string, property: string, offset: number | undefined, code: string, message: string): Finding {
  return { code, severity: 'error', node, property, ...(offset !== undefined ? { offset } : {}), message: `${node}/${property}${offset !== undefined ? ` (offset ${offset})` : ''}: ${message}` };
}

/**
 * The sets of one ibm,drc-info property, kept as sets: entry `pos` of the
 * list (sets in property order, each expanded in order) is computed from its
 * set when asked for, and its name string is built only then. A set of a
 * million LMB connectors costs a few numbers, not a million entries.
 */
export class DrcInfoSets {
  /** entries over all sets (at most MAX_DRC_ENTRIES) */
  readonly count: number;
  private readonly types: string[] = [];
  private readonly prefixes: string[] = [];
  private readonly starts: number[] = [];
  private readonly suffixes: number[] = [];
  private readonly counts: number[] = [];
  private readonly incs: number[] = [];
  private readonly domains: number[] = [];
  /** position of each set's first entry; firsts[sets] = count */
  private readonly firsts: number[] = [0];
  /** the set of the last position asked for (lists are mostly walked in order) */
  private last = 0;
  private lookup: IndexLookup | undefined;

  /** the sets with a count > 0, in property order (decodeDrcInfo) */
  constructor(sets: readonly { type: string; prefix: string; start: number; suffix: number; count: number; inc: number; domain: number }[]) {
    for (const x of sets) {
      this.types.push(x.type);
      this.prefixes.push(x.prefix);
      this.starts.push(x.start);
      this.suffixes.push(x.suffix);
      this.counts.push(x.count);
      this.incs.push(x.inc);
      this.domains.push(x.domain);
      this.firsts.push(this.firsts[this.firsts.length - 1]! + x.count);
    }
    this.count = this.firsts[this.firsts.length - 1]!;
  }

  /** the set holding position pos (0 <= pos < count) */
  private setOf(pos: number): number {
    const f = this.firsts;
    const s = this.last;
    if (pos >= f[s]! && pos < f[s + 1]!) return s;
    if (pos >= f[s + 1]! && pos < f[s + 2]!) return (this.last = s + 1);
    let lo = 0;
    let hi = this.counts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (f[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return (this.last = lo);
  }

  /** DRC index of the entry at pos: start + i*inc (mod 2^32; i*inc < 2^52 is exact) */
  indexAt(pos: number): number {
    const s = this.setOf(pos);
    return (this.starts[s]! + (pos - this.firsts[s]!) * this.incs[s]!) >>> 0;
  }

  /** name of the entry at pos: prefix + decimal(suffix + i*inc), as a signed 32-bit number like the C code */
  nameAt(pos: number): string {
    const s = this.setOf(pos);
    return `${this.prefixes[s]!}${(this.suffixes[s]! + (pos - this.firsts[s]!) * this.incs[s]!) | 0}`;
  }

  /** the entry at pos (a new object per call), undefined outside 0 <= pos < count */
  at(pos: number): DrcEntry | undefined {
    if (!(pos >= 0 && pos < this.count && Number.isInteger(pos))) return undefined;
    const s = this.setOf(pos);
    const i = pos - this.firsts[s]!;
    const inc = this.incs[s]!;
    return { index: (this.starts[s]! + i * inc) >>> 0, name: `${this.prefixes[s]!}${(this.suffixes[s]! + i * inc) | 0}`, type: this.types[s]!, powerDomain: this.domains[s]! };
  }

  /** position of the first entry with DRC index `index`, -1 when none */
  positionOf(index: number): number {
    if (!(index >= 0 && index <= 0xffffffff && Number.isInteger(index))) return -1;
    return (this.lookup ??= this.buildLookup()).positionOf(index);
  }

  /** whether pos is the first entry with its index (what an index -> entry map keeps) */
  isFirstOfIndex(pos: number): boolean {
    const l = (this.lookup ??= this.buildLookup());
    return l.distinct || l.positionOf(this.indexAt(pos)) === pos;
  }

  /** how many different DRC indexes the entries have */
  distinctIndexes(): number {
    return (this.lookup ??= this.buildLookup()).distinctCount;
  }

  /**
   * Arithmetic over the sets when each set is an increasing run that does not
   * wrap past 2^32 and the sets' index ranges do not overlap (every real
   * drc-info): binary search over the sets sorted by first index. Otherwise
   * (overlapping sets, an increment of 0, a run that wraps: hostile or broken
   * input) an exact sorted table of (index, position), bounded by count.
   */
  private buildLookup(): IndexLookup {
    const n = this.counts.length;
    const order = Array.from({ length: n }, (_, s) => s);
    const lo = (s: number) => this.starts[s]!;
    const hi = (s: number) => this.starts[s]! + (this.counts[s]! - 1) * this.incs[s]!;
    let ranges = true;
    for (let s = 0; s < n && ranges; s++) if (this.counts[s]! > 1 && (this.incs[s] === 0 || hi(s) > 0xffffffff)) ranges = false;
    if (ranges) {
      order.sort((a, b) => lo(a) - lo(b));
      for (let k = 1; k < n && ranges; k++) if (lo(order[k]!) <= hi(order[k - 1]!)) ranges = false;
    }
    if (ranges) {
      const los = Float64Array.from(order, lo);
      const his = Float64Array.from(order, hi);
      return {
        distinct: true,
        distinctCount: this.count,
        positionOf: (x) => {
          let a = 0;
          let b = n - 1;
          if (n === 0 || x < los[0]!) return -1;
          while (a < b) {
            const mid = (a + b + 1) >>> 1;
            if (los[mid]! <= x) a = mid;
            else b = mid - 1;
          }
          if (x > his[a]!) return -1;
          const s = order[a]!;
          const d = x - los[a]!;
          const inc = this.incs[s]!;
          if (d === 0) return this.firsts[s]!;
          if (d % inc !== 0) return -1;
          return this.firsts[s]! + d / inc;
        },
      };
    }
    // key = index * 2^20 + position < 2^52: exact in a double, and sorting orders by index, then position
    const keys = new Float64Array(this.count);
    for (let pos = 0; pos < this.count; pos++) keys[pos] = this.indexAt(pos) * POS_SCALE + pos;
    keys.sort();
    let distinctCount = 0;
    for (let k = 0; k < keys.length; k++) if (k === 0 || Math.floor(keys[k]! / POS_SCALE) !== Math.floor(keys[k - 1]! / POS_SCALE)) distinctCount++;
    return {
      distinct: distinctCount === this.count,
      distinctCount,
      positionOf: (x) => {
        const want = x * POS_SCALE;
        let a = 0;
        let b = keys.length;
        while (a < b) {
          const mid = (a + b) >>> 1;
          if (keys[mid]! < want) a = mid + 1;
          else b = mid;
        }
        return a < keys.length && keys[a]! < want + POS_SCALE ? keys[a]! - want : -1;
      },
    };
  }
}

interface IndexLookup {
  /** every entry has its own index */
  distinct: boolean;
  distinctCount: number;
  positionOf(index: number): number;
}

/** positions are below MAX_DRC_ENTRIES = 2^20 */
const POS_SCALE = 1 << 20;

/** the lazy entry lists made by decodeDrcInfo, and their sets */
const lazyLists = new WeakMap<object, DrcInfoSets>();

/** the sets behind a DrcList's entries when they are a decoded ibm,drc-info (computed on demand), else undefined */
export function drcInfoSetsOf(entries: readonly DrcEntry[]): DrcInfoSets | undefined {
  return lazyLists.get(entries);
}

/** "0".."count-1" without leading zeros: an array index of the lazy list */
function arrayIndex(key: string | symbol, count: number): number {
  if (typeof key !== 'string' || key.length === 0 || key.length > 7) return -1;
  for (let k = 0; k < key.length; k++) {
    const c = key.charCodeAt(k);
    if (c < 48 || c > 57 || (c === 48 && k === 0 && key.length > 1)) return -1;
  }
  const i = Number(key);
  return i < count ? i : -1;
}

/**
 * An array of the sets' entries that holds none of them: length, element reads
 * and everything built on them (iteration, find, slice, map, JSON) compute each
 * entry from its set when it is read (a new object per read). Anything that
 * would change the array, list its keys or freeze it first fills it with the
 * real entries, after which it is an ordinary array.
 */
function lazyEntries(sets: DrcInfoSets): DrcEntry[] {
  const target: DrcEntry[] = [];
  let filled = false;
  const fill = () => {
    if (filled) return;
    filled = true;
    for (let i = 0; i < sets.count; i++) target.push(sets.at(i)!);
  };
  const proxy = new Proxy(target, {
    get(t, key, receiver) {
      if (!filled) {
        if (key === 'length') return sets.count;
        const i = arrayIndex(key, sets.count);
        if (i >= 0) return sets.at(i);
      }
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      if (!filled && (key === 'length' || arrayIndex(key, sets.count) >= 0)) return true;
      return Reflect.has(t, key);
    },
    getOwnPropertyDescriptor(t, key) {
      if (!filled) {
        if (key === 'length') return { value: sets.count, writable: true, enumerable: false, configurable: false };
        const i = arrayIndex(key, sets.count);
        if (i >= 0) return { value: sets.at(i), writable: true, enumerable: true, configurable: true };
      }
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    ownKeys(t) {
      fill();
      return Reflect.ownKeys(t);
    },
    set(t, key, value) {
      fill();
      return Reflect.set(t, key, value);
    },
    defineProperty(t, key, desc) {
      fill();
      return Reflect.defineProperty(t, key, desc);
    },
    deleteProperty(t, key) {
      fill();
      return Reflect.deleteProperty(t, key);
    },
    preventExtensions(t) {
      fill();
      return Reflect.preventExtensions(t);
    },
  });
  lazyLists.set(proxy, sets);
  return proxy;
}

/**
 * ibm,drc-info: u32 set count, then per set: type\0, name prefix\0, u32 index start,
 * u32 name suffix start, u32 count, u32 increment, u32 power domain (no padding).
 * Entry i: index = start + i*inc, name = prefix + decimal(suffix + i*inc).
 * A set whose count reads <= 0 as a signed int is skipped, as powerpc-utils does.
 * `entries` is the whole list, but computed from its set entry by entry as it
 * is read (no entry or name exists before): see DrcInfoSets, drcInfoSetsOf().
 */
export function decodeDrcInfo(value: Uint8Array, node: string): { entries: DrcEntry[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const sets: ConstructorParameters<typeof DrcInfoSets>[0][number][] = [];
  const done = () => {
    return { entries: lazyEntries(new DrcInfoSets(sets)), findings };
  };
  if (value.length < 4) {
    findings.push(finding(node, DRC_INFO, 0, 'drc-info-truncated', `${value.length} bytes, too short for the set count`));
    return done();
  }
  const setCount = u32(value, 0);
  let total = 0;
  let off = 4;
  for (let s = 0; s < setCount; s++) {
    const type = cstr(value, off);
    const prefix = type.end < 0 ? type : cstr(value, type.end);
    if (type.end < 0 || prefix.end < 0 || prefix.end + 20 > value.length) {
      findings.push(finding(node, DRC_INFO, off, 'drc-info-truncated', `set ${s} of ${setCount} runs past the end of the property (${value.length} bytes)`));
      break;
    }
    const p = prefix.end;
    const start = u32(value, p);
    const suffix = u32(value, p + 4);
    const count = u32(value, p + 8) | 0;
    const inc = u32(value, p + 12);
    const domain = u32(value, p + 16);
    off = p + 20;
    if (count <= 0) {
      findings.push({ ...finding(node, DRC_INFO, p + 8, 'drc-info-empty-set', `set ${s} (type "${type.s}") has ${count} elements: ignored`), severity: 'warning' });
      continue;
    }
    // a corrupt count (up to 2^31 from 20 bytes) must not describe billions of entries
    if (total + count > MAX_DRC_ENTRIES) {
      findings.push(finding(node, DRC_INFO, p + 8, 'drc-info-too-large', `set ${s} (type "${type.s}") has ${count} elements: more than ${MAX_DRC_ENTRIES} connectors in total; stopped reading`));
      break;
    }
    total += count;
    sets.push({ type: type.s, prefix: prefix.s, start, suffix, count, inc, domain });
  }
  if (off < value.length && findings.length === 0) {
    findings.push({ ...finding(node, DRC_INFO, off, 'drc-info-trailing', `${value.length - off} bytes after the last set`), severity: 'warning' });
  }
  return done();
}

interface Classic {
  names?: Uint8Array | undefined;
  types?: Uint8Array | undefined;
  indexes?: Uint8Array | undefined;
  powerDomains?: Uint8Array | undefined;
}

/**
 * The four classic lists, each starting with a u32 count. Like powerpc-utils,
 * the number of entries is the count of ibm,drc-names and the others are read
 * in parallel; where they are shorter, the missing values are reported and
 * left as "" / 0 / 0xffffffff.
 */
export function decodeDrcClassic(props: Classic, node: string): { entries: DrcEntry[]; findings: Finding[]; paired: number } {
  const entries: DrcEntry[] = [];
  const findings: Finding[] = [];
  const { names, types, indexes, powerDomains } = props;
  if (!names) return { entries, findings, paired: 0 };
  const missing = (
    [
      [TYPES, types],
      [INDEXES, indexes],
      [DOMAINS, powerDomains],
    ] as const
  ).filter(([, v]) => v === undefined);
  for (const [p] of missing) findings.push(finding(node, p, undefined, 'drc-list-missing', `missing while ${NAMES} is present`));
  if (names.length < 4) {
    findings.push(finding(node, NAMES, 0, 'drc-list-truncated', `${names.length} bytes, too short for the count`));
    return { entries, findings, paired: 0 };
  }
  const n = u32(names, 0);
  if (n === 0) findings.push({ ...finding(node, NAMES, 0, 'drc-list-empty', 'count is 0 (no connectors)'), severity: 'warning' });
  // the lists can be paired entry by entry only when every present list has the names' count
  let agree = true;
  const counted = (p: string, v: Uint8Array | undefined) => {
    if (v && v.length >= 4 && u32(v, 0) !== n) {
      agree = false;
      findings.push({
        ...finding(node, p, 0, 'drc-list-count-mismatch', `count ${u32(v, 0)} differs from ${NAMES} count ${n}: the lists cannot be paired, so no connector names or types are taken from this node (lsslot/drmgr pair them in order, as powerpc-utils does)`),
        severity: 'warning',
      });
    }
    if (v && v.length < 4) {
      agree = false;
      findings.push(finding(node, p, 0, 'drc-list-truncated', `${v.length} bytes, too short for the count`));
    }
  };
  counted(TYPES, types);
  counted(INDEXES, indexes);
  counted(DOMAINS, powerDomains);
  let nOff = 4;
  let tOff = 4;
  let shortNames = false;
  let shortTypes = false;
  let shortIdx = false;
  let shortDom = false;
  let paired = 0;
  for (let i = 0; i < n; i++) {
    let name = '';
    if (nOff >= 0 && nOff < names.length) {
      const c = cstr(names, nOff);
      name = c.s;
      nOff = c.end;
      if (c.end < 0) shortNames = true;
    } else shortNames = true;
    let type = '';
    if (types && tOff >= 0 && tOff < types.length) {
      const c = cstr(types, tOff);
      type = c.s;
      tOff = c.end;
    } else if (types) shortTypes = true;
    const io = 4 + 4 * i;
    let index = 0;
    if (indexes && io + 4 <= indexes.length) index = u32(indexes, io);
    else if (indexes) shortIdx = true;
    let powerDomain = 0xffffffff;
    if (powerDomains && io + 4 <= powerDomains.length) powerDomain = u32(powerDomains, io);
    else if (powerDomains) shortDom = true;
    entries.push({ index, name, type, powerDomain });
    if (agree && paired === i && !shortNames && !shortTypes && !shortIdx && !shortDom) paired = i + 1;
    if (shortNames) break;
  }
  if (shortNames) findings.push(finding(node, NAMES, nOff < 0 ? names.length : nOff, 'drc-list-truncated', `fewer than ${n} NUL-terminated names`));
  if (shortTypes) findings.push(finding(node, TYPES, types!.length, 'drc-list-truncated', `fewer than ${n} types`));
  if (shortIdx) findings.push(finding(node, INDEXES, indexes!.length, 'drc-list-truncated', `fewer than ${n} indexes`));
  if (shortDom) findings.push(finding(node, DOMAINS, powerDomains!.length, 'drc-list-truncated', `fewer than ${n} power domains`));
  return { entries, findings, paired };
}

/** The DRC list of a node: ibm,drc-info when present (it wins, as in the kernel and powerpc-utils), else the classic lists. */
export function drcListOfNode(node: DtNode | undefined): DrcList {
  if (!node) return { format: 'none', entries: [], findings: [] };
  const path = node.path;
  const info = node.prop(DRC_INFO);
  if (info !== undefined) return { format: 'drc-info', ...decodeDrcInfo(info, path) };
  const names = node.prop(NAMES);
  if (names === undefined) return { format: 'none', entries: [], findings: [] };
  return { format: 'classic', ...decodeDrcClassic({ names, types: node.prop(TYPES), indexes: node.prop(INDEXES), powerDomains: node.prop(DOMAINS) }, path) };
}

/**
 * Whether powerpc-utils' get_drc_info() would return a list for this node:
 * drc-info with at least one entry, or all four classic lists present and
 * non-empty (a zero-length property fails its read) with a non-zero count.
 */
export function drcListUsableByC(node: DtNode | undefined, list: DrcList): boolean {
  return drcListForC(node, list).entries !== undefined;
}

/** dr_connector.name[DRC_STR_MAX]: strncpy() leaves a 48-byte name without its NUL */
export const C_DRC_NAME_MAX = 48;

/** What powerpc-utils 1.3.13's get_drc_info() makes of a node's DRC properties. */
export interface CDrcList {
  /** the connectors as the C code holds them; undefined = get_drc_info() returned NULL */
  entries: DrcEntry[] | undefined;
  /**
   * why it failed: 'no-group' = the classic lists could not be read (a missing
   * ibm,drc-names, or a missing / zero-length other list: "Could not find DRC
   * property group", DEBUG); 'empty' = that list's count cell is 0 ("No entries
   * found in <node>/<property>", ERROR, then the no-group message too)
   */
  failure?: { kind: 'no-group' } | { kind: 'empty'; property: string } | { kind: 'drc-info' };
}

/**
 * get_drc_info() as powerpc-utils 1.3.13 does it, for the drop-in tools:
 * ibm,drc-info when present (no messages; empty = NULL), else the four classic
 * lists read in the order names, types, indexes, power domains, each of which
 * must be readable (present, not zero-length) and have a non-zero count; the
 * number of connectors is then the ibm,drc-names count. A name of 48 bytes or
 * more is strncpy()'d into name[48] without a NUL, so the C string runs on into
 * the type field that follows it ("...-C2-ABCDEFGHIJKLMNOPQRSTUVWXSLOT").
 * drscope's own views use drcListOfNode() (the names as they are).
 */
export function drcListForC(node: DtNode | undefined, list: DrcList = drcListOfNode(node)): CDrcList {
  if (!node) return { entries: undefined, failure: { kind: 'no-group' } };
  if (list.format === 'drc-info') return list.entries.length ? { entries: list.entries } : { entries: undefined, failure: { kind: 'drc-info' } };
  if (node.prop(NAMES) === undefined) return { entries: undefined, failure: { kind: 'no-group' } };
  for (const p of [NAMES, TYPES, INDEXES, DOMAINS]) {
    const v = node.prop(p);
    if (v === undefined || v.length === 0) return { entries: undefined, failure: { kind: 'no-group' } };
    const b = new Uint8Array(4);
    b.set(v.subarray(0, 4));
    if (u32(b, 0) === 0) return { entries: undefined, failure: { kind: 'empty', property: p } };
  }
  if (list.entries.length === 0) return { entries: undefined, failure: { kind: 'no-group' } };
  const entries = list.entries.map((e) => {
    if (Buffer.byteLength(e.name, 'latin1') < C_DRC_NAME_MAX) return e;
    return { ...e, name: e.name.slice(0, C_DRC_NAME_MAX) + e.type.slice(0, C_DRC_NAME_MAX) };
  });
  return { entries };
}

/**
 * index -> entry (first wins), for O(1) name lookups of large LMB lists. Only
 * the entries whose lists agree (DrcList.paired): a broken classic list names
 * nothing rather than the wrong connector. For ibm,drc-info the map holds no
 * entries: get/has/iteration compute them from the sets (DrcIndexMap).
 */
export function drcByIndex(list: DrcList): Map<number, DrcEntry> {
  const sets = drcInfoSetsOf(list.entries);
  if (sets && (list.paired === undefined || list.paired >= sets.count)) return new DrcIndexMap(sets);
  const m = new Map<number, DrcEntry>();
  const n = Math.min(list.paired ?? list.entries.length, list.entries.length);
  for (let i = 0; i < n; i++) {
    const e = list.entries[i]!;
    if (!m.has(e.index)) m.set(e.index, e);
  }
  return m;
}

/** the first entry with DRC index `index` (entries.find(), by arithmetic for an ibm,drc-info list) */
export function drcFind(entries: readonly DrcEntry[], index: number): DrcEntry | undefined {
  const sets = drcInfoSetsOf(entries);
  if (sets) return sets.at(sets.positionOf(index));
  return entries.find((d) => d.index === index);
}

/**
 * drcByIndex() of an ibm,drc-info list: a Map whose entries are computed from
 * the sets on each read (a new DrcEntry per read), in the order of their first
 * position, as the Map of the expanded list would hold them. Changing it
 * (set/delete/clear) first fills it with the real entries.
 */
class DrcIndexMap extends Map<number, DrcEntry> {
  private filled = false;
  constructor(private readonly sets: DrcInfoSets) {
    super();
  }
  private fill(): void {
    if (this.filled) return;
    const all = [...this.lazy()];
    this.filled = true;
    for (const [k, v] of all) super.set(k, v);
  }
  private *lazy(): Generator<[number, DrcEntry]> {
    const s = this.sets;
    for (let pos = 0; pos < s.count; pos++) if (s.isFirstOfIndex(pos)) yield [s.indexAt(pos), s.at(pos)!];
  }
  override get(key: number): DrcEntry | undefined {
    return this.filled ? super.get(key) : this.sets.at(this.sets.positionOf(key));
  }
  override has(key: number): boolean {
    return this.filled ? super.has(key) : this.sets.positionOf(key) >= 0;
  }
  override get size(): number {
    return this.filled ? super.size : this.sets.distinctIndexes();
  }
  override set(key: number, value: DrcEntry): this {
    this.fill();
    return super.set(key, value);
  }
  override delete(key: number): boolean {
    this.fill();
    return super.delete(key);
  }
  override clear(): void {
    this.fill();
    super.clear();
  }
  override forEach(cb: (value: DrcEntry, key: number, map: Map<number, DrcEntry>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) cb.call(thisArg, v, k, this);
  }
  override entries(): MapIterator<[number, DrcEntry]> {
    return this.filled ? super.entries() : (this.lazy() as unknown as MapIterator<[number, DrcEntry]>);
  }
  override keys(): MapIterator<number> {
    if (this.filled) return super.keys();
    const it = this.lazy();
    return (function* () {
      for (const [k] of it) yield k;
    })() as unknown as MapIterator<number>;
  }
  override values(): MapIterator<DrcEntry> {
    if (this.filled) return super.values();
    const it = this.lazy();
    return (function* () {
      for (const [, v] of it) yield v;
    })() as unknown as MapIterator<DrcEntry>;
  }
  override [Symbol.iterator](): MapIterator<[number, DrcEntry]> {
    return this.entries();
  }
}
