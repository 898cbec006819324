// In-process timing of diff and audit on 262,144-LMB trees (v1 and v2), two
// snapshots with ~5% of LMBs changed. Run:
//   npx esbuild scripts/bench-diff-audit.ts --bundle --platform=node --format=esm --outfile=/tmp/bda.mjs && node /tmp/bda.mjs
import { lparLmbs, lparTree, type LmbFormat } from '../bench/lpar-tree.js';
import { diffSnapshots, type Snapshot } from '../lib/diff/diff.js';
import { auditSnapshots } from '../lib/audit/audit.js';
import { lmbColumnsFromTree } from '../lib/model/lmbs-from-tree.js';

function snapOf(label: string, n: number, format: LmbFormat, mutate?: { fraction: number; seed: number }): Snapshot {
  const l = lparLmbs({ lmbs: n, format, nodes: 4, ...(mutate ? { mutate } : {}) });
  const tree = lparTree(l, format);
  return { label, tree, table: lmbColumnsFromTree(tree), origin: 'tree' };
}

for (const format of ['v1', 'v2'] as const) {
  const n = 262_144;
  let t = performance.now();
  const a = snapOf('a', n, format);
  const b = snapOf('b', n, format, { fraction: 0.05, seed: 7 });
  const build = performance.now() - t;
  t = performance.now();
  const d = diffSnapshots(a, b);
  const diffMs = performance.now() - t;
  t = performance.now();
  const r = auditSnapshots([a, b]);
  const auditMs = performance.now() - t;
  console.log(`${format}: ${n} LMBs; build 2 tables ${build.toFixed(0)} ms; diff ${diffMs.toFixed(0)} ms (${d.lmbs.length} LMB changes); audit ${auditMs.toFixed(0)} ms (${r.findings.length} findings: ${[...new Set(r.findings.map((f) => f.code))].join(',')}); rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
}
