/**
 * The pure parts of `rec.search()`: the analyser and query rules, the keyword index (stemming,
 * stop words, typo tolerance, coverage, spelling correction), and the fusion.
 */
import { describe, expect, it } from 'vitest';
import { fuseRanks, fuseSearch, planQuery, pricePositions, UNTUNED_HYBRID_SETTINGS } from '../../src/recommend/search-hybrid.ts';
import { analyzeTerm, KeywordIndex, UNTUNED_KEYWORD_SETTINGS, type KeywordDoc } from '../../src/recommend/search-keyword.ts';
import { keywordDocs, parseHybridBlock, parseKeywordBlock } from '../../src/recommend/search-package.ts';
import { parseQuery, splitWords } from '../../src/recommend/search-text.ts';

const doc = (title: string, category: string, tags = '', brand = 'Acme'): KeywordDoc => ({ title, description: '', brand, category, tags });
const DOCS = [
  doc('Alpine 2P Dome Tent', 'Tents', 'waterproof freestanding'),
  doc('Ridge -10°C Mummy Bag', 'Sleeping Bags', 'winter down'),
  doc('Crest Canister Stove', 'Camp Stoves', 'piezo'),
  doc('Summit Hiking Boot', 'Hiking Boots', 'waterproof leather', 'Northpeak'),
  doc('Vista Tunnel Tent', 'Tents', 'family'),
];

describe('analyser and query rules', () => {
  it('splits on non-letters, lowercases, drops Lucene stop words, Porter-stems', () => {
    expect(splitWords('USB-C, -10°C boots!')).toEqual(['USB', 'C', '10', 'C', 'boots']);
    expect(['Tents', 'camping', 'the', 'with', 'boots'].map(analyzeTerm)).toEqual(['tent', 'camp', null, null, 'boot']);
  });

  it('turns price bounds into numbers and keeps price words in the text', () => {
    expect(parseQuery('tents under 200')).toEqual({ text: 'tents', maxPrice: 200 });
    expect(parseQuery('stove below €49.50')).toEqual({ text: 'stove', maxPrice: 49.5 });
    expect(parseQuery('backpack between 100 and 150 euros')).toEqual({ text: 'backpack', minPrice: 100, maxPrice: 150 });
    expect(parseQuery('boots over 300')).toEqual({ text: 'boots', minPrice: 300 });
    expect(parseQuery('cheap tent')).toEqual({ text: 'cheap tent', priceBand: 'low' });
    expect(parseQuery('high-end gps watch')).toEqual({ text: 'high-end gps watch', priceBand: 'high' });
    expect(parseQuery('100 down jacket')).toEqual({ text: '100 down jacket' });
    expect(planQuery('tents under 200', { maxPrice: 150, inStock: true }).filter).toEqual({ maxPrice: 150, inStock: true });
    expect(planQuery('tents under 200', { maxPrice: 300 }).filter).toEqual({ maxPrice: 200 });
    expect(planQuery('tents', { inStock: true }).filter).toEqual({ inStock: true });
  });
});

describe('keyword index', () => {
  const kw = new KeywordIndex(DOCS, UNTUNED_KEYWORD_SETTINGS);
  it('finds plurals, tolerates a typo, filters, and reports which query words matched', () => {
    expect(kw.search('tents', 10).hits.map((h) => h.index).sort()).toEqual([0, 4]);
    expect(kw.search('waterprof boots', 10).hits[0]!.index).toBe(3);
    expect(kw.search('tent', 10, (j) => j !== 0).hits.map((h) => h.index)).toEqual([4]);
    expect(kw.search('tent', 10).coverage).toBe(1);
    expect(kw.search('rucksack tent', 10).coverage).toBe(0.5);
    expect(kw.search('xqzvvk', 10)).toEqual({ hits: [], coverage: 0 });
    expect(kw.search('for the', 10).coverage).toBe(1);
  });

  it('corrects words the catalogue does not use to its nearest word, for the encoder', () => {
    expect(kw.correct('hikking bots for winter')).toBe('hiking boots for winter');
    expect(kw.correct('rucksack 2p')).toBe('rucksack 2p');
    expect(new KeywordIndex(DOCS, { ...UNTUNED_KEYWORD_SETTINGS, fuzzy: 0 }).correct('hikking')).toBe('hikking');
  });
});

describe('fusion', () => {
  const hits = (...ix: number[]) => ix.map((index, r) => ({ index, score: 10 - r }));
  it('weighted reciprocal-rank fusion: agreement wins, weights matter, ties go to the lower index', () => {
    expect(fuseRanks([{ hits: hits(1, 2, 3), weight: 1 }, { hits: hits(3, 1), weight: 1 }], 60).map((h) => h.index)).toEqual([1, 3, 2]);
    expect(fuseRanks([{ hits: hits(1), weight: 1 }, { hits: hits(2), weight: 2 }], 60).map((h) => h.index)).toEqual([2, 1]);
    expect(fuseRanks([{ hits: hits(5), weight: 1 }, { hits: hits(4), weight: 1 }], 60).map((h) => h.index)).toEqual([4, 5]);
  });

  it('price positions are per category; a price word re-fuses by price', () => {
    const pos = pricePositions([10, 20, 30, 5, 5], [0, 0, 0, 1, 1]);
    expect([...pos]).toEqual([0, 0.5, 1, 0.5, 0.5]);
    const s = { ...UNTUNED_HYBRID_SETTINGS, priceWeight: 2 };
    const keyword = { hits: hits(2, 1, 0), coverage: 1 };
    expect(fuseSearch({ keyword, encoder: [] }, pos, s, 3).map((h) => h.index)).toEqual([2, 1, 0]);
    expect(fuseSearch({ keyword, encoder: [], band: 'low' }, pos, s, 3).map((h) => h.index)).toEqual([0, 1, 2]);
  });

  it('uses the unmatched encoder weight when a word matched nothing, and the alone-floor without keyword hits', () => {
    const s = { ...UNTUNED_HYBRID_SETTINGS, encoderWeight: 0.1, encoderWeightUnmatched: 3, minCosineAlone: 0.5 };
    const pos = new Float32Array(10);
    const encoder = [{ index: 7, score: 0.9 }, { index: 8, score: 0.4 }];
    expect(fuseSearch({ keyword: { hits: hits(1), coverage: 1 }, encoder }, pos, s, 3)[0]!.index).toBe(1);
    expect(fuseSearch({ keyword: { hits: hits(1), coverage: 0.5 }, encoder }, pos, s, 3)[0]!.index).toBe(7);
    expect(fuseSearch({ keyword: { hits: [], coverage: 0 }, encoder }, pos, s, 3).map((h) => h.index)).toEqual([7]);
    expect(fuseSearch({ keyword: { hits: [], coverage: 0 }, encoder: [{ index: 8, score: 0.4 }] }, pos, s, 3)).toEqual([]);
  });

  it('taste reorders the search\'s own results and adds none', () => {
    const s = { ...UNTUNED_HYBRID_SETTINGS, tasteWeight: 0.5 };
    const keyword = { hits: hits(1, 2, 3), coverage: 1 };
    const out = fuseSearch({ keyword, encoder: [], taste: hits(9, 3) }, new Float32Array(10), s, 5).map((h) => h.index);
    expect(out).toEqual([3, 1, 2]);
  });
});

describe('package blocks', () => {
  it('validates settings and keywords.json, naming the field', () => {
    expect(parseKeywordBlock(undefined, 's')).toBeUndefined();
    expect(parseKeywordBlock({ file: 'k.json', settings: UNTUNED_KEYWORD_SETTINGS }, 's')?.settings).toEqual(UNTUNED_KEYWORD_SETTINGS);
    expect(() => parseKeywordBlock({ file: 'k.json', settings: { ...UNTUNED_KEYWORD_SETTINGS, fuzzy: -1 } }, 's')).toThrow(/keyword\.settings\.fuzzy/);
    expect(parseHybridBlock({ ...UNTUNED_HYBRID_SETTINGS }, 's')).toEqual(UNTUNED_HYBRID_SETTINGS);
    expect(() => parseHybridBlock({ ...UNTUNED_HYBRID_SETTINGS, depth: 2.5 }, 's')).toThrow(/hybrid\.depth/);
    const items = { ids: ['a', 'b'], titles: ['A', 'B'], category: [0, 0], categories: [{ id: 'tents', name: 'Tents', complements: [] }] } as never;
    expect(keywordDocs({ format: 'inpage-search-keywords', description: ['d', 'e'], brand: ['x', 'y'], tags: ['t', ''] }, items, 'k')[1]).toEqual({ title: 'B', description: 'e', brand: 'y', category: 'Tents', tags: '' });
    expect(() => keywordDocs({ format: 'inpage-search-keywords', description: ['d'], brand: ['x', 'y'], tags: ['t', ''] }, items, 'k')).toThrow(/'description' must list 2 strings/);
  });
});
