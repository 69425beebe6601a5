/** The new-items evaluation's pure parts on a hand-made log whose figures are computed by hand. */
import { describe, expect, it } from 'vitest';
import { evaluate, type Scorer } from '../../tools/eval/evaluate.ts';
import { newestInCategoryScorer, popularNewInCategoryScorer } from '../../tools/eval/new-items-baselines.ts';
import { availableFrom, catalogAtCut, eventsAtCut, metricsOf, newItemsAt, newShareOfEvents, newShareOfSlots, newTargets } from '../../tools/eval/new-items-split.ts';
import { timeSplit } from '../../tools/eval/protocols.ts';
import type { TrainCatalog } from '../../tools/train/catalog.ts';
import type { EventLog } from '../../tools/train/read-events.ts';
import { viewLog } from '../fixtures/event-log.ts';

const DAY = 86_400_000;

/** Sessions `[visitor, day, items]`: one view per item, 1 s apart, from the start of the day. */
function logOf(sessions: [number, number, number[]][]): EventLog {
  const rows = sessions.flatMap(([u, day, items], s) => items.map((item, i) => ({ s, u, item, t: day * DAY + i * 1000 })));
  return viewLog(rows, sessions.length);
}

// Items 0, 1, 4 in category A, 2 and 3 in B. Item 1 first appears on day 9, after the cut at
// day 8 (starts 0, 1, 9, 10 days; test share 0.2); item 4 never has an event.
const LOG = logOf([
  [0, 0, [0, 2]],
  [1, 1, [3, 2]],
  [0, 9, [1, 2]],
  [1, 10, [1, 0, 2]],
]);
const CATALOG: TrainCatalog = {
  ids: ['a0', 'a1', 'b2', 'b3', 'a4'], index: new Map(['a0', 'a1', 'b2', 'b3', 'a4'].map((id, i) => [id, i])),
  titles: ['a0', 'a1', 'b2', 'b3', 'a4'], categories: ['A', 'A', 'B', 'B', 'A'], brands: ['', '', '', '', ''],
  prices: [1, 2, 3, 4, 5], tags: [[], [], [], [], []], inStock: [true, true, true, true, true], categoryNames: new Map(),
};
const CATEGORY = [0, 0, 1, 1, 0];

describe('new-items protocol', () => {
  const split = timeSplit(LOG, 0.2);
  const n = newItemsAt(LOG, split.train, 5);

  it('splits at the cut and finds the items with events only after it', () => {
    expect(split.train.length).toBe(4); // the two sessions before day 8
    expect(Array.from(split.testEvents ?? [])).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(Array.from(n.isNew)).toEqual([0, 1, 0, 0, 0]); // item 4 has no events: not new, just unseen
    expect(n.count).toBe(1);
    expect(Array.from(n.oldIndex)).toEqual([0, -1, 1, 2, 3]);
    expect(n.firstSeen[1]).toBe(9 * DAY);
    expect(Array.from(availableFrom(n))).toEqual([-Infinity, 9 * DAY, -Infinity, -Infinity, -Infinity]);
  });

  it('gives the catalogue and training events of the cut without the new item', () => {
    const cat = catalogAtCut(CATALOG, n);
    expect(cat.ids).toEqual(['a0', 'b2', 'b3', 'a4']);
    expect(cat.categories).toEqual(['A', 'B', 'B', 'A']);
    expect(cat.index.get('b3')).toBe(2);
    expect(Array.from(eventsAtCut(split.train, n).item)).toEqual([0, 1, 2, 1]); // items 0, 2, 3, 2 renumbered
    expect(() => eventsAtCut(LOG, n)).toThrow(/new at the cut/);
  });

  it('counts shares of events, queries and list slots by hand', () => {
    // Test events: items 1, 2 | 1, 0, 2 → 2 of 5 on the new item.
    expect(newShareOfEvents(LOG, split.testEvents!, n.isNew)).toBeCloseTo(2 / 5, 12);
    // Queries (steps new to the visitor in the test period): visitor 0 → item 1; visitor 1 → items 1, 0.
    expect(Array.from(split.step, (t) => split.users.item[t])).toEqual([1, 1, 0]);
    expect(Array.from(newTargets(split, n.isNew))).toEqual([1, 1, 0]);
    expect(newShareOfSlots([[1, 0], [0, 1], [3, 4]], n.isNew)).toBeCloseTo(2 / 6, 12);
  });

  it('computes HitRate@2 and NDCG@2 on the new and the old targets', () => {
    const ranks = [1, 2, 3];
    const lists = [[1, 0], [0, 1], [3, 4]];
    const select = [1, 1, 0];
    const fresh = metricsOf(ranks, lists, select, 1, 2, 5);
    expect(fresh.queries).toBe(2);
    expect(fresh.hitRate).toBe(1);
    expect(fresh.ndcg).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 12);
    expect(fresh.coverage).toBe(2 / 5);
    const old = metricsOf(ranks, lists, select, 0, 2, 5);
    expect([old.queries, old.hitRate, old.ndcg]).toEqual([1, 0, 0]);
  });

  it('keeps a new item out of every list before its launch day', () => {
    // A scorer that always ranks the new item first; launched later than the query, it is not listed.
    const first: Scorer = { name: 'first', score: (_s, _f, _t, out) => out.set([0, 9, 2, 3, 1]) };
    const lists: Record<string, number[][]> = {};
    const ranks: Record<string, number[]> = {};
    const h = { train: LOG, users: split.users, user: Int32Array.of(1), step: Int32Array.of(split.users.offsets[1]! + 2) };
    evaluate(h, [first], { items: 5, k: 2, availableFrom: [-Infinity, 9 * DAY, -Infinity, -Infinity, -Infinity], lists, ranks });
    expect(lists['first']).toEqual([[1, 4]]); // visitor 1 reached item 1 on day 10: launched
    expect(ranks['first']).toEqual([1]);
    evaluate(h, [first], { items: 5, k: 2, availableFrom: [-Infinity, 11 * DAY, -Infinity, -Infinity, -Infinity], lists: {}, ranks });
    expect(ranks['first']![1]).toBe(0); // not launched yet: excluded, a miss for every method
  });

  it('ranks the shelves: same category first, newest or most viewed so far', () => {
    const out = new Float32Array(5);
    const seq = split.users;
    const last = seq.offsets[1]! + 2; // visitor 1's step on item 1, after item 2 (category B)
    newestInCategoryScorer(n, CATEGORY).score(seq, seq.offsets[1]!, last, out);
    expect(out[1]).toBeGreaterThan(0);
    expect([out[0], out[2], out[3], out[4]]).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    // Two new items in A launched on days 9 and 10, one in B on day 9: after a B item, B first, then A newest first.
    const wide = logOf([[0, 0, [0, 1]], [1, 9, [2, 1]], [1, 9, [1]], [0, 10, [0, 3]]]);
    const m = newItemsAt(wide, logOf([[0, 0, [0, 1]]]), 4);
    expect(Array.from(m.isNew)).toEqual([0, 0, 1, 1]);
    const cats = [0, 1, 1, 0];
    const scores = new Float32Array(4);
    const users = timeSplit(wide, 0.05).users;
    newestInCategoryScorer(m, cats).score(users, users.offsets[1]!, users.offsets[1]! + 1, scores); // after item 2 (B)
    expect(scores[2]).toBeGreaterThan(scores[3]!); // same category beats newer
    newestInCategoryScorer(m, [0, 1, 0, 0]).score(users, users.offsets[1]!, users.offsets[1]! + 1, scores); // both in A now
    expect(scores[3]).toBeGreaterThan(scores[2]!); // day 10 beats day 9
    // Popularity so far: at visitor 0's step on day 10, item 2 had one event (day 9), item 3 none.
    popularNewInCategoryScorer(wide, m, [0, 1, 0, 0]).score(users, users.offsets[0]!, users.offsets[0]! + 3, scores);
    expect(scores[2]).toBeGreaterThan(scores[3]!);
  });
});
