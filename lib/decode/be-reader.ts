// Bounds-checked big-endian reads over a Uint8Array (libfdt's fdt_offset_ptr +
// fdt32_ld in one). DataView throws a bare RangeError on a short buffer; here
// every read is checked first and a failure names the offset and the length
// wanted, so callers can turn it into a FormatError or a Finding.

/** Thrown by BeReader when a read would leave the buffer. */
export class OutOfBoundsError extends Error {
  constructor(
    readonly offset: number,
    readonly length: number,
    readonly size: number,
  ) {
    super(`read of ${length} byte(s) at offset 0x${offset.toString(16)} runs past the end (size 0x${size.toString(16)})`);
    this.name = 'OutOfBoundsError';
  }
}

/** true when [offset, offset+length) lies inside a buffer of `size` bytes (overflow-safe) */
export function fits(size: number, offset: number, length: number): boolean {
  return Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
}

/**
 * Random-access big-endian reader. `fail` decides what an out-of-bounds read
 * throws (default OutOfBoundsError); it must not return.
 */
export class BeReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly fail: (offset: number, length: number) => never;

  constructor(bytes: Uint8Array, fail?: (offset: number, length: number) => never) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.fail =
      fail ??
      ((offset, length) => {
        throw new OutOfBoundsError(offset, length, bytes.length);
      });
  }

  get length(): number {
    return this.bytes.length;
  }

  /** true when `length` bytes can be read at `offset` */
  has(offset: number, length: number): boolean {
    return fits(this.bytes.length, offset, length);
  }

  private check(offset: number, length: number): void {
    if (!fits(this.bytes.length, offset, length)) this.fail(offset, length);
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.view.getUint8(offset);
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, false);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, false);
  }

  /** 64-bit value as a bigint (addresses, sizes) */
  u64(offset: number): bigint {
    this.check(offset, 8);
    return this.view.getBigUint64(offset, false);
  }

  /** 64-bit value as a number when it is a safe integer, else undefined */
  u64Number(offset: number): number | undefined {
    const v = this.u64(offset);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  }

  /** a view (not a copy) of `length` bytes at `offset` */
  slice(offset: number, length: number): Uint8Array {
    this.check(offset, length);
    return this.bytes.subarray(offset, offset + length);
  }

  /** index of the first NUL at or after `offset` and before `end` (exclusive), or -1 */
  indexOfNul(offset: number, end: number = this.bytes.length): number {
    const stop = Math.min(end, this.bytes.length);
    if (offset < 0 || offset >= stop) return -1;
    const i = this.bytes.indexOf(0, offset);
    return i >= 0 && i < stop ? i : -1;
  }
}

/** one big-endian u32 at `offset`, or undefined when it does not fit */
export function u32At(bytes: Uint8Array, offset: number): number | undefined {
  if (!fits(bytes.length, offset, 4)) return undefined;
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

/** one big-endian u64 at `offset` as a bigint, or undefined when it does not fit */
export function u64At(bytes: Uint8Array, offset: number): bigint | undefined {
  const hi = u32At(bytes, offset);
  const lo = u32At(bytes, offset + 4);
  if (hi === undefined || lo === undefined) return undefined;
  return (BigInt(hi) << 32n) | BigInt(lo);
}
