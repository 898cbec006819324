// drmgr -c mem: drslot_chrp_mem() on the in-kernel DLPAR path
// (/sys/kernel/dlpar). The legacy user-space path (RTAS, /proc/ppc64/ofdt) is
// out of scope: followed only while it is deterministic (LMB list, removable
// count), then refused with a clear message. NUMA-based removal needs
// libnuma's view of the running kernel, which drscope does not have: we do what
// the original does when libnuma is unavailable (numa_enabled == 0, as in the
// oracle): no NUMA attempt, no warning, the plain "memory remove count N".
import { Level } from '../say.js';
import { errnoCode, strerror } from '../errno.js';
import { memDlparCapable } from './capabilities.js';
import { getLmbs } from '../lmbs.js';
import { sysfsInt } from '../system.js';
import type { DrSession } from './session.js';

export const SYSFS_DLPAR = '/sys/kernel/dlpar';
const O_WRONLY = 1;

export interface MemRequest {
  action: 'add' | 'remove';
  /** usr_drc_count (uint32) */
  count: number;
  /** usr_drc_index, 0 = none */
  index: number;
  /** a -s value that was not "0x..." (it forces count 1, as in the original) */
  name: string | undefined;
}

/** ehea_compatable(): the original runs "lsmod | grep ehea"; we read /proc/modules (what lsmod prints). */
function eheaCompatible(s: DrSession, action: 'add' | 'remove'): boolean {
  const mods = s.view.files.readFile('/proc/modules');
  if (!mods || !Buffer.from(mods).toString('latin1').includes('ehea')) return true;
  const caps = s.view.files.readFile('/sys/bus/ibmebus/drivers/ehea/capabilities');
  if (!caps) {
    s.say.say(Level.INFO, 'The eHEA module for this system does not support memory DLPAR operations.\n');
    return false;
  }
  const m = /^\s*(\d+)/.exec(Buffer.from(caps).toString('latin1'));
  const flags = m ? BigInt(m[1]!) : 0n;
  const ok = action === 'add' ? (flags & 2n) !== 0n : (flags & 4n) !== 0n;
  if (!ok) s.say.say(Level.INFO, `The eHEA modules loaded on this system does not support memory DLPAR ${action} operations.\n`);
  return ok;
}

/** kernel_dlpar_exists() for memory */
function kernelDlparExists(s: DrSession): boolean {
  if (s.view.files.kind(SYSFS_DLPAR) === undefined) return false;
  let b: Uint8Array | undefined;
  try {
    b = s.view.files.readFile(SYSFS_DLPAR);
  } catch {
    return true;
  }
  const w = b === undefined ? undefined : /^\s*(\S+)/.exec(Buffer.from(b).toString('latin1'))?.[1];
  if (w === undefined) return true; // the read failed: assumed present for memory
  return w.slice(0, 63).includes('memory');
}

function report(out: string[], n: number): void {
  out.push(`DR_TOTAL_RESOURCES=${n | 0}\n`);
}

/** do_kernel_dlpar(): one write() of the request, no newline, no O_TRUNC */
function kernelDlpar(s: DrSession, cmd: string, out: string[]): boolean {
  s.say.say(Level.DEBUG, `Initiating kernel DLPAR "${cmd}"\n`);
  if (s.dryRun) {
    out.push(`dry run: would write "${cmd}" to ${s.path(SYSFS_DLPAR)}\n`);
    return true;
  }
  let fd: number;
  try {
    fd = s.fs.openSync(SYSFS_DLPAR, O_WRONLY);
  } catch {
    s.say.say(Level.ERROR, `Could not open ${SYSFS_DLPAR} to initiate DLPAR request\n`);
    return false;
  }
  try {
    const n = s.fs.writeSync(fd, Buffer.from(cmd, 'latin1'));
    if (n <= 0) {
      s.say.say(Level.ERROR, `Failed to write to ${SYSFS_DLPAR}: wrote 0 bytes\n`);
      return false;
    }
  } catch (e) {
    s.say.say(Level.ERROR, `Failed to write to ${SYSFS_DLPAR}: ${strerror(errnoCode(e))}\n`);
    return false;
  } finally {
    try {
      s.fs.closeSync(fd);
    } catch {
      /* nothing useful to do */
    }
  }
  s.say.say(Level.DEBUG, 'Success\n');
  return true;
}

/**
 * ams_balloon_active(): AMS is on when cmm0/loaned_kb and the cmm parameters
 * exist; ballooning is active unless parameters/disable reads non-zero (a
 * file that opens but does not parse leaves the zeroed buffer: active).
 */
function amsBalloonActive(s: DrSession): boolean {
  let inactive = 1;
  const params = '/sys/module/cmm/parameters';
  if (s.view.files.kind('/sys/devices/system/cmm/cmm0/loaned_kb') !== undefined && s.view.files.kind(params) !== undefined) {
    const f = `${params}/disable`;
    const kind = s.view.files.kind(f);
    if (kind === 'file') inactive = sysfsInt(s.view, f) ?? 0;
    else if (kind === 'dir') inactive = 0; // fopen("r") succeeds, fscanf fails: the zeroed buffer
  }
  s.say.say(Level.DEBUG, `AMS ballooning ${inactive ? 'is not' : 'is'} active\n`);
  return !inactive;
}

/**
 * The legacy user-space path (no "memory" in /sys/kernel/dlpar) as far as it is
 * deterministic: get_lmbs() (drmgr never reads ibm,dynamic-memory-v2) and, for
 * remove, the count of removable LMBs. Past that the original needs RTAS (add)
 * or picks LMBs at random (remove): refused, out of scope.
 */
function legacyMem(s: DrSession, action: 'add' | 'remove', count: number, out: string[]): number {
  const lmbs = getLmbs(s.view, s.say, false);
  if (!lmbs) {
    s.say.say(Level.ERROR, 'Could not gather LMB (logical memory block information.\n');
    return 255;
  }
  if (action === 'remove' && !amsBalloonActive(s)) {
    let removable = 0;
    for (let i = 0; i < lmbs.n; i++) if (lmbs.removable[i]) removable++;
    if (removable === 0) {
      s.say.say(Level.ERROR, 'There is not enough removable memory available to fulfill the request.\n');
      // usr_drc_count is unsigned: any request is more than 0 candidates
      if (count >>> 0 > 0) s.say.say(Level.INFO, 'Only 0 LMBs are currently candidates for removal.\n');
      s.say.say(Level.ERROR, 'Removed 0 of 0 requested LMB(s)\n');
      report(out, 0);
      return 255;
    }
    if (removable < count >>> 0) s.say.say(Level.INFO, `Only ${removable} LMBs are currently candidates for removal.\n`);
  }
  s.say.say(Level.ERROR, `${SYSFS_DLPAR} does not offer memory DLPAR: the legacy user-space (RTAS) memory path is not supported by this drmgr (drscope)\n`);
  return 255;
}

/** drslot_chrp_mem() without -p: returns the exit status */
export function drslotChrpMem(s: DrSession, req: MemRequest, out: string[]): number {
  if (!memDlparCapable(s) || !eheaCompatible(s, req.action)) {
    s.say.say(Level.ERROR, 'DLPAR memory operations are not supported onthis kernel.');
    return 255;
  }
  let count = req.count;
  if (req.name !== undefined) count = 1;
  if (!kernelDlparExists(s)) return legacyMem(s, req.action, count, out);
  const cmd = `memory ${req.action} ${req.index ? `index 0x${req.index.toString(16)}` : `count ${count | 0}`}`;
  const ok = kernelDlpar(s, cmd, out);
  if (s.dryRun) return 0;
  report(out, ok ? count : 0);
  return ok ? 0 : 255;
}
