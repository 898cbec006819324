// UTF-8 output assembled in ~1 MB chunks by plain JS loops. Writing 262,144
// LMB lines as strings (template literals, then Buffer.write) spent most of
// its time flattening rope strings and collecting them; writing the bytes
// directly leaves nothing for the garbage collector.

const HEX = new TextEncoder().encode('0123456789abcdef');

/** uninitialised memory as a plain Uint8Array (not a Buffer: one element kind for every copy loop) */
function alloc(n: number): Uint8Array {
  const b = Buffer.allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

export class ByteSink {
  protected buf: Uint8Array;
  protected off = 0;

  constructor(
    /** receives each full chunk; every chunk is a fresh buffer (a writer may keep it) */
    private readonly out: (chunk: Uint8Array) => void,
    private readonly chunkSize = 1 << 20,
  ) {
    this.buf = alloc(chunkSize);
  }

  /** room for n more bytes in the current chunk */
  reserve(n: number): void {
    if (this.off + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = alloc(n);
  }

  flush(): void {
    if (this.off === 0) return;
    this.out(this.buf.subarray(0, this.off));
    this.buf = alloc(this.chunkSize);
    this.off = 0;
  }

  /** pre-encoded bytes (call reserve first) */
  bytes(b: Uint8Array): void {
    const buf = this.buf;
    let o = this.off;
    // a native copy pays off above a few dozen bytes; below, the call costs more than the loop
    if (b.length > 32) {
      buf.set(b, o);
      this.off = o + b.length;
      return;
    }
    for (let i = 0; i < b.length; i++) buf[o++] = b[i]!;
    this.off = o;
  }

  /** any string, UTF-8 encoded (reserves its own room) */
  text(s: string): void {
    this.reserve(s.length * 3);
    const buf = this.buf;
    let o = this.off;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // rare: leave non-ASCII text to the real encoder
        this.off = o;
        o += new TextEncoder().encodeInto(s.slice(i), buf.subarray(o)).written;
        this.off = o;
        return;
      }
      buf[o++] = c;
    }
    this.off = o;
  }

  /** lowercase hex digits of a non-negative integer below 2^53 (call reserve first) */
  hex(n: number): void {
    const buf = this.buf;
    if (n >= 0x100000000) {
      // high part, then the low 32 bits zero-padded to 8 digits
      this.hex(Math.floor(n / 0x100000000));
      let lo = n % 0x100000000;
      for (let k = 7; k >= 0; k--) {
        buf[this.off + k] = HEX[lo & 15]!;
        lo = Math.floor(lo / 16);
      }
      this.off += 8;
      return;
    }
    let v = n >>> 0;
    let len = 1;
    while (len < 8 && v >>> (len * 4) !== 0) len++;
    const o = this.off;
    for (let k = len - 1; k >= 0; k--) {
      buf[o + k] = HEX[v & 15]!;
      v >>>= 4;
    }
    this.off = o + len;
  }

  /** decimal digits of a non-negative safe integer (call reserve first) */
  dec(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.off++] = 48 + n;
      return;
    }
    // digits written from the last one back: no string per number (two per LMB in lmbs --json)
    let len = 2;
    for (let p = 100; p <= n && len < 16; p *= 10) len++;
    let v = n;
    const o = this.off;
    for (let i = o + len - 1; i >= o; i--) {
      const q = Math.floor(v / 10);
      buf[i] = 48 + (v - q * 10);
      v = q;
    }
    this.off = o + len;
  }
}
