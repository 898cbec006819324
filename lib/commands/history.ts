// drscope history: the captures the LPM hook took, oldest first, with
// before/after pairs numbered as migrations.
import type { Argv } from 'yargs';
import { listSnapshots, realPath, type Snapshot } from '../hooks/spool.js';
import { DEFAULT_SPOOL } from '../hooks/script.js';
import type { CommandDef } from './command.js';

/** migration number per snapshot: a pre and the post that follows it share one */
export function migrationNumbers(snaps: readonly Snapshot[]): (number | null)[] {
  let n = 0;
  let open = false;
  return snaps.map((s) => {
    if (s.phase === 'pre') {
      n++;
      open = true;
      return n;
    }
    if (s.phase === 'post') {
      if (!open) n++; // a post without its pre (pre capture failed or was pruned)
      open = false;
      return n;
    }
    return null;
  });
}

export const historyCommand: CommandDef = {
  command: 'history',
  describe: 'list the captures taken by the LPM hook (drscope hook install), oldest first',
  builder: (y: Argv) => y.option('spool', { type: 'string', describe: `spool directory (default ${DEFAULT_SPOOL})` }),
  run(args, ctx) {
    const { io } = ctx;
    const spool = (args.spool as string | undefined) ?? DEFAULT_SPOOL;
    const snaps = listSnapshots(io, realPath(args.root as string | undefined, spool));
    const mig = migrationNumbers(snaps);
    if (args.json) {
      const rows = snaps.map((s, i) => ({
        file: s.file,
        time: s.time,
        phase: s.phase,
        migration: mig[i],
        bytes: s.bytes,
        ...(s.manifest ? { hostname: s.manifest.hostname, kernel: s.manifest.kernel.release ?? null, memoryBlocks: s.manifest.counts.memoryBlocks, unreadable: s.manifest.unreadable.length } : {}),
      }));
      io.stdout.write(`${JSON.stringify({ schemaVersion: 1, spool, snapshots: rows }, null, 2)}\n`);
      return 0;
    }
    if (snaps.length === 0) {
      io.stderr.write(`drscope: no captures in ${spool} (install the hook with "drscope hook install", or capture by hand with "drscope capture")\n`);
      return 0;
    }
    const head = ['#', 'time', 'phase', 'host', 'blocks', 'bytes', 'file'];
    const rows = snaps.map((s, i) => [mig[i] === null ? '-' : String(mig[i]), s.time, s.phase, s.manifest?.hostname ?? '?', s.manifest ? String(s.manifest.counts.memoryBlocks) : '?', String(s.bytes), s.file]);
    const width = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(width[c]!))).join('  ');
    io.stdout.write(`${[line(head), ...rows.map(line)].join('\n')}\n`);
    return 0;
  },
};
