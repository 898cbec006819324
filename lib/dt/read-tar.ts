// A tar archive (ustar, pax, GNU long names, GNU sparse) -> in-memory entries
// for memFileView. Parsing is modern-tar's strict mode (header checksums
// checked, truncation refused) after a first pass (tar-scan.ts) that accepts a
// missing end-of-archive marker, rebuilds sparse files and names the entry an
// archive is cut in; on top of it every entry name and link target is checked
// so nothing can point outside the archive, and nothing is ever written to disk.
import { unpackTar, type TarHeader } from 'modern-tar';
import { DtError, FormatError } from '../errors.js';
import type { Finding } from '../model/finding.js';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './decompress.js';
import type { MemEntry } from './file-view.js';
import { scanTar } from './tar-scan.js';

export interface TarContents {
  entries: Map<string, MemEntry>;
  findings: Finding[];
}

/** "a/./b//c/" -> ["a","b","c"]; undefined when a ".." would climb */
function splitSafe(path: string): string[] | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    out.push(part);
  }
  return out;
}

/** resolve a relative symlink target against the link's directory; undefined when it leaves the archive root */
export function resolveInside(linkDir: string[], target: string): string[] | undefined {
  const out = [...linkDir];
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out;
}

const unsafe = (label: string, message: string) => new FormatError('ARCHIVE_UNSAFE', message, { file: label });

export async function readTar(bytes: Uint8Array, label: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<TarContents> {
  const findings: Finding[] = [];
  let count = 0;
  let strippedAbsolute = 0;
  // Runs on each header before its body is buffered: refuse early.
  const filter = (h: TarHeader): boolean => {
    if (++count > limits.maxEntries) throw new FormatError('ARCHIVE_TOO_LARGE', `more than ${limits.maxEntries} entries: refusing`, { file: label });
    if (!Number.isSafeInteger(h.size) || h.size < 0 || h.size > bytes.length) {
      throw unsafe(label, `entry "${h.name}" declares a size of ${h.size} bytes but the whole archive is ${bytes.length} bytes: refusing`);
    }
    return true;
  };
  const scan = scanTar(bytes, label, limits);
  findings.push(...scan.findings);
  let parsed;
  try {
    parsed = await unpackTar(scan.bytes, { strict: true, filter });
  } catch (e) {
    if (e instanceof DtError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new FormatError('TAR_BAD_HEADER', `not a valid tar archive: ${msg.replace(/\.$/, '')}`, { file: label, cause: e });
  }
  // put the rebuilt sparse files back where they were in the archive (a later entry of the same name wins)
  let raw: { header: Pick<TarHeader, 'name' | 'type' | 'linkname'>; data?: Uint8Array }[] = parsed;
  if (scan.sparse.size > 0) {
    raw = [];
    let next = 0;
    for (let i = 0; next < parsed.length || scan.sparse.has(i); i++) {
      const s = scan.sparse.get(i);
      raw.push(s ? { header: { name: s.name, type: 'file' }, data: s.data } : parsed[next++]!);
    }
  }

  const entries = new Map<string, MemEntry>();
  const hardlinks: { path: string; target: string; name: string }[] = [];
  for (const { header, data } of raw) {
    const name = header.name;
    if (name.includes('\0')) throw unsafe(label, `entry name ${JSON.stringify(name)} contains a NUL byte: refusing`);
    if (name.startsWith('/')) strippedAbsolute++;
    const parts = splitSafe(name);
    if (parts === undefined) throw unsafe(label, `entry "${name}" has a ".." component (path traversal): refusing the archive`);
    if (parts.length === 0) continue;
    const path = `/${parts.join('/')}`;
    const type = header.type ?? 'file';
    if (type === 'file') {
      entries.set(path, { kind: 'file', data: data ?? new Uint8Array() });
    } else if (type === 'directory') {
      if (!entries.has(path)) entries.set(path, { kind: 'dir' });
    } else if (type === 'symlink') {
      const target = header.linkname ?? '';
      if (target.includes('\0')) throw unsafe(label, `symlink "${name}" has a NUL byte in its target: refusing`);
      // Absolute targets name a path on the captured system: they are resolved
      // inside the capture root (by locate.ts), never on this machine.
      if (!target.startsWith('/') && resolveInside(parts.slice(0, -1), target) === undefined) {
        throw unsafe(label, `symlink "${name}" -> "${target}" points outside the archive: refusing`);
      }
      entries.set(path, { kind: 'symlink', target });
    } else if (type === 'link') {
      hardlinks.push({ path, target: header.linkname ?? '', name });
    } else {
      // character/block devices, FIFOs: no device-tree or sysfs data lives in them
      findings.push({ code: 'archive-entry-skipped', severity: 'info', file: `${label}:${path}`, message: `${label}:${path}: ${type} entry ignored (only files, directories and symlinks are read)` });
    }
  }
  for (const { path, target, name } of hardlinks) {
    const tparts = splitSafe(target);
    if (tparts === undefined) throw unsafe(label, `hard link "${name}" -> "${target}" has a ".." component: refusing the archive`);
    const src = entries.get(`/${tparts.join('/')}`);
    if (src?.kind === 'file') entries.set(path, src);
    else findings.push({ code: 'archive-entry-skipped', severity: 'warning', file: `${label}:${path}`, message: `${label}:${path}: hard link to "${target}", which is not a file in the archive; ignored` });
  }
  if (strippedAbsolute > 0) {
    findings.push({ code: 'archive-absolute-paths', severity: 'info', file: label, message: `${label}: ${strippedAbsolute} entr${strippedAbsolute === 1 ? 'y has' : 'ies have'} an absolute path; read relative to the archive root` });
  }
  return { entries, findings };
}
