// lsslot -c mem: print_drconf_mem() / the legacy memory@ table, byte for byte.
import { getLmbs, DRCONF_PATH } from '../lmbs.js';
import { Level, type Say } from '../say.js';
import { getProperty, ofNode, type SystemView } from '../system.js';
import { strtol } from '../getopt.js';

function be32(b: Uint8Array, o: number): number {
  if (o + 4 > b.length) return 0;
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** returns the exit code; text goes to out */
export function lsslotMem(view: SystemView, say: Say, drcName: string | undefined, out: string[], noSysfsNote?: (text: string) => void): number {
  const fallback = noSysfsNote
    ? () => {
        const v = getProperty(ofNode(view, DRCONF_PATH), 'ibm,lmb-size', 8);
        if (!v) return undefined;
        const b = new Uint8Array(8);
        b.set(v);
        const size = Buffer.from(b).readBigUInt64BE(0).toString(16);
        noSysfsNote(`no /sys/devices/system/memory/block_size_bytes in this capture: sections assume one memory block per LMB (0x${size} bytes)\n`);
        return size;
      }
    : undefined;
  const list = getLmbs(view, say, true, fallback);
  if (!list || list.lmbs.length === 0) return 255;
  const first = list.lmbs[0]!;
  if (list.drconf) {
    // failure here is ignored by lsslot: exit 0, nothing printed
    const aa = getProperty(ofNode(view, DRCONF_PATH), 'ibm,associativity-lookup-arrays');
    if (!aa) {
      say.say(Level.ERROR, 'Could not get associativity information.\n');
      return 0;
    }
    const width = be32(aa, 4);
    // strtol() result stored in a uint32_t: wraps mod 2^32; 0 means "no filter"
    const want = drcName === undefined ? 0 : Number(BigInt.asUintN(32, strtol(drcName, 0)));
    const showUnowned = say.level >= Level.DEBUG;
    out.push(`Dynamic Reconfiguration Memory (LMB size 0x${first.size.toString(16)})\n`);
    for (const lmb of list.lmbs) {
      if (want !== 0 && want !== lmb.drcIndex) continue;
      if (!showUnowned && !lmb.owned) continue;
      let s = `: ${lmb.owned ? '' : 'Not Owned'}\n`;
      s += `    DRC Index: ${lmb.drcIndex.toString(16)}        Address: ${lmb.address.toString(16)}\n`;
      s += `    Removable: ${lmb.removable ? 'Yes' : 'No '}             Associativity: `;
      if (lmb.aaIndex === 0xffffffff) s += 'Not Set\n';
      else {
        s += `(index: ${lmb.aaIndex | 0}) `;
        // cells past the end of the property are undefined in C (no bounds check); we print 0
        const startCell = 2 + lmb.aaIndex * width;
        for (let i = 0; i < width; i++) s += `${be32(aa, 4 * (startCell + i)) | 0} `;
        s += '\n';
      }
      if (lmb.owned) s += `    Section(s):${lmb.sections.map((n, i) => (i === 0 ? ` ${n}` : `, ${n}`)).join('')}\n`;
      out.push(s);
    }
    return 0;
  }
  out.push(`lmb size: 0x${first.size.toString(16)}\n`);
  out.push(`${'Memory Node'.padEnd(20)}  ${'Name'.padEnd(5)}  R  Sections\n`);
  out.push(`${'-----------'.padEnd(20)}  ${'----'.padEnd(5)}  -  --------\n`);
  for (const lmb of list.lmbs) {
    if (!lmb.owned) continue;
    out.push(`${lmb.ofdtPath.padEnd(20)}  ${''.padEnd(5)}  ${lmb.removable ? 'Y' : 'N'} ${lmb.sections.map((n, i) => (i === 0 ? ` ${n}` : `, ${n}`)).join('')}\n`);
  }
  return 0;
}
