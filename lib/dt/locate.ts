// Find the device-tree root inside a capture by content, not by one fixed path:
// sosreport puts it at proc/device-tree/, supportconfig at ppc64/device-tree/,
// the sample captures at device-tree/, and `cp -r /proc/device-tree X` makes X
// the tree itself.
import type { FileView } from './file-view.js';

export interface Located {
  /** capture root inside the view ("/", "/snap-00-boot") */
  root: string;
  /** the device tree directory inside the view */
  treeDir: string;
  layout: 'tree' | 'root' | 'sosreport' | 'supportconfig' | 'drscope-capture' | 'sample-capture';
  /** boot FDT file, when the capture has one */
  bootFdt?: string;
}

/** paths, relative to a capture root, where captures keep the tree */
const TREE_PLACES: { rel: string; layout: Located['layout'] }[] = [
  { rel: 'proc/device-tree', layout: 'root' },
  { rel: 'device-tree', layout: 'sample-capture' },
  { rel: 'ppc64/device-tree', layout: 'supportconfig' },
  { rel: 'sys/firmware/devicetree/base', layout: 'root' },
];

const BOOT_FDT_PLACES = ['sys-firmware-fdt.dtb', 'sys/firmware/fdt'];

function join(a: string, b: string): string {
  return a === '/' ? `/${b}` : `${a}/${b}`;
}

/** A directory is a device-tree root if it holds typical root nodes/properties. */
export function looksLikeTreeRoot(view: FileView, dir: string): boolean {
  const names = view.list(dir);
  if (!names) return false;
  const set = new Set(names);
  const markers = ['ibm,dynamic-reconfiguration-memory', 'cpus', 'rtas', 'chosen', 'vdevice'];
  const hasMarker = markers.some((m) => set.has(m) && view.kind(join(dir, m)) === 'dir');
  const hasRootProp = set.has('#address-cells') || set.has('device_type') || set.has('compatible') || set.has('model');
  return hasMarker && hasRootProp;
}

function locateAt(view: FileView, root: string): Located | undefined {
  // drscope's own capture says where its tree is (it copied /proc/device-tree,
  // whatever the tree holds): no markers needed, so a capture always reads back
  const ownCapture = view.kind(join(root, 'drscope-manifest.json')) === 'file';
  for (const { rel, layout } of TREE_PLACES) {
    const dir = join(root, rel);
    const k = view.kind(dir);
    // proc/device-tree is a symlink on a live system; follow it when it points inside the view
    if (k === 'symlink') {
      const target = view.readlink(dir);
      if (target !== undefined) {
        // absolute targets name the captured system's "/", i.e. the capture root; relative ones the link's own directory
        const abs = target.startsWith('/') ? join(root, target.slice(1)) : `${dir.slice(0, dir.lastIndexOf('/')) || '/'}/${target}`;
        const resolved = normalize(abs);
        if (looksLikeTreeRoot(view, resolved)) return withBoot(view, { root, treeDir: resolved, layout: refine(view, root, layout) });
      }
      continue;
    }
    if (k === 'dir' && (looksLikeTreeRoot(view, dir) || (ownCapture && rel === 'proc/device-tree'))) return withBoot(view, { root, treeDir: dir, layout: refine(view, root, layout) });
  }
  if (looksLikeTreeRoot(view, root)) return { root, treeDir: root, layout: 'tree' };
  return undefined;
}

function refine(view: FileView, root: string, layout: Located['layout']): Located['layout'] {
  if (view.kind(join(root, 'sos_commands')) === 'dir') return 'sosreport';
  if (view.kind(join(root, 'drscope-manifest.json')) === 'file') return 'drscope-capture';
  return layout;
}

function withBoot(view: FileView, loc: Located): Located {
  for (const rel of BOOT_FDT_PLACES) {
    const p = join(loc.root, rel);
    if (view.kind(p) === 'file') return { ...loc, bootFdt: p };
  }
  return loc;
}

function normalize(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** how many wrapping directories a capture may sit in: /var/tmp/sosreport-host-…/ is three */
export const LOCATE_DEPTH = 3;
/** directories looked at, at most: a source that is a whole copied "/" must not be walked entirely */
export const LOCATE_MAX_DIRS = 10_000;

/** What the search looked for, for the "no device tree found" message. */
export function searchedPlaces(depth = LOCATE_DEPTH): string {
  const places = TREE_PLACES.map((t) => t.rel);
  return (
    `looked in this directory and ${depth === 1 ? 'one level' : `up to ${depth} levels`} of subdirectories for ` +
    `${places.slice(0, -1).join(', ')} or ${places.at(-1)}, or a directory that is itself a device-tree root ` +
    `(cpus/, rtas/, chosen/, vdevice/ or ibm,dynamic-reconfiguration-memory/ beside #address-cells, compatible, model or device_type)`
  );
}

export interface LocateResult {
  /** the capture that is read: the first in sorted, depth-first order */
  found: Located;
  /** other captures beside it (root directories), never read */
  others: string[];
}

/**
 * Search the top levels (the root itself and up to `depth` levels of wrapping
 * directories, e.g. "snap-00-boot/" or "var/tmp/sosreport-host-2024.../").
 * Nothing below a capture root is searched, so one capture is found once; two
 * side by side (x/snap-00-boot/ and x/snap-03-.../) are both found.
 */
export function locateTrees(view: FileView, start = '/', depth = LOCATE_DEPTH): LocateResult | undefined {
  const all: Located[] = [];
  let budget = LOCATE_MAX_DIRS;
  const visit = (dir: string, left: number) => {
    if (--budget < 0) return;
    const here = locateAt(view, dir);
    if (here) {
      all.push(here);
      return;
    }
    if (left <= 0) return;
    const names = view.list(dir) ?? [];
    const dirs = names.filter((n) => view.kind(join(dir, n)) === 'dir').sort();
    for (const d of dirs) visit(join(dir, d), left - 1);
  };
  visit(start, depth);
  const [found, ...rest] = all;
  return found ? { found, others: rest.map((l) => l.root) } : undefined;
}

/** the first capture only (see locateTrees) */
export function locateTree(view: FileView, start = '/', depth = LOCATE_DEPTH): Located | undefined {
  return locateTrees(view, start, depth)?.found;
}
