// A loaded source: the device tree plus everything captured around it.
import type { Finding } from '../model/finding.js';
import type { FileView } from './file-view.js';
import type { DtTree } from './tree.js';

export type SourceKind =
  | 'live' // the running system
  | 'root' // --root DIR (a directory laid out like /)
  | 'dir' // a directory snapshot (tree copy or capture folder)
  | 'tar' // tar / tar.gz / tar.xz archive
  | 'dtb'
  | 'dts';

export interface Source {
  /** what the user named ("/proc/device-tree", "snap.tar.gz", "-") */
  label: string;
  kind: SourceKind;
  /** layout recognised inside a directory/archive: "tree", "root", "sosreport", "supportconfig", "drscope-capture", "sample-capture" */
  layout: string;
  /** the live device tree (/proc/device-tree) */
  tree: DtTree;
  /** where the tree was found, for messages ("snap/device-tree") */
  treeLocation: string;
  /** the boot-time FDT (/sys/firmware/fdt or sys-firmware-fdt.dtb), when present and readable */
  bootTree?: DtTree;
  /** the capture root (absolute paths "/sys/...", "/proc/cpuinfo", "/sos_commands/..."); empty for DTB/DTS */
  files: FileView;
  /** problems met while loading (unreadable files, partial trees) */
  findings: Finding[];
  /** when the snapshot was taken, if the capture says so (ISO string) */
  capturedAt?: string;
}

export interface LoadOptions {
  /** --root DIR: read /proc/device-tree etc. under DIR */
  root?: string;
  /** --input-format override */
  format?: 'dir' | 'tar' | 'dtb' | 'dts';
}
