// drscope capture [-o FILE]: one portable archive of what drscope and lsslot read.
import type { Argv } from 'yargs';
import { runCapture } from '../capture/capture.js';
import type { CommandDef } from './command.js';

export const captureCommand: CommandDef = {
  command: 'capture',
  describe: 'write one archive (tar.gz) of the device tree, /sys memory/node/cpu views and /proc files, readable by every drscope command',
  builder: (y: Argv) =>
    y
      .option('output', { alias: 'o', type: 'string', describe: 'output file ("-" = stdout; .tar = uncompressed); default ./drscope-capture-<host>-<time>.tar.gz' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'no summary on stderr' })
      .example('$0 capture', 'capture the live system into the current directory')
      .example('$0 capture -o - | ssh support "cat > lpar.tar.gz"', 'stream the capture elsewhere'),
  async run(args, ctx) {
    const { io } = ctx;
    const output = args.output as string | undefined;
    const tty = io.stderr.isTTY && !args.quiet;
    const res = await runCapture(io, {
      ...(args.root !== undefined ? { root: args.root as string } : {}),
      ...(output !== undefined ? { output } : {}),
      ...(tty ? { progress: (done: number, total: number) => io.stderr.write(`\rdrscope: capturing memory blocks ${done}/${total}\x1b[K`) } : {}),
    });
    if (tty) io.stderr.write('\r\x1b[K');
    const m = res.manifest;
    if (args.json && res.output !== '-') {
      io.stdout.write(`${JSON.stringify({ schemaVersion: 1, output: res.output, directory: res.dirName, bytes: res.bytes, manifest: m }, null, 2)}\n`);
    } else if (res.output !== '-') {
      io.stdout.write(`${res.output}\n`);
    }
    if (!args.quiet) {
      const unread = m.unreadable.length === 0 ? '' : `; ${m.unreadable.length} item(s) unreadable (listed in drscope-manifest.json${io.uid !== 0 ? ', run as root to capture them' : ''})`;
      io.stderr.write(
        `drscope: captured ${m.counts.treeNodes} device-tree nodes, ${m.counts.memoryBlocks} memory blocks, ${m.counts.entries} entries in ${m.durationMs} ms -> ${res.output === '-' ? 'stdout' : res.output} (${res.bytes} bytes)${unread}\n`,
      );
    }
    return 0;
  },
};
