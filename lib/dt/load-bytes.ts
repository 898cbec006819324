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
import type { Finding } from '../model/finding.js';

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
  const notes: Finding[] = [];
  if (fmt === 'gzip' || fmt === 'xz') {
    const input = data;
    const trailing = (n: number, at: number) => {
      if (isZero(input, at)) return; // padding, as gzip(1) says nothing either
      notes.push({ code: 'gzip-trailing-garbage', severity: 'info', file: label, message: `${label}: ${n} byte(s) after the end of the gzip data at offset 0x${at.toString(16)} are not gzip data; ignored (as gzip -d does: "trailing garbage ignored")`, evidence: { offset: at, bytes: n } });
    };
    data = fmt === 'gzip' ? gunzipCapped(data, label, limits, trailing) : await unxzCapped(data, label, limits);
    wrapped = fmt;
    fmt = detectFormat(data);
  }
  const source = await fromBytes(data, fmt, wrapped, label, opts, limits);
  source.findings.unshift(...notes);
  return source;
}

function isZero(b: Uint8Array, from: number): boolean {
  for (let i = from; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

async function fromBytes(data: Uint8Array, detected: ByteFormat, wrapped: string, label: string, opts: LoadOptions, limits: ArchiveLimits): Promise<Source> {
  let fmt: ByteFormat | NonNullable<LoadOptions['format']> = detected;
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
