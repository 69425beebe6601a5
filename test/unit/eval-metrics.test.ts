/** Offline metrics on tiny examples computed by hand, and the eval loop on hand-made sessions. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEIGHTING } from '../../src/recommend/weights.ts';
import { evaluate, timeSplit } from '../../tools/eval/evaluate.ts';
import { addQuery, emptySums, rankOf, summarize } from '../../tools/eval/metrics.ts';
import { itemKnnScorer, popularityScorer } from '../../tools/eval/scorers.ts';
import { topK } from '../../tools/train/reference.ts';
import type { Sessions } from '../../tools/train/sessions.ts';

/** Sessions from lists of item indices; session s starts at s·10 s, steps 1 s apart. */
function sessions(lists: number[][]): Sessions {
  const flat = lists.flat();
  const offsets = [0];
  for (const l of lists) offsets.push(offsets[offsets.length - 1]! + l.length);
  return {
    count: lists.length,
    offsets: Int32Array.from(offsets),
    item: Int32Array.from(flat),
    code: new Uint8Array(flat.length),
    time: Float64Array.from(lists.flatMap((l, s) => l.map((_, i) => s * 10_000 + i * 1000))),
    start: Float64Array.from(lists, (_, s) => s * 10_000),
  };
}

describe('metrics', () => {
  it('rankOf orders by score, breaks ties by index and skips excluded items', () => {
    expect(rankOf([0.1, 0.9, 0.5, 0.3], 2)).toBe(2);
    expect(rankOf([0.4, 0.4, 0.1, 0.2], 1)).toBe(2); // tie with item 0, which wins
    expect(rankOf([0.9, 0.8, 0.7, 0.1], 3, [1, 0, 0, 0])).toBe(3);
    expect(rankOf([0.9, 0.8], 0, [1, 0])).toBe(0); // the target itself excluded
  });

  it('HitRate@2, NDCG@2, MRR and coverage of three queries', () => {
    const sums = emptySums(2);
    // q1: rank 2 → hit, DCG 1/log2(3), RR 1/2 · q2: rank 2 → same · q3: rank 3 → miss, RR 1/3
    addQuery(sums, rankOf([0.1, 0.9, 0.5, 0.3], 2), topK([0.1, 0.9, 0.5, 0.3], 2));
    addQuery(sums, rankOf([0.4, 0.4, 0.1, 0.2], 1), topK([0.4, 0.4, 0.1, 0.2], 2));
    addQuery(sums, rankOf([0.9, 0.8, 0.7, 0.1], 3, [1, 0, 0, 0]), topK([-Infinity, 0.8, 0.7, 0.1], 2));
    const m = summarize(sums, 4);
    expect(m.queries).toBe(3);
    expect(m.hitRate).toBeCloseTo(2 / 3, 12);
    expect(m.ndcg).toBeCloseTo((2 / Math.log2(3)) / 3, 12); // 0.42062
    expect(m.mrr).toBeCloseTo((0.5 + 0.5 + 1 / 3) / 3, 12); // 0.44444
    expect(m.coverage).toBe(3 / 4); // lists [1,2], [0,1], [1,2]
  });

  it('topK returns the best k, best first, lower index on ties', () => {
    expect(topK([1, 5, 3, 5, 2], 3)).toEqual([1, 3, 2]);
    expect(topK([1, 2], 5)).toEqual([1, 0]);
  });
});

describe('evaluate', () => {
  // Train: 0 co-occurs with 1 twice and with 2 once; 3 alone. Test session: 0 → 2 → 1.
  const train = sessions([[0, 1], [0, 1], [0, 2], [3]]);
  const test = sessions([[0, 2, 1]]);
  const opts = { items: 4, weighting: DEFAULT_WEIGHTING, maxHistory: 20 };

  it('popularity: query 1 ranks item 2 second (after 1), query 2 ranks item 1 first', () => {
    const m = evaluate(test, [popularityScorer(train, 4)], opts)['popularity']!;
    expect(m.queries).toBe(2);
    expect(m.hitRate).toBe(1);
    expect(m.ndcg).toBeCloseTo((1 / Math.log2(3) + 1) / 2, 12);
    expect(m.mrr).toBeCloseTo(0.75, 12);
  });

  it('item-kNN scores by cosine co-occurrence with the history', () => {
    const knn = itemKnnScorer(train, 4);
    const out = new Float32Array(4);
    knn.score(Int32Array.of(0), Float32Array.of(1), 1, out);
    expect(out[1]).toBeCloseTo(2 / Math.sqrt(3 * 2), 5); // c01 / sqrt(c0 · c1)
    expect(out[2]).toBeCloseTo(1 / Math.sqrt(3 * 1), 5);
    expect(out[3]).toBeLessThan(1e-5); // no co-occurrence: only the popularity tie-break
    const m = evaluate(test, [knn], opts)['item-kNN']!;
    expect(m.mrr).toBeCloseTo(0.75, 12);
  });

  it('timeSplit puts whole sessions after the cut into the test set', () => {
    const all = sessions(Array.from({ length: 10 }, (_, s) => [s % 4, (s + 1) % 4]));
    const split = timeSplit(all, 0.1);
    expect(split.train.count).toBe(9);
    expect(split.test.count).toBe(1);
    expect(split.test.start[0]).toBe(90_000);
  });
});
