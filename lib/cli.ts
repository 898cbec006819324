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

export async function main(argvIn: string[], io: Io): Promise<number> {
  const debug = argvIn.includes('--debug');
  const argv = protectDash(argvIn);
  let exitCode: number = ExitCode.OK;
  const out = (s: string) => io.stdout.write(s);
  try {
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
        throw err ?? new UsageError(msg);
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
