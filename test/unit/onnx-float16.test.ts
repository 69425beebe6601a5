import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits, fromFloat16Array, toFloat16Array } from '../../tools/onnx/float16.ts';

describe('float32ToFloat16Bits', () => {
  it('keeps signed zeros', () => {
    expect(float32ToFloat16Bits(0)).toBe(0x0000);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
  });

  it('encodes exact normals', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(0.5)).toBe(0x3800);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff); // largest finite half
    expect(float32ToFloat16Bits(2 ** -14)).toBe(0x0400); // smallest normal
  });

  it('encodes subnormals and underflow with ties to even', () => {
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float32ToFloat16Bits(1023 * 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24 → even (0)
    expect(float32ToFloat16Bits(-(2 ** -25))).toBe(0x8000);
    expect(float32ToFloat16Bits(2 ** -25 * 1.0001)).toBe(0x0001); // just above the tie
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 → even (2)
    expect(float32ToFloat16Bits(5 * 2 ** -25)).toBe(0x0002); // tie between 2 and 3 → even (2)
    expect(float32ToFloat16Bits(2 ** -30)).toBe(0x0000);
    expect(float32ToFloat16Bits(1e-45)).toBe(0x0000); // float32 subnormal
    expect(float32ToFloat16Bits((1023.5) * 2 ** -24)).toBe(0x0400); // rounds up into the normals
  });

  it('rounds normals to nearest, ties to even', () => {
    const ulp1 = 2 ** -10; // spacing just above 1
    expect(float32ToFloat16Bits(1 + ulp1 / 2)).toBe(0x3c00); // tie, 0x3c00 is even
    expect(float32ToFloat16Bits(1 + ulp1 * 1.5)).toBe(0x3c02); // tie, 0x3c02 is even
    expect(float32ToFloat16Bits(1 + ulp1 * 0.51)).toBe(0x3c01);
    expect(float32ToFloat16Bits(1 + ulp1 * 0.49)).toBe(0x3c00);
    expect(float32ToFloat16Bits(2047.5 * 2 ** -10)).toBe(0x4000); // mantissa carry bumps the exponent
  });

  it('overflows to infinity at 65520 and keeps infinities', () => {
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // tie between 65504 and 65536 → even (inf)
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-1e6)).toBe(0xfc00);
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
  });

  it('maps NaN to a quiet NaN', () => {
    const bits = float32ToFloat16Bits(NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x03ff).not.toBe(0);
    expect(bits & 0x0200).toBe(0x0200);
    expect(Number.isNaN(float16BitsToFloat32(bits))).toBe(true);
  });

  it('rounds the float32 value, not the double (no double rounding)', () => {
    // x is just above the 1 + 2^-11 tie as a double, but float32 rounds it down onto the tie,
    // and the tie then goes to even (1.0), which is what Cast(float32 → float16) gives.
    const x = 1 + 2 ** -11 + 2 ** -40;
    expect(Math.fround(x)).toBe(1 + 2 ** -11);
    expect(float32ToFloat16Bits(x)).toBe(0x3c00);
  });
});

describe('float16BitsToFloat32', () => {
  it('decodes specials and subnormals', () => {
    expect(float16BitsToFloat32(0x7c00)).toBe(Infinity);
    expect(float16BitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16BitsToFloat32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
    expect(float16BitsToFloat32(0x3555)).toBeCloseTo(1 / 3, 3);
  });

  it('round-trips every non-NaN half exactly', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const isNaN = ((bits >>> 10) & 0x1f) === 0x1f && (bits & 0x3ff) !== 0; // payloads need not survive
      if (!isNaN && float32ToFloat16Bits(float16BitsToFloat32(bits)) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it('converts arrays both ways', () => {
    const bits = toFloat16Array([0, 1, -2, 0.1]);
    expect(Array.from(bits.subarray(0, 3))).toEqual([0x0000, 0x3c00, 0xc000]);
    expect(fromFloat16Array(bits)[3]).toBeCloseTo(0.1, 3);
  });
});
