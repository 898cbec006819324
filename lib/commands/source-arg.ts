// One way for every command to say where its data comes from: a positional
// [source] (or --source), the global --root, or the live system.
import type { Argv } from 'yargs';
import { loadSource } from '../dt/load.js';
import type { LoadOptions, Source } from '../dt/source.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';

export const SOURCE_DESCRIBE = 'snapshot to read: directory, .tar/.tar.gz/.tar.xz, .dtb, .dts, sosreport, or "-" for stdin (default: the live system, or --root)';

/** Add the [source] positional and its --source spelling to a command builder. */
export function withSource(y: Argv): Argv {
  return y
    .positional('source', { type: 'string', describe: SOURCE_DESCRIBE })
    .option('source', { type: 'string', describe: SOURCE_DESCRIBE, requiresArg: true });
}

/**
 * args.source / args.root as loadSource wants them. A source and --root name
 * two different inputs (a snapshot, and a directory laid out like /): giving
 * both is a usage error rather than one silently ignored (so are two
 * different values, should a parser ever hand over an array).
 */
export function sourceSpec(args: Record<string, unknown>): { spec: string | undefined; root: string | undefined } {
  const given = (Array.isArray(args.source) ? args.source : [args.source]).filter((v): v is string => typeof v === 'string' && v !== '');
  if (new Set(given).size > 1) throw new UsageError(`two sources given (${given.join(', ')}): name one snapshot, as [source] or --source`);
  const spec = given[0];
  const root = typeof args.root === 'string' && args.root !== '' ? args.root : undefined;
  if (spec !== undefined && root !== undefined) {
    throw new UsageError(`--root ${root} and the source ${spec} name two different inputs: give one (--root DIR reads a directory laid out like /, a source path reads that snapshot)`);
  }
  return { spec, root };
}

/** Load the source a command was pointed at. Throws SourceError/FormatError (exit 3). */
export async function sourceFromArgs(args: Record<string, unknown>, io: Io): Promise<Source> {
  const { spec, root } = sourceSpec(args);
  const format = inputFormat(args);
  return loadSource(spec, { ...(root !== undefined ? { root } : {}), ...(format ? { format } : {}) }, io);
}

/** --input-format, when given (yargs has already checked the choice) */
export function inputFormat(args: Record<string, unknown>): LoadOptions['format'] {
  const f = args.inputFormat ?? args['input-format'];
  return f === 'dir' || f === 'tar' || f === 'dtb' || f === 'dts' ? f : undefined;
}
