// The C tools' stdout as bytes: ByteSink's ~1 MB chunks (lsslot -c mem prints
// ~145 bytes for each of up to 262,144 LMBs; a string per LMB, joined then
// encoded, was mostly garbage collection), with text written as latin1 (one
// byte per char, as main.ts writes it) and printf's %x and %d. Every writer
// here reserves its own room.
import { ByteSink } from '../render/byte-sink.js';


export class ByteOut extends ByteSink {
  /** `emit` receives each full chunk, a fresh buffer every time (it may keep it) */
  constructor(emit: (chunk: Uint8Array) => void) {
    super(emit);
  }

  override bytes(b: Uint8Array): void {
    this.reserve(b.length);
    super.bytes(b);
  }

  /** a latin1 string: the low byte of each UTF-16 unit, as Buffer's latin1 encoding */
  override text(s: string): void {
    if (s.length === 0) return;
    this.reserve(s.length);
    const buf = this.buf;
    let o = this.off;
    for (let i = 0; i < s.length; i++) buf[o++] = s.charCodeAt(i) & 0xff;
    this.off = o;
  }

  /** lowercase hex of an unsigned 32-bit integer, as printf %x */
  hex32(v: number): void {
    this.reserve(8);
    super.hex(v >>> 0);
  }

  /** lowercase hex of a non-negative integer (any double below 2^64 is exact here), as Number#toString(16) */
  override hex(v: number): void {
    if (!(v < 2 ** 53)) {
      this.text(v.toString(16));
      return;
    }
    this.reserve(16);
    super.hex(v);
  }

  /** decimal of a signed 32-bit integer, as printf %d */
  int32(v: number): void {
    this.reserve(11);
    let n = v | 0;
    if (n < 0) {
      this.buf[this.off++] = 0x2d;
      n = -n; // a double: -(-2^31) is fine
    }
    this.dec(n);
  }
}

