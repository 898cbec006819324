// A file's (or stdin's) bytes -> Source: gzip/xz are unwrapped in memory, then
// the content decides between tar, DTB and DTS (--input-format can force one).
import { SourceError } from '../errors.js';
import type { Io } from '../io.js';
import { DEFAULT_ARCHIVE_LIMITS, gunzipCapped, unxzCapped, type ArchiveLimits } from './decompress.js';
import { detectForeign, detectFormat, type ByteFormat } from './detect.js';
import { emptyFileView, memFileView } from './file-view.js';
import { loadDirectory } from './load.js';
import { addKernelNameProps } from './name-props.js';
import { readDtb } from './read-dtb.js';
import { readDts } from './read-dts.js';
import { readTar } from './read-tar.js';
import type { LoadOptions, Source } from './source.js';

const FOREIGN_HINT: Record<string, string> = {
  empty: 'the input is empty',
  bzip2: 'bzip2-compressed input is not supported; decompress it first (bunzip2) or use gzip/xz',
  zstd: 'zstd-compressed input is not supported; decompress it first (unzstd) or use gzip/xz',
  zip: 'zip archives are not supported; use a tar, tar.gz or tar.xz archive or an unpacked directory',
  '7z': '7z archives are not supported; use a tar, tar.gz or tar.xz archive or an unpacked directory',
};

export async function loadBytes(bytes: Uint8Array, label: string, opts: LoadOptions, _io: Io, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<Source> {
  if (opts.format === 'dir') throw new SourceError('UNKNOWN_FORMAT', '--input-format dir needs a directory, but this is a file or stream', { file: label });
  let data = bytes;
  let fmt: ByteFormat = detectFormat(data);
  let wrapped = '';
  if (fmt === 'gzip' || fmt === 'xz') {
    data = fmt === 'gzip' ? gunzipCapped(data, label, limits) : await unxzCapped(data, label, limits);
    wrapped = fmt;
    fmt = detectFormat(data);
  }
  if (opts.format !== undefined) fmt = opts.format;
  switch (fmt) {
    // name properties as the kernel would add them: a DTB/DTS then equals a /proc/device-tree copy
    case 'dtb': {
      const tree = readDtb(data, label);
      addKernelNameProps(tree);
      return { label, kind: 'dtb', layout: 'dtb', tree, treeLocation: label, files: emptyFileView, findings: [] };
    }
    case 'dts': {
      const tree = readDts(new TextDecoder('utf-8').decode(data), label);
      addKernelNameProps(tree);
      return { label, kind: 'dts', layout: 'dts', tree, treeLocation: label, files: emptyFileView, findings: [] };
    }
    case 'tar': {
      const { entries, findings } = await readTar(data, label, limits);
      const source = loadDirectory(memFileView(entries, label), label, 'tar');
      source.findings.unshift(...findings);
      return source;
    }
    default: {
      const foreign = detectForeign(data);
      const what = foreign ? FOREIGN_HINT[foreign]! : `not a device-tree source${wrapped ? ` (inside the ${wrapped} data)` : ''}: expected a directory, a tar/tar.gz/tar.xz capture, a DTB (magic 0xd00dfeed) or a DTS file starting with /dts-v1/`;
      throw new SourceError('UNKNOWN_FORMAT', what, { file: label });
    }
  }
}
