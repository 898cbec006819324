import { describe, expect, it } from 'vitest';
import { BeReader, OutOfBoundsError, fits, u32At, u64At } from '../../lib/decode/be-reader.js';

describe('BeReader', () => {
  const b = new Uint8Array([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x00]);
  it('reads big-endian values', () => {
    const r = new BeReader(b);
    expect(r.u8(0)).toBe(0x12);
    expect(r.u16(1)).toBe(0x3456);
    expect(r.u32(0)).toBe(0x12345678);
    expect(r.u64(0)).toBe(0x123456789abcdef0n);
    expect(r.u64Number(0)).toBeUndefined();
    expect(r.indexOfNul(0)).toBe(8);
    expect(r.indexOfNul(0, 8)).toBe(-1);
  });
  it('throws OutOfBoundsError, never RangeError, on a short buffer', () => {
    const r = new BeReader(b);
    expect(() => r.u32(6)).toThrow(OutOfBoundsError);
    expect(() => r.u64(2)).toThrow(OutOfBoundsError);
    expect(() => r.u32(-1)).toThrow(OutOfBoundsError);
    expect(() => r.slice(4, 2 ** 53)).toThrow(OutOfBoundsError);
  });
  it('uses the caller-supplied failure', () => {
    const r = new BeReader(b, (off, len) => {
      throw new Error(`bad ${off}+${len}`);
    });
    expect(() => r.u32(8)).toThrow('bad 8+4');
  });
  it('fits() is overflow-safe', () => {
    expect(fits(10, 6, 4)).toBe(true);
    expect(fits(10, 7, 4)).toBe(false);
    expect(fits(10, 0xffffffff, 0xffffffff)).toBe(false);
    expect(fits(10, 2, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
  it('u32At/u64At return undefined out of bounds', () => {
    expect(u32At(b, 4)).toBe(0x9abcdef0);
    expect(u32At(b, 6)).toBeUndefined();
    expect(u64At(b, 0)).toBe(0x123456789abcdef0n);
    expect(u64At(b, 2)).toBeUndefined();
  });
});
