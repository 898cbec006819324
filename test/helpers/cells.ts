// Byte builders for device-tree values (big-endian cells, strings).
export function be32(...vals: number[]): Uint8Array {
  const b = Buffer.alloc(4 * vals.length);
  vals.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}
export function be64(...vals: (bigint | number)[]): Uint8Array {
  const b = Buffer.alloc(8 * vals.length);
  vals.forEach((v, i) => b.writeBigUInt64BE(BigInt(v), 8 * i));
  return b;
}
export function str(...s: string[]): Uint8Array {
  return Buffer.from(s.map((x) => `${x}\0`).join(''), 'latin1');
}
export function cat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
