// In-process timing of diff and audit on 262,144-LMB trees (v1 and v2), two
// snapshots with ~5% of LMBs changed, and what the two column tables keep
// alive (heap + array buffers after a GC, when run with --expose-gc). Run:
//   npx esbuild scripts/bench-diff-audit.ts --bundle --platform=node --format=esm --packages=external --outfile=build/bda.mjs && node --expose-gc build/bda.mjs
import { lparLmbs, lparTree } from '../bench/lpar-tree.js';
import { diffSnapshots, type Snapshot } from '../lib/diff/diff.js';
import { auditSnapshots } from '../lib/audit/audit.js';
import { lmbColumnsFromTree } from '../lib/model/lmbs-from-tree.js';

const gc = (globalThis as { gc?: () => void }).gc;
/** heap + array buffers in use, MiB (after a GC when available) */
function live(): number {
  gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1048576;
}

for (const format of ['v1', 'v2'] as const) {
  const n = 262_144;
  const trees = [lparTree(lparLmbs({ lmbs: n, format, nodes: 4 }), format), lparTree(lparLmbs({ lmbs: n, format, nodes: 4, mutate: { fraction: 0.05, seed: 7 } }), format)] as const;
  const before = live();
  let t = performance.now();
  const [a, b] = (['a', 'b'] as const).map((label, i): Snapshot => ({ label, tree: trees[i]!, table: lmbColumnsFromTree(trees[i]!), origin: 'tree' }));
  const build = performance.now() - t;
  const tables = live() - before;
  t = performance.now();
  const d = diffSnapshots(a!, b!);
  const diffMs = performance.now() - t;
  t = performance.now();
  const r = auditSnapshots([a!, b!]);
  const auditMs = performance.now() - t;
  console.log(
    `${format}: ${n} LMBs; build 2 tables ${build.toFixed(0)} ms${gc ? ` (${tables.toFixed(1)} MiB live)` : ''}; diff ${diffMs.toFixed(0)} ms (${d.lmbs.length} LMB changes); audit ${auditMs.toFixed(0)} ms (${r.findings.length} findings: ${[...new Set(r.findings.map((f) => f.code))].join(',')}); rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`,
  );
}
