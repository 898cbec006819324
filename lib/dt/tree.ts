// The in-memory device tree every source becomes (dtc's "livetree").
// Properties keep their raw big-endian bytes; decoding happens on demand in
// lib/decode, so a diff stays exact and unknown properties can still be shown.

export class DtNode {
  /** full node name incl. unit address ("memory@0"); "" for the root */
  readonly name: string;
  readonly parent: DtNode | undefined;
  readonly props = new Map<string, Uint8Array>();
  readonly children = new Map<string, DtNode>();
  /** where this node came from (file path in the snapshot, DTB offset, DTS line) */
  origin: string | undefined;

  constructor(name: string, parent?: DtNode) {
    this.name = name;
    this.parent = parent;
  }

  /** absolute path, "/" for the root */
  get path(): string {
    if (!this.parent) return '/';
    const p = this.parent.path;
    return p === '/' ? `/${this.name}` : `${p}/${this.name}`;
  }

  /** node name without unit address */
  get baseName(): string {
    const at = this.name.indexOf('@');
    return at < 0 ? this.name : this.name.slice(0, at);
  }

  /** unit address ("" when none) */
  get unitAddress(): string {
    const at = this.name.indexOf('@');
    return at < 0 ? '' : this.name.slice(at + 1);
  }

  prop(name: string): Uint8Array | undefined {
    return this.props.get(name);
  }

  child(name: string): DtNode | undefined {
    return this.children.get(name);
  }

  /** get or create a child */
  addChild(name: string): DtNode {
    let c = this.children.get(name);
    if (!c) {
      c = new DtNode(name, this);
      this.children.set(name, c);
    }
    return c;
  }

  setProp(name: string, value: Uint8Array): void {
    this.props.set(name, value);
  }
}

export interface MemReserve {
  address: bigint;
  size: bigint;
}

export interface DtTree {
  root: DtNode;
  /** /memreserve/ entries (DTB/DTS only) */
  memreserve: MemReserve[];
  /** DTB boot_cpuid_phys when the tree came from a DTB */
  bootCpuidPhys?: number;
}

export function newTree(): DtTree {
  return { root: new DtNode(''), memreserve: [] };
}

/** Look a node up by absolute path ("/", "/cpus/PowerPC,POWER9@0"). */
export function getNode(tree: DtTree, path: string): DtNode | undefined {
  let node: DtNode | undefined = tree.root;
  for (const part of path.split('/')) {
    if (part === '') continue;
    node = node.children.get(part);
    if (!node) return undefined;
  }
  return node;
}

/** get or create every node along an absolute path */
export function ensureNode(tree: DtTree, path: string): DtNode {
  let node = tree.root;
  for (const part of path.split('/')) {
    if (part !== '') node = node.addChild(part);
  }
  return node;
}

/** Pre-order walk; children in name order so output never depends on how a copy was stored. */
export function* walk(node: DtNode): Generator<DtNode> {
  yield node;
  for (const name of [...node.children.keys()].sort(compareNames)) {
    yield* walk(node.children.get(name)!);
  }
}

/** byte-wise name order (what `LC_ALL=C sort` and dtc's unordered compare use) */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality: same nodes, same properties, same bytes (order-insensitive). */
export function treesEqual(a: DtNode, b: DtNode): boolean {
  if (a.props.size !== b.props.size || a.children.size !== b.children.size) return false;
  for (const [k, v] of a.props) {
    const w = b.props.get(k);
    if (!w || !bytesEqual(v, w)) return false;
  }
  for (const [k, c] of a.children) {
    const d = b.children.get(k);
    if (!d || !treesEqual(c, d)) return false;
  }
  return true;
}
