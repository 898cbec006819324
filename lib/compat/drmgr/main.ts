// `drmgr`, drop-in for powerpc-utils 1.3.13 for memory (-c mem) and -C/-h:
// same options, messages, exit codes, /sys/kernel/dlpar requests, the
// /var/log/drmgr log and /var/lock/dr_config_lock. Our additions (opt-in):
// --root DIR, --dry-run (write nothing, print the request), --strict (refuse a
// -s value that is not the 0x index of an LMB of this partition, upstream #60).
import type { Io } from '../../io.js';
import { getopt, atoi, strtol, strtoul, type GetoptEvent } from '../getopt.js';
import { getPlatform, refusedPlatformName, validPlatformChrp } from '../platform.js';
import { Level } from '../say.js';
import { systemFromRoot } from '../system.js';
import { getLmbs } from '../lmbs.js';
import { checkKmods, printCapabilities } from './capabilities.js';
import { drslotChrpMem, type MemRequest } from './mem.js';
import { DrSession } from './session.js';
import { DRMGR_USAGE, DRMGR_USAGE_COMMON } from './usage.js';

const OPTSTRING = 'ac:d:Iimnp:P:Qq:Rrs:w:t:hCVH';
const LONGOPTS = [
  { name: 'capabilities', hasArg: false, val: 'C' },
  { name: 'help', hasArg: false, val: 'h' },
  // ours: full names only, so an abbreviation (--r, --st, --d) stays an unrecognized option as in the original
  { name: 'root', hasArg: true, val: 'root', exact: true },
  { name: 'strict', hasArg: false, val: 'strict', exact: true },
  { name: 'dry-run', hasArg: false, val: 'dry-run', exact: true },
];
const OURS = new Set(['root', 'strict', 'dry-run']);
const TYPES = ['pci', 'slot', 'phb', 'cpu', 'mem', 'port', 'phib', 'pmig', 'acc'];

interface Opts {
  type: string; // 'none' or one of TYPES
  action: 'none' | 'add' | 'remove' | 'identify' | 'replace' | 'query' | 'migrate';
  actionCnt: number;
  count: number;
  name: string | undefined;
  pOption: string | undefined;
  prrn: string | undefined;
  capabilities: boolean;
  usage: boolean;
  timeout: number;
  /** index of the getopt event parse_options() stopped at (-h, bad option); undefined: parsed to the end */
  stoppedAt?: number;
}

/** argv as the original logs it: as getopt left it permuted, our extension options removed */
function originalArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a === '--root') {
      i++;
      continue;
    }
    if (a.startsWith('--root=') || a === '--strict' || a === '--dry-run') continue;
    out.push(a);
  }
  return out;
}

export async function drmgrMain(argv: string[], io: Io): Promise<number> {
  const parsed = getopt(argv, { optstring: OPTSTRING, longopts: LONGOPTS, prog: io.argv0 ?? 'drmgr', opterr: false, posixlyCorrect: io.env.POSIXLY_CORRECT !== undefined });
  let root = '';
  let strict = false;
  let dryRun = false;
  for (const e of parsed.events) {
    if (e.kind !== 'opt') continue;
    if (e.opt === 'root') root = (e.arg ?? '').replace(/\/+$/, '');
    if (e.opt === 'strict') strict = true;
    if (e.opt === 'dry-run') dryRun = true;
  }
  const view = systemFromRoot(io, root === '' ? undefined : root);
  const s = new DrSession(io, root, view, dryRun);
  const out: string[] = [];
  const flush = () => {
    if (out.length) io.stdout.write(Buffer.from(out.join(''), 'latin1'));
    out.length = 0;
  };
  try {
    const refused = refusedPlatformName(getPlatform(view));
    if (refused !== undefined) {
      io.stderr.write(`${io.argv0 ?? 'drmgr'}: is not supported on the ${refused} platform\n`);
      return 1;
    }
    const o = parseOptions(parsed.events, s);
    if (!s.init()) return 255;
    if (o.type === 'pci' || o.type === 'phb' || o.type === 'slot' || o.capabilities) {
      const k = checkKmods(s);
      if (typeof k === 'number') {
        s.abort();
        return k;
      }
      if (o.capabilities) {
        printCapabilities(s, k, out);
        s.fini();
        return 0;
      }
    }
    if (o.prrn !== undefined) {
      s.say.say(Level.ERROR, 'PRRN event handling (-P) is not supported by this drmgr (drscope)\n');
      s.fini();
      return 255;
    }
    const command = commandOf(o);
    if (o.usage) {
      io.stderr.write(`${DRMGR_USAGE_COMMON}${DRMGR_USAGE[command] ?? DRMGR_USAGE.none}\n`);
      s.fini();
      return 0;
    }
    if (command === 'none') {
      const bad = validDrmgrOptions(o);
      if (bad) s.say.say(Level.ERROR, bad);
      else s.say.say(Level.ERROR, `Invalid command: ${actionNumber(o.action)}\n`);
      s.fini();
      return 255;
    }
    if ((command === 'pmig' || command === 'phib') && o.pOption === undefined) {
      // valid_pmig_options(): the -p command is checked first (the rest of pmig/phib is not implemented)
      s.say.say(Level.ERROR, 'A command must be specified\n');
      s.fini();
      return 255;
    }
    if (command !== 'mem') {
      s.say.say(Level.ERROR, `drmgr -c ${o.type}: only memory operations (-c mem) are implemented by this drmgr (drscope)\n`);
      s.fini();
      return 255;
    }
    // valid_mem_options()
    if (o.count === 0) o.count = 1;
    if (o.action !== 'add' && o.action !== 'remove') {
      s.say.say(Level.ERROR, "The '-r' or '-a' option must be specified for memory operations\n");
      s.fini();
      return 255;
    }
    let index = 0;
    let name = o.name;
    if (name !== undefined && name.startsWith('0x')) {
      index = Number(BigInt.asUintN(32, strtoul(name, 16)));
      name = undefined;
    }
    if (!validPlatformChrp(view, s.say)) {
      s.fini();
      return 255;
    }
    if (strict && o.name !== undefined && !strictIndexOk(s, o.name)) {
      s.fini();
      return 255;
    }
    const permuted = o.stoppedAt === undefined ? parsed.permutedFinal : parsed.permutedAt[o.stoppedAt]!;
    s.say.say(Level.DEBUG, `drmgr: ${originalArgs(permuted).map((a) => `${a} `).join('')}\n`);
    if (o.pOption !== undefined) {
      s.say.say(Level.ERROR, 'Memory entitlement changes (-p) are not supported by this drmgr (drscope)\n');
      s.fini();
      return 255;
    }
    const req: MemRequest = { action: o.action, count: o.count, index, name };
    const rc = drslotChrpMem(s, req, out);
    flush();
    s.fini();
    return rc;
  } finally {
    flush();
  }
}

function actionNumber(a: Opts['action']): number {
  return ['none', 'add', 'remove', 'query', 'replace', 'identify', 'migrate'].indexOf(a);
}

function commandOf(o: Opts): string {
  if (o.action === 'migrate') return 'pmig';
  if (o.name !== undefined && o.name.startsWith('HEA')) return 'port';
  return o.type;
}

function validDrmgrOptions(o: Opts): string | undefined {
  if (o.type === 'none') return 'A connector type (-c) must be specified\n';
  if (o.actionCnt === 0) return 'At least one action must be specified\n';
  if (o.actionCnt > 1) return 'Only one action may be specified\n';
  return undefined;
}

/** parse_options(): stops at -h and at the first bad option (whose error main ignores) */
function parseOptions(events: GetoptEvent[], s: DrSession): Opts {
  const o: Opts = { type: 'none', action: 'none', actionCnt: 0, count: 0, name: undefined, pOption: undefined, prrn: undefined, capabilities: false, usage: false, timeout: 0 };
  let found = false;
  for (const [k, e] of events.entries()) {
    if (e.kind === 'opt' && OURS.has(e.opt)) continue;
    found = true;
    if (e.kind === 'error') {
      o.stoppedAt = k;
      // opterr is 0: no glibc message; optopt is 0 for a bad long option, which ends the C string
      s.say.say(Level.ERROR, e.opt === '' ? "Invalid option specified '" : `Invalid option specified '${e.opt}'\n`);
      return o;
    }
    const arg = e.arg ?? '';
    switch (e.opt) {
      case 'a':
        o.action = 'add';
        o.actionCnt++;
        break;
      case 'c':
        o.type = TYPES.includes(arg) ? arg : 'none';
        break;
      case 'C':
        o.capabilities = true;
        break;
      case 'd':
        s.say.level = atoi(arg);
        if (s.say.level >= 14) s.say.say(Level.DEBUG, 'Enabling RTAS debug\n');
        break;
      case 'i':
        o.action = 'identify';
        o.actionCnt++;
        break;
      case 'p':
        o.pOption = arg;
        break;
      case 'P':
        o.prrn = arg;
        break;
      case 'q':
        o.count = Number(BigInt.asUintN(32, strtoul(arg, 0)));
        break;
      case 'R':
        o.action = 'replace';
        o.actionCnt++;
        break;
      case 'r':
        o.action = 'remove';
        o.actionCnt++;
        break;
      case 's':
        o.name = arg;
        break;
      case 'Q':
        o.action = 'query';
        o.actionCnt++;
        break;
      case 'm':
        o.action = 'migrate';
        o.actionCnt++;
        break;
      case 'w':
        o.timeout = Number(BigInt.asIntN(32, strtol(arg, 10) * 60n));
        break;
      case 'h':
        o.usage = true;
        o.stoppedAt = k;
        return o;
      default:
        break; // -I -n -H -t -V: not relevant to memory
    }
  }
  if (!found) o.usage = true;
  return o;
}

/** --strict: -s must be 0x<hex> naming an LMB of this partition's device tree */
function strictIndexOk(s: DrSession, value: string): boolean {
  const bad = (why: string) => {
    s.say.say(Level.ERROR, `--strict: refusing -s ${value}: ${why} (the original would ${value.startsWith('0x') ? 'send it as is' : 'silently remove/add "count 1"'}, upstream issue #60)\n`);
    return false;
  };
  if (!/^0x[0-9a-fA-F]{1,8}$/.test(value)) return bad('not a DRC index written as 0x<hex>');
  const idx = Number.parseInt(value.slice(2), 16);
  const lmbs = getLmbs(s.view, new (s.say.constructor as new (io: Io, l: number) => typeof s.say)(s.io, 0), true);
  if (!lmbs || !lmbs.drcIndex.subarray(0, lmbs.n).includes(idx)) return bad(`no LMB has DRC index 0x${idx.toString(16)} in ${s.root || ''}/proc/device-tree`);
  return true;
}
