// main(argv, io): the whole drscope CLI. bin/drscope.js only calls this and
// sets the exit code. Only this file maps errors to exit codes.
import yargs from 'yargs';
import { DtError, ExitCode, formatError, UsageError } from './errors.js';
import type { Io } from './io.js';
import { commands } from './commands/index.js';
import { useColor } from './render/color.js';

const PROG = 'drscope';

const EPILOGUE = `Sources: the live system by default; --root DIR (a directory laid out like /);
or a snapshot path: a directory, .tar/.tar.gz/.tar.xz, .dtb, .dts, a sosreport or
supportconfig, or "-" for stdin.

Exit status: 0 ok (no differences / no findings), 1 differences or findings
(diff, audit), 2 usage error, 3 source missing, unreadable or corrupt,
4 internal error.

Environment: NO_COLOR disables colour; FORCE_COLOR forces it.`;

/**
 * yargs turns a positional "-" (stdin) into "" and drops it from variadic
 * positionals, so "-" is swapped for this token before parsing and back after.
 * Pass-through commands (lsslot, drmgr) get their words untouched.
 */
const DASH = '\u0000-';
const PASS_THROUGH = new Set(['lsslot', 'drmgr']);

function protectDash(argv: string[]): string[] {
  const name = argv.find((a) => commands.some((c) => c.command.split(' ')[0] === a));
  return name !== undefined && PASS_THROUGH.has(name) ? argv : argv.map((a) => (a === '-' ? DASH : a));
}

function restoreDash(args: Record<string, unknown>): Record<string, unknown> {
  const back = (v: unknown): unknown => (v === DASH ? '-' : Array.isArray(v) ? v.map(back) : v);
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, back(v)]));
}

/** global options that take a value (their value is not a command word) */
const VALUE_OPTIONS = new Set(['--root', '--input-format']);

/** the first word that is not an option (or an option's value): the command */
function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (!a.startsWith('-') || a === '-') return a;
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** "unknown command frob (did you mean lmbs?)", or undefined when the word is a command */
export function unknownCommand(word: string): string | undefined {
  const names = commands.map((c) => c.command.split(' ')[0]!);
  if (names.includes(word)) return undefined;
  const best = names.map((n) => [n, editDistance(word, n)] as const).sort((x, y) => x[1] - y[1])[0];
  const hint = best && best[1] <= Math.max(2, Math.floor(word.length / 2)) ? ` (did you mean ${best[0]}?)` : '';
  return `unknown command ${word}${hint}; the commands are ${names.join(', ')}`;
}

/** yargs' validation messages as the one line drscope prints for every usage error */
export function usageLine(msg: string, argv: readonly string[] = []): string {
  const invalid = [...msg.matchAll(/Argument: ([^,]+), Given: "([^"]*)", Choices: (.*)/g)];
  if (invalid.length > 0) {
    return invalid
      .map(([, arg, given, choices]) => {
        const list = choices!.split(', ').map((c) => c.replace(/^"|"$/g, '')).join(', ');
        return arg === 'action' ? `unknown hook action ${given} (one of ${list})` : `--${arg} ${given}: must be one of ${list}`;
      })
      .join('; ');
  }
  const needs = /^Not enough arguments following: (.+)$/.exec(msg.trim());
  if (needs) return `--${needs[1]} needs a value`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(msg.trim());
  if (unknown) {
    // yargs names options without their dashes: put them back from the command line
    const isOption = (n: string) => argv.some((a) => a === `--${n}` || a.startsWith(`--${n}=`) || (n.length === 1 && /^-[^-]/.test(a) && a.includes(n)));
    const names = unknown[1]!.split(', ');
    const opts = names.filter(isOption).map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
    const extra = names.filter((n) => !isOption(n));
    return [opts.length ? `unknown option${opts.length > 1 ? 's' : ''} ${opts.join(', ')}` : '', extra.length ? `unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
  }
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}

export async function main(argvIn: string[], io: Io): Promise<number> {
  const debug = argvIn.includes('--debug');
  const argv = protectDash(argvIn);
  let exitCode: number = ExitCode.OK;
  const out = (s: string) => io.stdout.write(s);
  try {
    const word = commandWord(argvIn);
    const unknown = word === undefined ? undefined : unknownCommand(word);
    if (unknown !== undefined) throw new UsageError(unknown);
    let y = yargs(argv)
      .scriptName(PROG)
      .usage('$0 <command> [source] [options]')
      .option('root', { type: 'string', describe: 'read /proc/device-tree, /sys, ... below this directory', global: true })
      .option('input-format', { type: 'string', choices: ['dir', 'tar', 'dtb', 'dts'], describe: 'read the source as this format instead of detecting it from its content', global: true })
      .option('json', { type: 'boolean', describe: 'print one JSON document (stable schema)', global: true })
      .option('color', { type: 'boolean', describe: 'force colour on or off (default: on for a terminal, off with NO_COLOR)', global: true })
      .option('debug', { type: 'boolean', describe: 'show stack traces for internal errors', global: true })
      .epilogue(EPILOGUE)
      .strict()
      .demandCommand(1, 'no command given')
      .recommendCommands()
      .help()
      .version()
      .wrap(Math.min(100, process.stdout.columns || 100))
      .exitProcess(false)
      .fail((msg, err) => {
        // our own errors pass through; yargs' (YError, or a bare message) become one-line usage errors
        if (err && err.name !== 'YError') throw err;
        throw new UsageError(usageLine(msg || err?.message || 'usage error', argvIn));
      });
    for (const def of commands) {
      y = y.command(
        def.command,
        def.describe,
        (b) => def.builder(b),
        async (args) => {
          const ctx = { io, debug, color: useColor(io, args.color as boolean | undefined) };
          exitCode = await def.run(restoreDash(args as Record<string, unknown>), ctx);
        },
      );
    }
    skipHelpCache(y);
    let helpText = '';
    await y.parseAsync(argv, {}, (_err, _argv, output) => {
      if (output) helpText = output;
    });
    if (helpText) out(helpText.endsWith('\n') ? helpText : `${helpText}\n`);
    return exitCode;
  } catch (e) {
    return reportError(e, io, debug);
  }
}

/**
 * yargs renders the whole help text before running every command and keeps it
 * for a later failure (Usage#cacheHelpMessage): ~80 ms of every start-up, for a
 * text only --help prints (failures here are one-line usage errors, never the
 * help). Turned off through yargs' internal methods when they are there; with a
 * yargs that lacks them nothing changes but the start-up time.
 */
function skipHelpCache(y: unknown): void {
  try {
    const usage = (y as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } }).getInternalMethods?.().getUsageInstance?.();
    if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
  } catch {
    // internal API changed: keep yargs' behaviour
  }
}

export function reportError(e: unknown, io: Io, debug: boolean, prog = PROG): number {
  if (e instanceof DtError) {
    io.stderr.write(`${formatError(prog, e)}\n`);
    if (e instanceof UsageError) io.stderr.write(`Try '${prog} --help'\n`);
    if (debug && e.stack) io.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  io.stderr.write(`${prog}: internal error: ${msg} (rerun with --debug for a stack trace)\n`);
  if (debug && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
  return ExitCode.INTERNAL;
}
