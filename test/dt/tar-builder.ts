// Test-only raw tar writer: every header field under the test's control, so
// archives can be as odd (v7, GNU long names, pax, prefix split) or as hostile
// (../ names, escaping symlinks, devices, lying sizes, bad checksums) as needed.
export interface TarEntrySpec {
  name: string;
  /** typeflag character: '0' file, '1' hard link, '2' symlink, '3' char dev, '4' block dev, '5' dir, '6' fifo, 'L', 'x', ... */
  type?: string;
  data?: Uint8Array | string;
  linkname?: string;
  /** ustar prefix field (name is then the last part) */
  prefix?: string;
  /** declared size when it must lie about the data */
  declaredSize?: number;
  /** 'ustar' (POSIX), 'gnu' ("ustar  "), 'v7' (no magic) */
  format?: 'ustar' | 'gnu' | 'v7';
  badChecksum?: boolean;
}

const enc = new TextEncoder();

function field(block: Uint8Array, off: number, len: number, value: string): void {
  const b = enc.encode(value);
  block.set(b.subarray(0, len), off);
}

function octal(block: Uint8Array, off: number, len: number, value: number): void {
  field(block, off, len, `${value.toString(8).padStart(len - 1, '0')}\0`);
}

export function tarEntry(spec: TarEntrySpec): Uint8Array {
  const data = typeof spec.data === 'string' ? enc.encode(spec.data) : (spec.data ?? new Uint8Array());
  const h = new Uint8Array(512);
  field(h, 0, 100, spec.name);
  octal(h, 100, 8, spec.type === '5' ? 0o755 : 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  const size = spec.declaredSize ?? data.length;
  if (size > 0o77777777777) {
    // GNU base-256 for sizes that do not fit 11 octal digits
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  } else octal(h, 124, 12, size);
  octal(h, 136, 12, 1700000000);
  field(h, 156, 1, spec.type ?? '0');
  field(h, 157, 100, spec.linkname ?? '');
  const format = spec.format ?? 'ustar';
  if (format === 'ustar') {
    field(h, 257, 6, 'ustar\0');
    field(h, 263, 2, '00');
  } else if (format === 'gnu') field(h, 257, 8, 'ustar  \0');
  if (spec.prefix) field(h, 345, 155, spec.prefix);
  h.fill(0x20, 148, 156);
  let sum = h.reduce((a, b) => a + b, 0);
  if (spec.badChecksum) sum += 1;
  field(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padded = new Uint8Array(512 + Math.ceil(data.length / 512) * 512);
  padded.set(h);
  padded.set(data, 512);
  return padded;
}

/** GNU ././@LongLink entry carrying a long name ('L') or link target ('K') */
export function gnuLong(value: string, type: 'L' | 'K' = 'L'): Uint8Array {
  return tarEntry({ name: '././@LongLink', type, data: `${value}\0`, format: 'gnu' });
}

/** pax extended header ('x') with the given records */
export function paxHeader(records: Record<string, string>): Uint8Array {
  let body = '';
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    let len = rest.length + 1;
    while (`${len}${rest}`.length !== len) len = `${len}${rest}`.length;
    body += `${len}${rest}`;
  }
  return tarEntry({ name: 'PaxHeaders/x', type: 'x', data: body });
}

/** entries + the two zero blocks that end an archive */
export function tarArchive(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat([...parts, new Uint8Array(1024)]);
}
