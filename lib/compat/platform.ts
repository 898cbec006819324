// The two platform gates both tools pass first: get_platform() over
// /proc/cpuinfo and valid_platform("chrp") over the root device_type.
import { Level, type Say } from './say.js';
import { getProperty, ofNode, propString, type SystemView } from './system.js';

export type Platform = 'unknown' | 'powernv' | 'pseries-lpar' | 'pseries-kvm' | 'no-cpuinfo';

export function getPlatform(view: SystemView): Platform {
  let text: string;
  try {
    const b = view.files.readFile('/proc/cpuinfo');
    // fopen() of a directory succeeds and the first fgets() fails (EISDIR): no line matches
    if (b === undefined) return view.files.list('/proc/cpuinfo') !== undefined ? 'unknown' : 'no-cpuinfo';
    text = Buffer.from(b).toString('latin1');
  } catch {
    return 'no-cpuinfo';
  }
  let p: Platform = 'unknown';
  for (const line of text.split('\n')) {
    if (line.includes('PowerNV')) return 'powernv';
    if (line.includes('IBM pSeries (emulated by qemu)')) return 'pseries-kvm';
    if (line.includes('pSeries')) p = 'pseries-lpar';
  }
  return p;
}

/** the name the C tools print for a refused platform ("(null)" is glibc's rendering of a NULL %s) */
export function refusedPlatformName(p: Platform): string | undefined {
  if (p === 'powernv') return 'PowerNV';
  if (p === 'unknown') return 'Unknown';
  if (p === 'no-cpuinfo') return '(null)';
  return undefined;
}

/** valid_platform("chrp"); messages at ERROR (invisible in lsslot, which has not parsed -d yet) */
export function validPlatformChrp(view: SystemView, say: Say): boolean {
  const v = getProperty(ofNode(view, '/'), 'device_type', 128);
  if (v === undefined) {
    say.say(Level.ERROR, 'Cannot validate platform chrp\n');
    return false;
  }
  if (propString(v) !== 'chrp') {
    say.say(Level.ERROR, 'This command is not supported for chrp platforms.\n');
    return false;
  }
  return true;
}
