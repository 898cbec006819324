// lsslot -c slot | pci | phb | port: lsslot_chrp_pci/phb/port, byte for byte.
import { dlparNodes, hotplugNodes, locCodeCmp, slotDescription, type SlotInventory, type SlotNode } from '../../model/slot.js';
import { Level, type Say } from '../say.js';
import type { SystemView } from '../system.js';
import type { LsslotOptions } from './main.js';

const LNAME_SIZE = 12; // "xxxx:xx:xx.x"
/** DRC names as the C structs hold them */
const C_NAMES = { cNames: true };

interface PrintNode {
  node: SlotNode;
  desc: string;
}

/** insert_print_node(): stable insertion sort by location code, tracking column widths */
class PrintList {
  readonly items: PrintNode[] = [];
  maxName: number;
  maxDesc: number;
  constructor(nameHeader: string, descHeader: string) {
    this.maxName = nameHeader.length;
    this.maxDesc = descHeader.length;
  }
  insert(node: SlotNode): void {
    const p = { node, desc: slotDescription(node) };
    this.maxName = Math.max(this.maxName, Buffer.byteLength(node.drcName, 'latin1'));
    this.maxDesc = Math.max(this.maxDesc, p.desc.length);
    const at = this.items.findIndex((x) => locCodeCmp(x.node.drcName, node.drcName) > 0);
    if (at < 0) this.items.push(p);
    else this.items.splice(at, 0, p);
  }
}

/**
 * cmp_drcname(): the argument is cut at its last '/' IN PLACE, then compared
 * exactly; so "A/B/C" is compared as "A/B" for the first node, "A" for the next.
 */
function drcNameMatcher(arg: string): (name: string) => boolean {
  let cur = arg;
  return (name) => {
    const slash = cur.lastIndexOf('/');
    if (slash >= 0) cur = cur.slice(0, slash);
    return name === cur;
  };
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + ' '.repeat(w - s.length);
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function report(say: Say, inv: SlotInventory): void {
  for (const [lvl, msg] of inv.messages) say.say(lvl, msg);
}

/** print_node_list(): every node and its children at EXTRA_DEBUG, one say() (256-byte buffer) each */
function printNodeList(say: Say, nodes: SlotNode[]): void {
  // called only when output_level >= EXTRA_DEBUG (signed: not for a negative -d)
  if (say.level < Level.EXTRA_DEBUG) return;
  const one = (n: SlotNode) =>
    say.say(Level.EXTRA_DEBUG, `${n.ofdtPath}: ${n.skip ? '(SKIP)' : ''}\n\tdrc index: 0x${n.drcIndex.toString(16)}        description: ${slotDescription(n)}\n\tdrc name: ${n.drcName}\n\tloc code: ${n.locCode}\n`);
  say.say(Level.EXTRA_DEBUG, '\nDR nodes list\n==============\n');
  for (const n of nodes) {
    one(n);
    for (const c of n.children) one(c);
  }
  say.say(Level.EXTRA_DEBUG, '\n');
}

export function lsslotPciOrSlot(view: SystemView, say: Say, o: LsslotOptions, out: string[]): number {
  const pci = o.type === 'pci';
  const inv = pci ? hotplugNodes(view, C_NAMES) : dlparNodes(view, { pci: true, vio: true, hea: true }, C_NAMES);
  report(say, inv);
  if (inv.nodes.length === 0) {
    say.say(Level.ERROR, pci ? 'There are no PCI hot plug slots on this system.\n' : 'There are no DR slots on this system.\n');
    return 0;
  }
  printNodeList(say, inv.nodes);
  const list = new PrintList('# Slot', 'Description');
  const cmpDrcName = drcNameMatcher(o.drcName ?? '');
  for (const node of inv.nodes) {
    if (!node.owned || node.skip) continue;
    if (o.drcName !== undefined) {
      if (cmpDrcName(node.drcName)) list.insert(node);
    } else if (o.showAvailable && node.children.length === 0) list.insert(node);
    else if (o.showOccupied && node.children.length !== 0) list.insert(node);
  }
  if (list.items.length === 0) {
    if (o.drcName === undefined) {
      say.say(Level.ERROR, 'The specified PCI slot is either invalid\nor does not support hot plug operations.\n');
      return 1;
    }
    return 0;
  }
  const d = o.delimiter;
  let fmt: (...cols: string[]) => string;
  if (!pci) {
    if (d !== undefined) fmt = (a, b, c) => `${a}${d}${b}${d}${c}${d}`;
    else {
      fmt = (a, b, c) => pad(a!, list.maxName + 2) + pad(b!, list.maxDesc + 2) + pad(c!, LNAME_SIZE + 2);
      out.push(`${fmt('# Slot', 'Description', 'Linux Name')}Device(s)\n`);
    }
  } else if (d !== undefined) fmt = (a, b) => `${a}${d}${b}${d}`;
  else {
    fmt = (a, b) => pad(a!, list.maxName + 2) + pad(b!, list.maxDesc + 2);
    out.push(`${fmt('# Slot', 'Description')}Device(s)\n`);
  }
  for (const { node, desc } of list.items) {
    if (!node.owned) continue;
    if (!pci) {
      let s = fmt(node.drcName, desc, node.sysfsPath ? basename(node.sysfsPath) : '?');
      if (node.kind === 'hea') {
        if (node.children.length === 0) s += 'Empty\n';
        else s += `${node.children.map((p, i) => `${i === 0 ? '' : ','}${p.drcName} `).join('')}\n`;
      } else s += node.dname === '' ? 'Empty\n' : `${node.dname}\n`;
      out.push(s);
    } else {
      let s = fmt(node.drcName, desc);
      if (node.children.length === 0) s += 'Empty\n';
      else {
        node.children.forEach((c, i) => {
          if (i > 0) s += fmt('', '');
          s += c.sysfsPath ? `${basename(c.sysfsPath)}\n` : c.dname ? `${c.dname}\n` : '?\n';
        });
      }
      out.push(s);
    }
  }
  return 0;
}

export function lsslotPhb(view: SystemView, say: Say, o: LsslotOptions, out: string[]): number {
  const inv = dlparNodes(view, { phb: true }, C_NAMES);
  report(say, inv);
  if (inv.nodes.length === 0) return 255;
  out.push(`${pad('PHB name', 10)}${pad('OFDT Name', 20)} Slot(s) Connected\n`);
  for (const phb of inv.nodes) {
    if (o.drcName !== undefined && o.drcName !== phb.drcName) continue;
    const at = phb.ofdtPath.indexOf('/pci');
    // strstr() can fail only for a PHB outside /pci*: printf("%s", NULL) prints "(null)"
    let s = `${pad(phb.drcName, 10)}${pad(at < 0 ? '(null)' : phb.ofdtPath.slice(at), 20)} `;
    let printed = 0;
    for (const c of phb.children) {
      if (!c.owned) continue;
      s += printed === 0 ? `${c.drcName}\n` : `${pad('', 30)} ${c.drcName}\n`;
      printed++;
    }
    s += printed ? '\n' : '\n\n';
    out.push(s);
  }
  return 0;
}

export function lsslotPort(view: SystemView, say: Say, o: LsslotOptions, out: string[]): number {
  const inv = dlparNodes(view, { hea: true }, C_NAMES);
  report(say, inv);
  if (inv.nodes.length === 0) {
    say.say(Level.ERROR, 'There are no LHEA ports on this system.\n');
    return 1;
  }
  printNodeList(say, inv.nodes);
  const list = new PrintList('LHEA port name', 'Description');
  const cmpDrcName = drcNameMatcher(o.drcName ?? '');
  for (const node of inv.nodes) {
    if (node.skip) continue;
    for (const c of node.children) {
      if (c.skip) continue;
      if (o.drcName === undefined || cmpDrcName(c.drcName)) list.insert(c);
    }
  }
  if (list.items.length === 0) {
    if (o.drcName !== undefined) {
      say.say(Level.ERROR, 'The specified port was not found.\n');
      return 1;
    }
    return 0;
  }
  const d = o.delimiter;
  const fmt = d !== undefined ? (a: string, b: string) => `${a}${d}${b}\n` : (a: string, b: string) => `${pad(a, list.maxName + 2)}${pad(b, list.maxDesc + 2)}\n`;
  if (d === undefined) out.push(fmt('LHEA port name', 'Description'));
  for (const p of list.items) out.push(fmt(p.node.drcName, p.desc));
  return 0;
}
