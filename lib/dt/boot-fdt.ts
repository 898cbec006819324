// The boot-time FDT (/sys/firmware/fdt): root-only on a live system, so an
// unreadable one is a finding, never a failure.
import { DtError } from '../errors.js';
import type { Finding } from '../model/finding.js';
import { FileViewError, type FileView } from './file-view.js';
import { addKernelNameProps } from './name-props.js';
import { readDtb } from './read-dtb.js';
import type { DtTree } from './tree.js';

export function readBootFdt(view: FileView, path: string, findings: Finding[]): DtTree | undefined {
  let bytes: Uint8Array | undefined;
  try {
    bytes = view.readFile(path);
  } catch (e) {
    const why = e instanceof FileViewError && e.errno === 'EACCES' ? 'permission denied (it is readable by root only)' : String(e instanceof Error ? e.message : e);
    findings.push({ code: 'boot-fdt-unreadable', severity: 'info', file: view.describe(path), message: `${view.describe(path)}: ${why}; the boot-time tree is not available as a baseline` });
    return undefined;
  }
  if (bytes === undefined) return undefined;
  try {
    // as the kernel unflattens it, so it compares with the live tree
    const tree = readDtb(bytes, view.describe(path));
    addKernelNameProps(tree);
    return tree;
  } catch (e) {
    const msg = e instanceof DtError ? e.message : String(e);
    findings.push({ code: 'boot-fdt-corrupt', severity: 'warning', file: view.describe(path), message: `${view.describe(path)}: not a valid FDT (${msg}); ignored` });
    return undefined;
  }
}
