// TypeScript port of the oracle's make-tree.py (/work/shared/oracle): a JSON
// description -> the files the real lsslot/drmgr saw (/proc/device-tree,
// /proc/cpuinfo, /sys/..., /var/lock, /var/log), as a flat path -> content map
// and as a memfs volume. Directory order is not reproduced: drscope sorts every
// walk in kernfs order itself, which is what the oracle's tmpfs trees return.
import { Volume, createFsFromVolume } from 'memfs';
import type { FsPort } from '../../lib/io.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const MASK64 = (1n << 64n) - 1n;

function num(v: Json | bigint | undefined): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    const neg = s.startsWith('-');
    const t = neg ? s.slice(1) : s;
    const n = t.startsWith('0x') ? BigInt(t) : t.startsWith('0o') ? BigInt(t) : t.startsWith('0b') ? BigInt(t) : BigInt(t);
    return neg ? -n : n;
  }
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

function u32(...vals: (Json | bigint | undefined)[]): Buffer {
  const b = Buffer.alloc(4 * vals.length);
  vals.forEach((v, i) => b.writeUInt32BE(Number(num(v) & 0xffffffffn), 4 * i));
  return b;
}
function u64(...vals: (Json | bigint | undefined)[]): Buffer {
  const b = Buffer.alloc(8 * vals.length);
  vals.forEach((v, i) => b.writeBigUInt64BE(num(v) & MASK64, 8 * i));
  return b;
}
const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');

export function encodeProp(v: Json): Buffer | null {
  if (typeof v === 'boolean') return v ? Buffer.alloc(0) : null;
  if (typeof v === 'number') return u32(v);
  if (typeof v === 'string') return cstr(v);
  if (Array.isArray(v)) return u32(...v);
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length !== 1) throw new Error(`property encoding needs exactly one key: ${JSON.stringify(v)}`);
    const k = keys[0]!;
    const x = v[k]!;
    const list = (y: Json) => (Array.isArray(y) ? y : [y]);
    switch (k) {
      case 'str':
        return cstr(String(x));
      case 'strs':
        return Buffer.concat((x as string[]).map(cstr));
      case 'u32':
        return u32(...list(x));
      case 'u64':
        return u64(...list(x));
      case 'hex':
        return Buffer.from(String(x).replace(/ /g, ''), 'hex');
      case 'bytes':
        return Buffer.from((x as Json[]).map((b) => Number(num(b))));
      case 'raw':
        return Buffer.from(String(x), 'utf8');
      case 'empty':
        return Buffer.alloc(0);
      case 'cells':
        return Buffer.concat((x as Json[]).map((p) => encodeProp(p) ?? Buffer.alloc(0)));
      case 'drc_list_u32':
        return Buffer.concat([u32((x as Json[]).length), u32(...(x as Json[]))]);
      case 'drc_list_str':
        return Buffer.concat([u32((x as Json[]).length), ...(x as string[]).map(cstr)]);
      case 'drc_info': {
        const parts: Buffer[] = [u32((x as Json[]).length)];
        for (const e of x as Obj[]) {
          parts.push(cstr(String(e.type)), cstr(String(e.prefix)), u32(e.index_start, e.suffix_start ?? 0, e.count, e.inc ?? 1, e.power_domain ?? -1));
        }
        return Buffer.concat(parts);
      }
      default:
        throw new Error(`unknown property encoding ${k}`);
    }
  }
  throw new Error(`cannot encode ${JSON.stringify(v)}`);
}

/** path -> file bytes, or null for a directory */
export type TreeFiles = Map<string, Buffer | null>;

const DT = '/proc/device-tree';
const DRCONF = `${DT}/ibm,dynamic-reconfiguration-memory`;

const CPUINFO: Record<string, string> = {
  pseries:
    'processor\t: 0\ncpu\t\t: POWER9 (architected), altivec supported\nclock\t\t: 2750.000000MHz\nrevision\t: 2.2 (pvr 004e 0202)\n\ntimebase\t: 512000000\nplatform\t: pSeries\nmodel\t\t: IBM,9009-42A\nmachine\t\t: CHRP IBM,9009-42A\nMMU\t\t: Radix\n',
  kvm: 'processor\t: 0\ncpu\t\t: POWER9 (architected), altivec supported\nclock\t\t: 2200.000000MHz\nrevision\t: 2.2 (pvr 004e 1202)\n\ntimebase\t: 512000000\nplatform\t: pSeries\nmodel\t\t: IBM pSeries (emulated by qemu)\nmachine\t\t: CHRP IBM pSeries (emulated by qemu)\nMMU\t\t: Radix\n',
  powernv: 'processor\t: 0\ncpu\t\t: POWER9, altivec supported\n\ntimebase\t: 512000000\nplatform\t: PowerNV\nmodel\t\t: 9006-22P\nmachine\t\t: PowerNV 9006-22P\nfirmware\t: OPAL\nMMU\t\t: Radix\n',
  unknown: 'processor\t: 0\ncpu\t\t: unknown\n',
};

class Files {
  readonly m: TreeFiles = new Map();
  mkdir(path: string): void {
    let p = '';
    for (const part of path.split('/').filter(Boolean)) {
      p += `/${part}`;
      const cur = this.m.get(p);
      if (cur === undefined) this.m.set(p, null);
      else if (cur !== null) throw new Error(`${path}: ${p} is a file`);
    }
  }
  put(path: string, data: Buffer, overwrite = true): void {
    const slash = path.lastIndexOf('/');
    this.mkdir(path.slice(0, slash));
    const cur = this.m.get(path);
    if (cur === null) throw new Error(`${path} is a directory`);
    if (cur !== undefined && !overwrite) return;
    this.m.set(path, data);
  }
  remove(path: string): void {
    this.mkdir(path.slice(0, path.lastIndexOf('/')));
    for (const k of [...this.m.keys()]) if (k === path || k.startsWith(`${path}/`)) this.m.delete(k);
  }
}

type LmbT = [bigint, bigint, bigint, bigint, bigint]; // drc, addr, aa, flags, reserved

function expandLmbs(dc: Obj): LmbT[] {
  const size = num(dc.lmb_size);
  const out: LmbT[] = [];
  for (const e of (dc.lmbs as Obj[] | undefined) ?? []) out.push([num(e.drc_index), num(e.address ?? e.addr ?? 0), num(e.aa_index ?? 0), num(e.flags ?? 8), num(e.reserved ?? 0)]);
  for (const s of (dc.sets as Obj[] | undefined) ?? []) {
    const drc = num(s.drc_index);
    const addr = num(s.base ?? s.address ?? 0);
    for (let i = 0n; i < num(s.count); i++) out.push([drc + i, addr + i * size, num(s.aa_index ?? 0), num(s.flags ?? 8), 0n]);
  }
  return out;
}

interface SetT {
  count: bigint;
  base: bigint;
  drc: bigint;
  aa: bigint;
  flags: bigint;
}

function buildDrconf(f: Files, dc: Obj): [bigint, LmbT[]] {
  const size = num(dc.lmb_size);
  const props = new Map<string, Buffer>();
  props.set('ibm,lmb-size', (dc.lmb_size_bytes ?? 8) === 8 ? u64(size) : u32(size));
  const version = Number(num(dc.version ?? (dc.sets !== undefined && dc.lmbs === undefined ? 2 : 1)));
  const lmbs = expandLmbs(dc);
  if (version === 1) {
    const parts = [u32(dc.n_entries ?? lmbs.length)];
    for (const [drc, addr, aa, flags, res] of lmbs) parts.push(u64(addr), u32(drc, res, aa, flags));
    props.set('ibm,dynamic-memory', Buffer.concat(parts));
  } else if (version === 2) {
    let sets: SetT[];
    if (dc.sets !== undefined && dc.lmbs === undefined) {
      sets = (dc.sets as Obj[]).map((s) => ({ count: num(s.count), base: num(s.base ?? s.address ?? 0), drc: num(s.drc_index), aa: num(s.aa_index ?? 0), flags: num(s.flags ?? 8) }));
    } else {
      sets = [];
      for (const [drc, addr, aa, flags] of lmbs) {
        const s = sets[sets.length - 1];
        if (s && s.aa === aa && s.flags === flags && s.drc + s.count === drc && s.base + s.count * size === addr) s.count++;
        else sets.push({ count: 1n, base: addr, drc, aa, flags });
      }
    }
    const parts = [u32(dc.n_sets ?? sets.length)];
    for (const s of sets) parts.push(u32(s.count), u64(s.base), u32(s.drc, s.aa, s.flags));
    props.set('ibm,dynamic-memory-v2', Buffer.concat(parts));
  } else if (version !== 0) throw new Error('drconf.version must be 0, 1 or 2');
  const la = dc.lookup_arrays === undefined ? [[0, 0, 0, 0]] : (dc.lookup_arrays as Json[][] | null);
  if (la !== null) {
    const width = la.length ? la[0]!.length : Number(num(dc.lookup_array_size ?? 4));
    props.set('ibm,associativity-lookup-arrays', Buffer.concat([u32(la.length, width), ...la.map((r) => u32(...r))]));
  }
  if (dc.memory_flags_mask !== undefined) props.set('ibm,memory-flags-mask', u32(dc.memory_flags_mask));
  if (dc.phandle !== undefined && dc.phandle !== null) props.set('ibm,phandle', u32(dc.phandle));
  props.set('name', cstr('ibm,dynamic-reconfiguration-memory'));
  for (const [k, v] of Object.entries((dc.props as Obj | undefined) ?? {})) {
    if (v === null) props.delete(k);
    else props.set(k, encodeProp(v)!);
  }
  f.mkdir(DRCONF);
  for (const [k, v] of props) f.put(`${DRCONF}/${k}`, v);
  return [size, lmbs];
}

function buildSysfsMemory(f: Files, sm: Obj, lmbSize: bigint, lmbs: LmbT[]): void {
  const base = '/sys/devices/system/memory';
  f.mkdir(base);
  let bsb: Json | undefined = sm.block_size_bytes;
  if (bsb === undefined || bsb === null) bsb = (lmbSize || 0x10000000n).toString(16);
  let bs = 0n;
  if (bsb !== false) {
    const text = typeof bsb === 'string' ? bsb : num(bsb).toString(16);
    f.put(`${base}/block_size_bytes`, Buffer.from(`${text}\n`));
    bs = BigInt(/^0[xX]/.test(text) ? text : `0x${text}`);
  }
  const blocks = new Map<bigint, Obj>();
  const mode = sm.blocks ?? 'auto';
  if (mode === 'auto' && bs && lmbSize) {
    for (const [, addr, , flags] of lmbs) {
      if (!(flags & 8n)) continue;
      for (let a = addr; a < addr + lmbSize; a += bs) blocks.set(a / bs, {});
    }
  } else if (Array.isArray(mode)) {
    for (const b of mode) {
      if (b && typeof b === 'object' && !Array.isArray(b)) {
        const { n, ...rest } = b;
        blocks.set(num(n), rest);
      } else blocks.set(num(b), {});
    }
  }
  for (const n of (sm.extra as Json[] | undefined) ?? []) if (!blocks.has(num(n))) blocks.set(num(n), {});
  for (const n of (sm.omit as Json[] | undefined) ?? []) blocks.delete(num(n));
  const rem = new Map(Object.entries((sm.removable as Obj | undefined) ?? {}).map(([k, v]) => [num(k), v]));
  const st = new Map(Object.entries((sm.state as Obj | undefined) ?? {}).map(([k, v]) => [num(k), v]));
  for (const [n, attrs] of [...blocks.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const d = `${base}/memory${n}`;
    f.mkdir(d);
    const state = (st.get(n) as string | undefined) ?? 'online';
    const a: Obj = {
      state,
      online: state === 'online' ? 1 : 0,
      removable: rem.get(n) ?? 1,
      phys_index: n.toString(16).padStart(8, '0'),
      phys_device: 0,
      valid_zones: state === 'online' ? 'Normal' : 'Normal Movable',
      ...attrs,
    };
    for (const [k, v] of Object.entries(a)) {
      if (v === null) continue;
      f.put(`${d}/${k}`, Buffer.from(`${pyStr(v)}\n`));
    }
  }
  if (sm.probe) f.put(`${base}/probe`, Buffer.alloc(0));
}

function pyStr(v: Json): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

function buildSysfsCpus(f: Files, sc: Obj): void {
  const base = '/sys/devices/system/cpu';
  f.mkdir(base);
  ((sc.threads as Json[] | undefined) ?? []).forEach((t, i) => {
    let phys: Json;
    let online: Json | undefined;
    if (t && typeof t === 'object' && !Array.isArray(t)) {
      phys = t.physical_id ?? i;
      online = t.online === undefined ? 1 : t.online;
    } else {
      phys = t;
      online = 1;
    }
    const d = `${base}/cpu${i}`;
    f.mkdir(d);
    f.put(`${d}/physical_id`, Buffer.from(`${num(phys)}\n`));
    if (online !== null) f.put(`${d}/online`, Buffer.from(`${pyStr(online!)}\n`));
  });
  for (const [k, v] of Object.entries((sc.files as Obj | undefined) ?? {})) f.put(`${base}/${k}`, typeof v === 'string' ? Buffer.from(v) : encodeProp(v)!);
}

export function buildTree(desc: Obj): TreeFiles {
  const f = new Files();
  const ci = desc.cpuinfo === undefined ? 'pseries' : desc.cpuinfo;
  if (ci !== null) f.put('/proc/cpuinfo', Buffer.from(CPUINFO[ci as string] ?? (ci as string)));
  f.mkdir(DT);
  f.mkdir('/sys/devices/system');
  f.mkdir('/var/lock');
  f.mkdir('/var/log');
  f.mkdir('/tmp');
  if (desc.root_defaults ?? true) {
    const d: [string, Buffer][] = [
      ['device_type', cstr('chrp')],
      ['name', cstr('device-tree')],
      ['model', cstr('IBM,9009-42A')],
      ['compatible', Buffer.concat([cstr('IBM,9009-42A'), cstr('IBM,9009'), cstr('ibm,powervm-partition')])],
      ['ibm,lpar-capable', Buffer.alloc(0)],
      ['#address-cells', u32(2)],
      ['#size-cells', u32(2)],
    ];
    for (const [k, v] of d) f.put(`${DT}/${k}`, v);
  }
  let lmbSize = 0n;
  let lmbs: LmbT[] = [];
  if (desc.drconf !== undefined && desc.drconf !== null) [lmbSize, lmbs] = buildDrconf(f, desc.drconf as Obj);
  const autoName = desc.auto_name ?? true;
  for (const [path, props] of Object.entries((desc.tree as Obj | undefined) ?? {})) {
    const trimmed = path.replace(/^\/+|\/+$/g, '');
    const full = DT + (trimmed === '' ? '' : `/${trimmed}`);
    f.mkdir(full);
    if (autoName && trimmed) f.put(`${full}/name`, cstr(trimmed.split('/').pop()!.split('@')[0]!), false);
    for (const [k, v] of Object.entries((props as Obj | null) ?? {})) {
      if (v === null) {
        f.remove(`${full}/${k}`);
        continue;
      }
      const data = encodeProp(v);
      if (data !== null) f.put(`${full}/${k}`, data);
    }
  }
  const sm = desc.sysfs_memory === undefined ? {} : desc.sysfs_memory;
  if (sm !== null) buildSysfsMemory(f, sm as Obj, lmbSize, lmbs);
  if (desc.sysfs_cpus !== undefined && desc.sysfs_cpus !== null) buildSysfsCpus(f, desc.sysfs_cpus as Obj);
  for (const [path, content] of Object.entries((desc.files as Obj | undefined) ?? {})) {
    if (content === null) f.remove(path);
    else if (typeof content === 'string') f.put(path, Buffer.from(content));
    else f.put(path, encodeProp(content)!);
  }
  for (const d of (desc.dirs as string[] | undefined) ?? []) f.mkdir(d);
  return f.m;
}

/** Write the tree into a memfs volume below `prefix` ("" = at /). */
export function treeVolume(files: TreeFiles, prefix = ''): { fs: FsPort; vol: Volume } {
  const vol = new Volume();
  vol.mkdirSync(prefix || '/', { recursive: true });
  for (const [p, data] of files) {
    if (data === null) vol.mkdirSync(prefix + p, { recursive: true });
  }
  for (const [p, data] of files) {
    if (data !== null) vol.writeFileSync(prefix + p, data);
  }
  return { fs: createFsFromVolume(vol) as unknown as FsPort, vol };
}
