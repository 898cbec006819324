// The kernel gives every node of the live tree a "name" property: when the
// flattened tree has none (FDT version 16+, and dtc drops "name" properties that
// just repeat the node name), unflattening recreates it from the node name up to
// the last '@' (drivers/of/fdt.c populate_properties). DTB and DTS sources get
// the same treatment so they compare equal to /proc/device-tree captures.
import { walk, type DtTree } from './tree.js';

const enc = new TextEncoder();

/** value the kernel would synthesise for a node named `nodeName` */
export function kernelNameValue(nodeName: string): Uint8Array {
  const at = nodeName.lastIndexOf('@');
  return enc.encode(`${at < 0 ? nodeName : nodeName.slice(0, at)}\0`);
}

/** add the missing "name" properties in place; returns how many were added */
export function addKernelNameProps(tree: DtTree): number {
  let added = 0;
  for (const node of walk(tree.root)) {
    if (!node.props.has('name')) {
      node.setProp('name', kernelNameValue(node.name));
      added++;
    }
  }
  return added;
}
