// `lsslot`, drop-in for powerpc-utils 1.3.13: same options, stdout, stderr and
// exit status. Our additions: --root DIR (read /proc, /sys, /var/lock below
// DIR) and --source SNAPSHOT (any capture drscope reads; nothing is written).
import type { Io } from '../../io.js';
import { getopt, atoi, strtoul, type GetoptEvent } from '../getopt.js';
import { drLock } from '../lock.js';
import { getPlatform, refusedPlatformName, validPlatformChrp } from '../platform.js';
import { Level, Say } from '../say.js';
import { systemFromRoot, systemFromSource, type SystemView } from '../system.js';
import { lsslotMem } from './mem.js';
import { lsslotCpu } from './cpu.js';
import { lsslotPciOrSlot, lsslotPhb, lsslotPort } from './slots.js';
import { LSSLOT_USAGE } from './usage.js';

const OPTSTRING = 'abc:d:F:ops:w:';
const OUR_LONGOPTS = [
  { name: 'root', hasArg: true, val: 'root' },
  { name: 'source', hasArg: true, val: 'source' },
];
const TYPES = ['pci', 'slot', 'phb', 'cpu', 'mem', 'port', 'phib', 'pmig', 'acc'] as const;
export type DrcType = (typeof TYPES)[number];

export interface LsslotOptions {
  type: DrcType;
  showAvailable: boolean;
  showCpusAndCaches: boolean;
  showOccupied: boolean;
  showCaches: boolean;
  drcName: string | undefined;
  delimiter: string | undefined;
}

class Exit {
  constructor(readonly code: number) {}
}

export async function lsslotMain(argv: string[], io: Io): Promise<number> {
  const prog = io.argv0 ?? 'lsslot';
  const out: string[] = [];
  const flush = () => {
    if (out.length) io.stdout.write(Buffer.from(out.join(''), 'latin1'));
    out.length = 0;
  };
  const usage = () => {
    flush();
    io.stderr.write(LSSLOT_USAGE);
    return new Exit(1);
  };
  const parsed = getopt(argv, { optstring: OPTSTRING, longopts: OUR_LONGOPTS, longExactOnly: true, prog, opterr: true, posixlyCorrect: io.env.POSIXLY_CORRECT !== undefined });
  let root: string | undefined;
  let source: string | undefined;
  for (const e of parsed.events) {
    if (e.kind === 'opt' && e.opt === 'root') root = e.arg;
    if (e.kind === 'opt' && e.opt === 'source') source = e.arg;
  }
  // our own options are checked before the platform: without its value --root would
  // read the live system, and two sources at once is not a question lsslot can answer
  const ours = parsed.events.find((e) => e.kind === 'error' && (e.opt === 'root' || e.opt === 'source'));
  if (ours?.kind === 'error') {
    io.stderr.write(ours.message || `${prog}: option '--${ours.opt}' requires an argument\n`);
    return usage().code;
  }
  if (root !== undefined && source !== undefined) {
    io.stderr.write(`${prog}: --root and --source cannot be used together (--root reads a copied /, --source a snapshot)\n`);
    return usage().code;
  }
  const say = new Say(io, 0);
  try {
    let view: SystemView;
    if (source !== undefined) {
      try {
        view = await systemFromSource(io, source);
      } catch (e) {
        io.stderr.write(`${prog}: ${source}: ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      }
    } else view = systemFromRoot(io, root);

    // A capture without /proc/cpuinfo (DTB, DTS, a bare tree copy) is read as a pSeries LPAR's:
    // only --source can get here, the original's own arguments never do.
    const platform = source !== undefined && view.files.kind('/proc/cpuinfo') === undefined ? 'pseries-lpar' : getPlatform(view);
    const refused = refusedPlatformName(platform);
    if (refused !== undefined) {
      io.stderr.write(`${prog}: is not supported on the ${refused} platform\n`);
      return 1;
    }
    if (!validPlatformChrp(view, say)) return 1;

    const opts: LsslotOptions = { type: 'slot', showAvailable: false, showCpusAndCaches: false, showOccupied: false, showCaches: false, drcName: undefined, delimiter: undefined };
    for (const e of parsed.events) applyOption(e, opts, say, io, out, usage, argv);
    validate(opts, say, usage);

    // No lock file is created inside a snapshot: --source is read-only.
    if (source === undefined && !drLock(io, view.direct?.fs ?? io.fs)) {
      say.say(Level.ERROR, 'Unable to obtain Dynamic Reconfiguration lock. Please try command again later.\n');
      return 1;
    }
    let rc = 0;
    switch (opts.type) {
      case 'slot':
      case 'pci':
        rc = lsslotPciOrSlot(view, say, opts, out);
        break;
      case 'phb':
        rc = lsslotPhb(view, say, opts, out);
        break;
      case 'cpu':
        rc = lsslotCpu(view, say, opts, out, io);
        break;
      case 'mem':
        // the listing (up to ~38 MB) goes out in chunks as it is made; nothing is written to stderr meanwhile
        rc = lsslotMem(
          view,
          say,
          opts.drcName,
          out,
          source === undefined ? undefined : (t) => io.stderr.write(`${prog}: ${source}: ${t}`),
          (chunk) => {
            flush();
            io.stdout.write(chunk);
          },
        );
        break;
      case 'port':
        rc = lsslotPort(view, say, opts, out);
        break;
      default:
        break; // phib, pmig, acc: accepted, nothing done
    }
    flush();
    return rc & 0xff;
  } catch (e) {
    if (e instanceof Exit) {
      flush();
      return e.code;
    }
    throw e;
  }
}

function applyOption(e: GetoptEvent, o: LsslotOptions, say: Say, io: Io, out: string[], usage: () => Exit, argv: readonly string[]): void {
  if (e.kind === 'error') {
    if (e.message) io.stderr.write(e.message);
    throw usage();
  }
  const arg = e.arg ?? '';
  switch (e.opt) {
    case 'a':
      o.showAvailable = true;
      break;
    case 'b':
      o.showCpusAndCaches = true;
      break;
    case 'c': {
      const t = TYPES.find((x) => x === arg);
      if (t === undefined) {
        out.push('\nThe specified connector type is invalid.\n\n');
        throw usage();
      }
      o.type = t;
      break;
    }
    case 'd':
      say.level = atoi(arg);
      if (say.level >= 14) say.say(Level.DEBUG, 'Enabling RTAS debug\n');
      break;
    case 'F':
      // The C test is usr_delimiter[1] != '\0' || usr_delimiter[0] == '%' (bytes: "é" is two in
      // UTF-8 and is refused). For an empty argument [1] is the byte after its NUL: the first byte
      // of the next argv string, so "-F '' ''" passes with an empty delimiter; after the last
      // argument come the environment strings (or the program path), never empty.
      const tooLong = arg === '' ? e.kind !== 'opt' || e.argIndex === undefined || argv[e.argIndex + 1] !== '' : Buffer.byteLength(arg, 'utf8') !== 1;
      if (tooLong || arg === '%') {
        say.say(Level.ERROR, 'You may specify only one character for the -F option,\nand it must not be the % character.\n');
        throw new Exit(1);
      }
      o.delimiter = arg;
      break;
    case 'o':
      o.showOccupied = true;
      break;
    case 'p':
      o.showCaches = true;
      break;
    case 's':
      o.drcName = arg;
      break;
    case 'w':
      // usr_timeout is an int: strtoul()*60 truncated; negative -> usage. Otherwise unused by lsslot.
      if (BigInt.asIntN(32, strtoul(arg, 10) * 60n) < 0n) throw usage();
      break;
    default:
      break; // --root / --source: handled before
  }
}

function validate(o: LsslotOptions, say: Say, usage: () => Exit): void {
  switch (o.type) {
    case 'slot':
    case 'port':
      if (o.showAvailable || o.showCpusAndCaches || o.showOccupied || o.showCaches) throw usage();
      if (o.drcName === undefined) {
        o.showAvailable = true;
        o.showOccupied = true;
      }
      break;
    case 'phb':
      if (o.showAvailable || o.showCpusAndCaches || o.delimiter !== undefined || o.showOccupied || o.showCaches) throw usage();
      break;
    case 'pci':
      if (o.showCpusAndCaches || o.showCaches) throw usage();
      if (!o.showAvailable && !o.showOccupied && o.drcName === undefined) {
        o.showAvailable = true;
        o.showOccupied = true;
      }
      break;
    case 'cpu':
      if (o.showAvailable || o.delimiter !== undefined || o.showOccupied || o.drcName !== undefined) throw usage();
      if (o.showCpusAndCaches && o.showCaches) {
        say.say(Level.ERROR, 'You cannot specify both the -b and -p options.\n');
        throw usage();
      }
      break;
    default:
      break;
  }
}
