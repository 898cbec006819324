// drscope lsslot ...: the drop-in lsslot under the main CLI, arguments passed
// through untouched (the global --root is handed on as lsslot's --root).
import type { Argv } from 'yargs';
import { lsslotMain } from '../compat/lsslot/main.js';
import type { CommandDef } from './command.js';

/** the words after the subcommand name, as typed (yargs only collects them) */
export function passThrough(args: Record<string, unknown>, name: string): string[] {
  const rest = (args._ as unknown[] | undefined)?.map(String) ?? [];
  const at = rest.indexOf(name);
  const words = at >= 0 ? rest.slice(at + 1) : rest;
  const extra = Array.isArray(args['--']) ? (args['--'] as unknown[]).map(String) : [];
  const out = [...words, ...extra];
  if (typeof args.root === 'string' && args.root !== '') out.unshift('--root', args.root);
  return out;
}

export const lsslotCommand: CommandDef = {
  command: 'lsslot',
  describe: 'drop-in lsslot (powerpc-utils 1.3.13): same options and output; also --source SNAPSHOT',
  builder: (y: Argv) => y.strict(false).help(false).version(false).parserConfiguration({ 'unknown-options-as-args': true, 'halt-at-non-option': true }),
  run: (args, ctx) => lsslotMain(passThrough(args, 'lsslot'), { ...ctx.io, argv0: ctx.io.argv0 ?? 'lsslot' }),
};
