// lsslot -c cpu [-b | -p]: CPUs from the /cpus DRC list (printed in reverse DRC
// order), their threads (Linux cpuN whose physical_id is one of the node's
// interrupt servers) and the l2/l3 cache nodes, as lsslot_chrp_cpu prints them.
import type { Io } from '../../io.js';
import { kernfsOrder } from '../../dt/kernfs-order.js';
import type { DtNode } from '../../dt/tree.js';
import { drcListForC, drcListOfNode } from '../../decode/drc.js';
import { Level, type Say } from '../say.js';
import { drcFailureMessages, getProperty, getUintProperty, ofNode, sysfsInt, type SystemView } from '../system.js';
import type { LsslotOptions } from './main.js';

const CPU_BASE = '/proc/device-tree/cpus';
const MAX_INTSERV = 8;

export interface CpuThread {
  /** Linux logical cpu number (cpuN) */
  id: number;
  physId: number;
}

export interface CpuEntry {
  drcName: string;
  drcIndex: number;
  /** /cpus child node name, undefined when the partition does not own it */
  name?: string;
  threads: CpuThread[];
  l2cache: number;
  owned: boolean;
}

export interface CacheEntry {
  name: string;
  phandle: number;
  l2cache: number;
}

export interface CpuInventory {
  cpus: CpuEntry[];
  caches: CacheEntry[];
}

/**
 * init_cpu_drc_info(): undefined on failure (messages already said). `cNames`:
 * DRC names as the C structs hold them (lsslot), see drcListForC().
 */
export function cpuInventory(view: SystemView, say: Say, cNames = false): CpuInventory | undefined {
  // threads: cpu0, cpu1, ... up to the first gap
  const cpuDir = view.files.kind('/sys/devices/system/cpu');
  if (cpuDir === undefined) {
    say.say(Level.ERROR, 'Cannot gather CPU thread information,\nstat("/sys/devices/system/cpu"): No such file or directory\n');
    return undefined;
  }
  const entries = view.files.list('/sys/devices/system/cpu') ?? [];
  const present = new Set(entries);
  const threads: CpuThread[] = [];
  for (let i = 0; present.has(`cpu${i}`); i++) {
    const phys = sysfsInt(view, `/sys/devices/system/cpu/cpu${i}/physical_id`);
    if (phys === undefined) {
      say.say(Level.ERROR, `Could not get "physical_id" of thread /sys/devices/system/cpu/cpu${i}\n`);
      return undefined;
    }
    threads.push({ id: i, physId: phys });
  }
  // "expecting" is st_nlink - 2 of the directory: its number of subdirectories on kernfs (and tmpfs, ext4)
  const subdirs = entries.filter((n) => view.files.kind(`/sys/devices/system/cpu/${n}`) === 'dir').length;
  say.say(Level.EXTRA_DEBUG, `Expecting ${subdirs} threads...found ${threads.length}.\n`);
  const cpusNode = ofNode(view, '/cpus');
  const list = drcListOfNode(cpusNode);
  const c = drcListForC(cpusNode, list);
  if (!cpusNode || !c.entries) {
    if (cpusNode) for (const [lvl, msg] of drcFailureMessages(CPU_BASE, c.failure)) say.say(lvl, msg);
    say.say(Level.ERROR, `Could not get drc information for ${CPU_BASE}\n`);
    return undefined;
  }
  const cpus: CpuEntry[] = [];
  for (const d of cNames ? c.entries : list.entries) cpus.unshift({ drcName: d.name, drcIndex: d.index, threads: [], l2cache: 0xffffffff, owned: false });
  for (const name of kernfsOrder(cpusNode.children.keys())) {
    if (!name.startsWith('PowerPC')) continue;
    const node = cpusNode.children.get(name)!;
    const idx = getUintProperty(node, 'ibm,my-drc-index');
    if (idx === undefined) {
      say.say(Level.ERROR, `Could not retrieve drc index for ${CPU_BASE}/${name}\n`);
      return undefined;
    }
    const cpu = cpus.find((c) => c.drcIndex === idx);
    if (!cpu) {
      say.say(Level.ERROR, `Could not find cpu with drc index ${idx.toString(16)}\n`);
      return undefined;
    }
    if (!updateCpu(cpu, name, node, threads, say)) return undefined;
    say.say(Level.EXTRA_DEBUG, `Found cpu ${name}\n`);
  }
  const caches: CacheEntry[] = [];
  for (const name of kernfsOrder(cpusNode.children.keys())) {
    if (!name.includes('-cache@')) continue;
    const node = cpusNode.children.get(name)!;
    const ph = getUintProperty(node, 'ibm,phandle');
    if (ph === undefined) {
      say.say(Level.ERROR, `Could not retreive ibm,phandle property for ${CPU_BASE}/${name}\n`);
      return undefined;
    }
    caches.unshift({ name, phandle: ph, l2cache: getUintProperty(node, 'l2-cache') ?? 0xffffffff });
    say.say(Level.EXTRA_DEBUG, `Found cache ${name}\n`);
  }
  // a signed test in C (output_level >= EXTRA_DEBUG): a negative -d shows the say() messages above, not this list
  if (say.level >= Level.EXTRA_DEBUG) {
    say.say(Level.EXTRA_DEBUG, 'Start CPU List.\n');
    for (const cpu of cpus) {
      say.say(Level.EXTRA_DEBUG, `${cpu.drcIndex.toString(16)} : ${cpu.drcName}\n`);
      for (const t of cpu.threads) say.say(Level.EXTRA_DEBUG, `\tthread: ${t.physId | 0}: /sys/devices/system/cpu/cpu${t.id}\n`);
    }
    say.say(Level.EXTRA_DEBUG, 'Done.\n');
  }
  return { cpus, caches };
}

function updateCpu(cpu: CpuEntry, name: string, node: DtNode, threads: CpuThread[], say: Say): boolean {
  cpu.name = name;
  const is = getProperty(node, 'ibm,ppc-interrupt-server#s', 4 * MAX_INTSERV);
  if (!is) {
    say.say(Level.ERROR, `Could not retrieve ibm,ppc-interrupt-server#s property for ${name}\n`);
    return false;
  }
  const servers: number[] = [];
  const buf = new Uint8Array(4 * MAX_INTSERV).fill(0xff);
  buf.set(is);
  for (let i = 0; i < MAX_INTSERV; i++) servers.push(((buf[4 * i]! << 24) | (buf[4 * i + 1]! << 16) | (buf[4 * i + 2]! << 8) | buf[4 * i + 3]!) | 0);
  const nthreads = Math.floor(is.length / 4);
  if (getUintProperty(node, 'reg') === undefined || (node.prop('reg')?.length ?? 0) > 4) {
    say.say(Level.ERROR, `Could not retrieve reg property for ${name}\n`);
    return false;
  }
  cpu.l2cache = (node.prop('l2-cache')?.length ?? 0) <= 4 ? (getUintProperty(node, 'l2-cache') ?? 0xffffffff) : 0xffffffff;
  for (const t of threads) {
    for (let i = 0; i < nthreads; i++) {
      if (servers[i] !== t.physId) continue;
      // physical id 0 was the default on old kernels: only cpu0 may claim it
      if (t.physId === 0 && !String(t.id).startsWith('0')) continue;
      cpu.threads.push(t);
    }
  }
  cpu.owned = true;
  return true;
}

export function l2Of(cpu: CpuEntry, inv: CpuInventory): CacheEntry | undefined {
  return inv.caches.find((c) => c.phandle === cpu.l2cache);
}
export function l3Of(l2: CacheEntry, inv: CpuInventory): CacheEntry | undefined {
  return inv.caches.find((c) => c.phandle === l2.l2cache);
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + ' '.repeat(w - s.length);
}

export function lsslotCpu(view: SystemView, say: Say, o: LsslotOptions, out: string[], io: Io): number {
  const root = ofNode(view, '/');
  if (!root || (!root.props.has('ibm,lpar-capable') && !root.children.has('ibm,lpar-capable'))) {
    io.stderr.write('\nThe system is not LPAR.\n\n');
    return 1;
  }
  const inv = cpuInventory(view, say, true);
  if (!inv) {
    io.stderr.write('\nThere are no dynamically reconfigurable CPUs on this system.\n\n');
    return 1;
  }
  if (o.showCpusAndCaches) {
    out.push(`${pad('drc-name', 10)}${pad('OFDT-node', 20)}${pad('drc_index', 11)}${pad('thread id(s)', 25)}${pad('l2-cache', 15)}${pad('l3-cache', 15)}\n`);
    for (const cpu of inv.cpus) {
      let s = `${pad(cpu.drcName, 10)}${pad(cpu.name ?? '--', 20)}${pad(cpu.drcIndex.toString(16), 11)}`;
      let count = 0;
      for (const t of cpu.threads) {
        s += `${pad(t.id.toString(16), 2)} `;
        count += 3;
      }
      for (let i = count; i < 25; i++) s += ' ';
      const l2 = l2Of(cpu, inv);
      if (l2) say.say(Level.EXTRA_DEBUG, `found cache ${l2.name} for cpu ${cpu.name ?? '(null)'}\n`);
      const l3 = l2 ? l3Of(l2, inv) : undefined;
      if (l2 && l3) say.say(Level.EXTRA_DEBUG, `found cache ${l3.name} for cache ${l2.name}\n`);
      s += `${pad(l2?.name ?? 'N/A', 15)}${pad(l3?.name ?? 'N/A', 15)}\n`;
      out.push(s);
    }
  } else if (o.showCaches) {
    out.push('cache-name              phandle\n');
    for (const c of inv.caches) out.push(`${pad(c.name, 21)}${pad(c.phandle.toString(16), 8)}\n`);
  } else {
    out.push(`${pad('drc-name', 10)}${pad('OFDT-node', 20)}${pad('drc_index', 11)}${pad('thread id(s)', 13)}\n`);
    for (const cpu of inv.cpus) {
      if (!cpu.owned && say.level < Level.DEBUG) continue;
      out.push(`${pad(cpu.drcName, 10)}${pad(cpu.name ?? '--', 20)}${pad(cpu.drcIndex.toString(16), 11)}${cpu.threads.map((t) => `${pad(t.id.toString(16), 2)} `).join('')}\n`);
    }
  }
  return 0;
}
