// A compact generic property diff of two device trees (dtdiff, but naming what
// changed): nodes added/removed, properties added/removed/changed with a short
// rendering of both values. Properties that the LMB/NUMA/DRC diffs already explain
// are skipped (the caller passes them).
import { bytesEqual, walk, type DtNode, type DtTree, getNode } from '../dt/tree.js';

export interface PropChange {
  kind: 'node-added' | 'node-removed' | 'added' | 'removed' | 'changed';
  node: string;
  property?: string;
  before?: string;
  after?: string;
  /** first differing byte offset (changed values) */
  offset?: number;
  beforeLength?: number;
  afterLength?: number;
  /** what the change means, when drscope knows (the LMB property re-encoded: sets, count cell) */
  note?: string;
}

/** skip(nodePath, propertyName) -> true when a semantic diff covers it */
export type PropSkip = (node: string, prop: string) => boolean;

export function diffTrees(before: DtTree, after: DtTree, skip: PropSkip): PropChange[] {
  const out: PropChange[] = [];
  for (const a of walk(after.root)) {
    const b = getNode(before, a.path);
    if (!b) {
      if (!a.parent || getNode(before, a.parent.path)) out.push({ kind: 'node-added', node: a.path, after: `${a.props.size} properties, ${countNodes(a) - 1} subnodes` });
      continue;
    }
    diffProps(b, a, skip, out);
  }
  for (const b of walk(before.root)) {
    if (getNode(after, b.path)) continue;
    if (b.parent && !getNode(after, b.parent.path)) continue;
    out.push({ kind: 'node-removed', node: b.path, before: `${b.props.size} properties, ${countNodes(b) - 1} subnodes` });
  }
  return out;
}

function countNodes(n: DtNode): number {
  let c = 0;
  for (const _ of walk(n)) c++;
  return c;
}

function diffProps(b: DtNode, a: DtNode, skip: PropSkip, out: PropChange[]): void {
  const path = a.path;
  const names = [...new Set([...b.props.keys(), ...a.props.keys()])].sort();
  for (const name of names) {
    if (skip(path, name)) continue;
    const bv = b.props.get(name);
    const av = a.props.get(name);
    if (bv && av) {
      if (bytesEqual(bv, av)) continue;
      const off = firstDiff(bv, av);
      const cells = cellsByName(path, name, bv) && cellsByName(path, name, av);
      out.push({ kind: 'changed', node: path, property: name, before: showValue(bv, off, cells), after: showValue(av, off, cells), offset: off, beforeLength: bv.length, afterLength: av.length });
    } else if (av) out.push({ kind: 'added', node: path, property: name, after: showValue(av, 0, cellsByName(path, name, av)), afterLength: av.length });
    else if (bv) out.push({ kind: 'removed', node: path, property: name, before: showValue(bv, 0, cellsByName(path, name, bv)), beforeLength: bv.length });
  }
}

export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** /chosen ihandles (Open Firmware instance handles): one cell whose bytes often look printable (">7~") */
const CHOSEN_IHANDLES = new Set(['stdin', 'stdout', 'memory', 'mmu', 'cpu', 'bootcpu']);
/** properties that are cells by definition (phandles, cell counts, addresses, interrupt specifiers, associativity) */
const CELL_PROPS = new Set([
  'phandle',
  'linux,phandle',
  'ibm,phandle',
  'interrupt-parent',
  'interrupts',
  'interrupt-map',
  'interrupt-map-mask',
  'reg',
  'ranges',
  'dma-ranges',
  'ibm,associativity',
  'ibm,my-drc-index',
  'ibm,lmb-size',
  'ibm,memory-flags-mask',
  'ibm,memory-preservation-time',
  'ibm,max-associativity-domains',
  'ibm,current-associativity-domains',
  'ibm,lrdr-capacity',
  'linux,initrd-start',
  'linux,initrd-end',
  'linux,kernel-end',
  'linux,memory-limit',
]);

/** a property known to hold cells (so its value is never guessed as a string): whole cells only */
export function cellsByName(node: string, name: string, v: Uint8Array): boolean {
  if (v.length === 0 || v.length % 4 !== 0) return false;
  if (name.startsWith('#') || CELL_PROPS.has(name)) return true;
  return node === '/chosen' && CHOSEN_IHANDLES.has(name) && v.length === 4;
}

/**
 * dtc-like short form: "strings", <cells>, or [bytes]; long values summarised, shown from `from`
 * (a first difference) when it is past the start. `cells`: the property is known to hold cells
 * (a phandle, an ihandle): never guessed as a string.
 */
export function showValue(v: Uint8Array, from = 0, cells = false): string {
  if (v.length === 0) return '(empty)';
  const strs = cells ? null : asStrings(v);
  if (strs) {
    const s = strs.map((x) => JSON.stringify(x)).join(', ');
    return s.length <= 80 ? s : `${s.slice(0, 77)}... (${v.length} bytes)`;
  }
  if (v.length % 4 === 0) {
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    const n = v.length / 4;
    const start = n <= 8 ? 0 : Math.min(Math.max(0, Math.floor(from / 4) - 1), n - 1);
    const end = Math.min(n, start + 8);
    const cells: string[] = [];
    for (let i = start; i < end; i++) cells.push(`0x${dv.getUint32(4 * i).toString(16)}`);
    return `<${start > 0 ? `@${4 * start}: ... ` : ''}${cells.join(' ')}${end < n ? ` ...` : ''}>${n > 8 ? ` (${v.length} bytes)` : ''}`;
  }
  const start = v.length <= 16 ? 0 : Math.min(Math.max(0, from - 2), v.length - 1);
  const end = Math.min(v.length, start + 16);
  const bytes = [...v.subarray(start, end)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  return `[${start > 0 ? `@${start}: ... ` : ''}${bytes}${end < v.length ? ' ...' : ''}]${v.length > 16 ? ` (${v.length} bytes)` : ''}`;
}

function asStrings(v: Uint8Array): string[] | null {
  if (v[v.length - 1] !== 0) return null;
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === 0) {
      if (i === start) return null;
      out.push(Buffer.from(v.subarray(start, i)).toString('latin1'));
      start = i + 1;
    } else if (c < 0x20 || c > 0x7e) return null;
  }
  return out;
}
