// DtTree -> DTB version 17, laid out as dtc lays it out: header, memory
// reservation map, structure block, strings block, no padding. Nodes and
// properties go out in insertion order, and property names are shared the way
// dtc's stringtable_insert shares them (first match, suffixes included), so a
// tree read from a dtc-made blob writes back byte for byte.
import { FDT_MAGIC, FdtTag, HeaderField } from './fdt-format.js';
import type { DtNode, DtTree } from './tree.js';

const enc = new TextEncoder();

class StringTable {
  private text = '';
  private readonly offsets = new Map<string, number>();

  offset(name: string): number {
    const known = this.offsets.get(name);
    if (known !== undefined) return known;
    // dtc reuses any earlier occurrence, including the tail of a longer name
    let off = this.text.indexOf(`${name}\0`);
    if (off < 0) {
      off = this.text.length;
      this.text += `${name}\0`;
    }
    this.offsets.set(name, off);
    return off;
  }

  bytes(): Uint8Array {
    // names are stored as latin1 code units of their UTF-8 bytes, so offsets are byte offsets
    return Uint8Array.from(this.text, (c) => c.charCodeAt(0));
  }
}

/** UTF-8 bytes of `s` as a string of latin1 code units (one char per byte) */
function byteString(s: string): string {
  let out = '';
  for (const b of enc.encode(s)) out += String.fromCharCode(b);
  return out;
}

const pad4 = (n: number) => n + ((4 - (n % 4)) % 4);

interface Planned {
  size: number;
}

function planStruct(node: DtNode, strings: StringTable, nameBytes: Map<DtNode, Uint8Array>, plan: Planned): void {
  const nb = enc.encode(node.name);
  nameBytes.set(node, nb);
  plan.size += 4 + pad4(nb.length + 1);
  for (const [name, value] of node.props) {
    strings.offset(byteString(name));
    plan.size += 12 + pad4(value.length);
  }
  for (const child of node.children.values()) planStruct(child, strings, nameBytes, plan);
  plan.size += 4;
}

export function writeDtb(tree: DtTree): Uint8Array {
  const strings = new StringTable();
  const nameBytes = new Map<DtNode, Uint8Array>();
  const plan: Planned = { size: 0 };
  planStruct(tree.root, strings, nameBytes, plan);
  const structSize = plan.size + 4; // + FDT_END
  const stringsBytes = strings.bytes();
  const offMemRsvmap = 40;
  const offStruct = offMemRsvmap + 16 * (tree.memreserve.length + 1);
  const offStrings = offStruct + structSize;
  const totalsize = offStrings + stringsBytes.length;

  const out = new Uint8Array(totalsize);
  const dv = new DataView(out.buffer);
  const put32 = (off: number, v: number) => dv.setUint32(off, v >>> 0, false);
  put32(HeaderField.magic, FDT_MAGIC);
  put32(HeaderField.totalsize, totalsize);
  put32(HeaderField.off_dt_struct, offStruct);
  put32(HeaderField.off_dt_strings, offStrings);
  put32(HeaderField.off_mem_rsvmap, offMemRsvmap);
  put32(HeaderField.version, 17);
  put32(HeaderField.last_comp_version, 16);
  put32(HeaderField.boot_cpuid_phys, tree.bootCpuidPhys ?? 0);
  put32(HeaderField.size_dt_strings, stringsBytes.length);
  put32(HeaderField.size_dt_struct, structSize);

  let off = offMemRsvmap;
  for (const { address, size } of tree.memreserve) {
    dv.setBigUint64(off, address, false);
    dv.setBigUint64(off + 8, size, false);
    off += 16;
  }
  off = offStruct;
  const emit = (node: DtNode) => {
    put32(off, FdtTag.BEGIN_NODE);
    const nb = nameBytes.get(node)!;
    out.set(nb, off + 4);
    off += 4 + pad4(nb.length + 1);
    for (const [name, value] of node.props) {
      put32(off, FdtTag.PROP);
      put32(off + 4, value.length);
      put32(off + 8, strings.offset(byteString(name)));
      out.set(value, off + 12);
      off += 12 + pad4(value.length);
    }
    for (const child of node.children.values()) emit(child);
    put32(off, FdtTag.END_NODE);
    off += 4;
  };
  emit(tree.root);
  put32(off, FdtTag.END);
  out.set(stringsBytes, offStrings);
  return out;
}
