// The I/O slot inventory as powerpc-utils builds it (get_dlpar_nodes /
// get_hp_nodes in common_pci.c): logical PCI slots, virtual I/O slots, HEA
// adapters and ports, hot-plug PCI slots, PHBs, with the device node behind
// each slot and the Linux device from sysfs devspec files. Shared by the
// drop-in `lsslot` (C-exact rendering) and `drscope slots` (our table/JSON).
import { drcFind, drcListForC, drcListOfNode, type DrcEntry } from '../decode/drc.js';
import { kernfsOrder } from '../dt/kernfs-order.js';
import { strerror } from '../compat/errno.js';
import type { DtNode } from '../dt/tree.js';
import { drcFailureMessages, getProperty, getUintProperty, ofNode, OFDT_BASE, propString, sysfsWord, type SystemView } from '../compat/system.js';

export const SlotKind = {
  logical: 'logical', // PCI_DLPAR_DEV: logical slot below a PHB (drc type SLOT)
  vio: 'vio', // VIO_DEV: virtual I/O slot below /vdevice
  hea: 'hea', // HEA_DEV: lhea@ adapter
  heaPort: 'hea-port',
  hotplug: 'hotplug', // PCI_HP_DEV: physical hot-plug slot (numeric drc type)
  phb: 'phb',
} as const;
export type SlotKindName = (typeof SlotKind)[keyof typeof SlotKind];

export interface SlotNode {
  kind: SlotKindName;
  drcName: string;
  drcIndex: number;
  drcType: string;
  powerDomain: number;
  /** the partition owns it (a device node exists for it) */
  owned: boolean;
  /** excluded by powerpc-utils (a device in a hot-plug slot with another slot's location code) */
  skip: boolean;
  /** OF path (full, "/proc/device-tree/..."): the device node when owned, else the parent bus */
  ofdtPath: string;
  /** ibm,loc-code of the node at ofdtPath when created */
  locCode: string;
  /** "name" of the first node below whose ibm,loc-code contains the DRC name ("" = none) */
  dname: string;
  children: SlotNode[];
  /** sysfs directory whose devspec points at ofdtPath ("" = none) */
  sysfsPath: string;
}

/** how the inventory is built */
export interface InventoryOptions {
  /**
   * DRC names as the C code holds them (lsslot): a name of 48 bytes or more runs
   * on into its type ("…SLOT"). Default: the names as the device tree has them.
   */
  cNames?: boolean;
}

/** node kinds to collect (PCI_NODES, VIO_NODES, HEA_NODES, PHB_NODES) */
export interface NodeTypes {
  pci?: boolean;
  vio?: boolean;
  hea?: boolean;
  phb?: boolean;
}

const PHP_SLOT_TYPES = [
  '',
  'PCI 32 bit, 33MHz, 5 volt slot',
  'PCI 32 bit, 50MHz, 5 volt slot',
  'PCI 32 bit, 33MHz, 3.3 volt slot',
  'PCI 64 bit, 33MHz, 5 volt slot',
  'PCI 64 bit, 50MHz, 5 volt slot',
  'PCI 64 bit, 33MHz, 3.3 volt slot',
  'PCI 32 bit, 66MHz, 3.3 volt slot',
  'PCI 64 bit, 66MHz, 3.3 volt slot',
  '',
  '',
  'PCI-X capable, 32 bit, 66MHz slot',
  'PCI-X capable, 32 bit, 100MHz slot',
  'PCI-X capable, 32 bit, 133MHz slot',
  'PCI-X capable, 64 bit, 66MHz slot',
  'PCI-X capable, 64 bit, 100MHz slot',
  'PCI-X capable, 64 bit, 133MHz slot',
  'PCI-X capable, 64 bit, 266MHz slot',
  'PCI-X capable, 64 bit, 533MHz slot',
  'PCI-E capable, Rev 1, 1x lanes',
  'PCI-E capable, Rev 1, 2x lanes',
  'PCI-E capable, Rev 1, 4x lanes',
  'PCI-E capable, Rev 1, 8x lanes',
  'PCI-E capable, Rev 1, 16x lanes',
  'PCI-E capable, Rev 1, 32x lanes',
  'PCI-E capable, Rev 2, 1x lanes',
  'PCI-E capable, Rev 2, 2x lanes',
  'PCI-E capable, Rev 2, 4x lanes',
  'PCI-E capable, Rev 2, 8x lanes',
  'PCI-E capable, Rev 2, 16x lanes',
  'PCI-E capable, Rev 2, 32x lanes',
  'PCI-E capable, Rev 3, 8x lanes with 1 lane connected',
  'PCI-E capable, Rev 3, 8x lanes with 4x lanes connected',
  'PCI-E capable, Rev 3, 8x lanes with 8x lanes connected',
  'PCI-E capable, Rev 3, 16x lanes with 1 lane connected',
  'PCI-E capable, Rev 3, 16x lanes with 8x lanes connected',
  'PCI-E capable, Rev 3, 16x lanes with 16x lanes connected',
  'PCI-E capable, Rev 4, 8x lanes with 1 lane connected',
  'PCI-E capable, Rev 4, 8x lanes with 4x lanes connected',
  'PCI-E capable, Rev 4, 8x lanes with 8x lanes connected',
  'PCI-E capable, Rev 4, 16x lanes with 1 lane connected',
  'PCI-E capable, Rev 4, 16x lanes with 8x lanes connected',
  'PCI-E capable, Rev 4, 16x lanes with 16x lanes connected',
  'U.2 PCI-E capable, Rev 3, 4x lanes with 4x lanes connected',
  'U.2 PCI-E capable, Rev 4, 4x lanes with 4x lanes connected',
  'U.2 PCI-E capable, Rev 4, 4x lanes with 2x lanes connected',
  'PCI-E capable, Rev 5, 8x lanes with 1 lane connected',
  'PCI-E capable, Rev 5, 8x lanes with 4x lanes connected',
  'PCI-E capable, Rev 5, 8x lanes with 8x lanes connected',
  'PCI-E capable, Rev 5, 16x lanes with 1 lane connected',
  'PCI-E capable, Rev 5, 16x lanes with 4x lanes connected',
  'PCI-E capable, Rev 5, 16x lanes with 8x lanes connected',
  'U.2 PCI-E capable, Rev 5, 4x lanes with 2x lanes connected',
  'U.2 PCI-E capable, Rev 5, 4x lanes with 4x lanes connected',
];

/** C atoi(): leading blanks, sign, digits; 0 when none */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number(BigInt.asIntN(32, BigInt(m[1]!))) : 0;
}

/** node_type(): the Description column */
export function slotDescription(n: Pick<SlotNode, 'drcType' | 'kind'>): string {
  const t = atoi(n.drcType);
  if ((t >= 1 && t <= 8) || (t >= 11 && t <= 53)) return PHP_SLOT_TYPES[t]!;
  switch (n.kind) {
    case 'logical':
      return 'Logical I/O Slot';
    case 'vio':
      return 'Virtual I/O Slot';
    case 'hea':
      return 'HEA I/O Slot';
    case 'hea-port':
      return 'HEA Port I/O Slot';
    default:
      return 'Unknown slot type';
  }
}

const DR_BUF_SZ = 256;
/** ofdt_dname[DR_STR_MAX]: a name property of 128 bytes or more (with its NUL) fails to read */
const NAME_SZ = 128;

class Builder {
  /** debug/error messages the C code would print (level, text) */
  readonly messages: [number, string][] = [];
  constructor(
    readonly view: SystemView,
    readonly opts: InventoryOptions,
  ) {}

  full(node: DtNode): string {
    return node.path === '/' ? OFDT_BASE : OFDT_BASE + node.path;
  }
  nodeAt(full: string): DtNode | undefined {
    return ofNode(this.view, full);
  }
  /** get_drc_info(): undefined = NULL (its messages are recorded) */
  drcList(node: DtNode | undefined): DrcEntry[] | undefined {
    const l = drcListOfNode(node);
    const c = drcListForC(node, l);
    if (c.entries) return this.opts.cNames ? c.entries : l.entries;
    if (node) this.messages.push(...drcFailureMessages(this.full(node), c.failure));
    return undefined;
  }
  alloc(drc: DrcEntry | undefined, kind: SlotKindName, path: string): SlotNode {
    const node = this.nodeAt(path);
    return {
      kind,
      drcName: drc?.name ?? '',
      drcIndex: drc?.index ?? 0,
      drcType: drc?.type ?? '',
      powerDomain: drc?.powerDomain ?? 0,
      owned: false,
      skip: false,
      ofdtPath: path,
      locCode: propString(getProperty(node, 'ibm,loc-code', DR_BUF_SZ)) ?? '',
      dname: '',
      children: [],
      sysfsPath: '',
    };
  }

  /**
   * find_ofdt_dname: pre-order search (readdir order) for a loc-code containing
   * the DRC name. When the node's own loc-code matches but its "name" cannot be
   * read, the C loop re-tests this node (not the child) for every child
   * directory, so it never descends: the search fails there.
   */
  findDname(slot: SlotNode, node: DtNode): boolean {
    const loc = propString(getProperty(node, 'ibm,loc-code', DR_BUF_SZ));
    if (loc !== undefined && loc.includes(slot.drcName)) {
      const name = propString(getProperty(node, 'name', NAME_SZ));
      if (name === undefined) return false;
      slot.dname = name;
      return true;
    }
    for (const n of kernfsOrder(node.children.keys())) {
      if (n.startsWith('.')) continue;
      if (this.findDname(slot, node.children.get(n)!)) return true;
    }
    return false;
  }

  /** init_node: children in readdir order */
  initNode(slot: SlotNode): void {
    const node = this.nodeAt(slot.ofdtPath);
    if (slot.owned && node) this.findDname(slot, node);
    if (!node) return;
    for (const n of kernfsOrder(node.children.keys())) {
      // The slot became owned by this child: C builds the remaining paths from the
      // new ofdt_path (<child>/<sibling name>), i.e. children of the node just
      // initialised, which that init_node already examined: the siblings are skipped.
      if (this.examineChild(slot, node.children.get(n)!)) break;
    }
  }

  /** examine_child; true when the slot took this child as its node (ofdt_path changed) */
  examineChild(slot: SlotNode, child: DtNode): boolean {
    const idx = getUintProperty(child, 'ibm,my-drc-index');
    if (idx === undefined) return false;
    if (slot.kind === 'hotplug') {
      if (slot.drcIndex === idx) this.addChild(slot, child);
    } else if (!slot.owned) {
      if (slot.drcIndex === idx) {
        slot.ofdtPath = this.full(child);
        slot.owned = true;
        this.initNode(slot);
        return true;
      }
    } else this.addChild(slot, child);
    return false;
  }

  addChild(parent: SlotNode, child: DtNode): void {
    const path = this.full(child);
    if (parent.children.some((c) => c.ofdtPath === path)) return;
    const loc = propString(getProperty(child, 'ibm,loc-code', DR_BUF_SZ));
    if (loc === undefined) return;
    const slash = loc.lastIndexOf('/');
    if (slash >= 0 && loc.indexOf('-', slash) >= 0) return; // a device, not a connector
    if (parent.kind === 'hotplug' && slash >= 0 && parent.drcName !== loc.slice(0, slash)) {
      parent.skip = true;
      return;
    }
    const idx = getUintProperty(child, 'ibm,my-drc-index');
    if (idx === undefined) return;
    const drcs = this.drcList(child.parent);
    const drc = drcs && drcFind(drcs, idx);
    const c = this.alloc(drc, parent.kind === 'hea' ? 'hea-port' : parent.kind, path);
    if (parent.drcType === 'SLOT' && parent.kind === 'logical') c.dname = parent.dname;
    else c.dname = propString(getProperty(child, 'name', NAME_SZ)) ?? '';
    parent.children.unshift(c);
  }

  /** add_pci_vio_node for PCI_DLPAR, PCI_HP and PHB children */
  addPciNodes(bus: DtNode, kind: 'logical' | 'hotplug' | 'phb', list: SlotNode[]): void {
    const drcs = this.drcList(bus);
    if (!drcs) return;
    for (const drc of drcs) {
      let k: SlotKindName;
      if (kind === 'hotplug') {
        if (!(BigInt.asUintN(64, cStrtoulDec(drc.type)) > 0n)) continue;
        k = 'hotplug';
      } else if (kind === 'logical') {
        if (drc.type !== 'SLOT') continue;
        k = 'logical';
      } else k = drc.type === 'SLOT' ? 'logical' : 'hotplug';
      const n = this.alloc(drc, k, this.full(bus));
      if (k === 'hotplug') n.owned = true;
      this.initNode(n);
      list.unshift(n);
    }
  }

  /** /vdevice: owned VIO nodes from children with ibm,my-drc-index, then every SLOT DRC */
  addVioNodes(vdev: DtNode, list: SlotNode[]): void {
    const drcs = this.drcList(vdev);
    if (!drcs) return;
    // the owned nodes by index, newest first (the C list is prepended); a SLOT DRC takes the
    // first one with its index off the list, so a second DRC with the same index gets an
    // un-owned node, and of two children with one index the later one in readdir order wins
    const owned = new Map<number, SlotNode[]>();
    for (const n of kernfsOrder(vdev.children.keys())) {
      const child = vdev.children.get(n)!;
      const idx = getUintProperty(child, 'ibm,my-drc-index');
      if (idx === undefined) continue;
      const drc = drcFind(drcs, idx);
      if (!drc) {
        this.messages.push([1, `Unable to find DRC index ${idx | 0}\n`]);
        return;
      }
      const node = this.alloc(drc, 'vio', this.full(child));
      node.owned = true;
      const same = owned.get(idx);
      if (same) same.unshift(node);
      else owned.set(idx, [node]);
    }
    for (const drc of drcs) {
      if (drc.type !== 'SLOT') continue;
      const node = owned.get(drc.index)?.shift() ?? this.alloc(drc, 'vio', this.full(vdev));
      if (node.owned) this.initNode(node);
      list.unshift(node);
    }
  }

  addPhbNode(pci: DtNode, rootDrcs: DrcEntry[] | undefined, list: SlotNode[]): void {
    const idx = getUintProperty(pci, 'ibm,my-drc-index');
    if (idx === undefined) return;
    const drc = rootDrcs && drcFind(rootDrcs, idx);
    if (!drc) {
      this.messages.push([1, `Could not find drc index 0x${idx.toString(16)} to add to phb list\n`]);
      return;
    }
    const phb = this.alloc(drc, 'phb', this.full(pci));
    phb.owned = true;
    this.addPciNodes(pci, 'phb', phb.children);
    list.unshift(phb);
  }

  addHeaNode(lhea: DtNode, rootDrcs: DrcEntry[] | undefined, list: SlotNode[]): void {
    if (!rootDrcs) return;
    const idx = getUintProperty(lhea, 'ibm,my-drc-index');
    if (idx === undefined) return;
    const drc = drcFind(rootDrcs, idx);
    if (!drc) {
      this.messages.push([1, `Could not find drc index 0x${idx.toString(16)} to add to hea list\n`]);
      return;
    }
    const hea = this.alloc(drc, 'hea', this.full(lhea));
    hea.owned = true;
    this.initNode(hea);
    list.unshift(hea);
  }

  /** add_linux_devices: walk /sys/devices (real dirs only), match devspec to OF paths; the last match wins */
  addLinuxDevices(list: SlotNode[]): void {
    const files = this.view.files;
    const walk = (dir: string, depth: number) => {
      if (depth > 64) return;
      const names = files.list(dir);
      if (!names) {
        // opendir() failed: ENOENT (absent, dangling link), ENOTDIR (a file), else EACCES
        const k = files.kind(dir);
        const why = k === 'file' ? 'ENOTDIR' : k === 'dir' ? 'EACCES' : 'ENOENT';
        this.messages.push([1, `failed to open ${dir}\n${strerror(why)}\n`]);
        return;
      }
      for (const n of kernfsOrder(names)) {
        const p = `${dir}/${n}`;
        const kind = files.kind(p);
        if (kind === 'dir') walk(p, depth + 1);
        else if (n === 'devspec') {
          const spec = sysfsWord(this.view, p);
          if (spec === undefined) continue;
          const full = spec.startsWith(OFDT_BASE) ? spec : spec.startsWith('/') ? OFDT_BASE + spec : `${OFDT_BASE}/${spec}`;
          for (const node of list) {
            if (node.ofdtPath === full) {
              node.sysfsPath = dir;
              break;
            }
            const c = node.children.find((x) => x.ofdtPath === full);
            if (c) {
              c.sysfsPath = dir;
              break;
            }
          }
        }
      }
    };
    walk('/sys/devices', 0);
  }
}

function cStrtoulDec(s: string): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(s);
  if (!m) return 0n;
  const v = BigInt(m[2]!);
  return m[1] === '-' ? -v : v;
}

export interface SlotInventory {
  nodes: SlotNode[];
  messages: [number, string][];
}

/** get_dlpar_nodes(): list order = reverse discovery (nodes are prepended) */
export function dlparNodes(view: SystemView, types: NodeTypes, opts: InventoryOptions = {}): SlotInventory {
  const b = new Builder(view, opts);
  const list: SlotNode[] = [];
  const root = view.tree.root;
  const mask = (types.pci ? 1 : 0) | (types.vio ? 2 : 0) | (types.hea ? 4 : 0) | (types.phb ? 0x10 : 0);
  b.messages.push([4, `Getting node types 0x${mask.toString(16).padStart(8, '0')}\n`]);
  // get_drc_info(OFDT_BASE) is called again for every PHB / HEA while it keeps failing (messages each time)
  let rootDrcs: DrcEntry[] | undefined;
  const rootList = () => (rootDrcs ??= b.drcList(root));
  for (const name of kernfsOrder(root.children.keys())) {
    const node = root.children.get(name)!;
    if (name === 'vdevice' && types.vio) b.addVioNodes(node, list);
    else if (name.startsWith('pci@')) {
      if (types.pci) b.addPciNodes(node, 'logical', list);
      else if (types.phb) b.addPhbNode(node, rootList(), list);
    } else if (name.startsWith('lhea@') && types.hea) b.addHeaNode(node, rootList(), list);
  }
  if (list.length) b.addLinuxDevices(list);
  return { nodes: list, messages: b.messages };
}

/** get_hp_nodes(): every pci@ directory at any depth (readdir order), its numeric-type DRCs */
export function hotplugNodes(view: SystemView, opts: InventoryOptions = {}): SlotInventory {
  const b = new Builder(view, opts);
  const list: SlotNode[] = [];
  b.messages.push([4, 'Retrieving hotplug nodes\n']);
  const walk = (dir: DtNode) => {
    for (const name of kernfsOrder(dir.children.keys())) {
      if (!name.startsWith('pci@')) continue;
      const node = dir.children.get(name)!;
      b.addPciNodes(node, 'hotplug', list);
      walk(node);
    }
  };
  walk(view.tree.root);
  if (list.length) b.addLinuxDevices(list);
  return { nodes: list, messages: b.messages };
}

/** loc_code_cmp(): location-code order used to sort lsslot rows */
export function locCodeCmp(a: string, b: string): number {
  let s1 = a;
  let s2 = b;
  const hexPrefix = (s: string): [bigint, string] => {
    const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]*)/.exec(s)!;
    if (m[3] === '') return [0n, s];
    let v = BigInt(`0x${m[3]}`);
    if (v >= 1n << 64n) v = (1n << 64n) - 1n;
    if (m[1] === '-') v = BigInt.asUintN(64, -v);
    return [v, s.slice(m[0].length)];
  };
  while (s1.length && s2.length) {
    let d = s1.indexOf('-');
    let n1 = (d < 0 ? s1 : s1.slice(0, d)).slice(0, 63);
    s1 = d < 0 ? '' : s1.slice(d);
    d = s2.indexOf('-');
    let n2 = (d < 0 ? s2 : s2.slice(0, d)).slice(0, 63);
    s2 = d < 0 ? '' : s2.slice(d);
    const c1 = n1.charCodeAt(0) || 0;
    const c2 = n2.charCodeAt(0) || 0;
    if (c1 !== c2) return c1 < c2 ? -1 : 1;
    n1 = n1.slice(1);
    n2 = n2.slice(1);
    let v1: bigint;
    let v2: bigint;
    [v1, n1] = hexPrefix(n1);
    [v2, n2] = hexPrefix(n2);
    if (v1 !== v2) return v1 < v2 ? -1 : 1;
    if (n1.length && n2.length) {
      if (n1[0] === n2[0]) {
        if (n1[0] === '/') {
          n1 = n1.slice(1);
          n2 = n2.slice(1);
          const t1 = n1.charCodeAt(0) || 0;
          const t2 = n2.charCodeAt(0) || 0;
          if (t1 !== t2) return t1 < t2 ? -1 : 1;
        }
        n1 = n1.slice(1);
        n2 = n2.slice(1);
        [v1, n1] = hexPrefix(n1);
        [v2, n2] = hexPrefix(n2);
        if (v1 !== v2) return v1 < v2 ? -1 : 1;
      } else if (n1[0] === '/') return -1;
      else if (n2[0] === '/') return 1;
    }
    if (n1.length !== n2.length) return n1.length < n2.length ? -1 : 1;
    if (s1.startsWith('-')) s1 = s1.slice(1);
    if (s2.startsWith('-')) s2 = s2.slice(1);
  }
  if (s1.length) return 1;
  if (s2.length) return -1;
  return 0;
}
