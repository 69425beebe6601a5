/**
 * The offline search eval: BM25, the metrics, the query generator's relevance sets, and a full
 * run on a tiny generated shop (also through `inpage eval`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../tools/cli/main.ts';
import { fullText, parseCatalogText } from '../../tools/encoder/catalog-text.ts';
import { Bm25, evaluateSearch, keywordTokens, rankMetrics, runSearchEval } from '../../tools/eval/search.ts';
import { CATEGORY_PHRASES, generateQueries, holdOut } from '../../tools/eval/search-queries.ts';
import { Prng } from '../../tools/onnx/prng.ts';
import { generateCatalog } from '../../tools/shop/catalog.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';

const texts = parseCatalogText({ products: generateCatalog(TINY_SHOP_CONFIG).products });
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-search-eval-'));
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
}, 60_000);
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('BM25 and metrics', () => {
  it('scores documents sharing rare words highest and ignores stop words', () => {
    const bm = new Bm25(['red tent for two', 'blue tent', 'red sock', 'the a and with for']);
    const s = bm.scores('a red tent');
    expect(s[0]).toBeGreaterThan(s[1]!);
    expect(s[0]).toBeGreaterThan(s[2]!);
    expect(s[3]).toBe(0);
    expect(keywordTokens('Looking for USB-C, 10°C!')).toEqual(['usb', 'c', '10', 'c']);
  });

  it('Recall@k counts relevant items in the top k over min(k, |relevant|); MRR the first relevant rank', () => {
    const scores = Float32Array.of(0.9, 0.8, 0.7, 0.6, 0.5);
    expect(rankMetrics(scores, [1, 4], 2)).toEqual({ recall: 0.5, rr: 0.5, hit: true });
    expect(rankMetrics(scores, [3], 2)).toEqual({ recall: 0, rr: 0.25, hit: false });
    expect(rankMetrics(scores, [0, 1, 2], 2)).toEqual({ recall: 1, rr: 1, hit: true });
    const m = evaluateSearch([{ text: 'x', template: 't', from: 0, constraints: { category: 'c' }, relevant: [1] }], () => scores, 1);
    expect(m).toEqual({ queries: 1, recall: 0, mrr: 0.5, hitRate: 0 });
  });
});

describe('generated queries', () => {
  it('are not titles, name only held-out items, and list exactly the items with every named attribute', () => {
    const { train, heldOut } = holdOut(texts.length, 0.2, 4);
    expect(heldOut.length).toBeGreaterThan(30);
    expect(heldOut.every((i) => train[i] === 0)).toBe(true);
    const qs = generateQueries(texts, heldOut, { seed: 4 });
    expect(qs).toHaveLength(2 * heldOut.length);
    expect(new Set(qs.map((q) => q.template)).size).toBeGreaterThanOrEqual(6);
    for (const q of qs) {
      expect(heldOut).toContain(q.from);
      expect(q.relevant).toContain(q.from);
      expect(q.text.toLowerCase()).not.toBe(texts[q.from]!.title.toLowerCase());
      const want = texts.flatMap((t, j) => (t.category === q.constraints.category
        && (q.constraints.tag === undefined || t.tags.includes(q.constraints.tag))
        && (q.constraints.brand === undefined || t.brand === q.constraints.brand)
        && (q.constraints.tier === undefined || t.tags.includes(q.constraints.tier)) ? [j] : []));
      expect(q.relevant).toEqual(want);
    }
    // Category phrases outside the catalogue's own words exist (shoppers' words), e.g. "rucksack".
    expect(fullText(texts[0]!).toLowerCase()).not.toContain('rucksack');
    expect(CATEGORY_PHRASES['backpacks']).toContain('rucksack');
  });

  it('are deterministic in the seed', () => {
    const { heldOut } = holdOut(texts.length, 0.2, 9);
    expect(generateQueries(texts, heldOut, { seed: 9 })).toEqual(generateQueries(texts, heldOut, { seed: 9 }));
  });
});

describe('runSearchEval', () => {
  it('trains without the held-out items and reports BM25 and the encoder', () => {
    const vectors = new Prng(2).normals(texts.length * 16);
    const r = runSearchEval({ texts, itemVectors: vectors, dim: 16, heldOutShare: 0.2, seeds: [4, 5], encoder: { epochs: 2, views: 4, negatives: 64 } });
    expect(r.splits.map((s) => s.seed)).toEqual([4, 5]);
    expect(r.queries).toBe(2 * (r.splits[0]!.heldOutItems + r.splits[1]!.heldOutItems));
    expect(Object.keys(r.methods)).toEqual(['BM25 (keywords)', 'encoder (q8, as shipped to WASM)', 'encoder (fp32)']);
    for (const m of Object.values(r.methods)) {
      expect(m.recall).toBeGreaterThan(0);
      expect(m.recall).toBeLessThanOrEqual(1);
      expect(m.mrr).toBeGreaterThan(0);
    }
    expect(r.targetMet).toBe(r.methods['encoder (q8, as shipped to WASM)']!.recall > r.methods['BM25 (keywords)']!.recall);
  });

  it('`inpage eval` prints the search table after the recommendation table', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['eval', '--catalog', join(dir, 'shop', 'catalog.json'), '--events', join(dir, 'shop', 'events.csv'), '--epochs', '1'], { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/\| method \| HitRate@10 \| NDCG@10 \| MRR \| coverage \|/);
    expect(text).toMatch(/\| method \| Recall@10 \| MRR \|/);
    expect(text).toMatch(/\| BM25 \(keywords\) \| 0\.\d{4} \| 0\.\d{4} \|/);
    expect(text).toMatch(/Encoder Recall@10 vs BM25: /);
    const skipped: string[] = [];
    await main(['eval', '--catalog', join(dir, 'shop', 'catalog.json'), '--events', join(dir, 'shop', 'events.csv'), '--epochs', '1', '--no-search'], { out: (l) => skipped.push(l), err: () => {} });
    expect(skipped.join('\n')).not.toMatch(/Recall@10/);
  }, 120_000);
});
