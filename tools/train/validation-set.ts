/**
 * A validation split held in memory for fast scoring of many settings: per query, the history
 * (as the page builds it), the target and the items the page would exclude, plus a cache of the
 * taste part of the score (u · out[j], the expensive part) for the current vectors and history
 * weighting. Trying a prior, a transition weight or a count window is then a pass over N items
 * per query; the ranking rule is the eval's (score desc, then index; excluded items skipped).
 */
import { lastDistinct, SEEN_CAP } from '../../src/recommend/seen.ts';
import { fillWeights, type Step, type Weighting } from '../../src/recommend/weights.ts';
import type { Holdout } from './holdout.ts';
import { dotsAll, userVector, type ScorerWeights } from './reference.ts';

/** Queries ready for scoring. */
export interface ValidationSet {
  items: number;
  queries: number;
  target: Int32Array;
  /** Per query, the history steps (oldest first; at most `maxHistory` of them are model input). */
  history: Step[][];
  /** Per query, the seen items (the page's seen-set rule). */
  seen: Int32Array[];
  /** 1 where the item may never be shown (out of stock). */
  blocked: Uint8Array;
}

/** Builds the validation set from held-out queries, keeping up to `maxHistory` steps of each history. */
export function validationSet(h: Holdout, items: number, inStock: readonly boolean[], maxHistory: number): ValidationSet {
  const seq = h.users;
  const n = h.user.length;
  const history: Step[][] = [];
  const seen: Int32Array[] = [];
  const target = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    const from = seq.offsets[h.user[q]!]!;
    const to = h.step[q]!;
    target[q] = seq.item[to]!;
    const steps: Step[] = [];
    for (let p = Math.max(from, to - maxHistory); p < to; p++) steps.push({ item: seq.item[p]!, code: seq.code[p]!, time: seq.time[p]! });
    history.push(steps);
    seen.push(Int32Array.from(lastDistinct(Array.from(seq.item.subarray(from, to)), SEEN_CAP)));
  }
  return { items, queries: n, target, history, seen, blocked: Uint8Array.from(inStock, (s) => (s ? 0 : 1)) };
}

/** u · out[j] for every query and item ([queries × N], float32), for the given vectors and weighting. */
export function tasteCache(v: ValidationSet, w: ScorerWeights, weighting: Readonly<Weighting>, maxHistory: number): Float32Array {
  const N = v.items;
  const cache = new Float32Array(v.queries * N);
  const items = new Int32Array(maxHistory);
  const weights = new Float32Array(maxHistory);
  const u = new Float32Array(w.dim);
  for (let q = 0; q < v.queries; q++) {
    fillWeights(v.history[q]!, weighting, maxHistory, items, weights);
    userVector(w, items, weights, maxHistory, u);
    dotsAll(w, u, cache.subarray(q * N, (q + 1) * N));
  }
  return cache;
}

/** The cheap parts of a score: prior per item and transitions (a table and per-slot weights). */
export interface CheapParts {
  prior: Float32Array;
  transitions?: { width: number; index: Int32Array; strength: Float32Array; recency: Float32Array };
}

/**
 * Mean NDCG@k over the validation set for taste cache + cheap parts. Scores add in float64 here
 * (the shipped graph adds in float32: rankings agree up to exact ties).
 */
export function validationNdcg(v: ValidationSet, cache: Float32Array, parts: CheapParts, k = 10): number {
  const N = v.items;
  const extra = new Float64Array(N);
  const excluded = new Uint8Array(N);
  let total = 0;
  for (let q = 0; q < v.queries; q++) {
    const hist = v.history[q]!;
    const t = parts.transitions;
    const touched: number[] = [];
    if (t !== undefined) {
      const R = t.recency.length;
      for (let r = 0; r < R; r++) {
        const step = hist[hist.length - R + r];
        if (step === undefined) continue;
        const row = step.item * t.width;
        for (let m = 0; m < t.width; m++) {
          const j = t.index[row + m]!;
          extra[j]! += t.strength[row + m]! * t.recency[r]!;
          touched.push(j);
        }
      }
    }
    for (const j of v.seen[q]!) excluded[j] = 1;
    const base = q * N;
    const target = v.target[q]!;
    if (excluded[target] === 0 && v.blocked[target] === 0) {
      const st = cache[base + target]! + parts.prior[target]! + extra[target]!;
      let rank = 1;
      for (let j = 0; j < N && rank <= k; j++) {
        if (excluded[j] === 1 || v.blocked[j] === 1) continue;
        const s = cache[base + j]! + parts.prior[j]! + extra[j]!;
        if (s > st || (s === st && j < target)) rank++;
      }
      if (rank <= k) total += 1 / Math.log2(rank + 1);
    }
    for (const j of v.seen[q]!) excluded[j] = 0;
    for (const j of touched) extra[j] = 0;
  }
  return total / Math.max(1, v.queries);
}
