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

/** findings for a tree read from a directory or archive (`where` = its location, for messages) */
export function partialTreeFindings(tree: DtTree, where: string): Finding[] {
  const findings: Finding[] = [];
  const report = (node: DtNode, missing: string[], why: string) => {
    findings.push({
      code: 'partial-tree',
      severity: 'warning',
      node: node.path,
      file: where,
      message: `${node.path} lacks ${missing.join(', ')}: ${why}; the capture looks incomplete (sosreport drops files past its size limit: rerun it with --all-logs, or use "drscope capture")`,
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
