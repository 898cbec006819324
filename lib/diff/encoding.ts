// How the LMB property is encoded, beyond the LMBs it describes: the count cell
// against the entries that follow, the v2 set layout (canonical = what
// drmem_update_dt_v2 writes: no two adjacent sets with equal aa index and flags;
// zero-length sets). Two properties can describe the same LMBs with different
// bytes; these are exactly the audit's rewrite fingerprints.
import { getNode, type DtTree } from '../dt/tree.js';
import type { DrconfLmbs } from '../model/drconf.js';
import { V1, V2 } from '../model/drconf.js';
import { DRCONF_PATH } from '../model/numa.js';

/** v2 sets in the kernel's canonical form: no two adjacent sets with equal (aa, flags); undefined when not v2 */
export function v2Canonical(d: DrconfLmbs | undefined): boolean | undefined {
  const sets = d?.format === 'v2' ? d.sets : undefined;
  if (!sets) return undefined;
  for (let i = 1; i < sets.count; i++) if (sets.aa[i] === sets.aa[i - 1] && sets.flags[i] === sets.flags[i - 1]) return false;
  return true;
}

export interface LmbEncoding {
  property: string;
  bytes: Uint8Array;
  /** the count cell */
  declared: number | null;
  /** complete 24-byte entries (v1 LMBs / v2 sets) after it */
  entries: number;
  /** v2: canonical set layout */
  canonical?: boolean;
  /** v2: sets with seq_lmbs 0 */
  emptySets?: number;
}

/** the LMB property the kernel reads (v1 before v2), undefined when there is none */
export function lmbEncoding(tree: DtTree, d: DrconfLmbs | undefined): LmbEncoding | undefined {
  const node = getNode(tree, DRCONF_PATH);
  const property = node?.prop(V1) ? V1 : node?.prop(V2) ? V2 : undefined;
  if (!node || !property) return undefined;
  const bytes = node.prop(property)!;
  const declared = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0) : null;
  const e: LmbEncoding = { property, bytes, declared, entries: Math.max(0, Math.floor((bytes.length - 4) / 24)) };
  if (property === V2 && d?.format === 'v2' && d.sets) {
    const c = v2Canonical(d);
    if (c !== undefined) e.canonical = c;
    let empty = 0;
    for (let i = 0; i < d.sets.count; i++) if (d.sets.seq[i] === 0) empty++;
    e.emptySets = empty;
  }
  return e;
}

/**
 * What differs in the encoding of two LMB properties of the same name (empty when
 * nothing beyond the LMBs themselves): count cell vs entries, canonical form, zero-length
 * sets. The set count alone follows from the LMBs (a DLPAR splits or merges runs).
 */
export function encodingNotes(b: LmbEncoding, a: LmbEncoding): string[] {
  const notes: string[] = [];
  const unit = b.property === V2 ? 'set' : 'entr';
  const countText = (e: LmbEncoding) => `count cell ${e.declared ?? 'missing'} for ${e.entries} ${unit === 'set' ? `set${e.entries === 1 ? '' : 's'}` : `entr${e.entries === 1 ? 'y' : 'ies'}`}`;
  const bad = (e: LmbEncoding) => e.declared !== e.entries || e.bytes.length !== 4 + 24 * e.entries;
  if (bad(b) || bad(a)) {
    if (b.declared !== a.declared || b.entries !== a.entries || b.bytes.length !== a.bytes.length) notes.push(`${countText(b)} → ${countText(a)}${a.bytes.length !== 4 + 24 * a.entries ? ` (+${a.bytes.length - 4 - 24 * a.entries} trailing bytes)` : ''}`);
  }
  if (b.property === V2) {
    if (b.canonical !== undefined && a.canonical !== undefined && b.canonical !== a.canonical)
      notes.push(a.canonical ? 'sets regrouped into canonical (aa index, flags) runs, as drmem_update_dt_v2 writes them' : 'sets split non-canonically (adjacent sets with equal aa index and flags: firmware, not drmem_update_dt_v2)');
    if ((b.emptySets ?? 0) !== (a.emptySets ?? 0)) notes.push(`zero-length sets ${b.emptySets ?? 0} → ${a.emptySets ?? 0}`);
  }
  return notes;
}
