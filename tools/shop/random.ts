/**
 * Sampling helpers on top of the seeded {@link Prng}. Every helper consumes a fixed number of
 * draws for a given input size, so a change in one place does not silently shift the rest of a
 * stream more than it has to.
 */
import type { Prng } from '../onnx/prng.ts';

/** A uniformly chosen element; throws on an empty list (a generator bug, not bad input). */
export function pick<T>(rng: Prng, items: readonly T[]): T {
  const v = items[rng.int(Math.max(1, items.length))];
  if (v === undefined) throw new Error('pick: empty list');
  return v;
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffle<T>(rng: Prng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}

/** `k` distinct elements (all of them when `k ≥ length`), in random order. */
export function sampleWithoutReplacement<T>(rng: Prng, items: readonly T[], k: number): T[] {
  return shuffle(rng, [...items]).slice(0, Math.min(k, items.length));
}

/**
 * Index drawn with probability proportional to `weights[i]` (first `n` entries). Returns -1 when
 * every weight is zero, so callers can decide what "nothing fits" means.
 */
export function weightedIndex(rng: Prng, weights: ArrayLike<number>, n = weights.length): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i] ?? 0;
  if (!(total > 0)) return -1;
  let r = rng.nextFloat() * total;
  for (let i = 0; i < n; i++) {
    r -= weights[i] ?? 0;
    if (r < 0) return i;
  }
  // Float rounding can leave r ≥ 0 after the loop: return the last positive weight.
  for (let i = n - 1; i >= 0; i--) if ((weights[i] ?? 0) > 0) return i;
  return -1;
}

/**
 * Repeated weighted draws from a fixed distribution in O(log n) each (cumulative sums + binary
 * search); {@link weightedIndex} is O(n) per draw, too slow for 24,000 draws over 9,000 shoppers.
 */
export class CumulativeSampler {
  readonly #cumulative: Float64Array;

  /** @param weights non-negative weights with a positive sum. */
  constructor(weights: ArrayLike<number>) {
    this.#cumulative = new Float64Array(weights.length);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      total += weights[i] ?? 0;
      this.#cumulative[i] = total;
    }
    if (!(total > 0)) throw new Error('CumulativeSampler: weights must have a positive sum');
  }

  /** An index drawn with probability proportional to its weight. */
  draw(rng: Prng): number {
    const c = this.#cumulative;
    const r = rng.nextFloat() * (c[c.length - 1] ?? 0);
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((c[mid] ?? 0) > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
