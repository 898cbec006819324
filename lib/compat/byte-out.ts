// The C tools' stdout as bytes, assembled in ~1 MB chunks by plain loops:
// lsslot -c mem prints ~145 bytes for each of up to 262,144 LMBs, and a string
// per LMB (kept until the end, joined, then encoded) was mostly garbage
// collection. Text is latin1 (one byte per char), as main.ts writes it.

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const CHUNK = 1 << 20;

export class ByteOut {
  private buf: Buffer = Buffer.allocUnsafe(CHUNK);
  private off = 0;

  /** `emit` receives each full chunk, a fresh buffer every time (it may keep it) */
  constructor(private readonly emit: (chunk: Uint8Array) => void) {}

  /** room for n more bytes in the current chunk (every writer below reserves its own) */
  reserve(n: number): void {
    if (this.off + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  flush(): void {
    if (this.off === 0) return;
    this.emit(this.buf.subarray(0, this.off));
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.off = 0;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    const buf = this.buf;
    let o = this.off;
    if (b.length > 32) {
      buf.set(b, o);
      this.off = o + b.length;
      return;
    }
    for (let i = 0; i < b.length; i++) buf[o++] = b[i]!;
    this.off = o;
  }

  /** a latin1 string (reserves its own room) */
  text(s: string): void {
    if (s.length === 0) return;
    this.reserve(s.length);
    this.off += this.buf.write(s, this.off, 'latin1');
  }

  /** lowercase hex of an unsigned 32-bit integer, as printf %x */
  hex32(v: number): void {
    this.reserve(8);
    const buf = this.buf;
    let n = v >>> 0;
    let len = 1;
    for (let t = n >>> 4; t !== 0; t >>>= 4) len++;
    let o = this.off + len;
    this.off = o;
    do {
      buf[--o] = HEX[n & 15]!;
      n >>>= 4;
    } while (n !== 0);
  }

  /** lowercase hex of a non-negative integer (any double below 2^64 is exact here), as Number#toString(16) */
  hex(v: number): void {
    if (v < 0x100000000) {
      this.hex32(v);
      return;
    }
    if (!(v < 2 ** 64)) {
      this.text(v.toString(16));
      return;
    }
    this.hex32(Math.floor(v / 0x100000000));
    this.reserve(8);
    const buf = this.buf;
    const o = this.off;
    let lo = (v % 0x100000000) >>> 0;
    for (let k = 7; k >= 0; k--) {
      buf[o + k] = HEX[lo & 15]!;
      lo >>>= 4;
    }
    this.off = o + 8;
  }

  /** decimal of a signed 32-bit integer, as printf %d */
  int32(v: number): void {
    this.reserve(11);
    const buf = this.buf;
    let n = v | 0;
    if (n < 0) {
      buf[this.off++] = 0x2d;
      n = -n; // a double: -(-2^31) is fine
    }
    let len = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
    let o = this.off + len;
    this.off = o;
    do {
      buf[--o] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    } while (n !== 0);
  }
}
