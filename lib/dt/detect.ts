// What a blob of bytes is, by content (magic numbers), never by file name: a
// capture renamed "snap.bin" or piped on stdin must still load.

export type ByteFormat = 'dtb' | 'gzip' | 'xz' | 'tar' | 'dts' | 'unknown';

/** formats recognised only to say "not supported" precisely */
export type ForeignFormat = 'bzip2' | 'zstd' | 'zip' | '7z' | 'empty';

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

/** ustar magic, or (v7 tar) a header whose checksum adds up */
export function looksLikeTar(b: Uint8Array): boolean {
  if (b.length < 512) return false;
  if (startsWith(b, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return true; // "ustar" (POSIX "ustar\0", GNU "ustar  ")
  if (b[0] === 0) return false;
  const field = b.subarray(148, 156);
  const text = String.fromCharCode(...field).replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(text)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  return sum === parseInt(text, 8);
}

/** skip whitespace and C/C++ comments, then look for "/dts-v1/" */
export function looksLikeDts(b: Uint8Array): boolean {
  const head = new TextDecoder('utf-8').decode(b.subarray(0, 4096)).replace(/^\uFEFF/, '');
  let i = 0;
  for (;;) {
    while (i < head.length && /\s/.test(head[i]!)) i++;
    if (head.startsWith('//', i)) {
      const nl = head.indexOf('\n', i);
      if (nl < 0) return false;
      i = nl + 1;
    } else if (head.startsWith('/*', i)) {
      const end = head.indexOf('*/', i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else break;
  }
  return head.startsWith('/dts-v1/', i);
}

export function detectFormat(b: Uint8Array): ByteFormat {
  if (startsWith(b, [0xd0, 0x0d, 0xfe, 0xed])) return 'dtb';
  if (startsWith(b, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (looksLikeTar(b)) return 'tar';
  if (looksLikeDts(b)) return 'dts';
  return 'unknown';
}

export function detectForeign(b: Uint8Array): ForeignFormat | undefined {
  if (b.length === 0) return 'empty';
  if (startsWith(b, [0x42, 0x5a, 0x68])) return 'bzip2';
  if (startsWith(b, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  return undefined;
}
