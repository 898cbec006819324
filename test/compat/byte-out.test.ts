import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteOut } from '../../lib/compat/byte-out.js';

/** everything a ByteOut wrote, as latin1 text */
function written(f: (o: ByteOut) => void): string {
  const chunks: Uint8Array[] = [];
  const o = new ByteOut((c) => chunks.push(c));
  f(o);
  o.flush();
  return Buffer.concat(chunks).toString('latin1');
}

describe('ByteOut (printf-style bytes for the C tools)', () => {
  it('hex32 is %x of the unsigned value; int32 is %d of the signed one', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), (v) => {
        expect(written((o) => o.hex32(v))).toBe((v >>> 0).toString(16));
        expect(written((o) => o.int32(v))).toBe(String(v | 0));
      }),
    );
    expect(written((o) => o.int32(-(2 ** 31)))).toBe('-2147483648');
  });

  it('hex is Number#toString(16) for every integer below 2^64', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (b) => {
      const v = Number(b);
      expect(written((o) => o.hex(v))).toBe(v.toString(16));
    }));
    for (const v of [0, 15, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, 2 ** 53, 2 ** 63]) expect(written((o) => o.hex(v))).toBe(v.toString(16));
  });

  it('text is latin1 (low byte of each unit) and survives chunk boundaries', () => {
    expect(Buffer.from(written((o) => o.text('é\u0141x')), 'latin1')).toEqual(Buffer.from('é\u0141x', 'latin1'));
    const line = 'Address: 0123456789abcdef\n';
    const big = written((o) => {
      for (let i = 0; i < 100_000; i++) {
        o.text(line);
        o.bytes(Buffer.from('0123456789abcdef0123456789abcdef0123456789', 'latin1'));
        o.hex32(i);
      }
    });
    expect(big.length).toBe(100_000 * (line.length + 42) + Array.from({ length: 100_000 }, (_, i) => i.toString(16).length).reduce((a, b) => a + b, 0));
    expect(big.slice(-4)).toBe((99_999).toString(16).slice(-4));
  });
});
