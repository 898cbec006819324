// Fixture tool (not part of drscope): a sample capture -> the oracle's JSON description
// (/work/shared/oracle/README.md), every node and property as raw bytes, so the
// REAL lsslot can run on exactly this tree. Bundled with esbuild by make-bundles.sh.
import { loadSource } from '../../lib/dt/load.js';
import { nodeIo } from '../../lib/io.js';
import type { DtNode } from '../../lib/dt/tree.js';
const src = await loadSource(process.argv[2], {}, nodeIo());
const tree: Record<string, Record<string, unknown>> = {};
const walk = (n: DtNode, p: string) => {
  const props: Record<string, unknown> = {};
  for (const [k, v] of n.props) props[k] = { hex: Buffer.from(v).toString('hex') };
  tree[p || '/'] = props;
  for (const [k, c] of n.children) walk(c, `${p}/${k}`);
};
walk(src.tree.root, '');
const txt = (p: string) => { const b = src.files.readFile(p); return b ? Buffer.from(b).toString('latin1') : undefined; };
const blocks: unknown[] = [];
for (const n of src.files.list('/sys/devices/system/memory') ?? []) {
  const m = /^memory(\d+)$/.exec(n); if (!m) continue;
  blocks.push({ n: Number(m[1]), state: txt(`/sys/devices/system/memory/${n}/state`)?.trim() ?? 'online', removable: Number(txt(`/sys/devices/system/memory/${n}/removable`)?.trim() ?? 1) });
}
const desc = {
  _comment: `generated from ${process.argv[2]}`,
  cpuinfo: txt('/proc/cpuinfo'),
  root_defaults: false,
  auto_name: false,
  order: 'kernfs',
  sysfs_memory: { block_size_bytes: txt('/sys/devices/system/memory/block_size_bytes')?.trim(), blocks },
  sysfs_cpus: { threads: [0, 1] },
  tree,
};
console.log(JSON.stringify(desc));
