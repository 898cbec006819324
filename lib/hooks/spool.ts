// The spool of automatic captures: <stamp>-<phase>.tar.gz plus a copy of its
// manifest in <stamp>-<phase>.json (so listing needs no decompression).
// Stamps sort as time; pre sorts before post within one second.
import { parseManifest, type CaptureManifest } from '../capture/manifest.js';
import { SourceError } from '../errors.js';
import type { Io } from '../io.js';
import { DEFAULT_SPOOL } from './script.js';

export interface Snapshot {
  /** file name in the spool */
  name: string;
  /** real path of the archive */
  file: string;
  /** ISO time from the name (manifest capturedAt when present) */
  time: string;
  phase: string;
  bytes: number;
  manifest?: CaptureManifest;
}

const NAME_RE = /^(\d{8}T\d{6}Z)-([a-z]+)(?:-(\d+))?\.tar\.gz$/;
const PHASE_RANK: Record<string, number> = { pre: 0, manual: 1, post: 2 };

/** the --root-relative spool as a real path */
export function realPath(root: string | undefined, p: string): string {
  return root === undefined || root === '' || root === '/' ? p : root.replace(/\/+$/, '') + (p.startsWith('/') ? p : `/${p}`);
}

function stampToIso(s: string): string {
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`;
}

/** Snapshots in time order (oldest first); [] when the spool does not exist. */
export function listSnapshots(io: Io, spoolDir: string): Snapshot[] {
  let names: string[];
  try {
    names = io.fs.readdirSync(spoolDir);
  } catch {
    return [];
  }
  const rows: { s: Snapshot; key: [string, number, number] }[] = [];
  for (const name of names) {
    const m = NAME_RE.exec(name);
    if (!m) continue;
    const file = `${spoolDir}/${name}`;
    let bytes = 0;
    try {
      bytes = io.fs.statSync(file).size;
    } catch {
      continue;
    }
    let manifest: CaptureManifest | undefined;
    try {
      manifest = parseManifest(io.fs.readFileSync(file.replace(/\.tar\.gz$/, '.json')));
    } catch {
      manifest = undefined;
    }
    const s: Snapshot = { name, file, time: manifest?.capturedAt ?? stampToIso(m[1]!), phase: m[2]!, bytes, ...(manifest ? { manifest } : {}) };
    rows.push({ s, key: [m[1]!, PHASE_RANK[m[2]!] ?? 1, Number(m[3] ?? 0)] });
  }
  rows.sort((a, b) => (a.key[0] < b.key[0] ? -1 : a.key[0] > b.key[0] ? 1 : a.key[1] - b.key[1] || a.key[2] - b.key[2]));
  return rows.map((r) => r.s);
}

/** a new, unused archive name for this time and phase */
export function snapshotName(io: Io, spoolDir: string, stamp: string, phase: string): string {
  for (let n = 0; ; n++) {
    const name = `${stamp}-${phase}${n === 0 ? '' : `-${n}`}.tar.gz`;
    if (!io.fs.existsSync(`${spoolDir}/${name}`)) return name;
  }
}

/** Delete the oldest snapshots beyond `keep`; returns the names removed. */
export function prune(io: Io, spoolDir: string, keep: number): string[] {
  const all = listSnapshots(io, spoolDir);
  const drop = all.slice(0, Math.max(0, all.length - keep));
  for (const s of drop) {
    io.fs.rmSync(s.file, { force: true });
    io.fs.rmSync(s.file.replace(/\.tar\.gz$/, '.json'), { force: true });
  }
  return drop.map((s) => s.name);
}

/** The spool's archives oldest first, for `audit --history`; SourceError when there are none. */
export function historySources(io: Io, root: string | undefined, spool = DEFAULT_SPOOL): string[] {
  const dir = realPath(root, spool);
  const files = listSnapshots(io, dir).map((s) => s.file);
  if (files.length === 0) throw new SourceError('SOURCE_NOT_FOUND', 'no captures here (install the LPM hook with "drscope hook install", or name captures explicitly)', { file: dir });
  return files;
}
