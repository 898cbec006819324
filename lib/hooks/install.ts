// Install, remove and inspect the drmgr LPM hook. Every path goes through
// --root so the whole life cycle is testable on a directory.
import { posix } from 'node:path';
import { UsageError, WriteError } from '../errors.js';
import type { Io } from '../io.js';
import { errnoOf } from '../capture/root-fs.js';
import { HOOK_DIR, HOOK_FILE, HOOK_LOG, hookScript, parseHookScript, type HookConfig } from './script.js';
import { listSnapshots, realPath, type Snapshot } from './spool.js';

export interface InstallOptions {
  root?: string;
  spool: string;
  keep: number;
  node?: string;
  drscope?: string;
}

export interface HookStatus {
  installed: boolean;
  /** the hook file exists but was not written by drscope */
  foreign: boolean;
  hookPath: string;
  node?: { path: string; exists: boolean };
  drscope?: { path: string; exists: boolean };
  spool: string;
  keep?: number;
  snapshots: Snapshot[];
  lastLog?: string;
}

export function hookPath(root: string | undefined): string {
  return realPath(root, `${HOOK_DIR}/${HOOK_FILE}`);
}

function readText(io: Io, p: string): string | undefined {
  try {
    return Buffer.from(io.fs.readFileSync(p)).toString('utf8');
  } catch {
    return undefined;
  }
}

function writeFailed(file: string, e: unknown): WriteError {
  const code = errnoOf(e);
  return new WriteError('WRITE_FAILED', code === 'EACCES' || code === 'EPERM' ? 'permission denied (installing the hook needs root)' : `cannot write: ${code}`, { file });
}

/**
 * `p` as an absolute, normalised path: the hook runs from "/" long after this
 * shell is gone, so a relative --root recorded in it would point nowhere.
 */
export function absolutePath(io: Io, p: string, what: string): string {
  if (p.startsWith('/')) return posix.normalize(p);
  const cwd = io.cwd?.();
  if (cwd === undefined || !cwd.startsWith('/')) throw new UsageError(`${what} ${p}: must be an absolute path`);
  return posix.resolve(cwd, p);
}

export function installHook(io: Io, opts: InstallOptions): { path: string; config: HookConfig; replaced: boolean } {
  const o = opts.root === undefined ? opts : { ...opts, root: absolutePath(io, opts.root, '--root') };
  const node = o.node ?? io.execPath;
  const drscope = o.drscope ?? io.scriptPath;
  // the hook runs with no PATH and from "/": a bare name or relative path would not be found
  if (o.node !== undefined && !o.node.startsWith('/')) throw new UsageError(`--node ${o.node}: must be an absolute path (the hook runs with no PATH), e.g. --node $(command -v node)`);
  if (o.drscope !== undefined && !o.drscope.startsWith('/')) throw new UsageError(`--drscope ${o.drscope}: must be an absolute path (the hook runs from /)`);
  if (!node || !node.startsWith('/')) throw new UsageError('cannot tell where node is: give --node /absolute/path/to/node');
  if (!drscope || !drscope.startsWith('/')) throw new UsageError('cannot tell where drscope is: give --drscope /absolute/path/to/drscope.mjs');
  // the hook runs with no PATH, long after this shell is gone: both must exist now
  for (const [what, p] of [['node', node], ['drscope', drscope]] as const) {
    if (!io.fs.existsSync(p)) throw new UsageError(`--${what} ${p}: no such file (the hook calls it by this absolute path)`);
  }
  if (!Number.isInteger(o.keep) || o.keep < 1) throw new UsageError(`--keep ${o.keep}: must be a whole number >= 1`);
  if (!o.spool.startsWith('/')) throw new UsageError(`--spool ${o.spool}: must be an absolute path`);
  const path = hookPath(o.root);
  const existing = readText(io, path);
  if (existing !== undefined && parseHookScript(existing) === undefined) {
    throw new UsageError(`${path} exists and was not written by drscope: not replacing it`);
  }
  const config: HookConfig = { node, drscope, spool: o.spool, keep: o.keep, ...(o.root !== undefined ? { root: o.root } : {}), installedAt: io.now().toISOString() };
  const dir = path.slice(0, path.lastIndexOf('/'));
  try {
    io.fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    io.fs.mkdirSync(realPath(o.root, o.spool), { recursive: true, mode: 0o700 });
    // write then rename: drmgr must never run a half-written hook
    io.fs.writeFileSync(`${path}.tmp`, hookScript(config), { mode: 0o755 });
    io.fs.chmodSync(`${path}.tmp`, 0o755);
    io.fs.renameSync(`${path}.tmp`, path);
  } catch (e) {
    throw writeFailed(path, e);
  }
  return { path, config, replaced: existing !== undefined };
}

export function removeHook(io: Io, root: string | undefined): { path: string; removed: boolean } {
  const path = hookPath(root);
  const existing = readText(io, path);
  if (existing === undefined) return { path, removed: false };
  if (parseHookScript(existing) === undefined) throw new UsageError(`${path} was not written by drscope: not removing it`);
  try {
    io.fs.unlinkSync(path);
  } catch (e) {
    throw writeFailed(path, e);
  }
  return { path, removed: true };
}

export function hookStatus(io: Io, root: string | undefined, spoolOverride?: string): HookStatus {
  const path = hookPath(root);
  const text = readText(io, path);
  const cfg = text === undefined ? undefined : parseHookScript(text);
  const spool = spoolOverride ?? cfg?.spool ?? '/var/lib/drscope';
  const realSpool = realPath(root, spool);
  const log = readText(io, `${realSpool}/${HOOK_LOG}`);
  const lastLog = log
    ?.split('\n')
    .filter((l) => l.trim() !== '')
    .at(-1);
  return {
    installed: cfg !== undefined,
    foreign: text !== undefined && cfg === undefined,
    hookPath: path,
    ...(cfg ? { node: { path: cfg.node, exists: io.fs.existsSync(cfg.node) }, drscope: { path: cfg.drscope, exists: io.fs.existsSync(cfg.drscope) }, keep: cfg.keep } : {}),
    spool,
    snapshots: listSnapshots(io, realSpool),
    ...(lastLog !== undefined ? { lastLog } : {}),
  };
}
