/**
 * IEEE-754 binary16 ("half") <-> binary32 conversion on raw bits, so float16 tensors can be built
 * and checked in Node 20, which has no Float16Array.
 *
 * float32 -> float16 rounds to nearest, ties to even, like ORT's Cast (MLFloat16 uses the same
 * rounding), including overflow to ±Infinity at 65520 and gradual underflow to subnormals.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Half bits of a number. The number is first rounded to float32 (`Math.fround`), because the
 * graphs convert float32 tensors: rounding a double straight to half could differ (double rounding).
 * NaN keeps its sign and top payload bits and stays quiet.
 *
 * @example float32ToFloat16Bits(1) === 0x3c00; float32ToFloat16Bits(65520) === 0x7c00 // +Inf
 */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const bits = u32[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;

  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);

  const e = exp - 127 + 15; // re-biased exponent
  if (e >= 31) return sign | 0x7c00; // too large even before rounding
  if (e <= 0) {
    // Subnormal half (or zero). Below 2^-25 everything rounds to zero; exactly 2^-25 is a tie
    // that goes to the even neighbour, zero, which the general path below also gives.
    if (e < -10) return sign;
    const m = mant | 0x800000; // restore the implicit leading 1
    const shift = 14 - e; // 14..24
    return sign | roundShift(m, shift);
  }
  // Normal: a mantissa carry out of 10 bits bumps the exponent, and from e=30 lands on Infinity.
  return sign | roundShift((e << 23) | mant, 13);
}

/** `value >>> shift`, rounded to nearest with ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/**
 * The float32 (exact) value of half bits.
 *
 * @example float16BitsToFloat32(0x3c00) === 1; float16BitsToFloat32(0x0001) === 2 ** -24
 */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Converts every element to half bits (see {@link float32ToFloat16Bits}). */
export function toFloat16Array(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i] ?? 0);
  return out;
}

/** Converts half bits back to float32 values (see {@link float16BitsToFloat32}). */
export function fromFloat16Array(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsToFloat32(bits[i] ?? 0);
  return out;
}
