/** History → model inputs: step collapsing, event-type and recency weights, padding. */
import { describe, expect, it } from 'vitest';
import { HistoryStore, type StorageLike } from '../../src/recommend/history.ts';
import { fillWeights, toSteps, type Weighting } from '../../src/recommend/weights.ts';

const W: Weighting = { event: { view: 1, click: 2, add_to_cart: 4, purchase: 8 }, stepDecay: 0.5, halfLifeHours: 1 };
const H = 3_600_000;

describe('weights', () => {
  it('collapses consecutive events on one item into its strongest step', () => {
    const steps = toSteps([
      { item: 4, code: 0, time: 1 },
      { item: 4, code: 2, time: 5 },
      { item: 4, code: 1, time: 6 },
      { item: 7, code: 0, time: 9 },
      { item: 4, code: 0, time: 10 },
    ]);
    expect(steps).toEqual([{ item: 4, code: 2, time: 6 }, { item: 7, code: 0, time: 9 }, { item: 4, code: 0, time: 10 }]);
  });

  it('weights = type weight × stepDecay^age × 0.5^(hours before the newest step / half-life); right-aligned; zero padding in front', () => {
    const items = new BigInt64Array(4);
    const weights = new Float32Array(4);
    const newest = 10 * H;
    const n = fillWeights([{ item: 3, code: 3, time: newest - 2 * H }, { item: 5, code: 1, time: newest }], W, 4, items, weights, true);
    expect(n).toBe(2);
    expect(Array.from(items)).toEqual([0n, 0n, 3n, 5n]);
    expect(Array.from(weights.subarray(0, 2))).toEqual([0, 0]);
    expect(weights[2]).toBeCloseTo(8 * 0.5 * 0.25, 6); // purchase, one step back, two hours before the newest
    expect(weights[3]).toBeCloseTo(2, 6);
  });

  it('ages count from the newest step, not the clock: a history replayed later gets the same weights', () => {
    const steps = (shift: number) => [{ item: 1, code: 0, time: shift }, { item: 2, code: 0, time: shift + 3 * H }];
    const a = new Float32Array(3);
    const b = new Float32Array(3);
    fillWeights(steps(0), W, 3, new Int32Array(3), a);
    fillWeights(steps(400 * 24 * H), W, 3, new Int32Array(3), b);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(a[1]).toBeCloseTo(0.5 * 0.125, 6);
  });

  it('keeps only the newest maxLength steps', () => {
    const items = new Int32Array(2);
    const weights = new Float32Array(2);
    const steps = [1, 2, 3].map((item) => ({ item, code: 0, time: 0 }));
    expect(fillWeights(steps, { ...W, halfLifeHours: 0 }, 2, items, weights)).toBe(2);
    expect(Array.from(items)).toEqual([2, 3]);
    expect(Array.from(weights)).toEqual([0.5, 1]);
  });
});

describe('HistoryStore', () => {
  it('ignores corrupt or foreign data under its key', () => {
    const data = new Map([['k', '{"v":1,"e":[["a",0,5],["b",9,5],[1,0,5],["c",1,"x"]]}']]);
    const storage: StorageLike = { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
    expect(new HistoryStore(storage, 'k', 10).all()).toEqual([{ itemId: 'a', type: 'view', time: 5 }]);
    data.set('k', 'not json');
    expect(new HistoryStore(storage, 'k', 10).all()).toEqual([]);
  });
});
