// drscope diff <before> [after]: semantic LMB-level diff of two sources.
import type { Argv } from 'yargs';
import { diffIsEmpty, diffSnapshots } from '../diff/diff.js';
import { UsageError } from '../errors.js';
import { diffJson } from '../render/diff-json.js';
import { renderDiffText } from '../render/diff-text.js';
import { writeJsonText } from '../render/json.js';
import type { CommandDef } from './command.js';
import { LIVE, loadSide, parseSide, sideSnapshot } from './side-spec.js';

export const diffCommand: CommandDef = {
  command: 'diff <before> [after]',
  describe: 'what changed between two snapshots, LMB by LMB (matched by DRC index): assignment, aa index, node, flags, lookup arrays, DRC lists, other properties',
  builder: (y: Argv) =>
    y
      .positional('before', { type: 'string', describe: `the earlier source (path, "${LIVE}" for the live system/--root, "boot:SOURCE" for its boot-time FDT)` })
      .positional('after', { type: 'string', describe: `the later source (default: ${LIVE})` })
      .option('max-runs', { type: 'number', describe: 'at most this many LMB lines in human output (default 200; --json lists all)' })
      .example('$0 diff pre-lpm.tar.gz post-lpm.tar.gz', 'what the migration changed')
      .example('$0 diff boot:@live', 'what changed on this system since boot (needs root for /sys/firmware/fdt)')
      .example('$0 diff pre-lpm.tar.gz', 'compare a capture with the live system'),
  async run(args, ctx) {
    const { io } = ctx;
    const root = typeof args.root === 'string' && args.root !== '' ? args.root : undefined;
    const beforeText = String(args.before ?? '');
    if (beforeText === '') throw new UsageError('diff needs a source to compare');
    const b = parseSide(beforeText);
    const a = parseSide(typeof args.after === 'string' && args.after !== '' ? args.after : LIVE);
    if (b.spec === '-' && a.spec === '-') throw new UsageError('standard input ("-") can be read only once');
    const maxRuns = args.maxRuns;
    if (maxRuns !== undefined && (typeof maxRuns !== 'number' || !Number.isInteger(maxRuns) || maxRuns < 0)) throw new UsageError(`--max-runs ${String(args['max-runs'] ?? maxRuns)}: not a whole number >= 0`);
    const srcB = await loadSide(b, root, io);
    const srcA = b.spec === a.spec && b.spec !== '-' ? srcB : await loadSide(a, root, io);
    const before = sideSnapshot(b, srcB);
    const after = sideSnapshot(a, srcA);
    const r = diffSnapshots(before, after);
    // streamed: a 93k-change diff never exists as one string
    if (args.json) writeJsonText(diffJson(r, before, after), (chunk) => io.stdout.write(chunk));
    else io.stdout.write(renderDiffText(r, before, after, { color: ctx.color, ...(typeof maxRuns === 'number' ? { maxRuns } : {}) }));
    return diffIsEmpty(r) ? 0 : 1;
  },
};
