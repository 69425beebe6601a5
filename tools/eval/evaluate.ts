/**
 * Scores held-out next-item queries (tools/train/holdout.ts): for each query every method ranks
 * the whole catalogue given the visitor's history, with the items the page would never show taken
 * out for every method alike — the visitor's seen items (the page's seen-set rule: the last 1,000
 * distinct items) and, as `recommend()` does by default, out-of-stock items — and the metrics
 * record where the real next item landed.
 */
import { lastDistinct, SEEN_CAP } from '../../src/recommend/seen.ts';
import type { Holdout } from '../train/holdout.ts';
import { topK } from '../train/reference.ts';
import { selectSessions, type Sessions } from '../train/sessions.ts';
import { addQuery, emptySums, rankOf, summarize, type Metrics } from './metrics.ts';

/**
 * The moment that leaves the last `testShare` of the span of `starts` (session start times) as
 * the test period.
 */
export function cutTime(starts: ArrayLike<number>, testShare: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < starts.length; i++) {
    const t = starts[i]!;
    if (!Number.isFinite(t)) continue;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  return lo + (1 - testShare) * (hi - lo);
}

/**
 * Sessions split at {@link cutTime}: whole sessions to one side (the search eval trains its item
 * vectors on `train`; the recommender protocols are in protocols.ts).
 *
 * @example const { train, test } = timeSplit(sessions, 0.1);
 */
export function timeSplit(all: Sessions, testShare: number): { train: Sessions; test: Sessions; cut: number } {
  const cut = cutTime(all.start, testShare);
  return { train: selectSessions(all, (s) => all.start[s]! < cut), test: selectSessions(all, (s) => all.start[s]! >= cut), cut };
}

/** A method under evaluation: scores every item for the history `seq` steps `from .. to-1`. */
export interface Scorer {
  name: string;
  score(seq: Sessions, from: number, to: number, out: Float32Array): void;
}

/** Options of {@link evaluate}. */
export interface EvalOptions {
  items: number;
  /** 1 where the item is in stock; others are never recommended (the page's default). Default: all in stock. */
  inStock?: ArrayLike<number>;
  /** Cut-off of HitRate and NDCG. Default 10. */
  k?: number;
  /** When given, each scorer's top-k lists are pushed here by name (for comparisons with the page). */
  lists?: Record<string, number[][]>;
  /** When given, each scorer's target rank per query (1-based, 0 = excluded) is pushed here by name. */
  ranks?: Record<string, number[]>;
  /**
   * Per item, the time (Unix ms) from which it can be recommended: an item whose time is later
   * than the query's target step is excluded for every method (a product not launched yet).
   * Default: every item always.
   */
  availableFrom?: ArrayLike<number>;
}

/**
 * The items the page excludes for a history: the seen-set and out-of-stock items. `excluded` is
 * filled (1 = excluded) and returned.
 */
export function exclusionMask(seq: Sessions, from: number, to: number, inStock: ArrayLike<number> | undefined, excluded: Uint8Array): Uint8Array {
  excluded.fill(0);
  if (inStock !== undefined) for (let j = 0; j < excluded.length; j++) if (inStock[j] !== 1) excluded[j] = 1;
  const seen = lastDistinct(Array.from(seq.item.subarray(from, to)), SEEN_CAP);
  for (const j of seen) excluded[j] = 1;
  return excluded;
}

/** Runs every scorer over every query; returns metrics by scorer name. */
export function evaluate(h: Holdout, scorers: readonly Scorer[], opts: EvalOptions): Record<string, Metrics> {
  const k = opts.k ?? 10;
  const N = opts.items;
  const sums = scorers.map(() => emptySums(k));
  const scores = new Float32Array(N);
  const excluded = new Uint8Array(N);
  const seq = h.users;
  for (let q = 0; q < h.user.length; q++) {
    const from = seq.offsets[h.user[q]!]!;
    const to = h.step[q]!;
    const target = seq.item[to]!;
    exclusionMask(seq, from, to, opts.inStock, excluded);
    if (opts.availableFrom !== undefined) {
      const now = seq.time[to]!;
      for (let j = 0; j < N; j++) if (opts.availableFrom[j]! > now) excluded[j] = 1;
    }
    scorers.forEach((scorer, m) => {
      scorer.score(seq, from, to, scores);
      // A target scored -Infinity is never listed (the lists below drop such items): a miss, not
      // a rank among ties.
      const rank = scores[target] === -Infinity ? 0 : rankOf(scores, target, excluded);
      for (let j = 0; j < N; j++) if (excluded[j] === 1) scores[j] = -Infinity;
      const list = topK(scores, k).filter((j) => scores[j]! > -Infinity);
      addQuery(sums[m]!, rank, list);
      if (opts.lists !== undefined) (opts.lists[scorer.name] ??= []).push(list);
      if (opts.ranks !== undefined) (opts.ranks[scorer.name] ??= []).push(rank);
    });
  }
  return Object.fromEntries(scorers.map((sc, m) => [sc.name, summarize(sums[m]!, N)]));
}

/** NDCG@k of one scorer (what validation maximises). */
export function ndcgOf(h: Holdout, scorer: Scorer, opts: EvalOptions): number {
  return evaluate(h, [scorer], opts)[scorer.name]?.ndcg ?? 0;
}
