/** Offline metrics on tiny examples computed by hand; the protocols, baselines and eval loop on hand-made logs. */
import { describe, expect, it } from 'vitest';
import { easeItems, easeScorer, easeWeights, gram, invertSpd } from '../../tools/eval/ease.ts';
import { evaluate } from '../../tools/eval/evaluate.ts';
import { addQuery, emptySums, rankOf, summarize } from '../../tools/eval/metrics.ts';
import { timeSplit } from '../../tools/eval/protocols.ts';
import { itemKnnScorer, popularityScorer, transitionScorer } from '../../tools/eval/scorers.ts';
import { leaveLastOut, type Holdout } from '../../tools/train/holdout.ts';
import type { EventLog } from '../../tools/train/read-events.ts';
import { viewLog } from '../fixtures/event-log.ts';
import { topK } from '../../tools/train/reference.ts';
import { buildSessions, type Sessions } from '../../tools/train/sessions.ts';

/**
 * An event log from visitors' sessions of item indices (one view per item, 1 s apart). Session s
 * starts at s · 100 s; `users[s]` names its visitor (default: its own).
 */
function eventLog(sessions: number[][], users?: number[]): EventLog {
  const rows = sessions.flatMap((items, s) => items.map((item, i) => ({ s, u: users?.[s] ?? s, item, t: s * 100_000 + i * 1000 })));
  return viewLog(rows, sessions.length);
}

/** One query per visitor sequence: its last step, given the steps before it. */
function lastStepQueries(users: Sessions): Holdout {
  const u = Array.from({ length: users.count }, (_, i) => i);
  return { train: eventLog([]), users, user: Int32Array.from(u), step: Int32Array.from(u, (i) => users.offsets[i + 1]! - 1) };
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

describe('protocols', () => {
  it('leave-last-out holds out each visitor\'s last step (all its events) and queries it when new', () => {
    // Visitor 0: two sessions [0, 1] then [2, 2(click)] → last step is item 2 (two events). Visitor 1: [3, 0, 3] → last is a repeat.
    const log = eventLog([[0, 1], [3, 0, 3], [2, 2]], [0, 1, 0]);
    const h = leaveLastOut(log);
    expect(Array.from(h.train.item)).toEqual([0, 1, 3, 0]);
    expect(h.user.length).toBe(1); // visitor 1's last item was seen before: no query
    expect(h.users.item[h.step[0]!]).toBe(2);
    expect(Array.from(h.users.item.subarray(h.users.offsets[h.user[0]!]!, h.step[0]!))).toEqual([0, 1]); // history spans sessions
  });

  it('time split: sessions starting after the cut are test; each new item in them is a query with the visitor\'s whole history', () => {
    const log = eventLog([[0, 1], [1, 2], [0, 3, 2, 4]], [0, 1, 0]);
    const split = timeSplit(log, 0.3); // starts 0, 100 s, 200 s → cut at 140 s
    expect(split.train.length).toBe(4);
    // Visitor 0's test session 0, 3, 2, 4: item 0 is a repeat; 3, 2, 4 are new.
    expect(Array.from(split.step, (t) => split.users.item[t])).toEqual([3, 2, 4]);
    expect(Array.from(split.users.item.subarray(split.users.offsets[split.user[0]!]!, split.step[0]!))).toEqual([0, 1, 0]);
  });
});

describe('baselines and the eval loop', () => {
  // Training sessions: 0 → 1 twice, 0 → 2 once, 3 alone.
  const train = buildSessions(eventLog([[0, 1], [0, 1], [0, 2], [3]]));

  it('popularity: seen items excluded, metrics over the queries', () => {
    // Queries: [0] → 2 (rank 2 after item 1) and [0, 2] → 1 (rank 1).
    const users = buildSessions(eventLog([[0, 2], [0, 2, 1]]), 'user');
    const m = evaluate(lastStepQueries(users), [popularityScorer(train, 4, { halfLifeDays: 0 })], { items: 4 })['popularity']!;
    expect(m.queries).toBe(2);
    expect(m.hitRate).toBe(1);
    expect(m.ndcg).toBeCloseTo((1 / Math.log2(3) + 1) / 2, 12);
    expect(m.mrr).toBeCloseTo(0.75, 12);
  });

  it('out-of-stock items are excluded for every method', () => {
    const users = buildSessions(eventLog([[0, 2]]), 'user');
    const m = evaluate(lastStepQueries(users), [popularityScorer(train, 4, { halfLifeDays: 0 })], { items: 4, inStock: [1, 0, 1, 1] })['popularity']!;
    expect(m.mrr).toBe(1); // item 1 (more popular) is out of stock
  });

  it('item-kNN scores by cosine co-occurrence within the window', () => {
    const users = buildSessions(eventLog([[0]]), 'user');
    const out = new Float32Array(4);
    itemKnnScorer(train, 4, { window: 1, decay: 1, history: 20 }).score(users, 0, 1, out);
    expect(out[1]).toBeCloseTo(2 / Math.sqrt(3 * 2), 5); // c01 / sqrt(c0 · c1)
    expect(out[2]).toBeCloseTo(1 / Math.sqrt(3 * 1), 5);
    expect(out[3]).toBeLessThan(1e-5); // no co-occurrence: only the popularity tie-break
  });

  it('last-item transition scores the shares of what followed the last item', () => {
    const users = buildSessions(eventLog([[3, 0]]), 'user');
    const out = new Float32Array(4);
    transitionScorer(train, 4, { window: 1, recent: 1, decay: 0 }).score(users, 0, 2, out);
    expect(out[1]).toBeCloseTo(2 / 3, 5);
    expect(out[2]).toBeCloseTo(1 / 3, 5);
  });

  it('EASE: the inverse is right and B has a zero diagonal', () => {
    const a = Float64Array.of(4, 1, 1, 3);
    invertSpd(a, 2);
    expect(Array.from(a).map((x) => x * 11)).toEqual([3, -1, -1, 4].map((x) => expect.closeTo(x, 10)));
    const users = buildSessions(eventLog([[0, 1], [0, 1], [0, 2], [3]]), 'user');
    const kept = easeItems(users, 4);
    const b = easeWeights(gram(users, kept, 4), 4, 1);
    for (let i = 0; i < 4; i++) expect(b[i * 4 + i]).toBe(0);
    const out = new Float32Array(4);
    easeScorer(b, kept, 4).score(buildSessions(eventLog([[0]]), 'user'), 0, 1, out);
    expect(out[1]).toBeGreaterThan(out[2]!); // 0 co-occurs with 1 more than with 2
    expect(out[2]).toBeGreaterThan(out[3]!);
  });
});
