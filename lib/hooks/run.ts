// "drscope hook run": what the installed hook executes at PHASE=pre/post.
// Logs one line per run to stdout (the hook appends it to hook.log) and
// returns 0 whatever happens: drmgr must never see a failing hook.
import { runCapture } from '../capture/capture.js';
import { compactStamp } from '../capture/manifest.js';
import { DtError } from '../errors.js';
import type { Io } from '../io.js';
import { prune, realPath, snapshotName } from './spool.js';

export interface HookRunOptions {
  phase: string;
  spool: string;
  keep: number;
  root?: string;
}

export const CAPTURE_PHASES = new Set(['pre', 'post']);

export async function hookRun(io: Io, o: HookRunOptions): Promise<number> {
  const started = io.now();
  const log = (msg: string) => io.stdout.write(`${started.toISOString()} ${o.phase || '-'}: ${msg}\n`);
  const drcType = io.env.DRC_TYPE;
  if (drcType !== undefined && drcType !== 'pmig') {
    log(`DRC_TYPE=${drcType}: nothing to do`);
    return 0;
  }
  if (!CAPTURE_PHASES.has(o.phase)) return 0; // check/undocheck: nothing to capture, nothing to say
  const spool = realPath(o.root, o.spool);
  try {
    io.fs.mkdirSync(spool, { recursive: true, mode: 0o700 });
    const name = snapshotName(io, spool, compactStamp(started), o.phase);
    const file = `${spool}/${name}`;
    const res = await runCapture(io, { ...(o.root !== undefined ? { root: o.root } : {}), output: file, trigger: o.phase });
    io.fs.writeFileSync(file.replace(/\.tar\.gz$/, '.json'), `${JSON.stringify(res.manifest, null, 2)}\n`);
    const removed = prune(io, spool, Math.max(1, o.keep));
    const m = res.manifest;
    log(
      `captured ${name} (${res.bytes} bytes, ${m.counts.memoryBlocks} memory blocks, ${m.durationMs} ms)` +
        (m.unreadable.length ? `; ${m.unreadable.length} unreadable` : '') +
        (removed.length ? `; removed ${removed.join(', ')} (keep ${o.keep})` : ''),
    );
  } catch (e) {
    const what = e instanceof DtError ? `${e.file ? `${e.file}: ` : ''}${e.message}` : e instanceof Error ? e.message : String(e);
    log(`capture failed: ${what}`);
  }
  return 0;
}
