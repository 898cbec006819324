// memory@ nodes: the only LMBs of a tree without a drconf node (pre-drconf
// firmware: one node per LMB with ibm,my-drc-index; QEMU without maxmem: boot
// RAM nodes), and the boot RAM that RESERVED drconf LMBs stand for.
import { decodeAssociativity } from '../decode/associativity.js';
import { decodeReg, decodeMyDrcIndex, type RegRange } from '../decode/memory-node.js';
import { issuesToFindings } from '../decode/result.js';
import type { DtNode, DtTree } from '../dt/tree.js';
import type { Finding } from './finding.js';
import { associativityNid, type NumaContext } from './numa.js';

export interface MemoryNodeRange extends RegRange {
  node: DtNode;
  /** NUMA node from the node's ibm,associativity */
  nid: number | null;
  associativity?: number[];
  drcIndex?: number;
}

function isMemoryNode(n: DtNode): boolean {
  if (n.baseName !== 'memory') return false;
  const dt = n.prop('device_type');
  return dt === undefined || Buffer.from(dt).toString('latin1').replace(/\0+$/, '') === 'memory';
}

/** every reg range of every depth-1 memory@ node, sorted by address */
export function memoryNodeRanges(tree: DtTree, numa: NumaContext, addressCells: number, sizeCells: number): { ranges: MemoryNodeRange[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const ranges: MemoryNodeRange[] = [];
  for (const node of tree.root.children.values()) {
    if (!isMemoryNode(node)) continue;
    const reg = node.prop('reg');
    if (!reg) {
      findings.push({ code: 'memory-node-no-reg', severity: 'warning', node: node.path, property: 'reg', message: `${node.path}: memory node without reg` });
      continue;
    }
    const r = decodeReg(reg, addressCells, sizeCells);
    findings.push(...issuesToFindings(r.issues, node.path, 'reg'));
    let nid: number | null = null;
    let associativity: number[] | undefined;
    const assoc = node.prop('ibm,associativity');
    if (assoc) {
      const a = decodeAssociativity(assoc);
      findings.push(...issuesToFindings(a.issues, node.path, 'ibm,associativity'));
      if (a.value) {
        associativity = a.value.domains;
        nid = associativityNid(a.value.domains, a.value.declared, numa);
      }
    }
    let drcIndex: number | undefined;
    const my = node.prop('ibm,my-drc-index');
    if (my) {
      const d = decodeMyDrcIndex(my, 'ibm,my-drc-index');
      findings.push(...issuesToFindings(d.issues, node.path, 'ibm,my-drc-index'));
      if (d.value !== null) drcIndex = d.value;
    }
    for (const range of r.value) {
      if (range.size === 0n) continue;
      ranges.push({ ...range, node, nid, ...(associativity ? { associativity } : {}), ...(drcIndex !== undefined ? { drcIndex } : {}) });
    }
  }
  ranges.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { ranges, findings };
}

/** the range containing [address, address+size), by binary search over sorted ranges */
export function rangeCovering(ranges: readonly MemoryNodeRange[], address: bigint, size: bigint): MemoryNodeRange | undefined {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (address < r.address) hi = mid - 1;
    else if (address >= r.address + r.size) lo = mid + 1;
    else return address + size <= r.address + r.size ? r : undefined;
  }
  return undefined;
}
