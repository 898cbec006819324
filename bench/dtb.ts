// DtTree -> flattened device tree (FDT v17) for the benchmark inputs.
// Interim: lib/dt/write-dtb.ts (sources engineer) replaces this once it lands;
// dtc validates the output in every bench run (`dtc -I dtb` must accept it).
import type { DtNode, DtTree } from '../lib/dt/tree.js';

const FDT_MAGIC = 0xd00dfeed;
const BEGIN_NODE = 1;
const END_NODE = 2;
const PROP = 3;
const END = 9;

export function encodeLparDtb(tree: DtTree): Uint8Array {
  const strings: string[] = [];
  const strOff = new Map<string, number>();
  let strLen = 0;
  const nameOff = (n: string) => {
    let o = strOff.get(n);
    if (o === undefined) {
      o = strLen;
      strOff.set(n, o);
      strings.push(n);
      strLen += Buffer.byteLength(n, 'latin1') + 1;
    }
    return o;
  };
  // size the struct block first so the 6 MB property is copied exactly once
  const pad4 = (n: number) => (n + 3) & ~3;
  const sizeOf = (node: DtNode): number => {
    let s = 4 + pad4(Buffer.byteLength(node.name, 'latin1') + 1);
    for (const [, v] of node.props) s += 12 + pad4(v.length);
    for (const [, c] of node.children) s += sizeOf(c);
    return s + 4;
  };
  const structSize = sizeOf(tree.root) + 4;
  const rsvOff = 40;
  const rsvSize = 16 * (tree.memreserve.length + 1);
  const structOff = rsvOff + rsvSize;
  const struct = new Uint8Array(structSize);
  const dv = new DataView(struct.buffer);
  let p = 0;
  const u32 = (v: number) => {
    dv.setUint32(p, v >>> 0);
    p += 4;
  };
  const emit = (node: DtNode) => {
    u32(BEGIN_NODE);
    struct.set(Buffer.from(`${node.name}\0`, 'latin1'), p);
    p = pad4(p + Buffer.byteLength(node.name, 'latin1') + 1);
    for (const [name, v] of node.props) {
      u32(PROP);
      u32(v.length);
      u32(nameOff(name));
      struct.set(v, p);
      p = pad4(p + v.length);
    }
    for (const [, c] of node.children) emit(c);
    u32(END_NODE);
  };
  emit(tree.root);
  u32(END);
  const strBlock = Buffer.from(strings.map((s) => `${s}\0`).join(''), 'latin1');
  const stringsOff = structOff + structSize;
  const total = stringsOff + strBlock.length;
  const out = new Uint8Array(total);
  const h = new DataView(out.buffer);
  [FDT_MAGIC, total, structOff, stringsOff, rsvOff, 17, 16, tree.bootCpuidPhys ?? 0, strBlock.length, structSize].forEach((v, i) => h.setUint32(4 * i, v));
  tree.memreserve.forEach((r, i) => {
    h.setBigUint64(rsvOff + 16 * i, r.address);
    h.setBigUint64(rsvOff + 16 * i + 8, r.size);
  });
  out.set(struct, structOff);
  out.set(strBlock, stringsOff);
  return out;
}
