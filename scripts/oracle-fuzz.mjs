#!/usr/bin/env node
// Dev-only differential fuzzer: random-but-realistic pSeries trees (the oracle's
// JSON description format), run through the REAL powerpc-utils 1.3.13 lsslot /
// drmgr (the oracle: /work/shared/oracle, qemu-user, needs root) and through
// ours (lsslotMain / drmgrMain with --root on the same make-tree.py output),
// comparing stdout, stderr, exit status and, for drmgr, /sys/kernel/dlpar and
// /var/log/drmgr (timestamps masked). Not part of `npm test`.
//
//   node scripts/oracle-fuzz.mjs [--seed N] [--count N] [--kind mem,cpu,slot,drmgr,platform,argv]
//                                [--out DIR] [--case KIND:SEED:I] [--dump] [--ours-only]
//   node scripts/oracle-fuzz.mjs --desc DESC.json [--program lsslot|drmgr] -- ARGS...
//                                (one comparison, both outputs printed; for minimising)
//   node scripts/oracle-fuzz.mjs --capture SNAPSHOT [--capture ...]
//                                (a real capture, via scripts/capture-to-desc.mjs (needs npm run build),
//                                with a fixed battery of lsslot/drmgr arguments)
//
// Each case is reproducible from KIND:SEED:I (printed for every mismatch).
// --dump prints the description and argument vectors of --case without running.
// Mismatches are written to DIR/<kind>-<seed>-<i>/ (desc.json, args, oracle.txt,
// ours.txt); the exit status is 1 when any case differs.
// Generators avoid what the oracle README lists as undefined behaviour in C
// (aa_index past the lookup arrays, missing properties read with
// get_property_size, 4-byte ibm,lmb-size, LMB size not a multiple of the block size).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(dirname(fileURLToPath(import.meta.url)));
const ORACLE = process.env.ORACLE ?? '/work/shared/oracle';
const SHM = process.env.ORACLE_TMP ?? '/dev/shm';

// ---------------------------------------------------------------- options
const opts = { seed: 1, count: 20, kinds: ['mem', 'cpu', 'slot', 'drmgr', 'platform'], out: '/tmp/oracle-fuzz', one: undefined, dump: false, oursOnly: false, quiet: false };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const v = () => process.argv[++i];
  if (a === '--seed') opts.seed = Number(v());
  else if (a === '--count') opts.count = Number(v());
  else if (a === '--kind') opts.kinds = v().split(',');
  else if (a === '--out') opts.out = v();
  else if (a === '--case') opts.one = v();
  else if (a === '--dump') opts.dump = true;
  else if (a === '--ours-only') opts.oursOnly = true;
  else if (a === '--quiet') opts.quiet = true;
  else if (a === '--desc') opts.desc = v();
  else if (a === '--capture') (opts.captures ??= []).push(v());
  else if (a === '--program') opts.program = v();
  else if (a === '--') {
    opts.args = process.argv.slice(i + 1);
    break;
  }
  else {
    process.stderr.write(`oracle-fuzz: unknown argument ${a}\n`);
    process.exit(2);
  }
}

// ---------------------------------------------------------------- random
function mulberry(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
class Rng {
  constructor(seed) {
    this.f = mulberry(seed);
  }
  next() {
    return this.f();
  }
  int(a, b) {
    return a + Math.floor(this.f() * (b - a + 1));
  }
  chance(p) {
    return this.f() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.f() * arr.length)];
  }
  weighted(pairs) {
    const total = pairs.reduce((s, [w]) => s + w, 0);
    let x = this.f() * total;
    for (const [w, v] of pairs) {
      if ((x -= w) < 0) return v;
    }
    return pairs[pairs.length - 1][1];
  }
  shuffle(arr) {
    const a = [...arr];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.f() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}
const hex = (n) => `0x${BigInt(n).toString(16)}`;
const hx = (n) => BigInt(n).toString(16);
const caseSeed = (kind, seed, i) => {
  let h = 2166136261;
  for (const c of `${kind}:${seed}:${i}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
};

// ---------------------------------------------------------------- DRC lists
/** DRC entries {name, type, index, power} -> properties of a node, classic or ibm,drc-info */
function drcProps(R, entries, { allowInfo = true, info } = {}) {
  if (info && allowInfo) return { 'ibm,drc-info': { drc_info: info } };
  return {
    'ibm,drc-indexes': { drc_list_u32: entries.map((e) => hex(e.index)) },
    'ibm,drc-names': { drc_list_str: entries.map((e) => e.name) },
    'ibm,drc-types': { drc_list_str: entries.map((e) => e.type) },
    'ibm,drc-power-domains': { drc_list_u32: entries.map((e) => e.power ?? -1) },
  };
}

function platformVariant(R, desc) {
  const v = R.weighted([[30, 'pseries'], [6, 'kvm'], [1, 'powernv'], [1, 'unknown'], [1, 'none'], [1, 'not-chrp'], [0.5, 'chrp-no-nul']]);
  if (v === 'kvm') desc.cpuinfo = 'kvm';
  else if (v === 'powernv') desc.cpuinfo = 'powernv';
  else if (v === 'unknown') desc.cpuinfo = 'unknown';
  else if (v === 'none') desc.cpuinfo = null;
  else if (v === 'not-chrp') ((desc.tree ??= {})['/'] ??= {}).device_type = R.pick(['chrp-x', 'chr', 'pseries']);
  else if (v === 'chrp-no-nul') ((desc.tree ??= {})['/'] ??= {}).device_type = { raw: 'chrp' };
  return v;
}

// ---------------------------------------------------------------- memory
const FLAGS = [
  [10, 0x8], [3, 0x0], [1, 0x20], [0.5, 0x28], [0.7, 0x40], [0.7, 0x48], [1, 0x80], [0.7, 0x88],
  [1, 0x108], [0.5, 0x100], [0.5, 0x1008], [0.3, 0x2], [0.2, 0xffffffff], [0.3, 0xa],
];

function genMem(R, { forDrmgr = false } = {}) {
  const desc = { _comment: 'oracle-fuzz mem' };
  const lmbSize = R.pick([0x10000000n, 0x10000000n, 0x20000000n, 0x40000000n, 0x100000000n]);
  const blocks = [0x10000000n, 0x20000000n, 0x40000000n, 0x80000000n, 0x100000000n].filter((b) => b <= lmbSize && lmbSize % b === 0n);
  const blockSize = R.pick(blocks);
  const perLmb = Number(lmbSize / blockSize);
  const maxN = perLmb >= 8 ? 40 : perLmb >= 4 ? 120 : 300;
  const n = R.chance(0.65) ? R.int(1, 24) : R.int(1, maxN);
  const layout = forDrmgr
    ? R.weighted([[4, 'v1'], [5, 'v2'], [1, 'both']])
    : R.weighted([[3, 'v1'], [4, 'v2'], [1, 'both'], [2, 'legacy'], [0.3, 'v0']]);
  // lookup arrays
  const rows = R.int(1, 4);
  const width = R.pick([1, 2, 3, 4, 4, 4, 5, 6]);
  const cell = () => R.weighted([[20, R.int(0, 8)], [1, 0xffffffff], [1, 0x80000000], [1, R.int(9, 70000)]]);
  let lookup = Array.from({ length: rows }, () => Array.from({ length: width }, cell));
  const aaPick = () => (R.chance(0.1) ? 0xffffffff : R.int(0, rows - 1));
  // LMBs in runs
  const lmbs = [];
  let drc = R.chance(0.85) ? 0x80000000 : R.pick([0x80000010, 0x80001000, 0x10000000, 0xfffffff0]);
  let addr = R.chance(0.8) ? 0n : BigInt(R.int(1, 16)) * lmbSize;
  while (lmbs.length < n) {
    const runLen = Math.min(n - lmbs.length, R.chance(0.5) ? R.int(1, 4) : R.int(1, n));
    const flags = R.weighted(FLAGS);
    const aa = aaPick();
    for (let k = 0; k < runLen; k++) {
      lmbs.push({ drc_index: hex(drc >>> 0), address: hex(addr), aa_index: aa, flags: hex(flags), reserved: R.chance(0.03) ? R.int(1, 5) : 0 });
      drc = (drc + 1) >>> 0;
      addr += lmbSize;
    }
    if (R.chance(0.15)) addr += BigInt(R.int(1, 4)) * lmbSize;
    if (R.chance(0.1)) drc = (drc + R.int(1, 8)) >>> 0;
  }
  if (lmbs.every((l) => l.aa_index === 0xffffffff) && R.chance(0.3)) lookup = [];
  const owned = lmbs.filter((l) => BigInt(l.flags) & 8n);
  // sysfs memory
  const sm = {};
  if (blockSize !== lmbSize || R.chance(0.1)) {
    const t = hx(blockSize);
    sm.block_size_bytes = R.weighted([[10, t], [1, `0x${t}`], [1, t.toUpperCase()], [1, `${t}\n`.trim()]]);
  }
  const allBlocks = [];
  for (const l of owned) {
    const a = BigInt(l.address);
    for (let b = a; b < a + lmbSize; b += blockSize) allBlocks.push(Number(b / blockSize));
  }
  const pickSome = (p) => allBlocks.filter(() => R.chance(p));
  if (R.chance(0.5)) sm.omit = pickSome(R.pick([0.02, 0.1, 0.5]));
  if (R.chance(0.4)) sm.removable = Object.fromEntries(pickSome(R.pick([0.02, 0.1, 0.3])).map((b) => [String(b), R.pick([0, 0, 2, '-1'])]));
  if (R.chance(0.3)) sm.state = Object.fromEntries(pickSome(0.1).map((b) => [String(b), R.pick(['offline', 'going-offline'])]));
  if (R.chance(0.2)) sm.extra = Array.from({ length: R.int(1, 5) }, () => R.int(0, 2 * allBlocks.length + 10));
  let noRemovable = [];
  if (R.chance(0.1)) noRemovable = pickSome(0.1);
  if (noRemovable.length) {
    sm.blocks = allBlocks.filter((b) => !(sm.omit ?? []).includes(b)).map((b) => (noRemovable.includes(b) ? { n: b, removable: null } : b));
    delete sm.omit;
  }
  const smChoice = R.weighted([[30, 'normal'], [1, 'none'], [1, 'no-bsb']]);
  desc.sysfs_memory = smChoice === 'none' ? null : smChoice === 'no-bsb' ? { ...sm, block_size_bytes: false } : sm;

  if (layout === 'legacy') {
    // LMB DRCs in the root's DRC list, owned LMBs as /memory@ADDR nodes
    const root = {};
    const entries = lmbs.map((l, i) => ({ name: `LMB ${i + R.int(0, 0)}`, type: 'MEM', index: Number(BigInt(l.drc_index)) }));
    const extra = R.chance(0.3) ? [{ name: 'PHB 1', type: 'PHB', index: 0x20000001 }] : [];
    const all = R.chance(0.5) ? [...extra, ...entries] : [...entries, ...extra];
    const contiguous = entries.every((e, i) => i === 0 || e.index === entries[i - 1].index + 1);
    const useInfo = contiguous && !extra.length && R.chance(0.4);
    Object.assign(
      root,
      drcProps(R, all, { info: useInfo ? [{ type: 'MEM', prefix: 'LMB ', index_start: hex(entries[0].index), suffix_start: 0, count: entries.length, inc: 1 }] : undefined }),
    );
    desc.tree = { '/': root };
    const blocksList = [];
    const lsz = lmbSize & 0xffffffffn;
    for (const l of lmbs) {
      if (!(BigInt(l.flags) & 8n)) continue;
      const a = BigInt(l.address);
      desc.tree[`/memory@${hx(a)}`] = {
        device_type: 'memory',
        'ibm,my-drc-index': [l.drc_index],
        reg: { u32: [hex(a >> 32n), hex(a & 0xffffffffn), hex(lmbSize >> 32n), hex(lsz)] },
      };
      for (let b = a; b < a + lsz; b += blockSize) blocksList.push(Number(b / blockSize));
    }
    if (R.chance(0.4)) desc.tree['/memory@0'] ??= { device_type: 'memory', reg: { u32: [0, 0, 0, '0x10000000'] } };
    if (desc.sysfs_memory) {
      desc.sysfs_memory.blocks = blocksList.filter((b) => !(desc.sysfs_memory.omit ?? []).includes(b));
      delete desc.sysfs_memory.omit;
    }
    desc._comment += ` legacy lmb=${hex(lmbSize)} n=${n}`;
  } else {
    const dc = { lmb_size: hex(lmbSize), lookup_arrays: lookup };
    if (layout === 'v1' || layout === 'both') {
      dc.version = 1;
      dc.lmbs = lmbs;
      if (R.chance(0.05) && lmbs.length > 1) dc.n_entries = lmbs.length - R.int(1, Math.min(3, lmbs.length - 1));
    } else if (layout === 'v2') {
      dc.version = 2;
      // explicit sets: the runs, sometimes split further (non-canonical)
      const sets = [];
      for (const l of lmbs) {
        const s = sets[sets.length - 1];
        const d = BigInt(l.drc_index);
        const a = BigInt(l.address);
        if (s && s.aa_index === l.aa_index && s.flags === l.flags && BigInt(s.drc_index) + BigInt(s.count) === d && BigInt(s.base) + BigInt(s.count) * lmbSize === a && !R.chance(0.05)) s.count++;
        else sets.push({ count: 1, base: l.address, drc_index: l.drc_index, aa_index: l.aa_index, flags: l.flags });
      }
      dc.sets = sets;
    } else dc.version = 0;
    if (layout === 'both') {
      // a different v2 property next to v1: lsslot must read v1 only
      const cells = [{ u32: 1 }, { u32: Math.max(1, lmbs.length - 1) }, { u64: '0x0' }, { u32: ['0x80000000', 0, '0x8'] }];
      dc.props = { 'ibm,dynamic-memory-v2': { cells } };
    }
    if (R.chance(0.1)) dc.memory_flags_mask = hex(R.pick([0xff, 0x8, 0xffffffff]));
    desc.drconf = dc;
    desc.tree = {};
    const mr = R.weighted([[5, 'none'], [4, 'rma'], [1, 'rma-drc']]);
    if (mr === 'rma') desc.tree['/memory@0'] = { device_type: 'memory', reg: { u32: [0, 0, 0, '0x10000000'] } };
    else if (mr === 'rma-drc' && lmbs.length) {
      const l = R.pick(lmbs);
      const a = BigInt(l.address);
      desc.tree[`/memory@${hx(a)}`] = { device_type: 'memory', 'ibm,my-drc-index': [l.drc_index], reg: { u32: [hex(a >> 32n), hex(a & 0xffffffffn), hex(lmbSize >> 32n), hex(lmbSize & 0xffffffffn)] } };
    }
    desc._comment += ` ${layout} lmb=${hex(lmbSize)} block=${hex(blockSize)} n=${n}`;
  }
  return { desc, lmbs, owned };
}

function memArgs(R, g) {
  const out = [];
  const k = R.int(2, 4);
  for (let i = 0; i < k; i++) {
    const parts = [R.chance(0.1) ? ['-cmem'] : ['-c', 'mem']];
    if (R.chance(0.6)) parts.push(['-d', R.weighted([[2, '0'], [2, '1'], [2, '3'], [4, '4'], [2, '5'], [1, '-1'], [0.5, '4x'], [0.5, '2']])]);
    if (R.chance(0.45)) {
      const l = g.lmbs.length ? R.pick(g.lmbs) : { drc_index: '0x80000000' };
      const v = BigInt(l.drc_index);
      const s = R.weighted([
        [6, hex(v)], [2, v.toString()], [1, `0${v.toString(8)}`], [1, `0X${hx(v).toUpperCase()}`], [1, 'LMB'], [1, '0'],
        [1, '0x90000000'], [0.5, hex(v + 0x100000000n)], [0.5, `-${v.toString()}`], [0.5, `${hex(v)}zz`], [0.5, ` ${hex(v)}`],
      ]);
      parts.push(['-s', s]);
    }
    if (R.chance(0.1)) parts.push([R.pick(['-F', '-w']), R.pick([':', '2'])]);
    if (R.chance(0.1)) parts.push([R.pick(['-a', '-o', '-b', '-p'])]);
    out.push(R.shuffle(parts).flat());
  }
  return out;
}

// ---------------------------------------------------------------- CPUs
function genCpu(R) {
  const desc = { _comment: 'oracle-fuzz cpu', tree: {} };
  const n = R.int(1, 10);
  const smt = R.pick([1, 2, 4, 4, 8, 8]);
  const stride = R.chance(0.8) ? smt : 8;
  const model = R.pick(['POWER8', 'POWER9', 'POWER10']);
  const cpus = [];
  for (let k = 0; k < n; k++) {
    const reg = k * stride;
    // threads never overlap the next CPU's interrupt servers (aliased thread lists are a known difference)
    const t = R.chance(0.9) ? smt : R.pick([1, 2, 4, 8].filter((x) => x <= stride));
    cpus.push({ reg, t, index: 0x10000000 + reg, present: R.chance(0.8) || k === 0, name: `CPU ${reg}` });
  }
  const info = R.chance(0.4) && stride === smt;
  const cpusNode = { '#address-cells': 1, '#size-cells': 0 };
  const listed = cpus.filter((c) => R.chance(0.97));
  Object.assign(
    cpusNode,
    drcProps(R, listed.map((c) => ({ name: c.name, type: 'CPU', index: c.index })), {
      info: info ? [{ type: 'CPU', prefix: 'CPU ', index_start: '0x10000000', suffix_start: 0, count: n + R.int(0, 3), inc: stride, power_domain: -1 }] : undefined,
    }),
  );
  desc.tree['/cpus'] = cpusNode;
  let phandle = 0x3000;
  const threads = [];
  for (const c of cpus) {
    if (!c.present) continue;
    const servers = Array.from({ length: c.t }, (_, j) => c.reg + j);
    if (R.chance(0.03)) for (let j = c.t; j < 9; j++) servers.push(c.reg + j + 1000);
    const node = { device_type: 'cpu', reg: c.reg, 'ibm,my-drc-index': [hex(c.index)], 'ibm,ppc-interrupt-server#s': servers };
    if (R.chance(0.85)) {
      const l2 = phandle++;
      node['l2-cache'] = [hex(l2)];
      if (R.chance(0.9)) {
        const cache = { device_type: 'cache', 'ibm,phandle': [hex(l2)] };
        if (R.chance(0.7)) {
          const l3 = l2 + 0x100;
          cache['l2-cache'] = [hex(l3)];
          if (R.chance(0.9)) desc.tree[`/cpus/l3-cache@${hx(l3)}`] = { device_type: 'cache', 'ibm,phandle': [hex(l3)] };
        }
        desc.tree[`/cpus/l2-cache@${hx(l2)}`] = cache;
      }
    }
    desc.tree[`/cpus/PowerPC,${model}@${hx(c.reg)}`] = node;
    const on = R.chance(0.85) ? c.t : R.int(1, c.t);
    for (let j = 0; j < on; j++) threads.push(servers[j]);
  }
  if (R.chance(0.1)) desc.tree['/cpus/l2-cache@9999'] = { device_type: 'cache', 'ibm,phandle': ['0x9999'] };
  const sysfs = R.weighted([[10, 'normal'], [1, 'none'], [1, 'extra'], [1, 'offline']]);
  if (sysfs !== 'none') {
    const th = [...threads];
    if (sysfs === 'extra') th.push(R.int(500, 600));
    desc.sysfs_cpus = { threads: sysfs === 'offline' ? th.map((p, i) => (i && R.chance(0.3) ? { physical_id: p, online: 0 } : p)) : th };
  }
  if (desc.sysfs_cpus && R.chance(0.3)) {
    // what else lives in /sys/devices/system/cpu: attribute files, non-cpuN dirs, a gap, a cpuN without physical_id
    const f = (desc.files ??= {});
    const nT = desc.sysfs_cpus.threads.length;
    const extra = R.pick(['files', 'dirs', 'gap', 'no-phys', 'all']);
    if (extra === 'files' || extra === 'all') Object.assign(f, { '/sys/devices/system/cpu/possible': `0-${nT + 3}\n`, '/sys/devices/system/cpu/online': `0-${nT - 1}\n` });
    if (extra === 'dirs' || extra === 'all') Object.assign(f, { '/sys/devices/system/cpu/smt/control': 'on\n', '/sys/devices/system/cpu/cpufreq/boost': '0\n', '/sys/devices/system/cpu/power/async': 'disabled\n' });
    if (extra === 'gap' || extra === 'all') f[`/sys/devices/system/cpu/cpu${nT + 1}/physical_id`] = `${R.int(0, 40)}\n`;
    if (extra === 'no-phys') f[`/sys/devices/system/cpu/cpu${nT}/online`] = '1\n';
  }
  if (R.chance(0.05)) desc.tree['/'] = { 'ibm,lpar-capable': null };
  desc.drconf = { lmb_size: '0x10000000', version: 2, sets: [{ count: 4, base: '0x0', drc_index: '0x80000000', aa_index: 0, flags: '0x8' }] };
  desc._comment += ` n=${n} smt=${smt} ${info ? 'drc-info' : 'classic'}`;
  return { desc };
}

function cpuArgs(R) {
  const out = [];
  const k = R.int(2, 4);
  for (let i = 0; i < k; i++) {
    const parts = [['-c', 'cpu']];
    const m = R.weighted([[4, []], [3, ['-b']], [3, ['-p']], [0.5, ['-b', '-p']], [0.3, ['-a']], [0.3, ['-s', 'CPU 0']], [0.3, ['-F', ':']], [0.2, ['-o']]]);
    if (m.length) parts.push(m);
    if (R.chance(0.5)) parts.push(['-d', R.pick(['1', '3', '4', '5', '-1'])]);
    out.push(R.shuffle(parts).flat());
  }
  return out;
}

// ---------------------------------------------------------------- I/O slots
const HP_TYPES = [[4, '28'], [2, '30'], [1, '14'], [1, '3'], [1, '35'], [1, '50'], [1, '53'], [0.5, '9'], [0.5, '54'], [0.5, '1'], [0.3, '0'], [0.3, '24x'], [0.3, 'SLOT']];
const VIO_DEVS = ['vty', 'l-lan', 'v-scsi', 'vfc-client', 'vnic', 'ibm,coprocessor'];

function genSlots(R) {
  const desc = { _comment: 'oracle-fuzz slots', tree: {}, files: {} };
  const cec = R.pick(['U9009.42A.1234567', 'U9080.HEX.134C1E8', 'U8233.E8B.06ABCDP']);
  const drawer = R.pick(['U78D3.001.WZS0CEN', 'U78C9.001.WZS00AB']);
  const rootEntries = [];
  const nPhb = R.int(0, 4);
  let pciBus = 1;
  const slotNames = [];
  const useInfoRoot = R.chance(0.3);
  const devspec = (node, sys) => {
    if (R.chance(0.7)) desc.files[sys] = `${node}\n`;
  };
  for (let p = 1; p <= nPhb; p++) {
    const phbIndex = 0x20000000 + p + (R.chance(0.2) ? 0x10 : 0);
    const inRoot = R.chance(0.9);
    if (inRoot) rootEntries.push({ name: `PHB ${p}`, type: 'PHB', index: phbIndex });
    const path = `/pci@8000000200000${hx(0x10 + p)}`;
    const phbLoc = `${drawer}-P${p}`;
    const phb = { device_type: 'pci', 'ibm,my-drc-index': [hex(phbIndex)], 'ibm,loc-code': phbLoc };
    desc.tree[path] = phb;
    const nSlots = R.int(0, 4);
    const entries = [];
    const logical = R.chance(0.5);
    for (let s = 1; s <= nSlots; s++) {
      const name = `${logical ? cec : drawer}-P${p}-C${R.chance(0.8) ? s : R.int(1, 40)}`;
      const type = logical ? (R.chance(0.9) ? 'SLOT' : R.weighted(HP_TYPES)) : R.weighted(HP_TYPES);
      entries.push({ name, type, index: 0x21000000 + (p << 16) + s });
    }
    if (entries.length) Object.assign(phb, drcProps(R, entries));
    let fn = 0;
    for (const e of entries) {
      slotNames.push(e.name);
      if (!R.chance(0.7)) continue;
      const nChildren = R.weighted([[6, 1], [2, 2], [0.5, 3]]);
      for (let c = 0; c < nChildren; c++) {
        const devName = R.pick(['ethernet', 'fibre-channel', 'scsi', 'usb', 'pci']);
        const unit = c ? `${fn},${c}` : `${fn}`;
        const cpath = `${path}/${devName}@${unit}`;
        const locSuffix = R.weighted([[4, ''], [3, `-T${c + 1}`], [2, `/Z${c + 1}`], [1, `-T1/Z${c + 1}`], [0.5, '/X-T1']]);
        const loc = R.chance(0.05) ? `${drawer}-P9-C9/Z1` : `${e.name}${locSuffix}`;
        const node = { 'ibm,my-drc-index': [hex(e.index)] };
        if (R.chance(0.95)) node['ibm,loc-code'] = loc;
        desc.tree[cpath] = node;
        devspec(cpath, `/sys/devices/pci${hx(0x10 + p).padStart(4, '0')}:${hx(pciBus).padStart(2, '0')}/${hx(0x10 + p).padStart(4, '0')}:${hx(pciBus).padStart(2, '0')}:00.${c}/devspec`);
        if (devName === 'pci' && e.type === 'SLOT' && R.chance(0.6)) {
          // bridge below a logical slot, with hot-plug slots of its own
          const bEntries = [{ name: `${e.name}-C1`, type: R.weighted(HP_TYPES), index: e.index + 0x100 }];
          if (R.chance(0.5)) bEntries.push({ name: `${e.name}-C2`, type: R.weighted(HP_TYPES), index: e.index + 0x101 });
          const bpath = `${cpath}/pci@1`;
          desc.tree[bpath] = { ...drcProps(R, bEntries), 'ibm,loc-code': e.name };
          for (const be of bEntries) {
            slotNames.push(be.name);
            if (R.chance(0.6)) desc.tree[`${bpath}/ethernet@0`] = { 'ibm,my-drc-index': [hex(be.index)], 'ibm,loc-code': `${be.name}-T1` };
          }
        }
      }
      fn++;
      pciBus++;
    }
  }
  // vdevice
  if (R.chance(0.85)) {
    const nV = R.int(0, 8);
    const vEntries = [];
    const used = new Set();
    for (let i = 0; i < nV; i++) {
      let s = R.chance(0.6) ? i : R.int(0, 400);
      while (used.has(s)) s++;
      used.add(s);
      vEntries.push({ name: `${cec}-V${R.pick([1, 5, 16])}-C${s}`, type: R.chance(0.95) ? 'SLOT' : 'OTHER', index: 0x30000000 + s });
    }
    const cecV = `${cec}-V7-C`;
    const useInfo = R.chance(0.35);
    const vnode = { device_type: 'vdevice', '#address-cells': 1, '#size-cells': 0 };
    let vlist = vEntries;
    if (useInfo) {
      const count = R.int(1, 40);
      vnode['ibm,drc-info'] = { drc_info: [{ type: 'SLOT', prefix: cecV, index_start: '0x30000000', suffix_start: 0, count, inc: 1 }] };
      vlist = Array.from({ length: count }, (_, i) => ({ name: `${cecV}${i}`, type: 'SLOT', index: 0x30000000 + i })).filter(() => R.chance(0.3));
    } else if (vEntries.length) Object.assign(vnode, drcProps(R, vEntries));
    desc.tree['/vdevice'] = vnode;
    for (const e of vlist) {
      slotNames.push(e.name);
      if (!R.chance(0.75)) continue;
      const dev = R.pick(VIO_DEVS);
      const p = `/vdevice/${dev}@${hx(e.index)}`;
      desc.tree[p] = { device_type: R.pick(['serial', 'network', 'vscsi', 'fcp']), reg: [hex(e.index)], 'ibm,my-drc-index': [hex(e.index)], 'ibm,loc-code': R.chance(0.9) ? `${e.name}${R.pick(['', '-T1'])}` : `${cec}-V99-C${R.int(0, 9)}` };
      if (dev === 'v-scsi' && R.chance(0.5)) desc.tree[`${p}/disk@8100000000000000`] = { 'ibm,loc-code': `${e.name}-T1-L8100000000000000` };
      devspec(p, `/sys/devices/vio/${hx(e.index)}/devspec`);
    }
    if (R.chance(0.4)) desc.tree['/vdevice/nvram@71000000'] = { reg: ['0x71000000'] };
    if (R.chance(0.05)) desc.tree['/vdevice/l-lan@3000ffff'] = { reg: ['0x3000ffff'], 'ibm,my-drc-index': ['0x3000ffff'], 'ibm,loc-code': `${cec}-V1-C999` };
  }
  // HEA
  if (R.chance(0.15)) {
    const nA = R.int(1, 2);
    for (let a = 1; a <= nA; a++) {
      const idx = 0x23000000 + a;
      rootEntries.push({ name: `HEA ${a}`, type: 'HEA', index: idx });
      const ports = Array.from({ length: R.int(0, 3) }, (_, j) => ({ name: R.pick([`Port ${j + 1}`, `Port${4 - j}`]), type: 'HEA', index: 0x24000000 + (a << 8) + j }));
      const path = `/lhea@23${hx(0xc0 + a)}00000`;
      desc.tree[path] = { 'ibm,my-drc-index': [hex(idx)], 'ibm,loc-code': `U789D.001.DQD12345-P1-C1${a}`, ...(ports.length ? drcProps(R, ports) : {}) };
      ports.forEach((pt, j) => {
        slotNames.push(pt.name);
        if (R.chance(0.8)) desc.tree[`${path}/ethernet@23e00${j}00`] = { 'ibm,my-drc-index': [hex(pt.index)], 'ibm,loc-code': `U789D.001.DQD12345-P1-C1${a}-T${j + 1}` };
      });
    }
  }
  if (rootEntries.length) {
    const phbs = rootEntries.filter((e) => e.type === 'PHB');
    const contiguous = phbs.length === rootEntries.length && phbs.every((e, i) => e.index === 0x20000001 + i);
    desc.tree['/'] = drcProps(R, rootEntries, { info: useInfoRoot && contiguous ? [{ type: 'PHB', prefix: 'PHB ', index_start: '0x20000001', suffix_start: 1, count: phbs.length, inc: 1 }] : undefined });
  }
  if (R.chance(0.1)) desc.files['/sys/devices/vio/junk/devspec'] = '/vdevice\n';
  if (R.chance(0.05)) desc.dirs = ['/sys/devices'];
  desc.drconf = { lmb_size: '0x10000000', version: 2, sets: [{ count: 2, base: '0x0', drc_index: '0x80000000', aa_index: 0, flags: '0x8' }] };
  desc._comment += ` phbs=${nPhb}`;
  return { desc, slotNames };
}

function slotArgs(R, g) {
  const out = [];
  const k = R.int(3, 6);
  const name = () => (g.slotNames.length ? R.pick(g.slotNames) : 'nothing');
  for (let i = 0; i < k; i++) {
    const parts = [];
    const type = R.weighted([[3, null], [2, 'slot'], [4, 'pci'], [2, 'phb'], [1, 'port']]);
    if (type) parts.push(['-c', type]);
    if (type === 'pci' && R.chance(0.5)) parts.push([R.pick(['-a', '-o'])]);
    if (type === 'phb' && R.chance(0.4)) parts.push(['-s', R.pick(['PHB 1', 'PHB 2', 'PHB1', 'PHB 9'])]);
    else if (R.chance(0.3)) {
      const n = name();
      parts.push(['-s', R.weighted([[5, n], [1, `${n}/x`], [1, `${n}/Z1/y`], [1, n.slice(0, -1)], [0.5, 'nothing']])]);
    }
    if (R.chance(0.2)) parts.push(['-F', R.pick([':', ',', ';', 'x'])]);
    if (R.chance(0.5)) parts.push(['-d', R.pick(['1', '3', '4', '5', '5', '-1'])]);
    if (R.chance(0.04)) parts.push([R.pick(['-b', '-p', '-a', '-o', '-x', '-w'])]);
    out.push(R.shuffle(parts).flat());
  }
  return out;
}

// ---------------------------------------------------------------- drmgr
function genDrmgr(R) {
  const g = genMem(R, { forDrmgr: true });
  const d = g.desc;
  d.files = { ...(d.files ?? {}), '/sys/kernel/dlpar': R.weighted([[4, ''], [4, 'memory,cpu,dt\n'], [1, 'memory\n'], [0.5, 'cpu,memory']]) };
  // the legacy user-space path, only where it stays deterministic: drmgr never reads v2, so get_lmbs() fails
  if (d.drconf?.version === 2 && R.chance(0.1)) {
    if (R.chance(0.5)) d.files['/sys/kernel/dlpar'] = R.pick(['cpu,dt\n', 'cpu memory\n', 'MEMORY\n']);
    else delete d.files['/sys/kernel/dlpar'];
  }
  if (R.chance(0.3)) d.dirs = ['/sys/bus/pci/slots/control'];
  if (R.chance(0.2)) d.files['/sys/bus/pci/slots/control/add_slot'] = '';
  if (R.chance(0.3)) d.files['/proc/ppc64/lparcfg'] = `lparcfg 1.9\nDesEntCap=200\nDesMem=8192\nDesProcs=2\nDesVarCapWt=0\nDedDonMode=0\nslb_size=32\nentitled_memory=${R.int(1, 9) * 1073741824}\nentitled_memory_weight=0\n`;
  if (R.chance(0.15)) d.files['/var/log/drmgr'] = 'old log line\n';
  if (R.chance(0.2)) {
    d.sysfs_cpus = { threads: [0, 1, 2, 3] };
    d.tree['/cpus'] = { '#address-cells': 1, '#size-cells': 0 };
  }
  d._comment = d._comment.replace('mem', 'drmgr');
  return g;
}

function drmgrArgs(R, g) {
  const out = [];
  const k = R.int(2, 4);
  for (let i = 0; i < k; i++) {
    const kind = R.weighted([[6, 'q'], [4, 's'], [1, 'C'], [1, 'h'], [1, 'bad']]);
    const parts = [];
    if (kind === 'q' || kind === 's') {
      parts.push(['-c', 'mem'], [R.weighted([[5, '-a'], [5, '-r'], [0.3, '-m']])]);
      if (kind === 'q' || R.chance(0.2)) parts.push(['-q', R.weighted([[6, String(R.int(1, 8))], [1, '0'], [1, '0x10'], [1, '010'], [0.5, '-1'], [0.5, 'abc'], [0.5, '4294967295'], [0.5, '99999999999']])]);
      if (kind === 's') {
        const l = g.lmbs.length ? R.pick(g.lmbs) : { drc_index: '0x80000000' };
        const v = BigInt(l.drc_index);
        parts.push(['-s', R.weighted([[6, hex(v)], [1, v.toString()], [1, `0X${hx(v)}`], [1, 'LMB'], [0.5, `${hex(v)}zz`], [0.5, hex(v + 0x100000000n)], [0.5, '0x']])]);
      }
    } else if (kind === 'C') parts.push([R.pick(['-C', '--capabilities'])]);
    else if (kind === 'h') {
      const t = R.pick(['cpu', 'pci', 'slot', 'phb', 'port', 'pmig', 'phib', 'acc']);
      parts.push(R.pick([['-h'], ['-c', 'mem', '-h'], ['-c', t, '-h'], ['--help']]));
    }
    else parts.push(...R.pick([[['-c', 'mem'], ['-x']], [['-c', 'mem', '-a'], ['-q']], [['-c', 'mem']], [['-c', 'foo', '-r']], [['-r', '-q', '1']], [['-c', 'mem', '-a', '-r']], [['-c', 'mem', '-a', '-q', '1', 'extra']], [['-V']], [['-m']], [['-c', 'pmig']], [['-c', 'phib', '-m']], [['-c', 'mem', '-m', '-q', '2']]]));
    if (R.chance(0.45)) parts.push(['-d', R.pick(['0', '1', '3', '4', '5', '-1', 'x'])]);
    if (R.chance(0.1)) parts.push(['-w', R.pick(['1', '0', 'x'])]);
    out.push((kind === 'q' || kind === 's') && R.chance(0.7) ? R.shuffle(parts).flat() : parts.flat());
  }
  return out;
}

// ---------------------------------------------------------------- argv (odd command lines on a full tree)
/** a tree with LMBs, CPUs and slots, and short runs of arbitrary lsslot/drmgr argument tokens */
function genArgv(R) {
  const g = genSlots(R);
  const c = genCpu(R);
  const m = genMem(R, { forDrmgr: true });
  const desc = g.desc;
  Object.assign(desc.tree, c.desc.tree, m.desc.tree);
  desc.sysfs_cpus = c.desc.sysfs_cpus;
  desc.drconf = m.desc.drconf;
  desc.sysfs_memory = m.desc.sysfs_memory;
  desc.files = { ...desc.files, ...(c.desc.files ?? {}) };
  desc._comment = 'oracle-fuzz argv';
  const drmgr = R.chance(0.45);
  if (drmgr) desc.files['/sys/kernel/dlpar'] = R.pick(['', 'memory,cpu,dt\n']);
  const idx = m.lmbs.length ? R.pick(m.lmbs).drc_index : '0x80000000';
  const slot = g.slotNames.length ? R.pick(g.slotNames) : 'U1-P1';
  // drmgr: no -p/-P and no add/remove of other connector types (out of scope, refused on purpose)
  const pool = drmgr
    ? ['-c', 'mem', '-cmem', '-a', '-r', '-q', '2', '-q2', '-s', idx, `-s${idx}`, '-d', '4', '-d5', '-w', '1', '-C', '--capabilities', '--cap', '--help', '--h', '--he=1', '--capabilities=1', '--dry', '--st', '--ro',
      '-h', '-V', '-m', '-I', '-i', '-R', '-Q', '-n', '-t', 'x', '--', '-', '', 'foo', '-x', '-ar', '-ra', '-Ca', '-hc', '--foo', '--', '-c', 'pmig', 'cpu', 'phib', 'acc', '-d', '-1', '3', '-q', '0x3', '-s', 'LMB', '-H', '-w', '-1']
    : ['-c', 'mem', 'cpu', 'slot', 'pci', 'phb', 'port', 'pmig', '-cmem', '-ccpu', '-a', '-b', '-o', '-p', '-ab', '-ao', '-bp', '-s', slot, idx, '-F', ':', '-F::', '-F%', '-d', '4', '-d1', '-d5', '-w', '-1', '2',
      '--', '-', '', 'foo', '-x', '--help', '--c', '-cpci', '-c', '-F', '-s', '-d', '-w', '-w1'];
  const argvs = [];
  for (let k = R.int(3, 6); k > 0; k--) {
    // half the time a valid command with a few stray tokens inserted anywhere
    const base = !R.chance(0.5) ? [] : drmgr
      ? R.pick([['-c', 'mem', '-a', '-q', '1'], ['-c', 'mem', '-r', '-s', idx], ['-C'], ['-c', 'mem', '-r', '-q', '2', '-d', '4']])
      : R.pick([['-c', 'mem'], ['-c', 'cpu', '-b'], ['-c', 'pci', '-a'], ['-c', 'phb'], ['-s', slot], ['-c', 'mem', '-s', idx, '-d', '4'], ['-c', 'slot', '-F', ':']]);
    const a = [...base];
    for (let n = base.length ? R.int(1, 3) : R.int(0, 6); n > 0; n--) a.splice(R.int(0, a.length), 0, R.pick(pool));
    argvs.push(a);
  }
  return { program: drmgr ? 'drmgr' : 'lsslot', desc, argvs };
}

// ---------------------------------------------------------------- platform (everything, odd platforms)
function genPlatform(R) {
  const pick = R.pick(['mem', 'cpu', 'slot']);
  const g = pick === 'mem' ? genMem(R) : pick === 'cpu' ? genCpu(R) : genSlots(R);
  const v = platformVariant(R, g.desc);
  g.desc._comment += ` platform=${v}`;
  g.sub = pick;
  return g;
}

function generate(kind, seed, i) {
  const R = new Rng(caseSeed(kind, seed, i));
  if (kind === 'mem') {
    const g = genMem(R);
    if (R.chance(0.05)) platformVariant(R, g.desc);
    return { program: 'lsslot', desc: g.desc, argvs: memArgs(R, g) };
  }
  if (kind === 'cpu') {
    const g = genCpu(R);
    return { program: 'lsslot', desc: g.desc, argvs: cpuArgs(R) };
  }
  if (kind === 'slot') {
    const g = genSlots(R);
    return { program: 'lsslot', desc: g.desc, argvs: slotArgs(R, g) };
  }
  if (kind === 'drmgr') {
    const g = genDrmgr(R);
    if (R.chance(0.04)) platformVariant(R, g.desc);
    return { program: 'drmgr', desc: g.desc, argvs: drmgrArgs(R, g) };
  }
  if (kind === 'platform') {
    const g = genPlatform(R);
    const argvs = g.sub === 'mem' ? memArgs(R, { lmbs: g.lmbs ?? [] }) : g.sub === 'cpu' ? cpuArgs(R) : slotArgs(R, g);
    if (R.chance(0.3)) return { program: 'drmgr', desc: { ...g.desc, files: { ...(g.desc.files ?? {}), '/sys/kernel/dlpar': '' } }, argvs: [['-c', 'mem', '-r', '-q', '1'], ['-C', '-d', '4']] };
    return { program: 'lsslot', desc: g.desc, argvs };
  }
  if (kind === 'argv') return genArgv(R);
  throw new Error(`unknown kind ${kind}`);
}

// ---------------------------------------------------------------- running
const mask = (s) => s.replace(/########## [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \d{4} ##########/g, '########## <timestamp> ##########');

async function harness() {
  // one file per process: two fuzzers started together must not import each other's half-written bundle
  const outfile = join(HERE, 'build', `oracle-fuzz-harness-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: `export { lsslotMain } from './lib/compat/lsslot/main.ts';\nexport { drmgrMain } from './lib/compat/drmgr/main.ts';\nexport { nodeIo } from './lib/io.ts';\n`,
      resolveDir: HERE,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  try {
    return await import(`${outfile}?t=${Date.now()}`);
  } finally {
    rmSync(outfile, { force: true });
  }
}

function makeTree(descFile, dir) {
  const r = spawnSync('python3', [join(ORACLE, 'make-tree.py'), descFile, dir], { encoding: 'latin1' });
  if (r.status !== 0) throw new Error(`make-tree.py failed (${r.status}): ${r.stderr}`);
}

async function runOurs(H, program, descFile, args, work) {
  const root = join(work, `root-${Math.random().toString(36).slice(2)}`);
  mkdirSync(root);
  makeTree(descFile, root);
  const out = [];
  const err = [];
  const cap = (arr) => ({ write: (c) => void arr.push(Buffer.from(typeof c === 'string' ? Buffer.from(c, 'utf8') : c)), isTTY: false });
  const io = { ...H.nodeIo(), stdout: cap(out), stderr: cap(err), env: {}, argv0: `/usr/sbin/${program}`, uid: 0 };
  const fn = program === 'lsslot' ? H.lsslotMain : H.drmgrMain;
  let code;
  try {
    code = await fn(['--root', root, ...args], io);
  } catch (e) {
    err.push(Buffer.from(`[exception] ${e?.stack ?? e}\n`));
    code = -999;
  }
  let stderr = mask(Buffer.concat(err).toString('latin1'));
  if (program === 'drmgr') {
    for (const f of ['/sys/kernel/dlpar', '/var/log/drmgr']) {
      let body;
      try {
        body = `${readFileSync(join(root, f)).toString('latin1')}\n`;
      } catch {
        body = '(absent)\n';
      }
      stderr += `----- ${f} -----\n${mask(body)}----- end ${f} -----\n`;
    }
  }
  rmSync(root, { recursive: true, force: true });
  return { stdout: Buffer.concat(out).toString('latin1'), stderr, code: code & 0xff };
}

function runOracle(program, descFile, args) {
  const show = program === 'drmgr' ? ['--show', '/sys/kernel/dlpar', '--show', '/var/log/drmgr'] : [];
  const r = spawnSync(join(ORACLE, 'run-lsslot.sh'), ['--bin', program, ...show, '--timeout', '20', descFile, ...args], { encoding: 'latin1', maxBuffer: 256 << 20 });
  return { stdout: r.stdout, stderr: mask(r.stderr), code: r.status ?? -1 };
}

const fmt = (r) => `[stdout]\n${r.stdout}[stderr]\n${r.stderr}[exit status] ${r.code}\n`;

/** The DRC index of the last owned LMB (flags & 8) of a capture description (hex-encoded drconf properties), as "0x..." */
function ownedLmbIndex(desc) {
  const props = desc.tree?.['/ibm,dynamic-reconfiguration-memory'];
  const get = (name) => (props?.[name]?.hex !== undefined ? Buffer.from(props[name].hex, 'hex') : undefined);
  let last;
  const v1 = get('ibm,dynamic-memory');
  const v2 = get('ibm,dynamic-memory-v2');
  if (v1 && v1.length >= 4) {
    // u32 count, then {u64 address, u32 drc, u32 reserved, u32 aa index, u32 flags}
    for (let k = 0, o = 4; k < v1.readUInt32BE(0) && o + 24 <= v1.length; k++, o += 24) if (v1.readUInt32BE(o + 20) & 8) last = v1.readUInt32BE(o + 8);
  } else if (v2 && v2.length >= 4) {
    // u32 count, then {u32 sequential LMBs, u64 base, u32 first drc, u32 aa index, u32 flags}
    for (let k = 0, o = 4; k < v2.readUInt32BE(0) && o + 24 <= v2.length; k++, o += 24) {
      if (v2.readUInt32BE(o + 20) & 8 && v2.readUInt32BE(o) > 0) last = v2.readUInt32BE(o + 12) + v2.readUInt32BE(o) - 1;
    }
  }
  return last === undefined ? undefined : `0x${(last >>> 0).toString(16)}`;
}

async function main() {
  const cases = [];
  if (opts.one) {
    const [kind, seed, i] = opts.one.split(':');
    cases.push([kind, Number(seed), Number(i)]);
  } else if (!opts.captures) for (let i = 0; i < opts.count; i++) for (const k of opts.kinds) cases.push([k, opts.seed, i]);
  if (opts.captures) {
    for (const [n, file] of opts.captures.entries()) {
      const r = spawnSync(process.execPath, [join(HERE, 'scripts', 'capture-to-desc.mjs'), file], { encoding: 'utf8', maxBuffer: 1 << 30 });
      if (r.status !== 0) throw new Error(`capture-to-desc ${file}: ${r.stderr}`);
      const desc = JSON.parse(r.stdout);
      const files = { ...(desc.files ?? {}), '/sys/kernel/dlpar': 'memory,cpu,dt\n' };
      const idx = ownedLmbIndex(desc) ?? '0x80000000';
      const lsslot = [[], ['-c', 'mem'], ['-c', 'mem', '-d', '4'], ['-c', 'mem', '-d', '3'], ['-c', 'mem', '-s', idx], ['-c', 'cpu'], ['-c', 'cpu', '-b'], ['-c', 'cpu', '-p'], ['-c', 'cpu', '-b', '-d', '4'], ['-c', 'cpu', '-d', '5'], ['-c', 'pci', '-d', '5'], ['-c', 'pci', '-a'], ['-c', 'phb', '-d', '4'], ['-d', '5'], ['-F', ':'], ['-c', 'port', '-d', '1']];
      const drmgr = [['-c', 'mem', '-a', '-q', '2', '-d', '4'], ['-c', 'mem', '-r', '-s', idx], ['-c', 'mem', '-r', '-q', '1', '-d', '3'], ['-C'], ['-C', '-d', '4']];
      cases.push({ id: `capture:${n}:${file}`, program: 'lsslot', desc, argvs: lsslot }, { id: `capture:${n}:${file}`, program: 'drmgr', desc: { ...desc, files }, argvs: drmgr });
    }
  }
  if (opts.dump) {
    for (const e of cases) {
      const c = Array.isArray(e) ? generate(...e) : e;
      process.stdout.write(`${JSON.stringify(c.desc, null, 1)}\n`);
      for (const a of c.argvs) process.stdout.write(`# ${c.program} ${a.map((x) => JSON.stringify(x)).join(' ')}\n`);
    }
    return 0;
  }
  const H = await harness();
  const work = mkdtempSync(join(SHM, 'oracle-fuzz-'));
  if (opts.desc) {
    const program = opts.program ?? 'lsslot';
    const args = opts.args ?? [];
    const ours = await runOurs(H, program, opts.desc, args, work);
    const real = runOracle(program, opts.desc, args);
    rmSync(work, { recursive: true, force: true });
    const same = real.stdout === ours.stdout && real.stderr === ours.stderr && real.code === ours.code;
    process.stdout.write(same ? `same\n${fmt(real)}` : `DIFFER\n--- oracle\n${fmt(real)}--- ours\n${fmt(ours)}`);
    return same ? 0 : 1;
  }
  const stats = {};
  let differ = 0;
  try {
    for (const e of cases) {
      const [kind, seed, i] = Array.isArray(e) ? e : ['capture', 0, e.id.split(':')[1]];
      const c = Array.isArray(e) ? generate(kind, seed, i) : e;
      const id = Array.isArray(e) ? `${kind}:${seed}:${i}` : e.id;
      const descFile = join(work, 'desc.json');
      writeFileSync(descFile, JSON.stringify(c.desc, null, 1));
      for (const [j, args] of c.argvs.entries()) {
        const key = `${kind}/${c.program}`;
        stats[key] ??= { run: 0, same: 0, differ: 0 };
        stats[key].run++;
        const ours = await runOurs(H, c.program, descFile, args, work);
        if (opts.oursOnly) {
          if (ours.stderr.includes('[exception]')) process.stdout.write(`${id} #${j}: exception\n${ours.stderr}\n`);
          continue;
        }
        const real = runOracle(c.program, descFile, args);
        if (real.stdout === ours.stdout && real.stderr === ours.stderr && real.code === ours.code) {
          stats[key].same++;
          continue;
        }
        stats[key].differ++;
        differ++;
        const dir = join(opts.out, `${kind}-${seed}-${i}-${kind === 'capture' ? `${c.program}-` : ''}${j}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'desc.json'), JSON.stringify(c.desc, null, 1));
        writeFileSync(join(dir, 'args'), `${c.program} ${args.map((x) => JSON.stringify(x)).join(' ')}\n`);
        writeFileSync(join(dir, 'oracle.txt'), fmt(real));
        writeFileSync(join(dir, 'ours.txt'), fmt(ours));
        process.stdout.write(`DIFF ${id} #${j}: ${c.program} ${args.join(' ')}  -> ${dir}\n`);
      }
      if (!opts.quiet) process.stderr.write(`${id} done\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const [k, s] of Object.entries(stats)) process.stdout.write(`${k}: ${s.run} run, ${s.same} same, ${s.differ} differ\n`);
  return differ ? 1 : 0;
}

process.exitCode = await main();
