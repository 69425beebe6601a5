/**
 * Ranking metrics for next-item prediction with one relevant item per query:
 * HitRate@k, NDCG@k (ideal DCG is 1), MRR over the full ranking, and catalogue coverage of the
 * top-k lists.
 */

/**
 * 1-based rank of `target` among the items not excluded, ordering by score (desc) and then index
 * (asc) — the same order as TopK. Returns 0 when the target itself is excluded.
 *
 * @example rankOf(Float32Array.of(0.1, 0.9, 0.5), 2) === 2
 */
export function rankOf(scores: ArrayLike<number>, target: number, excluded?: ArrayLike<number>): number {
  const st = scores[target];
  if (st === undefined || (excluded !== undefined && excluded[target] === 1)) return 0;
  let rank = 1;
  for (let j = 0; j < scores.length; j++) {
    if (excluded !== undefined && excluded[j] === 1) continue;
    const s = scores[j]!;
    if (s > st || (s === st && j < target)) rank++;
  }
  return rank;
}

/** Running sums of the metrics over queries; read them with {@link summarize}. */
export interface MetricSums {
  k: number;
  queries: number;
  hits: number;
  ndcg: number;
  rr: number;
  /** Items that appeared in at least one top-k list. */
  recommended: Set<number>;
}

/** Fresh sums for cut-off `k`. */
export function emptySums(k = 10): MetricSums {
  return { k, queries: 0, hits: 0, ndcg: 0, rr: 0, recommended: new Set() };
}

/**
 * Adds one query: the target's 1-based `rank` (0 = never ranked, counts as a miss) and the top-k
 * list that was shown.
 */
export function addQuery(sums: MetricSums, rank: number, topList: readonly number[]): void {
  sums.queries++;
  if (rank > 0) {
    sums.rr += 1 / rank;
    if (rank <= sums.k) {
      sums.hits++;
      sums.ndcg += 1 / Math.log2(rank + 1);
    }
  }
  for (const i of topList) sums.recommended.add(i);
}

/** Final metrics of one method. */
export interface Metrics {
  queries: number;
  hitRate: number;
  ndcg: number;
  mrr: number;
  /** Share of the catalogue that appeared in some top-k list. */
  coverage: number;
}

/** Averages the sums; `catalogSize` is the denominator of coverage. */
export function summarize(sums: MetricSums, catalogSize: number): Metrics {
  const q = Math.max(1, sums.queries);
  return {
    queries: sums.queries,
    hitRate: sums.hits / q,
    ndcg: sums.ndcg / q,
    mrr: sums.rr / q,
    coverage: catalogSize > 0 ? sums.recommended.size / catalogSize : 0,
  };
}
