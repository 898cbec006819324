// drscope drmgr ...: the drop-in drmgr (memory path) under the main CLI,
// arguments passed through untouched.
import type { Argv } from 'yargs';
import { drmgrMain } from '../compat/drmgr/main.js';
import type { CommandDef } from './command.js';
import { passThrough } from './lsslot.js';

export const drmgrCommand: CommandDef = {
  command: 'drmgr',
  describe: 'drop-in drmgr for memory (-c mem -a|-r, -C, -h), as powerpc-utils 1.3.13; also --dry-run, --strict',
  builder: (y: Argv) => y.strict(false).help(false).version(false).parserConfiguration({ 'unknown-options-as-args': true, 'halt-at-non-option': true }),
  run: (args, ctx) => drmgrMain(passThrough(args, 'drmgr'), { ...ctx.io, argv0: ctx.io.argv0 ?? 'drmgr' }),
};
