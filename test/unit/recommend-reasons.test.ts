/** Reasons in words a shopper reads: one phrasing per event type, short enough for two card lines. */
import { describe, expect, it } from 'vitest';
import type { RecommenderItems } from '../../src/recommend/manifest.ts';
import { completeReason, forYouReason, similarReason } from '../../src/recommend/reasons.ts';

const items: RecommenderItems = {
  format: 'inpage-recommender-items', version: 1,
  ids: ['t1', 't2', 'b1'], titles: ['Alpine 2P Tent', 'Ridge 3P Tent', 'Down Bag -5'],
  category: [0, 0, 1], price: [100, 200, 150], inStock: [1, 1, 1],
  categories: [{ id: 'tents', name: 'Tents', complements: [[1, 0.4]] }, { id: 'bags', name: 'Sleeping Bags', complements: [] }],
  trending: { asOf: '2026-01-01T00:00:00Z', halfLifeDays: 7, scores: [1, 1, 1] },
};

describe('reasons', () => {
  it('names the history step the way the shopper did it: viewed (a click too), in your cart, bought', () => {
    const text = (code: number, candidate: number): string => forYouReason(items, [{ item: 0, code, time: 0 }], candidate).text;
    expect([0, 1, 2, 3].map((code) => text(code, 1))).toEqual([
      'Because you viewed Alpine 2P Tent', 'Because you viewed Alpine 2P Tent', 'Because Alpine 2P Tent is in your cart', 'Because you bought Alpine 2P Tent',
    ]);
    expect([0, 1, 2, 3].map((code) => text(code, 2))).toEqual([
      'Goes with the Alpine 2P Tent you viewed', 'Goes with the Alpine 2P Tent you viewed', 'Goes with the Alpine 2P Tent in your cart', 'Goes with the Alpine 2P Tent you bought',
    ]);
    for (const code of [0, 1, 2, 3]) expect(`${text(code, 1)} ${text(code, 2)}`).not.toMatch(/looked closely|added to your cart/);
  });

  it('similar and complete-the-look name the anchor only', () => {
    expect(similarReason(items, 0).text).toBe('Similar to Alpine 2P Tent');
    expect(completeReason(items, 0, 2)).toEqual({ text: 'Goes with the Alpine 2P Tent', basis: 'complement' });
  });
});
