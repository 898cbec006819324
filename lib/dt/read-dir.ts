// A directory holding one file per property and one directory per node (a copy
// of /proc/device-tree, or the live one) -> DtTree. Works over any FileView, so
// the same code reads the live system, --root trees, memfs volumes and archives.
import type { Finding } from '../model/finding.js';
import { FileViewError, type FileView } from './file-view.js';
import { newTree, type DtNode, type DtTree } from './tree.js';

export interface ReadDirResult {
  tree: DtTree;
  findings: Finding[];
}

export function readDirTree(view: FileView, dir: string): ReadDirResult {
  const tree = newTree();
  const findings: Finding[] = [];
  fill(view, dir.replace(/\/+$/, '') || '/', tree.root, findings, 0);
  return { tree, findings };
}

const MAX_DEPTH = 64;

function fill(view: FileView, dir: string, node: DtNode, findings: Finding[], depth: number): void {
  node.origin = view.describe(dir);
  const names = view.list(dir);
  if (!names) {
    // a node directory that exists but cannot be listed (chmod 000, EIO): its properties and children are missing
    const why = view.kind(dir) === 'dir' ? (view.listError?.(dir) ?? 'EIO') : undefined;
    if (why !== undefined) {
      findings.push({ code: 'node-unreadable', severity: 'warning', node: node.path, file: view.describe(dir), message: `${view.describe(dir)}: cannot list the node directory (${why === 'EACCES' ? 'permission denied' : why}): its properties and child nodes are missing` });
    }
    return;
  }
  for (const name of names) {
    const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
    const kind = view.kind(path);
    if (kind === 'dir') {
      if (depth >= MAX_DEPTH) {
        findings.push({ code: 'tree-too-deep', severity: 'warning', node: node.path, message: `node nesting deeper than ${MAX_DEPTH} levels below ${path}: not read` });
        continue;
      }
      fill(view, path, node.addChild(name), findings, depth + 1);
    } else if (kind === 'file') {
      try {
        const data = view.readFile(path);
        if (data === undefined) {
          // vanished between readdir and read (e.g. a DLPAR in progress)
          findings.push({ code: 'file-vanished', severity: 'warning', node: node.path, property: name, file: view.describe(path), message: `${view.describe(path)} disappeared while it was being read` });
        } else {
          node.setProp(name, data);
        }
      } catch (e) {
        const why = e instanceof FileViewError ? e.errno : 'EIO';
        findings.push({ code: 'property-unreadable', severity: 'warning', node: node.path, property: name, file: view.describe(path), message: `${view.describe(path)}: cannot read (${why === 'EACCES' ? 'permission denied' : why})` });
      }
    }
    // symlinks inside a device-tree copy are not properties; ignored on purpose
  }
}
