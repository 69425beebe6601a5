/**
 * The model's sequential component: which items follow which. From every step, the next few new
 * items of the same session are counted (the next one fully, later ones discounted), and each
 * item keeps its strongest followers as a fixed-width neighbour list, normalised with a shrinkage
 * term so an item seen twice does not claim certainty, optionally blended with plain co-occurrence:
 *
 *   strength(i → j) = Σ γ^(gap−1) over the times j followed i  /  (Σ over all of i's followers + κ)
 *                   + coWeight · cosine(i, j)
 *
 * The exported graph gathers these lists for the visitor's last few steps and adds them to the
 * scores (export-onnx.ts); reference.ts does the same in JS.
 */
import type { Sessions } from './sessions.ts';

/** How transitions are counted (changing them means recounting). */
export interface TransitionCountOptions {
  /** Followers counted per step: the next `window` new items of the session. */
  window: number;
  /** Discount per extra step of distance (the next item counts 1, the one after `gap`, …). */
  gap: number;
}

/** Raw follower counts, CSR by source item, followers sorted by count (desc) then index. */
export interface TransitionCounts {
  items: number;
  offsets: Int32Array;
  follower: Int32Array;
  count: Float64Array;
  /** Σ of each source item's follower counts. */
  total: Float64Array;
}

/** A fixed-width neighbour table: row i holds `width` (index, strength) pairs, padded with (i, 0). */
export interface TransitionTable {
  width: number;
  index: Int32Array;
  strength: Float32Array;
}

/**
 * Counts followers. A follower must be new to the session at that point (the same rule as the
 * training targets and `excludeSeen`: an item the visitor already had is never the answer).
 *
 * @example const counts = countTransitions(train, catalog.ids.length, { window: 3, gap: 0.5 });
 */
export function countTransitions(sessions: Sessions, items: number, opts: Readonly<TransitionCountOptions>): TransitionCounts {
  const pairs = new Map<number, number>();
  const firstSeen = new Map<number, number>();
  for (let s = 0; s < sessions.count; s++) {
    const from = sessions.offsets[s]!;
    const to = sessions.offsets[s + 1]!;
    firstSeen.clear();
    for (let p = from; p < to; p++) if (!firstSeen.has(sessions.item[p]!)) firstSeen.set(sessions.item[p]!, p);
    for (let p = from; p < to; p++) {
      const a = sessions.item[p]!;
      let found = 0;
      for (let q = p + 1; q < to && found < opts.window; q++) {
        const b = sessions.item[q]!;
        if (firstSeen.get(b) !== q) continue; // a repeat, not a new item
        const key = a * items + b;
        pairs.set(key, (pairs.get(key) ?? 0) + Math.pow(opts.gap, found));
        found++;
      }
    }
  }
  const keys = Float64Array.from(pairs.keys()).sort();
  const offsets = new Int32Array(items + 1);
  for (const key of keys) offsets[Math.floor(key / items) + 1]!++;
  for (let i = 0; i < items; i++) offsets[i + 1]! += offsets[i]!;
  const follower = new Int32Array(keys.length);
  const count = new Float64Array(keys.length);
  const total = new Float64Array(items);
  keys.forEach((key, e) => {
    const a = Math.floor(key / items);
    follower[e] = key - a * items;
    count[e] = pairs.get(key)!;
    total[a]! += count[e]!;
  });
  // Strongest first within each row; ties by index, so the table does not depend on Map order.
  for (let i = 0; i < items; i++) {
    const from = offsets[i]!;
    const to = offsets[i + 1]!;
    const order = Array.from({ length: to - from }, (_, k) => from + k).sort((x, y) => count[y]! - count[x]! || follower[x]! - follower[y]!);
    const f = order.map((e) => follower[e]!);
    const c = order.map((e) => count[e]!);
    follower.set(f, from);
    count.set(c, from);
  }
  return { items, offsets, follower, count, total };
}

/** Item–item co-occurrence as cosine similarities, CSR by item (both directions stored). */
export interface Cooccurrence {
  items: number;
  offsets: Int32Array;
  neighbour: Int32Array;
  cosine: Float32Array;
}

/**
 * Cosine similarity of items by co-occurrence within `window` steps of a session:
 * `c_ij / sqrt(n_i · n_j)` with `n_i` the item's steps. Symmetric (order-free), unlike the
 * follower counts: it also links an accessory to the product it is usually bought after.
 *
 * @example const co = cooccurrence(train, catalog.ids.length, 5);
 */
export function cooccurrence(sessions: Sessions, items: number, window: number): Cooccurrence {
  const occurrences = new Float64Array(items);
  const pairs = new Map<number, number>();
  for (let s = 0; s < sessions.count; s++) {
    const from = sessions.offsets[s]!;
    const to = sessions.offsets[s + 1]!;
    for (let p = from; p < to; p++) {
      const a = sessions.item[p]!;
      occurrences[a]!++;
      for (let q = p + 1; q < Math.min(to, p + 1 + window); q++) {
        const b = sessions.item[q]!;
        if (a === b) continue;
        const key = Math.min(a, b) * items + Math.max(a, b);
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
    }
  }
  const keys = Float64Array.from(pairs.keys()).sort();
  const offsets = new Int32Array(items + 1);
  for (const key of keys) {
    offsets[Math.floor(key / items) + 1]!++;
    offsets[(key % items) + 1]!++;
  }
  for (let i = 0; i < items; i++) offsets[i + 1]! += offsets[i]!;
  const neighbour = new Int32Array(offsets[items]!);
  const cosine = new Float32Array(offsets[items]!);
  const fill = offsets.slice(0, items);
  for (const key of keys) {
    const i = Math.floor(key / items);
    const j = key - i * items;
    const v = pairs.get(key)! / Math.sqrt(occurrences[i]! * occurrences[j]!);
    neighbour[fill[i]!] = j;
    cosine[fill[i]!++] = v;
    neighbour[fill[j]!] = i;
    cosine[fill[j]!++] = v;
  }
  return { items, offsets, neighbour, cosine };
}

/**
 * The neighbour table the model ships: each item's `width` strongest neighbours by
 * `count / (total + shrink)` (followers) `+ coWeight · cosine` (co-occurrence, when given);
 * ties go to the lower index.
 */
export function transitionTable(counts: TransitionCounts, width: number, shrink: number, co?: Cooccurrence, coWeight = 0): TransitionTable {
  const N = counts.items;
  const index = new Int32Array(N * width);
  const strength = new Float32Array(N * width);
  const score = new Map<number, number>();
  for (let i = 0; i < N; i++) {
    score.clear();
    const denom = counts.total[i]! + shrink;
    if (denom > 0) for (let e = counts.offsets[i]!; e < counts.offsets[i + 1]!; e++) score.set(counts.follower[e]!, counts.count[e]! / denom);
    if (co !== undefined && coWeight > 0) {
      for (let e = co.offsets[i]!; e < co.offsets[i + 1]!; e++) score.set(co.neighbour[e]!, (score.get(co.neighbour[e]!) ?? 0) + coWeight * co.cosine[e]!);
    }
    const top = [...score].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, width);
    for (let m = 0; m < width; m++) {
      // Padding points at the item itself with strength 0: it adds nothing, and an item is never
      // its own neighbour (consecutive events on one item are one step).
      index[i * width + m] = top[m]?.[0] ?? i;
      strength[i * width + m] = top[m]?.[1] ?? 0;
    }
  }
  return { width, index, strength };
}
