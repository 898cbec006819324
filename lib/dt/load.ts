// loadSource: any source argument -> Source (dtc.c's input-format switch).
import { FormatError, SourceError } from '../errors.js';
import { InputTooLargeError, readFdCapped, type Io } from '../io.js';
import type { Finding } from '../model/finding.js';
import { fsFileView, type FileView } from './file-view.js';
import { loadBytes } from './load-bytes.js';
import { locateTree, locateTrees, searchedPlaces } from './locate.js';
import { readDirTree } from './read-dir.js';
import type { LoadOptions, Source, SourceKind } from './source.js';
import type { DtTree } from './tree.js';
import { readBootFdt } from './boot-fdt.js';
import { captureTime } from './capture-time.js';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './decompress.js';
import { partialTreeFindings, type CaptureNotes } from './partial-tree.js';
import { MANIFEST_NAME, parseManifest } from '../capture/manifest.js';
import { expandCaptureView } from '../capture/expand-view.js';

/**
 * Async because xz decompression is stream-based; everything else is synchronous.
 * spec: undefined = live system (or --root), "-" = stdin, else a path to a
 * directory, archive, DTB or DTS.
 */
export async function loadSource(spec: string | undefined, opts: LoadOptions, io: Io, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<Source> {
  if (spec === undefined || spec === '') {
    return opts.root !== undefined ? loadRoot(opts.root, io) : loadLive(io);
  }
  const max = limits.maxOutput;
  if (spec === '-') {
    // a pipe has no size to check first: reading stops one byte past the cap
    const stdinTooLarge = () => tooLarge(`standard input is larger than the ${limitText(max)} input limit (reading stopped there)`, '-');
    let bytes: Uint8Array;
    try {
      bytes = io.readStdin(max);
    } catch (e) {
      if (e instanceof InputTooLargeError) throw stdinTooLarge();
      throw new SourceError('SOURCE_UNREADABLE', `cannot read standard input: ${(e as { code?: string }).code ?? String(e)}`, { file: '-' });
    }
    if (bytes.length > max) throw stdinTooLarge();
    return loadBytes(bytes, '-', opts, io, limits);
  }
  let st;
  try {
    st = io.fs.statSync(spec);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EACCES') throw new SourceError('SOURCE_UNREADABLE', 'permission denied', { file: spec });
    throw new SourceError('SOURCE_NOT_FOUND', 'no such file or directory', { file: spec });
  }
  if (st.isDirectory()) {
    if (opts.format !== undefined && opts.format !== 'dir') throw new SourceError('UNKNOWN_FORMAT', `--input-format ${opts.format} was given, but this is a directory`, { file: spec });
    return loadDirectory(fsFileView(io.fs, spec), spec, 'dir');
  }
  // read nothing that could not be held in memory anyway (the archive output cap)
  if (st.isFile() && st.size > max) throw tooLarge(`${st.size} bytes is larger than the ${limitText(max)} input limit`, spec);
  const streamTooLarge = () => tooLarge(`larger than the ${limitText(max)} input limit (not a regular file: reading stopped there)`, spec);
  let bytes: Uint8Array;
  try {
    // a FIFO, a device (/dev/zero) or a process substitution has no size: read it in chunks up to the cap
    bytes = st.isFile() ? io.fs.readFileSync(spec) : readCapped(io, spec, max);
  } catch (e) {
    if (e instanceof InputTooLargeError) throw streamTooLarge();
    throw new SourceError('SOURCE_UNREADABLE', `cannot read: ${(e as { code?: string }).code ?? String(e)}`, { file: spec });
  }
  if (bytes.length > max) throw streamTooLarge();
  return loadBytes(bytes, spec, opts, io, limits);
}

const limitText = (max: number) => (max >= 2 ** 30 && max % 2 ** 30 === 0 ? `${max / 2 ** 30} GiB` : max >= 2 ** 20 && max % 2 ** 20 === 0 ? `${max / 2 ** 20} MiB` : `${max}-byte`);
const tooLarge = (message: string, file: string) => new FormatError('ARCHIVE_TOO_LARGE', message, { file });

function readCapped(io: Io, path: string, max: number): Uint8Array {
  const fd = io.fs.openSync(path, 'r');
  try {
    return readFdCapped(io.fs, fd, max);
  } finally {
    io.fs.closeSync(fd);
  }
}

function loadLive(io: Io): Source {
  const view = fsFileView(io.fs, '');
  if (view.kind('/proc/device-tree') === undefined && view.kind('/sys/firmware/devicetree/base') === undefined) {
    throw new SourceError('NO_DEVICE_TREE', 'this system has no device tree (not a POWER/pseries Linux system?); give a snapshot instead, e.g. "drscope lmbs snapshot.tar.gz" or "--root DIR"', { file: '/proc/device-tree' });
  }
  return fromView(view, '/proc/device-tree', 'live');
}

function loadRoot(root: string, io: Io): Source {
  let st;
  try {
    st = io.fs.statSync(root);
  } catch {
    throw new SourceError('SOURCE_NOT_FOUND', 'no such directory', { file: root });
  }
  if (!st.isDirectory()) throw new SourceError('SOURCE_UNREADABLE', 'not a directory (--root takes a directory laid out like /)', { file: root });
  const view = fsFileView(io.fs, root);
  if (view.kind('/proc/device-tree') === undefined && view.kind('/sys/firmware/devicetree/base') === undefined) {
    throw new SourceError('NO_DEVICE_TREE', 'no proc/device-tree below this --root directory', { file: root });
  }
  return fromView(view, root, 'root');
}

/** Live or --root: the tree is /proc/device-tree (possibly a symlink into /sys). */
function fromView(view: FileView, label: string, kind: SourceKind): Source {
  const located = locateTree(view, '/', 0);
  const treeDir = located?.treeDir ?? '/proc/device-tree';
  // findings name paths inside the captured root ("/sys/..."), as for a capture of it
  const rel = capturePaths(view);
  const { tree, findings } = readDirTree(rel, treeDir);
  findings.push(...partialTreeFindings(tree, treeDir, undefined, findings));
  const boot = readBootFdt(rel, '/sys/firmware/fdt', findings);
  return { label, kind, layout: 'root', tree, treeLocation: view.describe(treeDir), ...(boot ? { bootTree: boot } : {}), files: rel, findings };
}

/** A directory or an unpacked archive: find the tree by content. */
export function loadDirectory(view: FileView, label: string, kind: SourceKind): Source {
  const search = locateTrees(view, '/');
  if (!search) {
    // an unlistable directory holds nothing we can see: say why, not "no tree here"
    const why = view.listError?.('/');
    if (why === 'EACCES' || why === 'EPERM') throw new SourceError('SOURCE_UNREADABLE', 'cannot list the directory (permission denied)', { file: label });
    throw new SourceError('NO_DEVICE_TREE', `no device tree found here: ${searchedPlaces()}`, { file: label });
  }
  const located = search.found;
  // Everything below is read relative to the capture root, and findings name
  // paths inside it ("/sys/devices/system/memory/block_size_bytes"): the same
  // capture as a directory, a tar.gz or a tar.xz gives the same findings (the
  // label and where the tree was found are in source, not in every finding).
  const root = capturePaths(rebase(view, located.root));
  const inRoot = (p: string) => (located.root === '/' ? p : p === located.root ? '/' : p.startsWith(`${located.root}/`) ? p.slice(located.root.length) : undefined);
  const treeRel = inRoot(located.treeDir);
  // a tree reached through a symlink outside the capture root: read it where it is
  const treeView = treeRel === undefined ? view : root;
  const treeDir = treeRel ?? located.treeDir;
  const { tree, findings } = readDirTree(treeView, treeDir);
  if (search.others.length > 0) {
    const n = search.others.length + 1;
    findings.unshift({
      code: 'several-captures',
      severity: 'warning',
      message: `${n} captures here: read ${located.root}, not ${search.others.join(', ')}; to read ${search.others.length === 1 ? 'that one' : 'another'}, name its own directory (unpack an archive first)`,
      evidence: { read: located.root, others: search.others },
    });
  }
  findings.push(...partialTreeFindings(tree, treeView.describe(treeDir), located.layout === 'drscope-capture' ? captureNotes(root) : undefined, findings));
  const bootRel = located.bootFdt === undefined ? undefined : inRoot(located.bootFdt);
  const boot = located.bootFdt === undefined ? undefined : bootRel !== undefined ? readBootFdt(root, bootRel, findings) : readBootFdt(view, located.bootFdt, findings);
  // drscope captures keep memory blocks as a table: expand it back into sysfs files
  const files = expandCaptureView(root);
  const capturedAt = captureTime(files);
  return { label, kind, layout: located.layout, tree, treeLocation: view.describe(located.treeDir), ...(boot ? { bootTree: boot } : {}), files, findings, ...(capturedAt ? { capturedAt } : {}) };
}

/** what a drscope capture's manifest says it could not read below the device tree, by tree path */
function captureNotes(root: FileView): CaptureNotes {
  const unreadable = new Map<string, string>();
  let bytes: Uint8Array | undefined;
  try {
    bytes = root.readFile(`/${MANIFEST_NAME}`);
  } catch {
    bytes = undefined;
  }
  const m = bytes === undefined ? undefined : parseManifest(bytes);
  for (const u of Array.isArray(m?.unreadable) ? m.unreadable : []) {
    if (typeof u?.path !== 'string') continue;
    // the capture read the live tree through its /proc symlink or directly in /sys
    for (const prefix of ['/proc/device-tree/', '/sys/firmware/devicetree/base/']) {
      if (u.path.startsWith(prefix)) unreadable.set(u.path.slice(prefix.length - 1), String(u.errno));
    }
  }
  return { unreadable };
}

/** A view whose "/" is `root` inside another view. */
export function rebase(view: FileView, root: string): FileView {
  if (root === '/' || root === '') return view;
  const j = (p: string) => (p === '/' ? root : root + (p.startsWith('/') ? p : `/${p}`));
  return {
    readFile: (p) => view.readFile(j(p)),
    list: (p) => view.list(j(p)),
    ...(view.listError ? { listError: (p: string) => view.listError!(j(p)) } : {}),
    kind: (p) => view.kind(j(p)),
    readlink: (p) => view.readlink(j(p)),
    describe: (p) => view.describe(j(p)),
    ...(view.hostPath ? { hostPath: (p: string) => view.hostPath!(j(p)) } : {}),
  };
}

/** The same view, describing each path as the absolute path inside it ("/sys/..."), with no label or prefix. */
export function capturePaths(view: FileView): FileView {
  return {
    readFile: (p) => view.readFile(p),
    list: (p) => view.list(p),
    ...(view.listError ? { listError: (p: string) => view.listError!(p) } : {}),
    kind: (p) => view.kind(p),
    readlink: (p) => view.readlink(p),
    describe: (p) => `/${p.split('/').filter((x) => x !== '').join('/')}`,
    ...(view.hostPath ? { hostPath: (p: string) => view.hostPath!(p) } : {}),
  };
}

export type { DtTree, Finding };
