/**
 * Merchandising rules, pure parts: validation names the field, date windows and per-list scope,
 * the bias they write, and pin placement. (The rules on the real model, both backends:
 * test/browser/merchandising.spec.ts.)
 */
import { describe, expect, it } from 'vitest';
import { InpageError } from '../../src/errors.ts';
import { buildCandidates, EXCLUDED } from '../../src/recommend/candidates.ts';
import type { RecommenderItems } from '../../src/recommend/manifest.ts';
import { listIdOf } from '../../src/recommend/list-plan.ts';
import { activeRules, applyRules, parseRules, placePins, type MerchRule } from '../../src/recommend/rules.ts';

const items: RecommenderItems = {
  format: 'inpage-recommender-items', version: 1,
  ids: ['a', 'b', 'c', 'd', 'e'], titles: ['A', 'B', 'C', 'D', 'E'],
  category: [0, 0, 1, 1, 1], price: [10, 50, 100, 200, 300], inStock: [1, 1, 0, 1, 1],
  categories: [{ id: 'tents', name: 'Tents', complements: [] }, { id: 'stoves', name: 'Stoves', complements: [] }],
  trending: { asOf: '2026-01-01', halfLifeDays: 7, scores: [5, 4, 3, 2, 1] },
};
const index = new Map(items.ids.map((id, i) => [id, i]));

describe('rules', () => {
  it('validation names the bad field', () => {
    const field = (rules: unknown): string => {
      try { parseRules(rules); } catch (e) { expect(e).toBeInstanceOf(InpageError); return String((e as InpageError).details?.['field']); }
      return 'no error';
    };
    expect(field({})).toBe('(root)');
    expect(field([{ type: 'promote' }])).toBe('[0].type');
    expect(field([{ type: 'pin', itemId: 'a', position: 0 }])).toBe('[0].position');
    expect(field([{ type: 'boost', match: {} }])).toBe('[0].match');
    expect(field([{ type: 'boost', match: { colour: 'red' } }])).toBe('[0].match.colour');
    expect(field([{ type: 'bury', match: { ids: ['a'] }, strength: -1 }])).toBe('[0].strength');
    expect(field([{ type: 'exclude', ids: ['a'], start: '2026-02-01', end: '2026-01-01' }])).toBe('[0].end');
    expect(field([{ type: 'filter', match: { minPrice: 'cheap' } }])).toBe('[0].match.minPrice');
  });

  it('apply only between start and end, and only to their lists', () => {
    const rules = parseRules([
      { type: 'exclude', id: 'xmas', ids: ['a'], start: '2026-12-01', end: '2026-12-27' },
      { type: 'exclude', id: 'home-only', ids: ['b'], lists: ['home'] },
    ]);
    const ids = (listId: string, at: string): string[] => activeRules(rules, listId, Date.parse(at)).map((r) => r.id!);
    expect(ids('home', '2026-11-30T23:59:59Z')).toEqual(['home-only']);
    expect(ids('home', '2026-12-01T00:00:00Z')).toEqual(['xmas', 'home-only']);
    expect(ids('pdp', '2026-12-26T23:00:00Z')).toEqual(['xmas']);
    expect(ids('pdp', '2026-12-27T00:00:00Z')).toEqual([]);
  });

  it('write the bias: filters and excludes remove, boosts and buries shift, pins leave the pick', () => {
    const base = buildCandidates(items, undefined, new Set());
    const rules: MerchRule[] = [
      { type: 'filter', match: { maxPrice: 250 } },
      { type: 'exclude', ids: ['a'] },
      { type: 'boost', id: 'up', match: { category: 'stoves' }, strength: 3 },
      { type: 'bury', match: { ids: ['b'] } },
      { type: 'pin', id: 'p', itemId: 'c', position: 2 },
      { type: 'pin', itemId: 'e', position: 1 }, // filtered out: not pinned
    ];
    const r = applyRules(items, index, base, rules);
    expect(Array.from(r.cand.bias)).toEqual([EXCLUDED, -2, EXCLUDED, 3, EXCLUDED]);
    expect(r.cand.allowed).toBe(2);
    expect(r.pins).toEqual([{ index: 2, slot: 1, rule: 'p', reason: 'Featured' }]);
    expect([...r.boosted]).toEqual([[2, 'up'], [3, 'up']]);
    expect(buildCandidates(items, undefined, new Set()).bias.every((b) => b === 0)).toBe(true); // base untouched
  });

  it('a pin never shows an item the list excludes (out of stock, seen)', () => {
    const base = buildCandidates(items, { inStock: true }, new Set([3]));
    const r = applyRules(items, index, base, [{ type: 'pin', itemId: 'c', position: 1 }, { type: 'pin', itemId: 'd', position: 2 }]);
    expect(r.pins).toEqual([]);
  });

  it('brand and tag rules need item facts', () => {
    const base = buildCandidates(items, undefined, new Set());
    expect(() => applyRules(items, index, base, [{ type: 'boost', match: { brand: 'Northpeak' } }])).toThrow(/itemFacts/);
    const r = applyRules(items, index, base, [{ type: 'boost', match: { brand: 'Northpeak', tag: ['ultralight'] } }], { b: { brand: 'Northpeak', tags: ['ultralight'] }, d: { brand: 'Northpeak' } });
    expect(Array.from(r.cand.bias)).toEqual([0, 2, 0, 0, 0]);
  });

  it('brand and tag rules read the item table\'s facts when the site passes none; the site\'s own win', () => {
    const withFacts: RecommenderItems = { ...items, facts: { brands: ['Northpeak', 'Ember'], brand: [1, 0, -1, 0, 1], tagNames: ['ultralight', '2p'], tags: [[1], [0, 1], [], [], [0]] } };
    const base = buildCandidates(withFacts, undefined, new Set());
    const bias = (rules: MerchRule[], facts?: Parameters<typeof applyRules>[4]): number[] => Array.from(applyRules(withFacts, index, base, rules, facts).cand.bias);
    expect(bias([{ type: 'boost', match: { brand: 'Northpeak' } }])).toEqual([0, 2, 0, 2, 0]);
    expect(bias([{ type: 'boost', match: { tag: 'ultralight' } }])).toEqual([0, 2, 0, 0, 2]);
    expect(bias([{ type: 'boost', match: { brand: 'Northpeak', tag: ['ultralight'] } }])).toEqual([0, 2, 0, 0, 0]);
    expect(bias([{ type: 'boost', match: { brand: '' } }])).toEqual([0, 0, 0, 0, 0]);
    expect(bias([{ type: 'boost', match: { brand: 'Northpeak' } }], { e: { brand: 'Northpeak' } })).toEqual([0, 0, 0, 0, 2]);
  });

  it('placePins puts pins at their slots, appends past the end, keeps k', () => {
    const pin = (index: number, slot: number) => ({ index, slot, rule: 'r', reason: 'x' });
    expect(placePins([1, 2, 3], [pin(9, 0), pin(8, 2)], 3, (p) => p.index)).toEqual([9, 1, 8]);
    expect(placePins([1], [pin(9, 5)], 4, (p) => p.index)).toEqual([1, 9]);
  });
});

describe('list ids', () => {
  it('default to the strategy; a malformed one is INPUT_INVALID', () => {
    expect(listIdOf(undefined, 'similar')).toBe('similar');
    expect(listIdOf('pdp-similar', 'similar')).toBe('pdp-similar');
    for (const bad of ['', 'two words', 'x'.repeat(101), 42]) expect(() => listIdOf(bad, 'trending')).toThrow(InpageError);
  });
});
