// drmgr -C / --capabilities: print_dlpar_capabilities(), and the kernel-module
// check that precedes it (check_kmods).
import { kernfsOrder } from '../../dt/kernfs-order.js';
import { Level } from '../say.js';
import { strerror } from '../errno.js';
import type { DrSession } from './session.js';

export const ADD_SLOT = '/sys/bus/pci/slots/control/add_slot';
export const ADD_SLOT2 = '/sys/bus/pci/slots/control/"add_slot"';
const LPARCFG = '/proc/ppc64/lparcfg';

function exists(s: DrSession, p: string): boolean {
  return s.view.files.kind(p) !== undefined;
}

/**
 * check_kmods(): without an add_slot file the original runs "/sbin/modprobe
 * rpadlpar_io". drscope never runs programs; it reports what the original
 * reports when modprobe fails (exit status 127, as with no modprobe at all).
 * Returns the add_slot file name to use, or a number = exit status.
 */
export function checkKmods(s: DrSession): string | number {
  if (!exists(s, ADD_SLOT) && !exists(s, ADD_SLOT2)) {
    s.say.say(Level.ERROR, 'rpadlpar_io module was not loaded\n');
    return 127;
  }
  return exists(s, ADD_SLOT) ? ADD_SLOT : ADD_SLOT2;
}

function capable(s: DrSession, what: string, file: string): boolean {
  s.say.say(Level.ERROR, `Validating ${what} capability...`);
  if (!exists(s, file)) {
    s.say.say(Level.ERROR, `no.\n    stat("${file}"): No such file or directory\n`);
    return false;
  }
  s.say.say(Level.ERROR, 'yes.\n');
  return true;
}

export function memDlparCapable(s: DrSession): boolean {
  return capable(s, 'Memory DLPAR', '/sys/devices/system/memory/block_size_bytes');
}

function cpuDlparCapable(s: DrSession): boolean {
  const dir = '/sys/devices/system/cpu';
  s.say.say(Level.ERROR, 'Validating CPU DLPAR capability...');
  const names = s.view.files.list(dir);
  if (!names) {
    s.say.say(Level.ERROR, `no.\n    opendir("${dir}"): No such file or directory\n`);
    return false;
  }
  let ok = true;
  for (const n of kernfsOrder(names)) {
    if (!n.startsWith('cpu') || !/[0-9]/.test(n[3] ?? '')) continue;
    const f = `${dir}/${n}/online`;
    if (!exists(s, f)) {
      s.say.say(Level.ERROR, `no.\n    stat("${f}"): No such file or directory\n`);
      ok = false;
    }
    // the original says "yes." even after "no." (it does not return early)
    s.say.say(Level.ERROR, 'yes.\n');
    break;
  }
  return ok;
}

/** get_sysparm(): a "key=value" line of /proc/ppc64/lparcfg (prefix match), strtoul base 0 */
export function getSysparm(s: DrSession, parm: string): bigint | undefined {
  let text = '';
  // fopen(..., "r") of a directory succeeds and its first fgets() fails: no line, "Error finding"
  if (s.view.files.kind(LPARCFG) !== 'dir') {
    try {
      const b = s.view.files.readFile(LPARCFG);
      if (b === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      text = Buffer.from(b).toString('latin1');
    } catch (e) {
      s.say.say(Level.ERROR, `Could not open "${LPARCFG}"\n${strerror(e)}\n`);
      return undefined;
    }
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith(parm)) continue;
    const eq = line.indexOf('=');
    if (eq < 0) break;
    const m = /^\s*([+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*))/.exec(line.slice(eq + 1));
    let v = 0n;
    if (m) {
      const t = m[1]!.replace(/^\+/, '');
      const neg = t.startsWith('-');
      const u = neg ? t.slice(1) : t;
      v = /^0[xX]/.test(u) ? BigInt(u) : u.length > 1 && u.startsWith('0') ? BigInt(`0o${u.slice(1)}`) : BigInt(u);
      if (neg) v = BigInt.asUintN(64, -v);
    }
    return v;
  }
  s.say.say(Level.ERROR, `Error finding ${parm} in ${LPARCFG}\n`);
  return undefined;
}

export function printCapabilities(s: DrSession, addSlot: string, out: string[]): void {
  const yn = (b: boolean) => (b ? 'yes' : 'no');
  const cpu = cpuDlparCapable(s);
  const mem = memDlparCapable(s);
  const slot = capable(s, 'I/O DLPAR', addSlot);
  const phb = capable(s, 'PHB DLPAR', addSlot);
  const hea = capable(s, 'HEA DLPAR', '/sys/bus/ibmebus/probe');
  const pmig = capable(s, 'partition migration', '/proc/device-tree/ibm,migratable-partition');
  const phib = capable(s, 'partition hibernation', '/sys/devices/system/power/hibernate');
  const slb = getSysparm(s, 'slb_size') !== undefined;
  const cpuEnt = getSysparm(s, 'partition_entitled_capacity') !== undefined;
  const memEnt = getSysparm(s, 'entitled_memory') !== undefined;
  out.push(`cpu_dlpar=${yn(cpu)},mem_dlpar=${yn(mem)},slot_dlpar=${yn(slot)},phb_dlpar=${yn(phb)},hea_dlpar=${yn(hea)},pmig=${yn(pmig)},cpu_entitlement=${yn(cpuEnt)},mem_entitlement=${yn(memEnt)},slb_resize=${yn(slb)},phib=${yn(phib)}\n`);
}
