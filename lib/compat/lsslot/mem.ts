// lsslot -c mem: print_drconf_mem() / the legacy memory@ table, byte for byte.
import { getLmbs, DRCONF_PATH, type CLmbList } from '../lmbs.js';
import { Level, type Say } from '../say.js';
import { getProperty, ofNode, type SystemView } from '../system.js';
import { strtol } from '../getopt.js';
import { ByteOut } from '../byte-out.js';

function be32(b: Uint8Array, o: number): number {
  if (o + 4 > b.length) return 0;
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

const latin1 = (b: string) => Buffer.from(b, 'latin1');
const OWNED = latin1(': \n    DRC Index: ');
const NOT_OWNED = latin1(': Not Owned\n    DRC Index: ');
const ADDRESS = latin1('        Address: ');
const REMOVABLE_YES = latin1('\n    Removable: Yes             Associativity: ');
const REMOVABLE_NO = latin1('\n    Removable: No              Associativity: ');
const SECTIONS = latin1('    Section(s):');
const COMMA = latin1(', ');

/**
 * returns the exit code; text goes to out. `emit`, when given, receives the
 * LMB listing as ~1 MB byte chunks as it is made (after what `out` holds so far,
 * which the caller writes first); without it the listing is pushed to `out` too.
 */
export function lsslotMem(view: SystemView, say: Say, drcName: string | undefined, out: string[], noSysfsNote?: (text: string) => void, emit?: (chunk: Uint8Array) => void): number {
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
    const sink = new ByteOut(emit ?? ((c) => out.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1'))));
    sink.text(`Dynamic Reconfiguration Memory (LMB size 0x${list.sizeOf(0).toString(16)})\n`);
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
    // "\n    Removable: …Associativity: …\n    Section(s):" is one of a few byte strings: built once, copied in one go
    const middles = new Map<number, Uint8Array>();
    const middle = (aaIndex: number, removable: boolean, owned: boolean) => {
      const key = aaIndex * 4 + (removable ? 2 : 0) + (owned ? 1 : 0);
      let m = middles.get(key);
      if (m === undefined) {
        m = Buffer.concat([removable ? REMOVABLE_YES : REMOVABLE_NO, latin1(assocText(aaIndex)), owned ? SECTIONS : new Uint8Array(0)]);
        middles.set(key, m);
      }
      return m;
    };
    const big = list.bigValues.size > 0;
    for (let i = 0; i < list.n; i++) {
      const owned = list.owned[i] === 1;
      if (want !== 0 && want !== list.drcIndex[i]) continue;
      if (!showUnowned && !owned) continue;
      sink.bytes(owned ? OWNED : NOT_OWNED);
      sink.hex32(list.drcIndex[i]!);
      sink.bytes(ADDRESS);
      if (big) sink.text(list.addressOf(i).toString(16));
      else sink.hex(list.address[i]!);
      sink.bytes(middle(list.aaIndex[i]!, list.removable[i] === 1, owned));
      if (owned) {
        writeSections(sink, list, i);
        sink.bytes(NEWLINE);
      }
    }
    sink.flush();
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

const SPACE = latin1(' ');
const NEWLINE = latin1('\n');

/** sectionsText(), as bytes */
function writeSections(sink: ByteOut, list: CLmbList, i: number): void {
  const e = list.explicitSections.get(i);
  if (e) {
    for (let k = 0; k < e.length; k++) {
      sink.bytes(k === 0 ? SPACE : COMMA);
      sink.int32(e[k]!);
    }
    return;
  }
  const first = list.secFirst[i]!;
  const count = list.secCount[i]!;
  for (let k = count - 1; k >= 0; k--) {
    sink.bytes(k === count - 1 ? SPACE : COMMA);
    sink.int32((first + k) | 0);
  }
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
