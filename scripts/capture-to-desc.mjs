#!/usr/bin/env node
// Turn a capture drscope reads (tar.gz, directory, sosreport...) into an oracle
// tree description (JSON, /work/shared/oracle/README.md format), so the REAL
// lsslot/drmgr can be run on real captured data for golden tests:
//   npm run build && node scripts/capture-to-desc.mjs SNAPSHOT > test/compat/golden/desc/NAME.json
// Device-tree properties are written as {"hex": ...}; /proc/cpuinfo and every
// file under /sys are copied (text as is, binary as hex).
import { loadSource } from '../dist/dt/load.js';
import { nodeIo } from '../dist/io.js';

const spec = process.argv[2];
if (!spec) {
  process.stderr.write('usage: capture-to-desc.mjs SNAPSHOT\n');
  process.exit(2);
}
const src = await loadSource(spec, {}, nodeIo());
const tree = {};
const walk = (node) => {
  const props = {};
  for (const [k, v] of node.props) props[k] = { hex: Buffer.from(v).toString('hex') };
  tree[node.path] = props;
  for (const c of node.children.values()) walk(c);
};
walk(src.tree.root);
const files = {};
const dirs = [];
const copy = (dir) => {
  const names = src.files.list(dir) ?? [];
  if (names.length === 0) dirs.push(dir);
  for (const n of names) {
    const p = `${dir}/${n}`;
    const kind = src.files.kind(p);
    if (kind === 'dir') copy(p);
    else if (kind === 'file') {
      const b = Buffer.from(src.files.readFile(p) ?? new Uint8Array());
      const text = b.toString('utf8');
      files[p] = Buffer.from(text, 'utf8').equals(b) && !text.includes('\0') ? text : { hex: b.toString('hex') };
    }
  }
};
if (src.files.kind('/sys') === 'dir') copy('/sys');
const cpuinfo = src.files.readFile('/proc/cpuinfo');
const desc = {
  _comment: `converted from ${spec} (${src.layout}) by scripts/capture-to-desc.mjs`,
  root_defaults: false,
  auto_name: false,
  cpuinfo: cpuinfo ? Buffer.from(cpuinfo).toString('utf8') : null,
  sysfs_memory: null,
  tree,
  files,
  dirs,
};
process.stdout.write(`${JSON.stringify(desc, null, 0)}\n`);
