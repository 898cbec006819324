// Directory order of a live kernfs directory (/proc/device-tree, /sys): the
// kernel lists entries by kernfs_name_hash(), then by name. The C tools walk
// directories in readdir order, so to print what they print we sort by the same
// key whatever filesystem or archive a snapshot came from.

const MASK64 = (1n << 64n) - 1n;
const GOLDEN_RATIO_64 = 0x61c8864680b583ebn;

/** fs/kernfs/dir.c kernfs_name_hash() with ns == NULL on a 64-bit kernel */
export function kernfsNameHash(name: string): number {
  // The per-byte loop fits in 64 bits; BigInt keeps the wrap-around exact.
  let h = 0n;
  for (const c of new TextEncoder().encode(name)) {
    const b = BigInt(c);
    h = ((h + (b << 4n) + (b >> 4n)) * 11n) & MASK64;
  }
  let v = Number(((h * GOLDEN_RATIO_64) & MASK64) >> 32n);
  v &= 0x7fffffff;
  if (v < 2) v += 2;
  if (v >= 0x7fffffff) v = 0x7fffffff - 1;
  return v;
}

export function compareKernfs(a: string, b: string): number {
  const ha = kernfsNameHash(a);
  const hb = kernfsNameHash(b);
  if (ha !== hb) return ha - hb;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** names in the order readdir() returns them on a live kernfs directory */
export function kernfsOrder(names: Iterable<string>): string[] {
  return [...names].sort(compareKernfs);
}
