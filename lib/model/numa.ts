// LMB -> NUMA node exactly as Linux computes it (arch/powerpc/mm/numa.c,
// kernel.md 2.1-2.4): affinity form from /chosen vec5, primary domain index
// from the reference points, the lookup-array off-by-one, and the
// AI_INVALID / aa_index >= A / 0xffff / nid >= nr_node_ids rules.
import { decodeArchVec5 } from '../decode/arch-vec5.js';
import { decodeAssociativityDomains, decodeLookupArrays, decodeReferencePoints, type LookupArrays } from '../decode/associativity.js';
import { issuesToFindings } from '../decode/result.js';
import { readText, type FileView } from '../dt/file-view.js';
import { getNode, type DtTree } from '../dt/tree.js';
import type { Finding } from './finding.js';
import { LmbFlag, type AffinityForm, type NumaInfo } from './lmb.js';

export const DRCONF_PATH = '/ibm,dynamic-reconfiguration-memory';
/** MAX_NUMNODES of distro ppc64 kernels (CONFIG_NODES_SHIFT=8): the bound when nr_node_ids is unknown */
export const MAX_NUMNODES = 256;
const NO_NODE_ID = 0xffff;

export interface NumaContext {
  numa: NumaInfo;
  /** decoded lookup arrays (typed), null when missing or rejected by the kernel */
  lookup: LookupArrays | null;
  /** nid per aa index (null = no node), precomputed so 262k LMBs cost one array read each */
  nidByAa: (number | null)[];
  findings: Finding[];
}

/** "0-1,4,6-7" (sysfs node lists) -> highest id, undefined when empty/garbled */
export function maxOfNodeList(text: string): number | undefined {
  let max: number | undefined;
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const hi = Number(m[2] ?? m[1]);
    if (max === undefined || hi > max) max = hi;
  }
  return max;
}

/** Linux's node-id bound rules applied to one domain id */
export function boundNid(nid: number, nrNodeIds: number | null): number | null {
  if (nid === NO_NODE_ID) return null;
  if (nid >= (nrNodeIds ?? MAX_NUMNODES)) return null;
  return nid;
}

export function numaFromTree(tree: DtTree, files?: FileView): NumaContext {
  const findings: Finding[] = [];
  const opal = getNode(tree, '/ibm,opal');
  // form: OPAL -> 1; else vec5 FORM2 (checked first), FORM1, else 0
  let form: AffinityForm = 0;
  const chosen = getNode(tree, '/chosen');
  const vec5Bytes = chosen?.prop('ibm,architecture-vec-5');
  if (opal) form = 1;
  else if (vec5Bytes) {
    const v = decodeArchVec5(vec5Bytes);
    findings.push(...issuesToFindings(v.issues, '/chosen', 'ibm,architecture-vec-5'));
    if (v.value) form = v.value.form;
  }
  const rtas = opal ?? getNode(tree, '/rtas');
  let rpNode = rtas;
  let rpBytes = rtas?.prop('ibm,associativity-reference-points');
  if (!rpBytes) {
    rpNode = tree.root;
    rpBytes = tree.root.prop('ibm,associativity-reference-points');
  }
  let referencePoints: number[] = [];
  let primary: number | null = null;
  if (!rpBytes && (rtas || getNode(tree, DRCONF_PATH))) {
    // of_numa_init / find_primary_domain_index: no reference points -> NUMA disabled
    findings.push({ code: 'numa-off', severity: 'info', node: rtas?.path ?? '/rtas', property: 'ibm,associativity-reference-points', message: `no ibm,associativity-reference-points in ${rtas?.path ?? '/rtas'} or the root: Linux runs without NUMA (no LMB has a node)` });
  } else if (rpBytes && rpNode) {
    const r = decodeReferencePoints(rpBytes);
    findings.push(...issuesToFindings(r.issues, rpNode.path, 'ibm,associativity-reference-points'));
    referencePoints = r.value;
    if (form === 0) primary = referencePoints.length >= 2 ? referencePoints[1]! : null;
    else primary = referencePoints.length >= 1 ? referencePoints[0]! : null;
    if (primary === null) findings.push({ code: 'numa-off', severity: 'info', node: rpNode.path, property: 'ibm,associativity-reference-points', message: `${rpNode.path}/ibm,associativity-reference-points: too short for affinity form ${form}; Linux runs without NUMA (no LMB has a node)` });
    else if ((primary | 0) < 0) primary = null;
  }
  const cmdline = (files ? readText(files, '/proc/cmdline') : undefined) ?? bootargs(tree);
  if (cmdline !== undefined && /(^|\s)numa=off(\s|$)/.test(cmdline)) {
    findings.push({ code: 'numa-off', severity: 'info', message: 'kernel command line has numa=off: Linux gives no LMB a node' });
    primary = null;
  }

  // nr_node_ids: sysfs node/possible when captured, else the DT's domain counts
  let nrNodeIds: number | null = null;
  let nrNodeIdsSource: NumaInfo['nrNodeIdsSource'] = null;
  const possible = files ? readText(files, '/sys/devices/system/node/possible') : undefined;
  const maxPossible = possible !== undefined ? maxOfNodeList(possible) : undefined;
  if (maxPossible !== undefined) {
    nrNodeIds = maxPossible + 1;
    nrNodeIdsSource = 'sysfs';
  } else if (rtas && primary !== null) {
    const migratable = tree.root.prop('ibm,migratable-partition') !== undefined;
    const name = !migratable && rtas.prop('ibm,current-associativity-domains') ? 'ibm,current-associativity-domains' : 'ibm,max-associativity-domains';
    const bytes = rtas.prop(name);
    if (bytes) {
      const d = decodeAssociativityDomains(bytes);
      findings.push(...issuesToFindings(d.issues, rtas.path, name));
      const n = d.value?.maxima[primary - 1];
      if (n !== undefined) {
        nrNodeIds = n;
        nrNodeIdsSource = name === 'ibm,max-associativity-domains' ? 'max-associativity-domains' : 'current-associativity-domains';
      }
    }
  }

  const drconf = getNode(tree, DRCONF_PATH);
  const laBytes = drconf?.prop('ibm,associativity-lookup-arrays');
  let lookup: LookupArrays | null = null;
  let lookupArrays: NumaInfo['lookupArrays'] = null;
  if (laBytes) {
    const r = decodeLookupArrays(laBytes);
    findings.push(...issuesToFindings(r.issues, DRCONF_PATH, 'ibm,associativity-lookup-arrays'));
    if (r.value) {
      const arrays: number[][] = [];
      const e = r.value.cellsPerArray;
      for (let i = 0; e > 0 && (i + 1) * e <= r.value.cells.length; i++) arrays.push(Array.from(r.value.cells.subarray(i * e, (i + 1) * e)));
      lookupArrays = { count: r.value.count, cellsPerArray: e, arrays };
      if (r.value.kernelValid) lookup = r.value;
    }
  }

  const nidByAa: (number | null)[] = [];
  if (lookup && primary !== null && primary >= 1 && primary <= lookup.cellsPerArray) {
    const e = lookup.cellsPerArray;
    for (let i = 0; i < lookup.count; i++) nidByAa.push(boundNid(lookup.cells[i * e + primary - 1]!, nrNodeIds));
  } else if (lookup && primary !== null) {
    findings.push({ code: 'primary-domain-out-of-range', severity: 'warning', node: DRCONF_PATH, property: 'ibm,associativity-lookup-arrays', message: `primary domain index ${primary} is beyond the ${lookup.cellsPerArray} cells of each lookup array: Linux gives no LMB a node` });
  }

  const numa: NumaInfo = { form, primaryDomainIndex: primary, referencePoints, lookupArrays, nrNodeIds, nrNodeIdsSource };
  return { numa, lookup, nidByAa, findings };
}

function bootargs(tree: DtTree): string | undefined {
  const b = getNode(tree, '/chosen')?.prop('bootargs');
  return b ? Buffer.from(b).toString('latin1').replace(/\0+$/, '') : undefined;
}

/** of_drconf_to_nid_single() for one LMB */
export function drconfNid(ctx: NumaContext, aaIndex: number, flags: number): number | null {
  if (flags & LmbFlag.AI_INVALID) return null;
  if (aaIndex >= ctx.nidByAa.length) return null;
  return ctx.nidByAa[aaIndex] ?? null;
}

/** nid from an ibm,associativity list (length cell first): prop[primary], valid if primary <= prop[0] */
export function associativityNid(domains: readonly number[], declared: number, ctx: NumaContext): number | null {
  const p = ctx.numa.primaryDomainIndex;
  if (p === null || p < 1 || p > declared || p > domains.length) return null;
  return boundNid(domains[p - 1]!, ctx.numa.nrNodeIds);
}
