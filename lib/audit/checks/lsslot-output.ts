// Support bundles carry lsslot text: sosreport runs lsslot, lsslot -c phb and
// lsslot -c pci into sos_commands/powerpc/, supportconfig appends the same
// commands to hardware.txt. This check re-renders each one from the bundle's
// own device tree (with the lsslot engine of lib/compat) and reports where the
// recorded output disagrees: the tree changed while the bundle was being taken
// (a DLPAR, an LPM), the copy of the tree is partial, or the system's lsslot
// saw something the tree copy does not hold.
import type { Io } from '../../io.js';
import { bufferWriter } from '../../io.js';
import { Say } from '../../compat/say.js';
import type { SystemView } from '../../compat/system.js';
import type { LsslotOptions } from '../../compat/lsslot/main.js';
import { lsslotMem } from '../../compat/lsslot/mem.js';
import { lsslotPciOrSlot, lsslotPhb } from '../../compat/lsslot/slots.js';
import type { FileView } from '../../dt/file-view.js';
import type { Source } from '../../dt/source.js';
import type { Finding } from '../../model/finding.js';
import { registerCode } from '../catalogue.js';
import type { AuditCheck, AuditContext } from '../types.js';

export interface RecordedLsslot {
  /** arguments after "lsslot" */
  args: string[];
  /** where it was found, for messages ("sos_commands/powerpc/lsslot_-c_phb", "hardware.txt: # /usr/sbin/lsslot -c pci") */
  where: string;
  text: string;
}

const SOS_DIR = '/sos_commands/powerpc';
const HARDWARE = '/hardware.txt';
const BLOCK_HEAD = /^#==\[ Command \]=+#$/;

function read(files: FileView, p: string): string | undefined {
  try {
    const b = files.readFile(p);
    return b === undefined ? undefined : Buffer.from(b).toString('latin1');
  } catch {
    return undefined;
  }
}

/** sos mangles "lsslot -c phb" into "lsslot_-c_phb" (collisions get ".1", ".2") */
export function sosArgs(name: string): string[] | undefined {
  const m = /^lsslot((?:_[^_.]+)*)(?:\.\d+)?$/.exec(name);
  if (!m) return undefined;
  return m[1] === '' ? [] : m[1]!.slice(1).split('_');
}

/** The "#==[ Command ]==…#" blocks of a supportconfig file whose command is lsslot. */
export function hardwareBlocks(text: string): { command: string; output: string }[] {
  const lines = text.split('\n');
  const out: { command: string; output: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!BLOCK_HEAD.test(lines[i]!) || !lines[i + 1]?.startsWith('# ')) continue;
    const command = lines[i + 1]!.slice(2);
    let j = i + 2;
    while (j < lines.length && !BLOCK_HEAD.test(lines[j]!)) j++;
    const body = lines.slice(i + 2, j);
    if (j === lines.length && body.at(-1) === '') body.pop(); // the file's final newline
    if (body.at(-1) === '') body.pop(); // _log_cmd's empty line after the output
    out.push({ command, output: body.length ? `${body.join('\n')}\n` : '' });
    i = j - 1;
  }
  return out;
}

/** every lsslot output a sosreport or supportconfig recorded */
export function recordedLsslot(files: FileView): RecordedLsslot[] {
  const found: RecordedLsslot[] = [];
  for (const name of [...(files.list(SOS_DIR) ?? [])].sort()) {
    const args = sosArgs(name);
    const text = args && read(files, `${SOS_DIR}/${name}`);
    if (args && text !== undefined) found.push({ args, where: `sos_commands/powerpc/${name}`, text });
  }
  const hw = read(files, HARDWARE);
  if (hw !== undefined) {
    for (const b of hardwareBlocks(hw)) {
      const words = b.command.trim().split(/\s+/);
      if (!/(^|\/)lsslot$/.test(words[0] ?? '')) continue;
      found.push({ args: words.slice(1), where: `hardware.txt: # ${b.command}`, text: b.output });
    }
  }
  return found;
}

const silentIo = (): Io => ({
  stdout: bufferWriter(),
  stderr: bufferWriter(),
  env: {},
  fs: undefined as never,
  readStdin: () => new Uint8Array(),
  now: () => new Date(0),
});

/** What lsslot prints for these arguments on this tree; undefined when the form is not one we re-render. */
export function impliedLsslot(view: SystemView, args: readonly string[]): string | undefined {
  let type: LsslotOptions['type'] = 'slot';
  if (args.length === 2 && args[0] === '-c') {
    if (args[1] !== 'slot' && args[1] !== 'phb' && args[1] !== 'pci' && args[1] !== 'mem') return undefined;
    type = args[1];
  } else if (args.length !== 0) return undefined;
  const opts: LsslotOptions = { type, showAvailable: type !== 'phb', showOccupied: type !== 'phb', showCpusAndCaches: false, showCaches: false, drcName: undefined, delimiter: undefined };
  const say = new Say(silentIo(), 0);
  const out: string[] = [];
  if (type === 'mem') lsslotMem(view, say, undefined, out);
  else if (type === 'phb') lsslotPhb(view, say, opts, out);
  else lsslotPciOrSlot(view, say, opts, out);
  return out.join('');
}

/**
 * `lsslot -c mem` also reads sysfs (removable, sections). When the bundle has
 * no /sys/devices/system/memory (sos does not copy it) only what the tree
 * decides is compared.
 */
function memTreeOnly(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('    Section(s):'))
    .map((l) => l.replace(/^( {4}Removable: )(Yes|No ) /, '$1?   '))
    .join('\n');
}

/**
 * lsslot -c mem needs block_size_bytes to run at all; a bundle without sysfs
 * gets the one pseries guarantees (block size == LMB size, kernel.md 5.1) so
 * the tree-decided lines can still be compared.
 */
function withBlockSize(view: SystemView): SystemView {
  const size = view.tree.root.children.get('ibm,dynamic-reconfiguration-memory')?.prop('ibm,lmb-size');
  if (size === undefined || size.length !== 8) return view;
  const hex = `${Buffer.from(size).readBigUInt64BE(0).toString(16)}\n`;
  const base = view.files;
  const BS = '/sys/devices/system/memory/block_size_bytes';
  const files: FileView = {
    readFile: (p) => (p === BS ? Buffer.from(hex) : base.readFile(p)),
    list: (p) => (p === '/sys/devices/system/memory' ? ['block_size_bytes'] : base.list(p)),
    kind: (p) => (p === BS ? 'file' : p === '/sys/devices/system/memory' ? 'dir' : base.kind(p)),
    readlink: (p) => base.readlink(p),
    describe: (p) => base.describe(p),
  };
  return { ...view, files };
}

function firstDifference(a: string, b: string): { line: number; recorded: string; implied: string } | undefined {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return { line: i + 1, recorded: x[i] ?? '(end of output)', implied: y[i] ?? '(end of output)' };
  }
  return undefined;
}

export function checkSource(source: Source, label: string): Finding[] {
  const out: Finding[] = [];
  const view: SystemView = { tree: source.tree, files: source.files, label };
  const hasSysfsMemory = source.files.kind('/sys/devices/system/memory') === 'dir';
  for (const rec of recordedLsslot(source.files)) {
    const cmd = `lsslot${rec.args.length ? ` ${rec.args.join(' ')}` : ''}`;
    if (/command not found|not executable/i.test(rec.text)) continue;
    const treeOnly = rec.args[1] === 'mem' && !hasSysfsMemory;
    const implied = impliedLsslot(treeOnly ? withBlockSize(view) : view, rec.args);
    if (implied === undefined) {
      out.push({ code: 'lsslot-output-unchecked', severity: 'info', file: `${label}:${rec.where}`, message: `${label}: ${rec.where}: "${cmd}" is not a form drscope re-renders (lsslot, -c slot|phb|pci|mem); not compared`, evidence: { command: cmd } });
      continue;
    }
    const a = treeOnly ? memTreeOnly(rec.text) : rec.text;
    const b = treeOnly ? memTreeOnly(implied) : implied;
    if (a === b) continue;
    const d = firstDifference(a, b)!;
    out.push({
      code: 'lsslot-output-mismatch',
      severity: 'warning',
      file: `${label}:${rec.where}`,
      message: `${label}: "${cmd}" recorded in ${rec.where} differs from what the bundle's device tree implies, first at line ${d.line}: recorded ${JSON.stringify(d.recorded)}, tree implies ${JSON.stringify(d.implied)}${treeOnly ? ' (sysfs columns ignored: the bundle has no /sys/devices/system/memory)' : ''}`,
      evidence: { command: cmd, where: rec.where, line: d.line, recorded: d.recorded, implied: d.implied, recordedLines: a.split('\n').length - 1, impliedLines: b.split('\n').length - 1, sysfsIgnored: treeOnly },
    });
  }
  return out;
}

registerCode('lsslot-output-mismatch', {
  severity: 'warning',
  group: 'capture',
  title: 'an lsslot output in the support bundle disagrees with the bundle\'s device tree',
  description:
    'sosreport (sos_commands/powerpc/lsslot*) and supportconfig (hardware.txt) record lsslot output; drscope renders the same command from the bundle\'s own device-tree copy. A difference means the tree changed while the bundle was taken (DLPAR or LPM in progress), the tree copy is partial (sos size limit), or the live lsslot saw state the copy does not hold. Compare the two and prefer a fresh "drscope capture".',
});
registerCode('lsslot-output-unchecked', {
  severity: 'info',
  group: 'capture',
  title: 'an lsslot output in the bundle was not compared',
  description: 'Only lsslot, lsslot -c slot|phb|pci|mem without further options are re-rendered from the tree; other recorded forms are listed but not checked.',
});

export const lsslotOutputCheck: AuditCheck = {
  id: 'lsslot-output',
  codes: ['lsslot-output-mismatch', 'lsslot-output-unchecked'],
  run(ctx: AuditContext): Finding[] {
    const out: Finding[] = [];
    for (const s of ctx.snapshots) {
      if (s.origin !== 'tree' || !s.source) continue;
      out.push(...checkSource(s.source, s.label));
    }
    return out;
  },
};
