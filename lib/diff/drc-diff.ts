// DRC list changes per node (ibm,drc-info or the classic ibm,drc-* lists):
// connectors added, removed, renamed, retyped, with another power domain.
import { drcByIndex, drcListOfNode, type DrcEntry } from '../decode/drc.js';
import { bytesEqual, walk, getNode, type DtNode, type DtTree } from '../dt/tree.js';

export const DRC_PROPS = new Set(['ibm,drc-info', 'ibm,drc-indexes', 'ibm,drc-names', 'ibm,drc-types', 'ibm,drc-power-domains']);

export interface DrcListDiff {
  node: string;
  formatBefore: string;
  formatAfter: string;
  added: DrcEntry[];
  removed: DrcEntry[];
  changed: Array<{ index: number; before: DrcEntry; after: DrcEntry }>;
}

export function diffDrcLists(before: DtTree, after: DtTree): DrcListDiff[] {
  const paths = new Set<string>();
  for (const t of [before, after]) for (const n of walk(t.root)) if ([...n.props.keys()].some((p) => DRC_PROPS.has(p))) paths.add(n.path);
  const out: DrcListDiff[] = [];
  for (const path of [...paths].sort()) {
    const nb = getNode(before, path);
    const na = getNode(after, path);
    // the same bytes decode to the same list: nothing to report, nothing to expand (the root's
    // lists name every LMB: 262,144 entries a side)
    if (nb && na && sameDrcProps(nb, na)) continue;
    const lb = drcListOfNode(nb);
    const la = drcListOfNode(na);
    const mb = drcByIndex(lb);
    const ma = drcByIndex(la);
    const d: DrcListDiff = { node: path, formatBefore: lb.format, formatAfter: la.format, added: [], removed: [], changed: [] };
    for (const [i, e] of ma) {
      const o = mb.get(i);
      if (!o) d.added.push(e);
      else if (o.name !== e.name || o.type !== e.type || o.powerDomain !== e.powerDomain) d.changed.push({ index: i, before: o, after: e });
    }
    for (const [i, e] of mb) if (!ma.has(i)) d.removed.push(e);
    if (d.added.length || d.removed.length || d.changed.length || d.formatBefore !== d.formatAfter) out.push(d);
  }
  return out;
}

function sameDrcProps(b: DtNode, a: DtNode): boolean {
  for (const p of DRC_PROPS) {
    const x = b.prop(p);
    const y = a.prop(p);
    if (x === undefined ? y !== undefined : y === undefined || !bytesEqual(x, y)) return false;
  }
  return true;
}
