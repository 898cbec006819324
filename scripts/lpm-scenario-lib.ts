// Building blocks of the LPM scenario generator: a capture archive held in memory
// (entries of a real snapshot .tar.gz), its drconf node as a DtTree, and the
// hypervisor / kernel actions applied to both the tree and the sysfs view.
import { gunzipSync, gzipSync } from 'node:zlib';
import { packTar, unpackTar, type TarEntry } from 'modern-tar';
import { newTree, ensureNode, getNode, type DtTree } from '../lib/dt/tree.js';
import { readDtb } from '../lib/dt/read-dtb.js';
import { writeDtb } from '../lib/dt/write-dtb.js';
import { LmbFlag } from '../lib/model/lmb.js';
import {
  DRCONF_PATH,
  LOOKUP_PROP,
  V1_PROP,
  V2_PROP,
  dlparAdd,
  dlparRemove,
  drmemUpdateDt,
  drmemUpdateLmbs,
  encodeLookupArrays,
  encodeV1,
  encodeV2,
  kernelTableFromTree,
  rowOfDrc,
  type KernelLmbTable,
} from '../lib/model/kernel-rewrite.js';

export interface Entry {
  header: TarEntry['header'];
  data?: Uint8Array;
}

const DRCONF_DIR = 'device-tree/ibm,dynamic-reconfiguration-memory';
const DRCONF_PROPS = ['ibm,lmb-size', V1_PROP, V2_PROP, LOOKUP_PROP];

/** A capture: entries keyed by their path below the snap-NN-name/ prefix. */
export class Capture {
  constructor(readonly entries: Map<string, Entry>) {}

  static async read(bytes: Uint8Array): Promise<Capture> {
    const raw = await unpackTar(gunzipSync(bytes));
    const m = new Map<string, Entry>();
    for (const e of raw) {
      const name = e.header.name.replace(/^[^/]+\/?/, '');
      m.set(name, { header: { ...e.header }, ...(e.data ? { data: new Uint8Array(e.data) } : {}) });
    }
    return new Capture(m);
  }

  clone(): Capture {
    const m = new Map<string, Entry>();
    for (const [k, e] of this.entries) m.set(k, { header: { ...e.header }, ...(e.data ? { data: e.data.slice() } : {}) });
    return new Capture(m);
  }

  file(path: string): Uint8Array | undefined {
    return this.entries.get(path)?.data;
  }

  text(path: string): string | undefined {
    const d = this.file(path);
    return d && Buffer.from(d).toString('utf8');
  }

  setFile(path: string, data: Uint8Array | string, mode = 0o644): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const old = this.entries.get(path);
    this.entries.set(path, { header: { ...(old?.header ?? { name: path, mode }), name: path, size: bytes.length, type: 'file' }, data: bytes });
    const dir = path.slice(0, path.lastIndexOf('/') + 1);
    if (dir && !this.entries.has(dir)) this.entries.set(dir, { header: { name: dir, size: 0, type: 'directory', mode: 0o755 } });
  }

  removeTree(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k === prefix || k.startsWith(prefix)) this.entries.delete(k);
  }

  /** the drconf node as a small DtTree (what kernel-rewrite works on) */
  drconfTree(): DtTree {
    const t = newTree();
    const n = ensureNode(t, DRCONF_PATH);
    for (const p of DRCONF_PROPS) {
      const v = this.file(`${DRCONF_DIR}/${p}`);
      if (v) n.setProp(p, v);
    }
    return t;
  }

  /** write the drconf properties back (only those that exist in the tree) */
  storeDrconf(t: DtTree): void {
    const n = getNode(t, DRCONF_PATH)!;
    for (const p of DRCONF_PROPS) {
      const v = n.prop(p);
      if (v) this.setFile(`${DRCONF_DIR}/${p}`, v, 0o444);
    }
  }

  async write(dirName: string, mtime: Date): Promise<Uint8Array> {
    const keys = [...this.entries.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0));
    const out: TarEntry[] = [{ header: { name: `${dirName}/`, size: 0, type: 'directory', mode: 0o755, mtime } }];
    for (const k of keys) {
      if (k === '') continue;
      const e = this.entries.get(k)!;
      out.push({ header: { ...e.header, name: `${dirName}/${k}`, mtime }, ...(e.data ? { body: e.data } : {}) });
    }
    return gzipSync(await packTar(out), { level: 9 });
  }
}

export type KernelVersion = 'pre-5.15' | '5.15+';

export type Op =
  | { op: 'snap'; name: string; note: string }
  | { op: 'lpm'; arrays: number[][]; aa: Record<number, number>; note: string }
  | { op: 'add'; drcs: number[]; associativity: number[]; nid: number; note: string }
  | { op: 'remove'; drcs: number[]; note: string };

/** Replays ops on a capture: hypervisor writes, kernel DLPAR + drmem_update_dt, sysfs blocks. */
export class Machine {
  readonly kernel: KernelLmbTable;
  cap: Capture;
  /** the hypervisor's aa index per DRC since the last LPM, for LMBs no DLPAR touched since */
  readonly hyper = new Map<number, number>();
  /** LMBs whose hypervisor value the kernel overwrote since the last snapshot */
  overwrittenSinceSnap = new Set<number>();

  constructor(
    base: Capture,
    readonly version: KernelVersion,
  ) {
    this.cap = base.clone();
    const t = kernelTableFromTree(this.cap.drconfTree());
    if (!t) throw new Error('base capture has no drconf LMBs');
    this.kernel = t;
  }

  lpm(arrays: number[][], aa: Record<number, number>): void {
    const tree = this.cap.drconfTree();
    const node = getNode(tree, DRCONF_PATH)!;
    const la = node.prop(LOOKUP_PROP)!;
    const width = new DataView(la.buffer, la.byteOffset).getUint32(4);
    node.setProp(LOOKUP_PROP, encodeLookupArrays(width, arrays));
    // the hypervisor sends the whole property: current LMBs with its new aa indexes
    const cur = kernelTableFromTree(tree)!;
    for (let i = 0; i < cur.lmbs.count; i++) {
      const d = cur.lmbs.drc[i]!;
      if (aa[d] !== undefined) cur.lmbs.aa[i] = aa[d];
    }
    if (node.prop(V1_PROP)) node.setProp(V1_PROP, encodeV1(cur.lmbs));
    else node.setProp(V2_PROP, encodeV2(cur.lmbs));
    for (let i = 0; i < cur.lmbs.count; i++) this.hyper.set(cur.lmbs.drc[i]!, cur.lmbs.aa[i]!);
    // 5.15+: pseries_memory_notifier -> drmem_update_lmbs refreshes the kernel's aa indexes
    if (this.version === '5.15+') drmemUpdateLmbs(tree, this.kernel);
    this.cap.storeDrconf(tree);
  }

  add(drcs: number[], associativity: number[], nid: number): void {
    const tree = this.cap.drconfTree();
    for (const d of drcs) {
      const row = rowOfDrc(this.kernel, d);
      dlparAdd(tree, this.kernel, row, associativity);
      this.hyper.delete(d);
      this.addBlock(this.kernel.lmbs.base[row]! / this.kernel.lmbSize, nid);
    }
    this.rewrite(tree);
  }

  remove(drcs: number[]): void {
    const tree = this.cap.drconfTree();
    for (const d of drcs) {
      const row = rowOfDrc(this.kernel, d);
      dlparRemove(this.kernel, row);
      this.hyper.delete(d);
      this.removeBlock(this.kernel.lmbs.base[row]! / this.kernel.lmbSize);
    }
    this.rewrite(tree);
  }

  /** drmem_update_dt at the end of the DLPAR request; note what it overwrote */
  private rewrite(tree: DtTree): void {
    drmemUpdateDt(tree, this.kernel);
    for (let i = 0; i < this.kernel.lmbs.count; i++) {
      const h = this.hyper.get(this.kernel.lmbs.drc[i]!);
      if (h !== undefined && h !== this.kernel.lmbs.aa[i]) this.overwrittenSinceSnap.add(this.kernel.lmbs.drc[i]!);
    }
    // once written back, the DT holds the kernel's value: the hypervisor's is gone
    for (const d of this.overwrittenSinceSnap) this.hyper.delete(d);
    this.cap.storeDrconf(tree);
  }

  private addBlock(id: bigint, nid: number): void {
    const dir = `sys/devices/system/memory/memory${id}/`;
    const files: Record<string, string> = { 'node-links': `node${nid}\n`, online: '1\n', phys_device: '0\n', phys_index: `${id.toString(16).padStart(8, '0')}\n`, removable: '1\n', state: 'online\n', valid_zones: 'Normal\n' };
    for (const [f, v] of Object.entries(files)) this.cap.setFile(`${dir}${f}`, v);
    this.editLines(`sys/devices/system/node/node${nid}/memory-links`, (l) => [...l, `memory${id}`]);
    this.editLines('memory-block-nodes.txt', (l) => [...l, `memory${id} node${nid} `]);
  }

  private removeBlock(id: bigint): void {
    this.cap.removeTree(`sys/devices/system/memory/memory${id}/`);
    for (const k of this.cap.entries.keys()) {
      const m = /^sys\/devices\/system\/node\/node\d+\/memory-links$/.exec(k);
      if (m) this.editLines(k, (l) => l.filter((x) => x !== `memory${id}`));
    }
    this.editLines('memory-block-nodes.txt', (l) => l.filter((x) => !x.startsWith(`memory${id} `)));
  }

  /** edit a sorted line list (C-locale sort, as the capture script wrote them) */
  private editLines(path: string, f: (lines: string[]) => string[]): void {
    const t = this.cap.text(path);
    if (t === undefined) return;
    const lines = f(t.split('\n').filter((x) => x !== '')).sort();
    this.cap.setFile(path, lines.length ? `${lines.join('\n')}\n` : '');
  }
}

/**
 * Turn a capture taken after DIMM hot-adds into one whose DIMMs were there at boot:
 * firmware (QEMU >= 5.1) marks DIMM LMBs ASSIGNED|HOTREMOVABLE, and the boot FDT
 * (sys-firmware-fdt.dtb) carries the same drconf property. The sysfs blocks and
 * their nodes already match.
 */
export function firmwareBootWithDimms(cap: Capture): void {
  const t = cap.drconfTree();
  const k = kernelTableFromTree(t)!;
  for (let i = 0; i < k.lmbs.count; i++) if (k.lmbs.flags[i]! & LmbFlag.ASSIGNED) k.lmbs.flags[i] = k.lmbs.flags[i]! | LmbFlag.HOTREMOVABLE;
  const node = getNode(t, DRCONF_PATH)!;
  if (node.prop(V1_PROP)) node.setProp(V1_PROP, encodeV1(k.lmbs));
  else node.setProp(V2_PROP, encodeV2(k.lmbs));
  cap.storeDrconf(t);
  const boot = readDtb(cap.file('sys-firmware-fdt.dtb')!, 'sys-firmware-fdt.dtb');
  const bn = getNode(boot, DRCONF_PATH)!;
  for (const p of [V1_PROP, V2_PROP, LOOKUP_PROP]) {
    const v = node.prop(p);
    if (v && bn.prop(p)) bn.setProp(p, v);
  }
  cap.setFile('sys-firmware-fdt.dtb', writeDtb(boot), 0o400);
}
