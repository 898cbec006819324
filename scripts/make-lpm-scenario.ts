// Generate samples/lpm-*/: LPM histories built from a REAL snapshot by replaying
// what the hypervisor and the kernel do (lib/model/kernel-rewrite.ts follows
// drmem.c: drmem_update_dt v1/v2 encoding, find_aa_index, DLPAR add/remove, and the
// 5.15+ drmem_update_lmbs). Run:
//   npx esbuild scripts/make-lpm-scenario.ts --bundle --platform=node --format=esm \
//     --outfile=/tmp/make-lpm-scenario.mjs && node /tmp/make-lpm-scenario.mjs
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Capture, Machine, firmwareBootWithDimms, type KernelVersion, type Op } from './lpm-scenario-lib.js';

interface Scenario {
  name: string;
  base: string;
  kernel: KernelVersion;
  /** real snapshots copied unchanged before the generated ones */
  history?: string[];
  summary: string;
  ops: Op[];
  /** make the base look as if its DIMMs were present at boot (firmware-written, boot FDT too) */
  bootDimms?: boolean;
}

const D = (n: number) => 0x80000000 + n;
const hex = (n: number) => `0x${n.toString(16)}`;

// Both pseries-*-numa2 bases (the real capture after the second hot-add): LMB
// 80000008-8000000b assigned on node 1 (aa 1), 8000000c-8000000d on node 0 (aa 0).
const FORM1_BASE = 'samples/pseries-6.1-numa2';
const FORM2_V2_BASE = 'samples/pseries-7.2-numa2';
const FORM2_V1_BASE = 'samples/pseries-7.2-numa2-v1';
const BASE_FILE = '02-after-add-dimm2-512M-node0.tar.gz';
const REAL_HISTORY = ['00-boot.tar.gz', '01-after-add-dimm1-1G-node1.tar.gz', BASE_FILE];

// FORM1 LPM: the destination's arrays differ above the node level (changed in place)
// and gain one array; LMBs 8-9 move to another drawer of node 1, a-b re-home to
// node 0, c-d re-home to node 1.
const form1Lpm: Op = {
  op: 'lpm',
  arrays: [
    [0, 0, 1, 0],
    [0, 0, 1, 1],
    [0, 0, 2, 1],
  ],
  aa: { [D(8)]: 2, [D(9)]: 2, [D(0xa)]: 0, [D(0xb)]: 0, [D(0xc)]: 1, [D(0xd)]: 1 },
  note: 'LPM: the hypervisor replaces ibm,associativity-lookup-arrays (3 arrays, new drawer domains) and ibm,dynamic-memory-v2 (LMB 80000008-9 aa 1->2, 8000000a-b aa 1->0 i.e. node 1->0, 8000000c-d aa 0->1 i.e. node 0->1)',
};
const form1Ops: Op[] = [
  form1Lpm,
  { op: 'snap', name: 'after-lpm', note: 'capture after the migration' },
  { op: 'add', drcs: [D(0xe), D(0xf)], associativity: [0, 0, 2, 1], nid: 1, note: 'DLPAR add of LMB 8000000e-f (configure-connector associativity {4,0,0,2,1}: node 1)' },
  { op: 'snap', name: 'after-dlpar-add', note: 'capture after the DLPAR add' },
  { op: 'remove', drcs: [D(0xe), D(0xf)], note: 'DLPAR remove of LMB 8000000e-f' },
  { op: 'snap', name: 'after-dlpar-remove', note: 'capture after the DLPAR remove' },
];

// FORM2 v1 LPM: same node ids in the arrays, LMBs 8000000a-d re-homed.
const form2V1Ops: Op[] = [
  { op: 'lpm', arrays: [[0], [1]], aa: { [D(0xa)]: 0, [D(0xb)]: 0, [D(0xc)]: 1, [D(0xd)]: 1 }, note: 'LPM: the hypervisor rewrites ibm,dynamic-memory (v1): LMB 8000000a-b node 1->0 (aa 1->0), 8000000c-d node 0->1 (aa 0->1); lookup arrays rewritten with the same content' },
  { op: 'snap', name: 'after-lpm', note: 'capture after the migration' },
  { op: 'add', drcs: [D(0xe)], associativity: [1], nid: 1, note: 'DLPAR add of LMB 8000000e (associativity {1,1}: node 1)' },
  { op: 'snap', name: 'after-dlpar-add', note: 'capture after the DLPAR add' },
];

// FORM2 v2, LPM and DLPAR between the same two captures: the destination numbers
// its domains the other way round ([[1],[0]]); the hypervisor re-indexes every LMB
// (no re-homing): 80000008-b aa 1->0, 8000000c-d aa 0->1.
const sameIntervalOps: Op[] = [
  { op: 'lpm', arrays: [[1], [0]], aa: { [D(8)]: 0, [D(9)]: 0, [D(0xa)]: 0, [D(0xb)]: 0, [D(0xc)]: 1, [D(0xd)]: 1 }, note: 'LPM: the hypervisor reverses the lookup arrays ([[1],[0]]) and re-indexes every assigned LMB accordingly (80000008-b aa 1->0, 8000000c-d aa 0->1; nodes unchanged)' },
  { op: 'add', drcs: [D(0xe), D(0xf)], associativity: [0], nid: 0, note: 'DLPAR add of LMB 8000000e-f (associativity {1,0}: node 0), before any capture' },
  { op: 'snap', name: 'after-lpm-and-dlpar', note: 'capture after both' },
];

// FORM1, DIMMs present at boot, one capture after LPM + DLPAR: the destination
// renumbers its domains ([[0,0,3,1],[0,0,3,0]]: node 1 first) and re-indexes every
// assigned LMB without re-homing it: 80000008-b aa 1->0, 8000000c-d aa 0->1.
const bootDimmOps: Op[] = [
  { op: 'snap', name: 'pre-lpm', note: 'capture before the migration (the tree is still the firmware\'s boot tree)' },
  { op: 'lpm', arrays: [[0, 0, 3, 1], [0, 0, 3, 0]], aa: { [D(8)]: 0, [D(9)]: 0, [D(0xa)]: 0, [D(0xb)]: 0, [D(0xc)]: 1, [D(0xd)]: 1 }, note: 'LPM: the destination numbers its domains differently (arrays [[0,0,3,1],[0,0,3,0]]) and re-indexes every assigned LMB (80000008-b aa 1->0, 8000000c-d aa 0->1; nodes unchanged)' },
  { op: 'add', drcs: [D(0xe), D(0xf)], associativity: [0, 0, 3, 1], nid: 1, note: 'DLPAR add of LMB 8000000e-f (associativity {4,0,0,3,1}: node 1), before any capture' },
  { op: 'snap', name: 'after-lpm-and-dlpar', note: 'capture after both' },
];

const SCENARIOS: Scenario[] = [
  { name: 'lpm-v2-form1-boot-dimms-pre515', base: FORM1_BASE, bootDimms: true, kernel: 'pre-5.15', summary: 'v2, FORM1, DIMMs present at boot (firmware flags ASSIGNED|HOTREMOVABLE, in the boot FDT too); LPM and DLPAR add before the next capture on a pre-5.15 kernel: the rewrite puts back every pre-LPM aa index. Also audits as a single capture against its boot FDT', ops: bootDimmOps },
  { name: 'lpm-v2-form1-boot-dimms-515', base: FORM1_BASE, bootDimms: true, kernel: '5.15+', summary: 'the same on a 5.15+ kernel (control)', ops: bootDimmOps },
  { name: 'lpm-v2-form1-pre515', base: FORM1_BASE, history: REAL_HISTORY, kernel: 'pre-5.15', summary: 'v2, FORM1 (pseries-6.1), real DLPAR history, then LPM, DLPAR add, DLPAR remove on a pre-5.15 kernel: the add overwrites the hypervisor\'s aa indexes of LMB 80000008-8000000d', ops: form1Ops },
  { name: 'lpm-v2-form1-515', base: FORM1_BASE, history: REAL_HISTORY, kernel: '5.15+', summary: 'the same history on a 5.15+ kernel (control): the kernel keeps the hypervisor\'s values', ops: form1Ops },
  { name: 'lpm-v1-form2-pre515', base: FORM2_V1_BASE, history: [BASE_FILE], kernel: 'pre-5.15', summary: 'v1, FORM2 (pseries-7.2): LPM then DLPAR add on a pre-5.15 kernel: LMB 8000000a-8000000d get their pre-LPM aa indexes back', ops: form2V1Ops },
  { name: 'lpm-v1-form2-515', base: FORM2_V1_BASE, history: [BASE_FILE], kernel: '5.15+', summary: 'the same on a 5.15+ kernel (control)', ops: form2V1Ops },
  { name: 'lpm-v2-form2-same-interval-pre515', base: FORM2_V2_BASE, history: [BASE_FILE], kernel: 'pre-5.15', summary: 'v2, FORM2: LPM and DLPAR add between the same two captures on a pre-5.15 kernel: every re-indexed LMB (80000008-8000000d) keeps its stale index (lower confidence)', ops: sameIntervalOps },
  { name: 'lpm-v2-form2-same-interval-515', base: FORM2_V2_BASE, history: [BASE_FILE], kernel: '5.15+', summary: 'the same on a 5.15+ kernel (control)', ops: sameIntervalOps },
];

function dateLine(d: Date): string {
  const day = d.toUTCString().slice(0, 3);
  const mon = d.toUTCString().slice(8, 11);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${day} ${mon} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

async function build(s: Scenario): Promise<void> {
  const out = `samples/${s.name}`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  let n = 0;
  for (const h of s.history ?? []) {
    const name = `${String(n).padStart(2, '0')}-${h.replace(/^\d+-/, '')}`;
    copyFileSync(`${s.base}/${h}`, `${out}/${name}`);
    files.push(`${name} — real capture, copied unchanged from ${s.base}/${h}`);
    n++;
  }
  const base = await Capture.read(readFileSync(`${s.base}/${BASE_FILE}`));
  if (s.bootDimms) firmwareBootWithDimms(base);
  const m = new Machine(base, s.kernel);
  let when = new Date(Date.parse(base.text('date.txt')!.split('\n')[0]!.replace(/^\w+ /, '')));
  const notes: string[] = [];
  const expected: Array<{ to: string; overwritten: string[] }> = [];
  for (const op of s.ops) {
    notes.push(op.note);
    if (op.op === 'lpm') m.lpm(op.arrays, op.aa);
    else if (op.op === 'add') m.add(op.drcs, op.associativity, op.nid);
    else if (op.op === 'remove') m.remove(op.drcs);
    else {
      when = new Date(when.getTime() + 3600_000);
      const dir = `snap-${String(n).padStart(2, '0')}-${op.name}`;
      const cap = m.cap.clone();
      const uptime = cap.text('date.txt')!.split('\n')[1] ?? '';
      cap.setFile('date.txt', `${dateLine(when)}\n${uptime}\n`);
      const file = `${dir.slice(5)}.tar.gz`;
      writeFileSync(`${out}/${file}`, await cap.write(dir, when));
      files.push(`${file} — generated: ${notes.join('; ')}`);
      expected.push({ to: file, overwritten: [...m.overwrittenSinceSnap].sort((a, b) => a - b).map(hex) });
      m.overwrittenSinceSnap = new Set();
      notes.length = 0;
      n++;
    }
  }
  writeFileSync(`${out}/expected.json`, `${JSON.stringify({ scenario: s.name, kernel: s.kernel, base: `${s.base}/${BASE_FILE}`, overwrittenPerCapture: expected }, null, 2)}\n`);
  writeFileSync(`${out}/README.md`, readme(s, files));
  console.log(`${out}: ${files.length} captures; overwritten: ${expected.map((e) => `${e.to}: [${e.overwritten.join(' ')}]`).join(', ')}`);
}

function readme(s: Scenario, files: string[]): string {
  return `# ${s.name}

${s.summary}.

Generated by \`scripts/make-lpm-scenario.ts\` (see its header for the command) from the real
capture \`${s.base}/${BASE_FILE}\` (QEMU 7.2 pseries, Debian Linux 6.1). QEMU cannot migrate a
pseries guest with an LPM device-tree update, so the migration is replayed on the capture:

- **hypervisor (LPM)**: \`ibm,associativity-lookup-arrays\` and the whole \`ibm,dynamic-memory(-v2)\`
  property are replaced (what \`ibm,update-properties\` does); the v2 property is written in
  canonical run-length form, v1 with zero reserved cells. sysfs is left alone: Linux never moves
  memory blocks between nodes.
- **kernel (${s.kernel})**: the in-kernel LMB table (drmem_info) is read from the base capture.
  DLPAR add looks the configure-connector associativity up in the current lookup arrays
  (appending when absent), sets ASSIGNED and creates the sysfs memory block on the node the
  associativity names; DLPAR remove invalidates the aa index and clears ASSIGNED; every DLPAR
  request ends with \`drmem_update_dt()\` rewriting the whole property from the table (v1: zeroed
  reserved cells; v2: sets regrouped by (aa index, flags) runs). ${s.kernel === '5.15+' ? 'As on 5.15+ (d144f4d5a8a8), the hypervisor\'s property update refreshes the table\'s aa indexes (drmem_update_lmbs), so nothing is overwritten.' : 'As before 5.15, the hypervisor\'s update never reaches the table, so the rewrite writes the pre-LPM aa indexes back.'}
- Everything else in each capture (other device-tree nodes, /proc, \`sys-firmware-fdt.dtb\` = the
  real boot FDT, \`uname.txt\` still saying 6.1, \`ls-l-*.txt\`) is the base capture's, unchanged; only
  \`date.txt\` moves one hour per capture.

Captures, oldest first:

${files.map((f) => `- ${f}`).join('\n')}

\`expected.json\` lists, per generated capture, the LMBs whose hypervisor aa index the kernel
overwrote since the previous capture (the generator's ground truth; \`drscope audit\` must flag
exactly these as \`kernel-overwrite\`).
`;
}

for (const s of SCENARIOS) await build(s);
