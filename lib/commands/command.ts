// What every subcommand module exports. The handler returns an exit code and
// writes only through ctx.io; errors are thrown as DtError and mapped in cli.ts.
import type { Argv } from 'yargs';
import type { Io } from '../io.js';

export interface CommandContext {
  io: Io;
  /** colour on stdout (TTY, NO_COLOR, --color/--no-color already applied) */
  color: boolean;
  debug: boolean;
}

export interface CommandDef {
  /** yargs command string, e.g. "lmbs [source]" */
  command: string;
  describe: string;
  builder(y: Argv): Argv;
  run(args: Record<string, unknown>, ctx: CommandContext): number | Promise<number>;
}
