// Number and byte formatting shared by the human renderers.

/** 0x-prefixed hex, zero-padded to `width` digits */
export function hexPad(v: number | bigint, width: number): string {
  return `0x${v.toString(16).padStart(width, '0')}`;
}

export function hexOf(v: number | bigint): string {
  return `0x${v.toString(16)}`;
}

/** "00 01 ff" */
export function hexBytes(bytes: Uint8Array, max = Infinity): string {
  const n = Math.min(bytes.length, max);
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = bytes[i]!.toString(16).padStart(2, '0');
  return parts.join(' ');
}

/** contiguous lowercase hex ("0000000400000008…") */
export function hexString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** "256 MiB", "1.5 GiB", "0 bytes": largest unit that fits, up to two decimals */
export function formatSize(bytes: bigint): string {
  if (bytes < 1024n) return `${bytes} bytes`;
  let u = 0;
  let div = 1n;
  while (u < UNITS.length - 1 && bytes >= div * 1024n) {
    div *= 1024n;
    u++;
  }
  if (bytes % div === 0n) return `${bytes / div} ${UNITS[u]}`;
  return `${Number((bytes * 100n) / div) / 100} ${UNITS[u]}`;
}
