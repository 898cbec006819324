// One property -> what `drscope show` prints: decoded when drscope knows the
// property, dtc-style guessed value otherwise. Returns text lines and a JSON
// value; decoder issues come back for the caller to report.
import { decodeArchVec5, Vec5Bit, type Vec5BitName } from '../decode/arch-vec5.js';
import { decodeAssociativity, decodeAssociativityDomains, decodeLookupArrays, decodeReferencePoints } from '../decode/associativity.js';
import { decodeDrcInfo } from '../decode/drc.js';
import { decodeDynamicMemoryV1 } from '../decode/dynamic-memory.js';
import { decodeDynamicMemoryV2 } from '../decode/dynamic-memory-v2.js';
import { lmbFlagsText } from '../decode/lmb-flags.js';
import { decodeLmbSize } from '../decode/lmb-size.js';
import { decodeMemoryFlagsMask } from '../decode/lmb-flags.js';
import { decodeReg } from '../decode/memory-node.js';
import { decodeNumaDistanceTable, decodeNumaLookupIndexTable, distanceMatrix } from '../decode/numa-form2.js';
import { decodeCells, decodeU32, type DecodeIssue } from '../decode/result.js';
import type { Finding } from '../model/finding.js';
import { formatSize, hexOf } from './hex.js';
import { guessValue, renderGuessed } from './value.js';
import { lmbRuns, type Run } from './lmb-runs.js';

export interface PropertyView {
  /** decoder used ("guess" when none) */
  decoder: string;
  lines: string[];
  value: unknown;
  issues: DecodeIssue[];
}

export interface PropertyContext {
  /** #address-cells / #size-cells that apply to reg (the parent's) and to LMB bases (the root's) */
  addressCells: number;
  sizeCells: number;
  rootAddressCells: number;
  rootSizeCells: number;
  /** max list items in text mode */
  limit: number;
  /** path of the node the property belongs to */
  nodePath?: string;
}

/** /chosen ihandles look like short strings to dtc's guess (">7~"); they are cells */
const CHOSEN_IHANDLES = new Set(['stdin', 'stdout', 'memory', 'mmu', 'cpu']);

const cellList = (c: readonly number[]) => c.map((x) => hexOf(x)).join(' ');

function capped<T>(items: readonly T[], limit: number, fmt: (x: T, i: number) => string): string[] {
  const out = items.slice(0, limit).map(fmt);
  if (items.length > limit) out.push(`... ${items.length - limit} more (--limit)`);
  return out;
}

function runLine(r: Run): string {
  return `${r.count} x ${hexOf(r.base)}: drc ${hexOf(r.drc)}, aa ${hexOf(r.aa)}, flags ${hexOf(r.flags)}${r.flags === 0 ? "" : ` ${lmbFlagsText(r.flags)}`}`;
}

type Decoder = (b: Uint8Array, c: PropertyContext) => PropertyView;

const KNOWN: Record<string, Decoder> = {
  'ibm,lmb-size': (b, c) => {
    const r = decodeLmbSize(b, c.rootSizeCells);
    return { decoder: 'lmb-size', issues: r.issues, value: r.value, lines: [r.value === null ? '(unreadable)' : `${hexOf(r.value)} (${formatSize(r.value)})`] };
  },
  'ibm,dynamic-memory': (b, c) => {
    const r = decodeDynamicMemoryV1(b, c.rootAddressCells);
    const runs = lmbRuns(r.value.lmbs);
    return {
      decoder: 'dynamic-memory-v1',
      issues: r.issues,
      value: { declared: r.value.declared, lmbs: r.value.lmbs.count, runs },
      lines: [`v1: ${r.value.lmbs.count} LMBs in ${runs.length} run(s) of equal aa/flags and consecutive drc/address:`, ...capped(runs, c.limit, runLine)],
    };
  },
  'ibm,dynamic-memory-v2': (b, c) => {
    const r = decodeDynamicMemoryV2(b, c.rootAddressCells);
    const s = r.value;
    const sets = Array.from({ length: s.count }, (_, i) => ({ count: s.seq[i]!, base: s.base[i]!, drc: s.drc[i]!, aa: s.aa[i]!, flags: s.flags[i]! }));
    const total = sets.reduce((n, x) => n + x.count, 0);
    return { decoder: 'dynamic-memory-v2', issues: r.issues, value: { declared: s.declared, lmbs: total, sets }, lines: [`v2: ${s.count} set(s), ${total} LMBs:`, ...capped(sets, c.limit, (x, i) => `set ${i}: ${runLine(x)}`)] };
  },
  'ibm,associativity-lookup-arrays': (b, c) => {
    const r = decodeLookupArrays(b);
    if (!r.value) return { decoder: 'associativity-lookup-arrays', issues: r.issues, value: null, lines: ['(unreadable)'] };
    const e = r.value.cellsPerArray;
    const arrays: number[][] = [];
    for (let i = 0; e > 0 && (i + 1) * e <= r.value.cells.length; i++) arrays.push(Array.from(r.value.cells.subarray(i * e, (i + 1) * e)));
    return { decoder: 'associativity-lookup-arrays', issues: r.issues, value: { count: r.value.count, cellsPerArray: e, arrays }, lines: [`${r.value.count} array(s) x ${e} cell(s):`, ...capped(arrays, c.limit, (a, i) => `[${i}] <${cellList(a)}>`)] };
  },
  'ibm,associativity-reference-points': (b) => {
    const r = decodeReferencePoints(b);
    return { decoder: 'associativity-reference-points', issues: r.issues, value: r.value, lines: [`<${r.value.join(' ')}> (primary domain index: ${r.value[0] ?? '-'} for FORM1/2, ${r.value[1] ?? '-'} for FORM0)`] };
  },
  'ibm,associativity': (b) => {
    const r = decodeAssociativity(b);
    const v = r.value;
    return { decoder: 'associativity', issues: r.issues, value: v, lines: [v ? `${v.declared} domain(s): <${v.domains.join(' ')}>${v.extra.length ? ` + extra <${cellList(v.extra)}>` : ''}` : '(unreadable)'] };
  },
  'ibm,architecture-vec-5': (b) => {
    const r = decodeArchVec5(b);
    const v = r.value;
    const set = v ? (Object.keys(Vec5Bit) as Vec5BitName[]).filter((k) => v.bits[k]) : [];
    return { decoder: 'architecture-vec-5', issues: r.issues, value: v, lines: [v ? `${b.length} bytes; affinity FORM${v.form}; set: ${set.join(' ') || '(none of the known bits)'}` : '(empty)'] };
  },
  'ibm,numa-lookup-index-table': (b) => {
    const r = decodeNumaLookupIndexTable(b);
    return { decoder: 'numa-lookup-index-table', issues: r.issues, value: r.value, lines: [r.value ? `${r.value.length} domain(s): <${r.value.join(' ')}>` : '(unreadable)'] };
  },
  'ibm,numa-distance-table': (b) => {
    const r = decodeNumaDistanceTable(b);
    const m = r.value ? distanceMatrix(r.value) : undefined;
    return { decoder: 'numa-distance-table', issues: r.issues, value: r.value ? { declared: r.value.declared, matrix: m ?? null, distances: Array.from(r.value.distances) } : null, lines: m ? [`${m.length} x ${m.length}:`, ...m.map((row) => row.join(' '))] : [r.value ? Array.from(r.value.distances).join(' ') : '(unreadable)'] };
  },
  'ibm,memory-flags-mask': (b) => {
    const r = decodeMemoryFlagsMask(b);
    return { decoder: 'memory-flags-mask', issues: r.issues, value: r.value, lines: [r.value ? `${hexOf(r.value.mask)} (${lmbFlagsText(r.value.mask)})` : '(unreadable)'] };
  },
  'ibm,drc-info': (b, c) => {
    const r = decodeDrcInfo(b, '');
    const issues = r.findings.map((f: Finding) => ({ code: f.code, offset: f.offset ?? 0, message: f.message.replace(/^\/ibm,drc-info(?: \(offset \d+\))?: /, ''), severity: f.severity }));
    return { decoder: 'drc-info', issues, value: r.entries, lines: [`${r.entries.length} connector(s):`, ...capped(r.entries, c.limit, (e) => `${hexOf(e.index)} ${e.type} "${e.name}"`)] };
  },
};

function domains(name: string): Decoder {
  return (b) => {
    const r = decodeAssociativityDomains(b);
    return { decoder: 'associativity-domains', issues: r.issues, value: r.value, lines: [r.value ? `${r.value.levels} level(s): <${r.value.maxima.join(' ')}>` : '(unreadable)'] };
  };
  void name;
}
KNOWN['ibm,max-associativity-domains'] = domains('max');
KNOWN['ibm,current-associativity-domains'] = domains('current');

function countedCells(decoder: string): Decoder {
  return (b, c) => {
    const r = decodeCells(b);
    const [n = 0, ...rest] = r.value;
    if (rest.length !== n) r.issues.push({ code: 'drc-list-count-mismatch', offset: 0, message: `count cell says ${n} but ${rest.length} cell(s) follow` });
    return { decoder, issues: r.issues, value: { count: n, cells: rest }, lines: [`${n} entr${n === 1 ? 'y' : 'ies'}: <${rest.slice(0, c.limit * 4).map((x) => hexOf(x)).join(' ')}${rest.length > c.limit * 4 ? ' ...' : ''}>`] };
  };
}
function countedStrings(decoder: string): Decoder {
  return (b, c) => {
    const issues: DecodeIssue[] = [];
    if (b.length < 4) return { decoder, issues: [{ code: 'property-too-short', offset: 0, message: 'no count cell' }], value: null, lines: ['(unreadable)'] };
    const n = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);
    const body = Buffer.from(b.subarray(4)).toString('latin1');
    const strings = body.endsWith('\0') ? body.slice(0, -1).split('\0') : body.split('\0');
    if (!body.endsWith('\0')) issues.push({ code: 'string-unterminated', offset: b.length, message: 'the last string is not NUL-terminated' });
    if (strings.length !== n) issues.push({ code: 'drc-list-count-mismatch', offset: 0, message: `count cell says ${n} but ${strings.length} string(s) follow` });
    return { decoder, issues, value: { count: n, strings }, lines: [`${n} entr${n === 1 ? 'y' : 'ies'}: ${strings.slice(0, c.limit * 4).map((s) => JSON.stringify(s)).join(', ')}${strings.length > c.limit * 4 ? ', ...' : ''}`] };
  };
}
KNOWN['ibm,drc-indexes'] = countedCells('drc-indexes');
KNOWN['ibm,drc-power-domains'] = countedCells('drc-power-domains');
KNOWN['ibm,drc-names'] = countedStrings('drc-names');
KNOWN['ibm,drc-types'] = countedStrings('drc-types');

function oneCell(decoder: string, show: (v: number) => string): Decoder {
  return (b) => {
    const r = decodeU32(b, decoder);
    return { decoder, issues: r.issues, value: r.value, lines: [r.value === null ? '(unreadable)' : show(r.value)] };
  };
}
for (const p of ['phandle', 'linux,phandle', 'ibm,phandle', 'ibm,my-drc-index']) KNOWN[p] = oneCell(p, hexOf);
for (const p of ['#address-cells', '#size-cells', 'ibm,memory-preservation-time']) KNOWN[p] = oneCell(p, String);

export function describeProperty(name: string, bytes: Uint8Array, ctx: PropertyContext): PropertyView {
  const known = KNOWN[name];
  if (known) return known(bytes, ctx);
  if (ctx.nodePath === '/chosen' && CHOSEN_IHANDLES.has(name) && bytes.length === 4) return oneCell('ihandle', (v) => `${hexOf(v)} (ihandle)`)(bytes, ctx);
  if (name === 'reg') {
    const r = decodeReg(bytes, ctx.addressCells, ctx.sizeCells);
    return { decoder: 'reg', issues: r.issues, value: r.value, lines: capped(r.value, ctx.limit, (x) => `${hexOf(x.address)} size ${hexOf(x.size)} (${formatSize(x.size)})`) };
  }
  const g = guessValue(bytes);
  const value = g.kind === 'cells' ? g.cells : g.kind === 'bytes' ? Array.from(g.bytes!) : g.kind === 'empty' ? true : g.kind === 'string' ? g.strings![0] : g.strings;
  return { decoder: 'guess', issues: [], value: { kind: g.kind, value }, lines: [renderGuessed(g, ctx.limit * 4)] };
}
