/**
 * Brands and tags in the item table (`facts`): built from the catalogue by the trainer and by
 * `update-catalog` (new products included), validated on load with the bad field named.
 */
import { describe, expect, it } from 'vitest';
import { InpageError } from '../../src/errors.ts';
import { parseItems, type RecommenderItems, type RecommenderManifest } from '../../src/recommend/manifest.ts';
import { itemFacts } from '../../tools/train/item-facts.ts';
import { updatedItems } from '../../tools/train/update-catalog.ts';
import type { TrainCatalog } from '../../tools/train/catalog.ts';

const catalog = (ids: string[], brands: string[], tags: string[][]): TrainCatalog => ({
  ids, index: new Map(ids.map((id, i) => [id, i])), titles: ids.map((id) => id.toUpperCase()), categories: ids.map(() => 'tents'),
  brands, prices: ids.map(() => 100), tags, inStock: ids.map(() => true), categoryNames: new Map([['tents', 'Tents']]),
});

describe('item facts', () => {
  it('dictionary-code brands and tags; none when the catalogue has neither', () => {
    expect(itemFacts(catalog(['a', 'b', 'c'], ['Ember', '', 'Ember'], [['2p', 'ultralight'], [], ['2p', '2p']]))).toEqual({
      brands: ['Ember'], brand: [0, -1, 0], tagNames: ['2p', 'ultralight'], tags: [[0, 1], [], [0]],
    });
    expect(itemFacts(catalog(['a'], [''], [[]]))).toBeUndefined();
  });

  it('update-catalog gives new products their brand and tags', () => {
    const old: RecommenderItems = {
      format: 'inpage-recommender-items', version: 1, ids: ['a'], titles: ['A'], category: [0], price: [1], inStock: [1],
      categories: [{ id: 'tents', name: 'Tents', complements: [] }], trending: { asOf: '2026-01-01T00:00:00.000Z', halfLifeDays: 7, scores: [1] },
      facts: { brands: ['Ember'], brand: [0], tagNames: [], tags: [[]] },
    };
    const next = updatedItems(old, catalog(['a', 'n'], ['Ember', 'Northpeak'], [[], ['winter']]), [0, -1]);
    expect(next.facts).toEqual({ brands: ['Ember', 'Northpeak'], brand: [0, 1], tagNames: ['winter'], tags: [[], [0]] });
  });

  it('a malformed facts table is CATALOG_INVALID naming the field; a table without facts still loads', () => {
    const manifest = { dims: { items: 2 } } as RecommenderManifest;
    const table = (facts?: unknown): unknown => ({
      format: 'inpage-recommender-items', version: 1, ids: ['a', 'b'], titles: ['A', 'B'], category: [0, 0], price: [1, 2], inStock: [1, 1],
      categories: [{ id: 't', name: 'T', complements: [] }], trending: { asOf: 'x', halfLifeDays: 7, scores: [1, 2] }, ...(facts === undefined ? {} : { facts }),
    });
    const field = (facts: unknown): unknown => {
      try { parseItems(table(facts), manifest); return 'no error'; } catch (e) { expect(e).toBeInstanceOf(InpageError); expect((e as InpageError).code).toBe('CATALOG_INVALID'); return (e as InpageError).details?.['field']; }
    };
    expect(field({ brands: ['X'], brand: [0, 1], tagNames: [], tags: [[], []] })).toBe('facts.brand[1]');
    expect(field({ brands: ['X'], brand: [0], tagNames: [], tags: [[], []] })).toBe('facts.brand');
    expect(field({ brands: ['X'], brand: [0, -1], tagNames: ['t'], tags: [[0], [1]] })).toBe('facts.tags[1]');
    expect(field({ brands: [1], brand: [0, 0], tagNames: [], tags: [[], []] })).toBe('facts.brands');
    expect(field({ brands: ['X'], brand: [0, -1], tagNames: ['t'], tags: [[0], []] })).toBe('no error');
    expect(parseItems(table(), manifest).facts).toBeUndefined();
  });
});
