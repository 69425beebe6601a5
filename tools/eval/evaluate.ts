/**
 * Offline evaluation on a time-based split: train on sessions that started before a cut, then
 * for every later session and every step that reaches an item the visitor has not touched yet,
 * ask each method for a ranking given the steps so far (seen items excluded, as `excludeSeen`
 * does on the page) and record where the real next item landed.
 */
import { fillWeights, type Step, type Weighting } from '../../src/recommend/weights.ts';
import { topK } from '../train/reference.ts';
import { selectSessions, type Sessions } from '../train/sessions.ts';
import { addQuery, emptySums, rankOf, summarize, type Metrics } from './metrics.ts';
import type { Scorer } from './scorers.ts';

/** A train/test split of sessions at one moment. */
export interface TimeSplit {
  train: Sessions;
  test: Sessions;
  /** Sessions starting at or after this Unix ms are test sessions. */
  cut: number;
}

/**
 * Global time cut: the last `testShare` of the time span (by session start) is the test period.
 * Whole sessions go to one side, so no session is seen half in training.
 *
 * @example const { train, test } = timeSplit(sessions, 0.1);
 */
export function timeSplit(all: Sessions, testShare: number): TimeSplit {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of all.start) {
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  const cut = lo + (1 - testShare) * (hi - lo);
  return {
    train: selectSessions(all, (s) => all.start[s]! < cut),
    test: selectSessions(all, (s) => all.start[s]! >= cut),
    cut,
  };
}

/** Options of {@link evaluate}. */
export interface EvalOptions {
  items: number;
  weighting: Readonly<Weighting>;
  maxHistory: number;
  /** Cut-off of HitRate and NDCG. Default 10. */
  k?: number;
}

/** Runs every scorer over every query of `test`; returns metrics by scorer name. */
export function evaluate(test: Sessions, scorers: readonly Scorer[], opts: EvalOptions): Record<string, Metrics> {
  const k = opts.k ?? 10;
  const N = opts.items;
  const sums = scorers.map(() => emptySums(k));
  const items = new Int32Array(opts.maxHistory);
  const weights = new Float32Array(opts.maxHistory);
  const scores = new Float32Array(N);
  const excluded = new Uint8Array(N);
  for (let s = 0; s < test.count; s++) {
    const from = test.offsets[s]!;
    const to = test.offsets[s + 1]!;
    const history: Step[] = [];
    excluded.fill(0);
    for (let t = from; t < to; t++) {
      const target = test.item[t]!;
      if (history.length > 0 && excluded[target] === 0) {
        const n = fillWeights(history, opts.weighting, test.time[t]!, opts.maxHistory, items, weights);
        scorers.forEach((scorer, m) => {
          scorer.score(items, weights, n, scores);
          const rank = rankOf(scores, target, excluded);
          for (let j = 0; j < N; j++) if (excluded[j] === 1) scores[j] = -Infinity;
          addQuery(sums[m]!, rank, topK(scores, k));
        });
      }
      history.push({ item: target, code: test.code[t]!, time: test.time[t]! });
      excluded[target] = 1;
    }
  }
  return Object.fromEntries(scorers.map((sc, m) => [sc.name, summarize(sums[m]!, N)]));
}
