/**
 * The offline search eval: graded relevance, metrics, the query families, the tuner's protocol,
 * and a full run on a tiny generated shop (also through `inpage eval`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pricePositions } from '../../src/recommend/search-hybrid.ts';
import { main } from '../../tools/cli/main.ts';
import { parseCatalogText } from '../../tools/encoder/catalog-text.ts';
import { METHODS, readShopperQueries, runSearchEval } from '../../tools/eval/search.ts';
import { generateQueries, holdOut } from '../../tools/eval/search-queries.ts';
import { ceiling, generateQueriesB, typo } from '../../tools/eval/search-queries-b.ts';
import { itemsTable, queryMetrics } from '../../tools/eval/search-rank.ts';
import { makeJudge, parseJudgements } from '../../tools/eval/search-relevance.ts';
import { ENCODER_TRIALS, HYBRID_MOVES, KEYWORD_MOVES } from '../../tools/eval/search-tune.ts';
import { Prng } from '../../tools/onnx/prng.ts';
import { generateCatalog } from '../../tools/shop/catalog.ts';
import { DEFAULT_SHOP_CONFIG, TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';

const texts = parseCatalogText({ products: generateCatalog(TINY_SHOP_CONFIG).products });
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-search-eval-'));
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
}, 60_000);
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const item = (over: Partial<(typeof texts)[number]>) => ({ id: 'x', title: '', description: '', brand: 'B', category: 'tents', categoryName: 'Tents', tags: [], price: 100, ...over });

describe('graded relevance from catalogue facts', () => {
  it('grades 2 for the category and every condition, 1 for the category alone, 0 otherwise', () => {
    const judge = makeJudge([
      item({ title: 'Alpine 2P Dome Tent', tags: ['waterproof'], price: 100 }),
      item({ title: 'Alpine 3P Dome Tent', tags: ['3-season'], price: 300 }),
      item({ title: 'Ridge -10°C Mummy Bag', category: 'sleeping-bags', tags: ['winter'], price: 200 }),
      item({ title: 'Crest 12P Dome Tent', price: 500 }),
    ]);
    expect([...judge.grades({ categories: ['tents'], all: [['2P']] })]).toEqual([2, 1, 0, 1]);
    expect([...judge.grades({ categories: ['tents'], all: [['3 season', 'waterproof']] })]).toEqual([2, 2, 0, 1]);
    expect([...judge.grades({ categories: ['sleeping-bags'], all: [['-10°C']] })]).toEqual([0, 0, 2, 0]);
    expect([...judge.grades({ categories: ['tents'], maxPrice: 300 })]).toEqual([2, 2, 0, 1]);
    // Price bands are per category: the cheapest third of tents.
    expect([...judge.grades({ categories: ['tents'], priceBand: 'low' })]).toEqual([2, 1, 0, 1]);
    expect([...judge.grades({ categories: ['tents'], priceBand: 'high' })]).toEqual([1, 1, 0, 2]);
  });

  it('the committed fixture has ≥ 100 queries of seven kinds, each with relevant items in the demo shop', () => {
    const qs = readShopperQueries();
    expect(qs.length).toBeGreaterThanOrEqual(100);
    expect(new Set(qs.map((q) => q.kind))).toEqual(new Set(['plain', 'attribute', 'brand', 'typo', 'synonym', 'need', 'price']));
    expect(qs.map((q) => q.text)).toContain('warm bag for winter camping');
    const demo = parseCatalogText({ products: generateCatalog(DEFAULT_SHOP_CONFIG).products, categories: [] });
    const judge = makeJudge(demo);
    for (const q of qs) expect(judge.grades(q.rule).filter((g) => g === 2).length, q.text).toBeGreaterThanOrEqual(5);
    expect(() => parseJudgements({ format: 'inpage-search-judgements', queries: [{ text: 'x', kind: 'plain', rule: {} }] })).toThrow(/rule.categories/);
  });
});

describe('metrics', () => {
  it('Recall@k and RR over grade-2 items, NDCG over grades; held-out counting drops the other grade-2 items', () => {
    const grades = Uint8Array.of(2, 1, 2, 0, 2);
    expect(queryMetrics([3, 0, 1, 2], grades, 2)).toMatchObject({ recall: 0.5, rr: 0.5 });
    const held = queryMetrics([0, 3, 2, 4], grades, 2, new Set([2, 4]))!;
    // Item 0 (grade 2, not held out) leaves the ranking: 3, 2, 4 → first relevant at rank 2.
    expect(held.recall).toBe(0.5);
    expect(held.rr).toBe(0.5);
    expect(queryMetrics([0], grades, 2, new Set([1]))).toBeUndefined();
    const perfect = queryMetrics([0, 2, 4, 1], grades, 4)!;
    expect(perfect.ndcg).toBeCloseTo(1, 10);
    expect(queryMetrics([1, 0, 2, 4], grades, 4)!.ndcg).toBeLessThan(1);
  });
});

describe('query families', () => {
  it('family B comes from held-out items with its own templates and fact rules, deterministic in the seed', () => {
    const { heldOut } = holdOut(texts.length, 0.2, 4);
    const items = itemsTable(texts);
    const pos = pricePositions(items.price, items.category);
    const qs = generateQueriesB(texts, heldOut, pos, { seed: 4 });
    expect(qs).toHaveLength(2 * heldOut.length);
    expect(new Set(qs.map((q) => q.template)).size).toBeGreaterThanOrEqual(5);
    const judge = makeJudge(texts);
    for (const q of qs) {
      expect(heldOut).toContain(q.from);
      // The item a query was made from is fully relevant to it (typos aside, which do not change the rule).
      expect(judge.grades(q.rule)[q.from], `${q.template}: ${q.text}`).toBe(2);
    }
    expect(generateQueriesB(texts, heldOut, pos, { seed: 4 })).toEqual(qs);
    // No family A phrasing: family A's templates say "looking for", "by", "from".
    const a = new Set(generateQueries(texts, heldOut, { seed: 4 }).map((q) => q.text));
    expect(qs.filter((q) => a.has(q.text)).length).toBeLessThan(qs.length / 4);
  });

  it('typos change one letter of long words; price ceilings round up', () => {
    const rng = new Prng(3);
    for (let i = 0; i < 50; i++) {
      const t = typo('lantern', rng);
      expect(t).not.toBe('lantern');
      expect(Math.abs(t.length - 7)).toBeLessThanOrEqual(1);
    }
    expect(typo('tent', rng)).toBe('tent');
    expect(ceiling(64.95)).toBe(70);
    expect(ceiling(70)).toBe(80);
    expect(ceiling(249.95)).toBe(250);
  });

  it('the tuner gives the keyword library at least the encoder\'s and the fusion\'s trials together', () => {
    expect(KEYWORD_MOVES.length).toBe(ENCODER_TRIALS + HYBRID_MOVES.length);
  });
});

describe('runSearchEval', () => {
  it('reports every method on both relevance counts, per family, and the targets', () => {
    const vectors = new Prng(2).normals(texts.length * 16);
    const r = runSearchEval({ texts, itemVectors: vectors, dim: 16, heldOutShare: 0.2, seeds: [4], encoder: { epochs: 2, views: 4, negatives: 64 } });
    expect(r.splits.map((s) => s.seed)).toEqual([4]);
    expect(r.splits[0]!.queries['A']).toBeGreaterThan(0);
    expect(r.splits[0]!.queries['B']).toBeGreaterThan(0);
    for (const count of ['all', 'held-out'] as const) {
      expect(Object.keys(r.independent[count])).toEqual(Object.values(METHODS));
      for (const m of Object.values(r.independent[count])) {
        expect(m.queries).toBeGreaterThan(0);
        expect(m.recall).toBeGreaterThanOrEqual(0);
        expect(m.recall).toBeLessThanOrEqual(1);
      }
    }
    expect(Object.keys(r.families)[0]).toBe('A (tuning family)');
    expect(Object.keys(r.families).some((f) => f.startsWith('B: '))).toBe(true);
    const ratio = r.independent.all[METHODS.hybrid]!.recall / Math.max(r.independent.all[METHODS.keyword]!.recall, r.independent.all[METHODS.untuned]!.recall);
    expect(r.targets.ratios.all.recall).toBeCloseTo(ratio, 10);
    expect(r.targets.met).toBe(Object.values(r.targets.ratios).every((x) => x.recall >= 1.1 && x.mrr >= 1.1) && r.targets.worstFamily.delta >= -0.02);
  });

  it('`inpage eval` prints the search tables after the recommendation table', async () => {
    const out: string[] = [];
    const code = await main(['eval', '--catalog', join(dir, 'shop', 'catalog.json'), '--events', join(dir, 'shop', 'events.csv'), '--epochs', '1'], { out: (l) => out.push(l), err: () => {} });
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/\| method \| HitRate@10 \| NDCG@10 \| MRR \| coverage \|/);
    expect(text).toMatch(/\| method \| Recall@10 \| MRR \| NDCG@10 \| Recall@10 held-out \| MRR held-out \|/);
    expect(text).toMatch(/\| hybrid \(rec\.search\) \| 0\.\d{3} \| 0\.\d{3} \|/);
    expect(text).toMatch(/Hybrid vs the stronger keyword library row: /);
    const skipped: string[] = [];
    await main(['eval', '--catalog', join(dir, 'shop', 'catalog.json'), '--events', join(dir, 'shop', 'events.csv'), '--epochs', '1', '--no-search'], { out: (l) => skipped.push(l), err: () => {} });
    expect(skipped.join('\n')).not.toMatch(/Recall@10/);
  }, 180_000);
});
