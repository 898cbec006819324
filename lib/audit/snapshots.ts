// Sources in time order -> snapshots. The first source's boot-time FDT (and any
// later source booted differently) becomes a snapshot of its own: it is what the
// firmware said at boot, i.e. what the kernel's LMB table was built from.
import { walk, type DtTree } from '../dt/tree.js';
import type { Source } from '../dt/source.js';
import type { Snapshot } from '../diff/diff.js';
import { lmbColumnsFromTree } from '../model/lmbs-from-tree.js';

export interface SnapshotOptions {
  /** use boot FDTs as snapshots (default true) */
  bootBaseline?: boolean;
}

export function snapshotFromSource(source: Source): Snapshot {
  const s: Snapshot = { label: source.label, tree: source.tree, table: lmbColumnsFromTree(source.tree, source.files), origin: 'tree', source };
  if (source.bootTree) s.bootId = treeHash(source.bootTree);
  return s;
}

export function bootSnapshot(source: Source): Snapshot | undefined {
  if (!source.bootTree) return undefined;
  return { label: `${source.label} (boot FDT)`, tree: source.bootTree, table: lmbColumnsFromTree(source.bootTree), origin: 'boot-fdt', bootId: treeHash(source.bootTree), source };
}

export function snapshotsFromSources(sources: readonly Source[], opts: SnapshotOptions = {}): Snapshot[] {
  const out: Snapshot[] = [];
  let lastBoot: string | undefined;
  for (const src of sources) {
    const snap = snapshotFromSource(src);
    const rebooted = snap.bootId !== undefined && lastBoot !== undefined && snap.bootId !== lastBoot;
    if (opts.bootBaseline !== false && (out.length === 0 || rebooted)) {
      const boot = bootSnapshot(src);
      if (boot) out.push(boot);
    }
    out.push(snap);
    if (snap.bootId !== undefined) lastBoot = snap.bootId;
  }
  return out;
}

/** FNV-1a over node paths, property names and bytes: "same boot FDT" test. */
export function treeHash(tree: DtTree): string {
  let h = 0x811c9dc5;
  const mix = (b: number) => {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  const enc = new TextEncoder();
  for (const n of walk(tree.root)) {
    for (const c of enc.encode(n.path)) mix(c);
    for (const name of [...n.props.keys()].sort()) {
      for (const c of enc.encode(name)) mix(c);
      const v = n.props.get(name)!;
      for (let i = 0; i < v.length; i++) mix(v[i]!);
      mix(0xff);
    }
  }
  return h.toString(16).padStart(8, '0');
}
