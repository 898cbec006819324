// lsslot -c mem: print_drconf_mem() / the legacy memory@ table, byte for byte.
import { getLmbs, DRCONF_PATH, type CLmbList } from '../lmbs.js';
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
  if (!list || list.n === 0) return 255;
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
    out.push(`Dynamic Reconfiguration Memory (LMB size 0x${list.sizeOf(0).toString(16)})\n`);
    // one associativity text per aa index, built once
    const assoc = new Map<number, string>();
    const assocText = (aaIndex: number) => {
      let t = assoc.get(aaIndex);
      if (t === undefined) {
        if (aaIndex === 0xffffffff) t = 'Not Set\n';
        else {
          t = `(index: ${aaIndex | 0}) `;
          // cells past the end of the property are undefined in C (no bounds check); we print 0
          const startCell = 2 + aaIndex * width;
          for (let i = 0; i < width; i++) t += `${be32(aa, 4 * (startCell + i)) | 0} `;
          t += '\n';
        }
        assoc.set(aaIndex, t);
      }
      return t;
    };
    for (let i = 0; i < list.n; i++) {
      const owned = list.owned[i] === 1;
      if (want !== 0 && want !== list.drcIndex[i]) continue;
      if (!showUnowned && !owned) continue;
      let s = owned ? ': \n' : ': Not Owned\n';
      s += `    DRC Index: ${list.drcIndex[i]!.toString(16)}        Address: ${list.bigValues.size ? list.addressOf(i).toString(16) : list.address[i]!.toString(16)}\n`;
      s += `    Removable: ${list.removable[i] ? 'Yes' : 'No '}             Associativity: ${assocText(list.aaIndex[i]!)}`;
      if (owned) s += `    Section(s):${sectionsText(list, i)}\n`;
      out.push(s);
    }
    return 0;
  }
  out.push(`lmb size: 0x${list.sizeOf(0).toString(16)}\n`);
  out.push(`${'Memory Node'.padEnd(20)}  ${'Name'.padEnd(5)}  R  Sections\n`);
  out.push(`${'-----------'.padEnd(20)}  ${'----'.padEnd(5)}  -  --------\n`);
  for (let i = 0; i < list.n; i++) {
    if (!list.owned[i]) continue;
    out.push(`${(list.ofdtPath.get(i) ?? '').padEnd(20)}  ${''.padEnd(5)}  ${list.removable[i] ? 'Y' : 'N'} ${sectionsText(list, i)}\n`);
  }
  return 0;
}

function sectionsText(list: CLmbList, i: number): string {
  const e = list.explicitSections.get(i);
  if (e) return e.map((n, k) => (k === 0 ? ` ${n}` : `, ${n}`)).join('');
  const first = list.secFirst[i]!;
  const count = list.secCount[i]!;
  if (count === 1) return ` ${first}`;
  let s = '';
  for (let k = count - 1; k >= 0; k--) s += k === count - 1 ? ` ${(first + k) | 0}` : `, ${(first + k) | 0}`;
  return s;
}
