// drscope hook install|remove|status|run: the drmgr LPM hook (drmgr-hooks(8))
// that captures the partition before and after every migration.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { hookStatus, installHook, removeHook } from '../hooks/install.js';
import { hookRun } from '../hooks/run.js';
import { DEFAULT_KEEP, DEFAULT_SPOOL } from '../hooks/script.js';
import type { CommandDef } from './command.js';

const ACTIONS = ['install', 'remove', 'status', 'run'] as const;

/** --keep N: a whole number >= 1 (yargs' number type would turn "abc" into NaN and the message into "--keep NaN") */
export function parseKeep(v: unknown): number {
  if (v === undefined) return DEFAULT_KEEP;
  const text = String(Array.isArray(v) ? v.at(-1) : v).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new UsageError(`--keep ${text}: must be a whole number >= 1`);
  return Number(text);
}

export const hookCommand: CommandDef = {
  command: 'hook <action>',
  describe: 'install/remove/inspect the drmgr LPM hook that captures before and after every partition migration',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ACTIONS, describe: 'install | remove | status (run: what the hook itself calls)' })
      .option('spool', { type: 'string', describe: `directory for the automatic captures (default ${DEFAULT_SPOOL})` })
      .option('keep', { type: 'string', describe: `keep the last N captures (default ${DEFAULT_KEEP})`, requiresArg: true })
      .option('node', { type: 'string', describe: 'install: absolute path of node for the hook (default: this node)' })
      .option('drscope', { type: 'string', describe: 'install: absolute path of drscope for the hook (default: this script, e.g. drscope.mjs)' })
      .option('phase', { type: 'string', describe: 'run: migration phase (default $PHASE)' })
      .example('$0 hook install', 'capture before/after every LPM into /var/lib/drscope')
      .example('$0 hook status', 'is the hook installed, does it still find node and drscope, what did it capture'),
  async run(args, ctx) {
    const { io } = ctx;
    const root = args.root as string | undefined;
    const action = args.action as (typeof ACTIONS)[number];
    const keep = parseKeep(args.keep);
    const spoolArg = args.spool as string | undefined;
    const spool = spoolArg ?? DEFAULT_SPOOL;
    const json = Boolean(args.json);
    const out = (s: string) => io.stdout.write(s);
    switch (action) {
      case 'run':
        return hookRun(io, { phase: (args.phase as string | undefined) ?? io.env.PHASE ?? '', spool, keep, ...(root !== undefined ? { root } : {}) });
      case 'install': {
        const r = installHook(io, {
          spool,
          keep,
          ...(root !== undefined ? { root } : {}),
          ...(args.node !== undefined ? { node: args.node as string } : {}),
          ...(args.drscope !== undefined ? { drscope: args.drscope as string } : {}),
        });
        if (json) out(`${JSON.stringify({ schemaVersion: 1, action: 'install', hookPath: r.path, replaced: r.replaced, node: r.config.node, drscope: r.config.drscope, spool: r.config.spool, keep: r.config.keep }, null, 2)}\n`);
        else
          out(
            `${r.replaced ? 'updated' : 'installed'} ${r.path}\n` +
              `  captures before (pre) and after (post) every partition migration into ${r.config.spool}, keeping the last ${r.config.keep}\n` +
              `  runs: ${r.config.node} ${r.config.drscope}\n`,
          );
        return 0;
      }
      case 'remove': {
        const r = removeHook(io, root);
        if (json) out(`${JSON.stringify({ schemaVersion: 1, action: 'remove', hookPath: r.path, removed: r.removed }, null, 2)}\n`);
        else out(r.removed ? `removed ${r.path} (captures in the spool are kept)\n` : `no drscope hook at ${r.path}: nothing to remove\n`);
        return 0;
      }
      case 'status': {
        const s = hookStatus(io, root, spoolArg);
        if (json) {
          out(
            `${JSON.stringify(
              {
                schemaVersion: 1,
                installed: s.installed,
                foreign: s.foreign,
                hookPath: s.hookPath,
                ...(s.node ? { node: s.node, drscope: s.drscope, keep: s.keep } : {}),
                spool: s.spool,
                snapshots: s.snapshots.length,
                ...(s.snapshots.length ? { last: { file: s.snapshots.at(-1)!.name, time: s.snapshots.at(-1)!.time, phase: s.snapshots.at(-1)!.phase } } : {}),
                ...(s.lastLog !== undefined ? { lastLog: s.lastLog } : {}),
              },
              null,
              2,
            )}\n`,
          );
          return 0;
        }
        const ok = (e: boolean) => (e ? 'ok' : 'MISSING: the hook cannot run, reinstall');
        const last = s.snapshots.at(-1);
        out(
          `hook:      ${s.hookPath} (${s.installed ? 'installed' : s.foreign ? 'present but not written by drscope' : 'not installed'})\n` +
            (s.node ? `node:      ${s.node.path} (${ok(s.node.exists)})\ndrscope:   ${s.drscope!.path} (${ok(s.drscope!.exists)})\n` : '') +
            `spool:     ${s.spool} (${s.snapshots.length} capture(s)${s.keep !== undefined ? `, keeps the last ${s.keep}` : ''}${last ? `; last ${last.time} ${last.phase}` : ''})\n` +
            (s.lastLog !== undefined ? `last log:  ${s.lastLog}\n` : ''),
        );
        return 0;
      }
      default:
        throw new UsageError(`unknown hook action: ${String(action)}`);
    }
  },
};
