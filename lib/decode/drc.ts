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
  /** entries in property order (drc-info sets expanded in order) */
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
 * ibm,drc-info: u32 set count, then per set: type\0, name prefix\0, u32 index start,
 * u32 name suffix start, u32 count, u32 increment, u32 power domain (no padding).
 * Entry i: index = start + i*inc, name = prefix + decimal(suffix + i*inc).
 * A set whose count reads <= 0 as a signed int is skipped, as powerpc-utils does.
 */
export function decodeDrcInfo(value: Uint8Array, node: string): { entries: DrcEntry[]; findings: Finding[] } {
  const entries: DrcEntry[] = [];
  const findings: Finding[] = [];
  if (value.length < 4) {
    findings.push(finding(node, DRC_INFO, 0, 'drc-info-truncated', `${value.length} bytes, too short for the set count`));
    return { entries, findings };
  }
  const sets = u32(value, 0);
  let off = 4;
  for (let s = 0; s < sets; s++) {
    const type = cstr(value, off);
    const prefix = type.end < 0 ? type : cstr(value, type.end);
    if (type.end < 0 || prefix.end < 0 || prefix.end + 20 > value.length) {
      findings.push(finding(node, DRC_INFO, off, 'drc-info-truncated', `set ${s} of ${sets} runs past the end of the property (${value.length} bytes)`));
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
    // a corrupt count (up to 2^31 from 20 bytes) must not allocate billions of entries
    if (entries.length + count > MAX_DRC_ENTRIES) {
      findings.push(finding(node, DRC_INFO, p + 8, 'drc-info-too-large', `set ${s} (type "${type.s}") has ${count} elements: more than ${MAX_DRC_ENTRIES} connectors in total; stopped reading`));
      break;
    }
    for (let i = 0; i < count; i++) {
      entries.push({ index: (start + i * inc) >>> 0, name: `${prefix.s}${(suffix + i * inc) | 0}`, type: type.s, powerDomain: domain });
    }
  }
  if (off < value.length && findings.length === 0) {
    findings.push({ ...finding(node, DRC_INFO, off, 'drc-info-trailing', `${value.length - off} bytes after the last set`), severity: 'warning' });
  }
  return { entries, findings };
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
 * nothing rather than the wrong connector.
 */
export function drcByIndex(list: DrcList): Map<number, DrcEntry> {
  const m = new Map<number, DrcEntry>();
  const n = Math.min(list.paired ?? list.entries.length, list.entries.length);
  for (let i = 0; i < n; i++) {
    const e = list.entries[i]!;
    if (!m.has(e.index)) m.set(e.index, e);
  }
  return m;
}
