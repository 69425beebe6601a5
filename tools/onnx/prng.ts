/**
 * A small seeded PRNG (mulberry32) for test weights and sample inputs: the same seed gives the
 * same stream on every machine and Node version, unlike Math.random.
 *
 * @example
 * const rng = new Prng(42);
 * rng.nextFloat(); // [0, 1)
 * rng.normal();    // N(0, 1)
 * rng.int(10);     // 0..9
 */
export class Prng {
  #state: number;
  /** Box-Muller makes normals in pairs; the second one waits here. */
  #spare: number | undefined;

  /** @param seed any number; only its low 32 bits matter. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1), with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal N(0, 1) by Box-Muller. */
  normal(): number {
    if (this.#spare !== undefined) {
      const s = this.#spare;
      this.#spare = undefined;
      return s;
    }
    const u = 1 - this.nextFloat(); // (0, 1]: log(0) would be -Infinity
    const v = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n); `n` must be a positive integer ≤ 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new RangeError(`Prng.int: n must be an integer in 1..2^32, got ${n}`);
    return Math.floor(this.nextFloat() * n);
  }

  /** A Float32Array of `count` normals scaled by `scale`, e.g. `normals(64 * 32, Math.sqrt(2 / 64))`. */
  normals(count: number, scale = 1): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal() * scale;
    return out;
  }
}
