// A capture can hold only part of the tree: sosreport stops copying
// /proc/device-tree once its size limit is hit (and which files it drops is
// random), an interrupted cp leaves holes. Missing pieces the decoders need are
// reported as findings so everything that is there still lists.
import type { Finding } from '../model/finding.js';
import type { DtNode, DtTree } from './tree.js';

const DRCONF = 'ibm,dynamic-reconfiguration-memory';

function missingProps(node: DtNode, required: (string | string[])[]): string[] {
  const out: string[] = [];
  for (const r of required) {
    const names = typeof r === 'string' ? [r] : r;
    if (!names.some((n) => node.props.has(n))) out.push(names.join(' or '));
  }
  return out;
}

/** What a drscope capture's manifest says about the tree: device-tree paths ("/cpus/x") it could not read, with the errno. */
export interface CaptureNotes {
  unreadable: Map<string, string>;
}

const READ_HINT = 'it could not be read here (see the warnings above; on a live system or --root, run as root)';
const SOS_HINT = 'the capture looks incomplete (sosreport drops files past its size limit: rerun it with --all-logs, or use "drscope capture")';

/** why a drscope capture lacks these properties, from its manifest */
function captureHint(node: DtNode, missing: string[], notes: CaptureNotes): string {
  const at = (n: string) => `${node.path === '/' ? '' : node.path}/${n}`;
  const errnos = new Set<string>();
  for (const m of missing) for (const n of m.split(' or ')) {
    const e = notes.unreadable.get(at(n));
    if (e !== undefined) errnos.add(e);
  }
  if (errnos.size === 0) return 'the drscope capture does not hold it and its manifest lists no read error (it was not there when the capture was taken)';
  const codes = [...errnos].sort();
  const root = codes.some((c) => c === 'EACCES' || c === 'EPERM') ? ': capture as root' : '';
  return `it was unreadable when the capture was taken (${codes.join(', ')}${root}; listed under "unreadable" in drscope-manifest.json)`;
}

/**
 * findings for a tree read from a directory or archive (`where` = its
 * location, for messages); `notes` when it is a drscope capture, whose
 * manifest says why a file is missing (sosreport's size cap is then not the cause)
 */
export function partialTreeFindings(tree: DtTree, where: string, notes?: CaptureNotes, readFindings: readonly Finding[] = []): Finding[] {
  const findings: Finding[] = [];
  // missing because reading failed just now (permission denied, vanished): the
  // read warnings say so, and sosreport's size cap is not the cause
  const failedHere = (node: DtNode, missing: string[]) =>
    readFindings.some((f) => f.code === 'node-unreadable' && f.node === node.path) ||
    missing.every((m) => m.split(' or ').some((n) => readFindings.some((f) => (f.code === 'property-unreadable' || f.code === 'file-vanished') && f.node === node.path && f.property === n)));
  const report = (node: DtNode, missing: string[], why: string) => {
    findings.push({
      code: 'partial-tree',
      severity: 'warning',
      node: node.path,
      file: where,
      message: `${node.path} lacks ${missing.join(', ')}: ${why}; ${notes ? captureHint(node, missing, notes) : failedHere(node, missing) ? READ_HINT : SOS_HINT}`,
      evidence: { missing },
    });
  };
  const drconf = tree.root.child(DRCONF);
  if (drconf) {
    const missing = missingProps(drconf, ['ibm,lmb-size', ['ibm,dynamic-memory', 'ibm,dynamic-memory-v2'], 'ibm,associativity-lookup-arrays']);
    if (missing.length > 0) report(drconf, missing, 'LMBs cannot be fully decoded');
  }
  for (const node of tree.root.children.values()) {
    if (node.baseName === 'memory' && !node.props.has('reg')) report(node, ['reg'], 'the boot memory it describes is unknown');
  }
  if (tree.root.children.size > 0 && (drconf || tree.root.child('cpus'))) {
    const missing = missingProps(tree.root, ['#address-cells', '#size-cells']);
    if (missing.length > 0) report(tree.root, missing, 'addresses are decoded with the default cell sizes');
  }
  return findings;
}
