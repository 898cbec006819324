// DTB (flattened device tree) bytes -> DtTree. The header is validated in
// libfdt's fdt_check_header order, the structure block walked like
// fdt_next_tag/fdt_check_full, with a bounds check before every read, so a bad
// blob always ends in a FormatError naming the field and offset, never a
// RangeError and never a loop that does not end.
import { BeReader } from '../decode/be-reader.js';
import { FormatError, type DtErrorCode } from '../errors.js';
import {
  FDT_FIRST_SUPPORTED_VERSION,
  FDT_INT_MAX,
  FDT_LAST_SUPPORTED_VERSION,
  FDT_MAGIC,
  FdtTag,
  HeaderField,
  fdtHeaderSize,
  tagAlign,
} from './fdt-format.js';
import { newTree, type DtNode, type DtTree } from './tree.js';

export interface DtbHeader {
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys: number;
  sizeDtStrings: number;
  sizeDtStruct: number;
  headerSize: number;
}

/** nodes nested deeper than this are refused (real trees are < 10 deep) */
export const DTB_MAX_DEPTH = 64;

/**
 * Most nodes a DTB or DTS may create. The largest real trees (a PowerVM LPAR
 * with one node per CPU thread and device) have tens of thousands; each node
 * costs a few hundred bytes, so a hostile blob of empty nodes stops here
 * instead of exhausting memory.
 */
export const TREE_MAX_NODES = 1_000_000;

/** memory reservation entries (real blobs have a handful) */
export const DTB_MAX_MEMRESERVE = 65_536;

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

/** fdt_check_header(), plus "the file holds totalsize bytes". Throws FormatError. */
export function checkDtbHeader(bytes: Uint8Array, file: string): DtbHeader {
  const bad = (code: DtErrorCode, message: string, offset: number) => new FormatError(code, message, { file, offset });
  const r = new BeReader(bytes, (offset, length) => {
    throw bad('DTB_TRUNCATED', `DTB header: file is only ${bytes.length} bytes, need ${offset + length}`, offset);
  });
  const magic = r.u32(HeaderField.magic);
  if (magic !== FDT_MAGIC) throw bad('DTB_BAD_MAGIC', `DTB header: bad magic ${hex(magic)} (expected ${hex(FDT_MAGIC)})`, HeaderField.magic);
  const version = r.u32(HeaderField.version);
  const lastComp = r.u32(HeaderField.last_comp_version);
  if (version < FDT_FIRST_SUPPORTED_VERSION) throw bad('DTB_BAD_VERSION', `DTB header: version ${version} is older than the first supported version ${FDT_FIRST_SUPPORTED_VERSION}`, HeaderField.version);
  if (lastComp > FDT_LAST_SUPPORTED_VERSION) throw bad('DTB_BAD_VERSION', `DTB header: last_comp_version ${lastComp} is newer than the supported version ${FDT_LAST_SUPPORTED_VERSION}`, HeaderField.last_comp_version);
  if (version < lastComp) throw bad('DTB_BAD_VERSION', `DTB header: version ${version} is below last_comp_version ${lastComp}`, HeaderField.version);
  const headerSize = fdtHeaderSize(version);
  if (bytes.length < headerSize) throw bad('DTB_TRUNCATED', `DTB header: file is only ${bytes.length} bytes, a version ${version} header needs ${headerSize}`, 0);
  const totalsize = r.u32(HeaderField.totalsize);
  if (totalsize < headerSize || totalsize > FDT_INT_MAX) throw bad('DTB_TRUNCATED', `DTB header: totalsize ${totalsize} is ${totalsize < headerSize ? `smaller than the ${headerSize}-byte header` : 'larger than INT_MAX'}`, HeaderField.totalsize);
  if (bytes.length < totalsize) throw bad('DTB_TRUNCATED', `DTB is truncated: header totalsize is ${totalsize} bytes but only ${bytes.length} are present`, bytes.length);
  const offMemRsvmap = r.u32(HeaderField.off_mem_rsvmap);
  const offDtStruct = r.u32(HeaderField.off_dt_struct);
  const offDtStrings = r.u32(HeaderField.off_dt_strings);
  if (offMemRsvmap % 8 !== 0) throw bad('DTB_ALIGNMENT', `DTB header: off_mem_rsvmap ${hex(offMemRsvmap)} is not 8-byte aligned`, HeaderField.off_mem_rsvmap);
  if (offDtStruct % 4 !== 0) throw bad('DTB_ALIGNMENT', `DTB header: off_dt_struct ${hex(offDtStruct)} is not 4-byte aligned`, HeaderField.off_dt_struct);
  // check_off_: a block may start anywhere from the end of the header to totalsize
  const inside = (off: number) => off >= headerSize && off <= totalsize;
  if (!inside(offMemRsvmap)) throw bad('DTB_TRUNCATED', `DTB header: off_mem_rsvmap ${hex(offMemRsvmap)} lies outside the blob (header ${headerSize} bytes, totalsize ${totalsize})`, HeaderField.off_mem_rsvmap);
  // sizes that a version lacks: the block runs to totalsize
  const sizeDtStruct = version >= 17 ? r.u32(HeaderField.size_dt_struct) : totalsize - Math.min(offDtStruct, totalsize);
  const sizeDtStrings = version >= 3 ? r.u32(HeaderField.size_dt_strings) : totalsize - Math.min(offDtStrings, totalsize);
  if (!inside(offDtStruct)) throw bad('DTB_TRUNCATED', `DTB header: off_dt_struct ${hex(offDtStruct)} lies outside the blob (header ${headerSize} bytes, totalsize ${totalsize})`, HeaderField.off_dt_struct);
  // check_block_: the end must not wrap (plain numbers here never wrap; compare as libfdt would)
  if (version >= 17 && !inside(offDtStruct + sizeDtStruct)) throw bad('DTB_TRUNCATED', `DTB header: structure block ${hex(offDtStruct)}+${hex(sizeDtStruct)} runs past totalsize ${totalsize}`, HeaderField.size_dt_struct);
  if (!inside(offDtStrings)) throw bad('DTB_TRUNCATED', `DTB header: off_dt_strings ${hex(offDtStrings)} lies outside the blob (header ${headerSize} bytes, totalsize ${totalsize})`, HeaderField.off_dt_strings);
  if (!inside(offDtStrings + sizeDtStrings)) throw bad('DTB_TRUNCATED', `DTB header: strings block ${hex(offDtStrings)}+${hex(sizeDtStrings)} runs past totalsize ${totalsize}`, HeaderField.size_dt_strings);
  return {
    totalsize,
    offDtStruct,
    offDtStrings,
    offMemRsvmap,
    version,
    lastCompVersion: lastComp,
    bootCpuidPhys: version >= 2 ? r.u32(HeaderField.boot_cpuid_phys) : 0,
    sizeDtStrings,
    sizeDtStruct,
    headerSize,
  };
}

const utf8 = new TextDecoder('utf-8');

/** Parse a whole DTB. Property values are views into `bytes` (not copies). */
export function readDtb(bytes: Uint8Array, file: string): DtTree {
  const h = checkDtbHeader(bytes, file);
  const bad = (code: DtErrorCode, message: string, offset: number) => new FormatError(code, message, { file, offset });
  const blob = bytes.subarray(0, h.totalsize);
  const r = new BeReader(blob, (offset, length) => {
    throw bad('DTB_TRUNCATED', `read of ${length} bytes runs past totalsize ${h.totalsize}`, offset);
  });
  const tree = newTree();
  tree.bootCpuidPhys = h.bootCpuidPhys;

  // memory reservation map: (address, size) pairs up to a (0, 0) terminator
  for (let off = h.offMemRsvmap; ; off += 16) {
    if (!r.has(off, 16)) throw bad('DTB_TRUNCATED', `memory reservation map: entry at ${hex(off)} runs past totalsize ${h.totalsize} (no 0,0 terminator)`, off);
    const address = r.u64(off);
    const size = r.u64(off + 8);
    if (address === 0n && size === 0n) break;
    if (tree.memreserve.length >= DTB_MAX_MEMRESERVE) throw bad('DTB_BAD_STRUCTURE', `memory reservation map: more than ${DTB_MAX_MEMRESERVE} entries (missing 0,0 terminator?)`, off);
    tree.memreserve.push({ address, size });
  }

  const strStart = h.offDtStrings;
  const strEnd = h.offDtStrings + h.sizeDtStrings;
  const names = new Map<number, string>();
  const propName = (nameoff: number, at: number): string => {
    const cached = names.get(nameoff);
    if (cached !== undefined) return cached;
    if (nameoff >= h.sizeDtStrings) throw bad('DTB_BAD_OFFSET', `property at ${hex(at)}: name offset ${hex(nameoff)} is outside the ${h.sizeDtStrings}-byte strings block`, at + 8);
    const nul = r.indexOfNul(strStart + nameoff, strEnd);
    if (nul < 0) throw bad('DTB_BAD_STRING', `property at ${hex(at)}: name at strings offset ${hex(nameoff)} has no terminating NUL inside the strings block`, strStart + nameoff);
    const name = utf8.decode(blob.subarray(strStart + nameoff, nul));
    names.set(nameoff, name);
    return name;
  };

  const structEnd = h.offDtStruct + h.sizeDtStruct;
  const stack: DtNode[] = [];
  let rootClosed = false;
  let nodes = 0;
  let off = h.offDtStruct;
  for (;;) {
    if (off + 4 > structEnd) throw bad('DTB_TRUNCATED', `structure block ends at ${hex(structEnd)} before its FDT_END tag`, off);
    const tagOff = off;
    const tag = r.u32(off);
    off += 4;
    if (tag === FdtTag.BEGIN_NODE) {
      const nul = r.indexOfNul(off, structEnd);
      if (nul < 0) throw bad('DTB_TRUNCATED', `node at ${hex(tagOff)}: name runs past the end of the structure block`, off);
      let name = utf8.decode(blob.subarray(off, nul));
      off = tagAlign(nul + 1);
      // before version 16 node names were full paths ("/", "/cpus", "/cpus/PowerPC,POWER9@0")
      if (h.version < 16) {
        const parentPath = stack.length === 0 ? '' : stack[stack.length - 1]!.path;
        const expected = stack.length === 0 ? '/' : `${parentPath === '/' ? '' : parentPath}/`;
        if (stack.length === 0 ? name !== '/' && name !== '' : !name.startsWith(expected)) {
          throw bad('DTB_BAD_STRUCTURE', `node at ${hex(tagOff)}: version ${h.version} node names are full paths, but "${name}" does not start with "${expected}"`, tagOff);
        }
        name = stack.length === 0 ? '' : name.slice(expected.length);
      }
      const parent = stack[stack.length - 1];
      let node: DtNode;
      if (parent === undefined) {
        if (rootClosed) throw bad('DTB_BAD_STRUCTURE', `node "${name}" at ${hex(tagOff)} follows the root node (second root)`, tagOff);
        if (name !== '') throw bad('DTB_BAD_STRUCTURE', `root node at ${hex(tagOff)} has name "${name}" (must be empty)`, tagOff);
        node = tree.root;
      } else {
        if (stack.length >= DTB_MAX_DEPTH) throw bad('DTB_BAD_STRUCTURE', `node at ${hex(tagOff)} nests deeper than ${DTB_MAX_DEPTH} levels`, tagOff);
        if (name === '' || name.includes('/')) throw bad('DTB_BAD_STRUCTURE', `node at ${hex(tagOff)} below ${parent.path} has an invalid name "${name}"`, tagOff);
        if (++nodes > TREE_MAX_NODES) throw bad('DTB_BAD_STRUCTURE', `more than ${TREE_MAX_NODES} nodes: refusing`, tagOff);
        node = parent.addChild(name);
      }
      node.origin = `${file}: struct offset ${hex(tagOff)}`;
      stack.push(node);
    } else if (tag === FdtTag.END_NODE) {
      if (stack.length === 0) throw bad('DTB_BAD_STRUCTURE', `FDT_END_NODE at ${hex(tagOff)} closes no node`, tagOff);
      stack.pop();
      if (stack.length === 0) rootClosed = true;
    } else if (tag === FdtTag.PROP) {
      const node = stack[stack.length - 1];
      if (node === undefined) throw bad('DTB_BAD_STRUCTURE', `property at ${hex(tagOff)} is outside any node`, tagOff);
      if (off + 8 > structEnd) throw bad('DTB_TRUNCATED', `property at ${hex(tagOff)}: header runs past the end of the structure block`, off);
      const len = r.u32(off);
      const nameoff = r.u32(off + 4);
      let valueStart = off + 8;
      // before version 16, values of 8 bytes or more start 8-byte aligned within the structure
      // block (libfdt fdt_next_tag / fdt_get_property_namelen_, dtc FTF_VARALIGN)
      if (h.version < 16 && len >= 8 && (valueStart - h.offDtStruct) % 8 !== 0) valueStart += 4;
      if (valueStart + len > structEnd) throw bad('DTB_TRUNCATED', `property at ${hex(tagOff)}: ${len}-byte value runs past the end of the structure block (${hex(structEnd)})`, off);
      const name = propName(nameoff, tagOff);
      node.setProp(name, blob.subarray(valueStart, valueStart + len));
      off = tagAlign(valueStart + len);
    } else if (tag === FdtTag.NOP) {
      // padding left by in-place edits (fdt_nop_property)
    } else if (tag === FdtTag.END) {
      if (stack.length !== 0) throw bad('DTB_BAD_STRUCTURE', `FDT_END at ${hex(tagOff)} with ${stack.length} node(s) still open (${stack[stack.length - 1]!.path})`, tagOff);
      if (!rootClosed) throw bad('DTB_BAD_STRUCTURE', `FDT_END at ${hex(tagOff)} before any root node`, tagOff);
      return tree;
    } else {
      throw bad('DTB_BAD_STRUCTURE', `unknown tag ${hex(tag)} at ${hex(tagOff)}`, tagOff);
    }
  }
}
