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

const hashes = new WeakMap<DtTree, string>();

/** FNV-1a over node paths, property names and bytes: "same boot FDT" test (once per tree: boot trees are never modified). */
export function treeHash(tree: DtTree): string {
  let hash = hashes.get(tree);
  if (hash === undefined) hashes.set(tree, (hash = fnvTree(tree)));
  return hash;
}

function fnvTree(tree: DtTree): string {
  // kept as int32 between steps (xor and Math.imul see the same 32 bits as the uint32)
  let h = 0x811c9dc5 | 0;
  const enc = new TextEncoder();
  const mixAll = (v: Uint8Array) => {
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v[i]!, 0x01000193);
  };
  for (const n of walk(tree.root)) {
    mixAll(enc.encode(n.path));
    for (const name of [...n.props.keys()].sort()) {
      mixAll(enc.encode(name));
      mixAll(n.props.get(name)!);
      h = Math.imul(h ^ 0xff, 0x01000193);
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
