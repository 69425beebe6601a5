/**
 * The recommender's scoring function in plain JS: the reference the ONNX graph is tested against
 * and what the offline eval runs (so the numbers in the eval are the numbers of the exported
 * model). Keep the operation order in step with `export-onnx.ts`.
 *
 *   u      = Σ_l w_l · in[items_l] / (Σ_l w_l + shrink)
 *   score  = u · out[j]
 *          + Σ_{r < R, slot r of the last R is real} recency[r] · strength(items_r → j)   (transitions)
 *          + itemBias[j] + bias[j]
 *   result = top-k of score (ties: lower index first)
 *
 * History rows are right-aligned (newest in the last slot, see `fillWeights`), so the last R slots
 * are the visitor's last R steps; a slot is real when its weight is > 0.
 */

/** The trained parameters, row-major float32. */
export interface ScorerWeights {
  /** Number of items N. */
  items: number;
  /** Embedding size D. */
  dim: number;
  /** Context (input) vectors, [N, D]. */
  inVec: Float32Array;
  /** Candidate (output) vectors, [N, D]. */
  outVec: Float32Array;
  /** Per-item prior (log-popularity), [N]. */
  itemBias: Float32Array;
  /** Added to the weight sum before dividing: a short history pulls less and popularity more. */
  shrink: number;
  /** The sequential component (transitions.ts); absent in models written before it existed. */
  transitions?: TransitionWeights;
}

/** Followers of each item and how much the last R steps count (see transitions.ts). */
export interface TransitionWeights {
  /** Neighbours per item (M). */
  width: number;
  /** [N, M] follower indices. */
  index: Int32Array;
  /** [N, M] strengths (0 for padding). */
  strength: Float32Array;
  /** [R] weight of each of the last R slots, oldest first: the newest step's weight is last. */
  recency: Float32Array;
}

/** Writes the visitor vector of one row into `u` (length D). */
export function userVector(
  w: ScorerWeights,
  items: ArrayLike<number>,
  weights: ArrayLike<number>,
  length: number,
  u: Float32Array,
): void {
  const D = w.dim;
  u.fill(0);
  let total = 0;
  for (let l = 0; l < length; l++) {
    const wl = weights[l] ?? 0;
    total += wl;
    if (wl === 0) continue;
    const row = (items[l] ?? 0) * D;
    for (let d = 0; d < D; d++) u[d] = u[d]! + wl * w.inVec[row + d]!;
  }
  // Division (not a reciprocal multiply) because the graph divides: same rounding.
  const denom = Math.fround(Math.max(total + w.shrink, 1e-6));
  for (let d = 0; d < D; d++) u[d] = u[d]! / denom;
}

/** Scores every item for visitor vector `u` into `out` (length N): the dot products only. */
export function dotsAll(w: ScorerWeights, u: Float32Array, out: Float32Array): void {
  const D = w.dim;
  for (let j = 0; j < w.items; j++) {
    const row = j * D;
    let s = 0;
    for (let d = 0; d < D; d++) s += u[d]! * w.outVec[row + d]!;
    out[j] = s;
  }
}

/**
 * Adds the transition component for a right-aligned history row of `length` slots to `out`, in
 * the order the graph's ScatterElements adds (slot by slot, neighbour by neighbour).
 */
export function addTransitions(w: ScorerWeights, items: ArrayLike<number>, weights: ArrayLike<number>, length: number, out: Float32Array): void {
  const t = w.transitions;
  if (t === undefined) return;
  const R = t.recency.length;
  for (let r = Math.max(0, R - length); r < R; r++) {
    const slot = length - R + r;
    if (!((weights[slot] ?? 0) > 0)) continue;
    const row = (items[slot] ?? 0) * t.width;
    const rho = t.recency[r]!;
    for (let m = 0; m < t.width; m++) {
      const j = t.index[row + m]!;
      out[j] = out[j]! + Math.fround(t.strength[row + m]! * rho);
    }
  }
}

/** Adds the prior and the optional bias row to `out`. */
export function addPrior(w: ScorerWeights, out: Float32Array, bias?: ArrayLike<number>): void {
  // Two float32 roundings, like the graph's two Adds.
  for (let j = 0; j < w.items; j++) out[j] = Math.fround(out[j]! + w.itemBias[j]!) + (bias === undefined ? 0 : bias[j] ?? 0);
}

/**
 * The whole score row for one right-aligned history (`items`/`weights` of `length` slots):
 * what the graph computes before TopK. `u` is scratch of length D.
 */
export function scoreHistory(w: ScorerWeights, items: ArrayLike<number>, weights: ArrayLike<number>, length: number, out: Float32Array, u: Float32Array, bias?: ArrayLike<number>): void {
  userVector(w, items, weights, length, u);
  dotsAll(w, u, out);
  addTransitions(w, items, weights, length, out);
  addPrior(w, out, bias);
}

/** Scores every item for visitor vector `u` into `out` (length N), adding `bias` when given (no transitions). */
export function scoreAll(w: ScorerWeights, u: Float32Array, out: Float32Array, bias?: ArrayLike<number>): void {
  dotsAll(w, u, out);
  addPrior(w, out, bias);
}

/**
 * Indices of the `k` highest scores, best first; ties go to the lower index (what ORT's TopK
 * does on CPU, and a stable order for tests).
 */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  const n = scores.length;
  const kk = Math.min(k, n);
  const heap: number[] = [];
  // Worse = lower score, or equal score and higher index.
  const worse = (a: number, b: number): boolean => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  for (let i = 0; i < n; i++) {
    if (heap.length < kk) {
      heap.push(i);
      for (let c = heap.length - 1; c > 0;) {
        const p = (c - 1) >> 1;
        if (!worse(heap[c]!, heap[p]!)) break;
        [heap[c], heap[p]] = [heap[p]!, heap[c]!];
        c = p;
      }
    } else if (kk > 0 && worse(heap[0]!, i)) {
      heap[0] = i;
      for (let p = 0; ;) {
        const l = 2 * p + 1;
        const r = l + 1;
        let m = p;
        if (l < kk && worse(heap[l]!, heap[m]!)) m = l;
        if (r < kk && worse(heap[r]!, heap[m]!)) m = r;
        if (m === p) break;
        [heap[m], heap[p]] = [heap[p]!, heap[m]!];
        p = m;
      }
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}

/** Output of {@link referenceRun}: what the ONNX model returns. */
export interface ReferenceOutput {
  /** [B, K] item indices. */
  indices: BigInt64Array;
  /** [B, K] scores. */
  scores: Float32Array;
  k: number;
}

/**
 * The whole model on a batch, like `session.run`: `items`/`weights` are [B, L]; `bias` is
 * [B, N] or [1, N] (broadcast), or omitted for zeros.
 */
export function referenceRun(
  w: ScorerWeights,
  batch: number,
  length: number,
  items: ArrayLike<number | bigint>,
  weights: ArrayLike<number>,
  k: number,
  bias?: Float32Array,
): ReferenceOutput {
  const kk = Math.min(k, w.items);
  const indices = new BigInt64Array(batch * kk);
  const scores = new Float32Array(batch * kk);
  const u = new Float32Array(w.dim);
  const all = new Float32Array(w.items);
  const rowItems = new Array<number>(length);
  for (let b = 0; b < batch; b++) {
    for (let l = 0; l < length; l++) rowItems[l] = Number(items[b * length + l] ?? 0);
    const rowWeights = weights instanceof Float32Array ? weights.subarray(b * length, (b + 1) * length) : Array.from({ length }, (_, l) => weights[b * length + l] ?? 0);
    const rowBias = bias === undefined ? undefined : bias.length === w.items ? bias : bias.subarray(b * w.items, (b + 1) * w.items);
    scoreHistory(w, rowItems, rowWeights, length, all, u, rowBias);
    topK(all, kk).forEach((j, r) => {
      indices[b * kk + r] = BigInt(j);
      scores[b * kk + r] = all[j]!;
    });
  }
  return { indices, scores, k: kk };
}
