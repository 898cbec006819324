// Typed LMB records: what every command (lmbs, diff, audit, slots, lsslot)
// works with. Built by lmbsFromSource() (lib/model/lmbs-from-tree.ts).
import type { Finding } from './finding.js';

/** DRCONF flag bits (Linux drmem.h, QEMU spapr.h, powerpc-utils drmem.h) */
export const LmbFlag = {
  ASSIGNED: 0x8,
  DRC_INVALID: 0x20,
  AI_INVALID: 0x40,
  RESERVED: 0x80,
  HOTREMOVABLE: 0x100,
} as const;
export type LmbFlagName = keyof typeof LmbFlag;

/** aa_index value meaning "no associativity" */
export const AA_INDEX_NONE = 0xffffffff;

export type LmbOrigin =
  | { kind: 'v1'; entry: number }
  | { kind: 'v2'; set: number; position: number }
  | { kind: 'legacy'; node: string };

export interface MemoryBlock {
  /** memoryN */
  index: number;
  /** sysfs state: online | offline | going-offline | ...; undefined when unreadable */
  state?: string;
  /** node from the nodeX link (or node-links listing); null when none */
  node: number | null;
  removable?: boolean;
  validZones?: string;
}

export interface Lmb {
  drcIndex: number;
  /** DRC name from the tree's DRC lists ("LMB 12"), undefined when none names it */
  name?: string;
  address: bigint;
  size: bigint;
  /** null for legacy memory@ nodes (no aa index) */
  aaIndex: number | null;
  flags: number;
  /** named flag bits set, in bit order */
  flagNames: LmbFlagName[];
  /** flag bits drscope has no name for */
  unknownFlags: number;
  assigned: boolean;
  /** NUMA node as Linux computes it; null = no node (AI_INVALID, out of range, NUMA off) */
  node: number | null;
  /** the associativity array the aa index selects (lookup array cells), when valid */
  associativity?: number[];
  origin: LmbOrigin;
  /** memory blocks covering this LMB that exist in sysfs; undefined when no sysfs view */
  blocks?: MemoryBlock[];
  /** block numbers this LMB covers (address / block size), whether present or not */
  blockIndexes?: number[];
  /** the legacy memory@ node whose reg covers this LMB (boot RAM of RESERVED LMBs), with its node */
  memoryNode?: { path: string; node: number | null };
  /** v1 only: the "reserved" cell (always 0 after a 4.16+ kernel rewrite) */
  reservedCell?: number;
}

export type AffinityForm = 0 | 1 | 2;

export interface NumaInfo {
  form: AffinityForm;
  /** primary domain index (1-based position in an associativity list); null = NUMA off */
  primaryDomainIndex: number | null;
  referencePoints: number[];
  /** ibm,associativity-lookup-arrays: count A, cells per array E, arrays */
  lookupArrays: { count: number; cellsPerArray: number; arrays: number[][] } | null;
  /** nr_node_ids approximation: from sysfs node/possible, else max-associativity-domains */
  nrNodeIds: number | null;
  /** where nrNodeIds came from (null = unknown: MAX_NUMNODES 256 is used as the bound) */
  nrNodeIdsSource?: 'sysfs' | 'current-associativity-domains' | 'max-associativity-domains' | null;
}

export interface LmbTable {
  /** which property the LMBs came from */
  format: 'v1' | 'v2' | 'legacy' | 'none';
  /** both v1 and v2 present (v1 wins, as in the kernel) */
  bothFormats: boolean;
  lmbSize: bigint | null;
  /** sysfs block_size_bytes, when a sysfs view exists */
  blockSize: bigint | null;
  lmbs: Lmb[];
  numa: NumaInfo;
  findings: Finding[];
}
