/**
 * The catalogue encoder `inpage train` wrote (public/reco/encoder, search.onnx, search.json) in
 * real Chromium on this project's backend: transformers.js' feature-extraction pipeline in the
 * engine gives the JS reference of the encoder's weights (fp32 and the int8 'q8' file), and
 * `rec.search()` (keyword index on the page + encoder in the worker, fused) gives the hybrid's
 * reference ranking, honours filters and price bounds, tolerates typos, returns nothing for
 * nonsense, lets the visitor's taste reorder near-ties, and feeds for-you.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test, expect } from './fixtures.ts';
import { loadPackage } from '../../tools/eval/load-model.ts';
import { readSearchPackage } from '../../tools/encoder/read.ts';
import { referenceEncoder } from '../../tools/encoder/reference.ts';
import { rankers } from '../../tools/eval/search-rank.ts';
import { pricePositions } from '../../src/recommend/search-hybrid.ts';
import { KeywordIndex } from '../../src/recommend/search-keyword.ts';
import { keywordDocs } from '../../src/recommend/search-package.ts';

const recoDir = fileURLToPath(new URL('../../public/reco', import.meta.url));
const TEXTS = ['waterproof tent for two', 'warm down sleeping bag', 'Northpeak', 'merino hiking socks', 'TENTS!!', 'a compass with gps'];

test.beforeEach(() => { test.slow(); });

test("the trained encoder through engine.pipeline() equals the JS reference of its weights (fp32 and q8)", async ({ openHarness, expectedBackend }) => {
  const pkg = await readSearchPackage(recoDir);
  const page = await openHarness();
  const r = await page.evaluate(async ({ texts, backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const out: Record<string, { dims: number[]; data: number[]; backend: string; dtype: string }> = {};
    for (const dtype of ['default', 'fp32', 'q8'] as const) {
      const embed = await engine.pipeline('feature-extraction', 'encoder', { modelHost: 'reco/', ...(dtype === 'default' ? {} : { dtype }) });
      const v = await embed(texts, { pooling: 'mean', normalize: true });
      out[dtype] = { dims: [...v.dims], data: Array.from(v.data as Float32Array), backend: embed.backend, dtype: embed.dtype };
      await embed.dispose();
    }
    await engine.dispose();
    return out;
  }, { texts: TEXTS, backend: expectedBackend });
  // transformers.js' browser default: q8 on WASM, fp32 on WebGPU.
  expect(r['default']!.dtype).toBe(expectedBackend === 'wasm' ? 'q8' : 'fp32');
  for (const dtype of ['fp32', 'q8'] as const) {
    const got = r[dtype]!;
    expect(got.backend).toBe(expectedBackend);
    expect(got.dims).toEqual([TEXTS.length, pkg.weights.dim]);
    const ref = referenceEncoder(pkg.weights, { quantized: dtype === 'q8' });
    TEXTS.forEach((t, i) => {
      const want = ref.encode(t);
      const row = got.data.slice(i * pkg.weights.dim, (i + 1) * pkg.weights.dim);
      row.forEach((x, d) => { if (Math.abs(x - want[d]!) > 1e-5) throw new Error(`${dtype} '${t}'[${d}]: got ${x}, want ${want[d]}`); });
    });
  }
});

test('rec.search gives the hybrid reference ranking on this backend, honours filters and price words, tolerates typos, says no results, and feeds for-you', async ({ openHarness, expectedBackend }) => {
  const pkg = await readSearchPackage(recoDir);
  const reco = await loadPackage(recoDir);
  const items = reco.items;
  const cat = (id: string): string => items.categories[items.category[items.ids.indexOf(id)]!]!.id;
  const page = await openHarness();
  const r = await page.evaluate(async ({ backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const rec = await window.inpage.createRecommender({ engine, manifestUrl: 'reco/manifest.json', storage: null });
    const tent = await rec.search('waterproof tent', { k: 8 });
    const cheap = await rec.search('waterproof tent', { k: 8, filter: { maxPrice: 150, inStock: true } });
    const under = await rec.search('tents under 200', { k: 10, remember: false });
    const typo = await rec.search('waterprof sleping bag', { k: 8, remember: false });
    const warm = await rec.search('warm bag for winter camping', { k: 8, remember: false });
    const nothing = await rec.search('xqzvvk', { k: 8, remember: false });
    const socks = await rec.search('merino socks', { k: 5, remember: false });
    const info = (hits: { itemId: string }[]) => hits.map((h) => rec.item(h.itemId)!);
    const fresh = await rec.recommend({ strategy: 'for-you', k: 10, blendSearches: false });
    const blended = await rec.recommend({ strategy: 'for-you', k: 10 });
    const recent = rec.recentSearches().map((s) => s.text);
    await rec.forget();
    const forgotten = rec.recentSearches().length;
    await rec.dispose();
    await engine.dispose();
    return { tent, cheapItems: info(cheap), underItems: info(under), typo, warm, nothing, socks, fresh: fresh.map((x) => ({ id: x.itemId, basis: x.basis })), blended: blended.map((x) => ({ id: x.itemId, reason: x.reason })), recent, forgotten };
  }, { backend: expectedBackend });
  // The JS reference of the whole hybrid (the eval's ranker) with this backend's encoder file: q8 on WASM, fp32 on WebGPU.
  const keywords = JSON.parse(await readFile(`${recoDir}/keywords.json`, 'utf8')) as unknown;
  const hybrid = rankers({
    items, pricePos: pricePositions(items.price, items.category),
    keyword: new KeywordIndex(keywordDocs(keywords, items, 'keywords.json'), pkg.manifest.keyword!.settings),
    encoder: referenceEncoder(pkg.weights, { quantized: expectedBackend === 'wasm' }), targets: pkg.targets, hybrid: pkg.manifest.hybrid!,
  }).hybrid;
  const want = hybrid('waterproof tent').slice(0, 8).map((j) => items.ids[j]);
  expect(r.tent.map((h) => h.itemId)).toEqual(want);
  expect(r.tent.filter((h) => cat(h.itemId) === 'tents').length).toBeGreaterThanOrEqual(6);
  expect(r.cheapItems.length).toBeGreaterThan(0);
  for (const it of r.cheapItems) { expect(it.price).toBeLessThanOrEqual(150); expect(it.inStock).toBe(true); }
  // "under 200" is a price filter, not a word to match.
  expect(r.underItems).toHaveLength(10);
  for (const it of r.underItems) { expect(it.price).toBeLessThanOrEqual(200); expect(it.category).toBe('tents'); }
  expect(r.typo.filter((h) => cat(h.itemId) === 'sleeping-bags').length).toBeGreaterThanOrEqual(6);
  expect(r.warm.slice(0, 5).filter((h) => cat(h.itemId) === 'sleeping-bags').length).toBeGreaterThanOrEqual(4);
  expect(r.nothing).toEqual([]);
  expect(r.socks.filter((h) => cat(h.itemId) === 'socks').length).toBeGreaterThanOrEqual(4);
  // No history: for-you is trending without searches, personal with them.
  expect(r.fresh.every((x) => x.basis === 'trending')).toBe(true);
  expect(r.recent).toEqual(['waterproof tent']);
  expect(r.blended.filter((x) => cat(x.id) === 'tents').length).toBeGreaterThan(r.fresh.filter((x) => cat(x.id) === 'tents').length);
  expect(r.blended.some((x) => x.reason === 'Because you searched for “waterproof tent”')).toBe(true);
  expect(r.forgotten).toBe(0);
});

test('rec.search with personalize: the visitor\'s taste reorders near-ties toward their for-you ranking', async ({ openHarness, expectedBackend }) => {
  const reco = await loadPackage(recoDir);
  const items = reco.items;
  const page = await openHarness();
  const r = await page.evaluate(async ({ backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const rec = await window.inpage.createRecommender({ engine, manifestUrl: 'reco/manifest.json', storage: null });
    const plain = await rec.search('tent', { k: 20, remember: false });
    const all = await rec.search('tent', { k: 1000, remember: false });
    const anon = await rec.search('tent', { k: 20, remember: false, personalize: true });
    for (const id of plain.slice(10, 13).map((h) => h.itemId)) rec.track({ type: 'view', itemId: id });
    const mine = await rec.search('tent', { k: 20, remember: false, personalize: true });
    const taste = (await rec.recommend({ strategy: 'for-you', k: 1000, excludeSeen: false, blendSearches: false })).map((x) => x.itemId);
    await rec.dispose();
    await engine.dispose();
    return { plain: plain.map((h) => h.itemId), all: all.map((h) => h.itemId), anon: anon.map((h) => h.itemId), mine: mine.map((h) => h.itemId), taste };
  }, { backend: expectedBackend });
  // Without history personalize changes nothing; with it the search's own results come back, reordered.
  expect(r.anon).toEqual(r.plain);
  expect(r.mine.every((id) => r.all.includes(id))).toBe(true);
  expect(r.mine).not.toEqual(r.plain);
  // The top 10 sit higher in the visitor's for-you ranking than without taste.
  const tasteRank = (list: string[]) => list.slice(0, 10).reduce((n, id) => n + (r.taste.indexOf(id) + 1 || r.taste.length), 0);
  expect(tasteRank(r.mine)).toBeLessThan(tasteRank(r.plain));
  expect(r.mine.every((id) => items.ids.includes(id))).toBe(true);
});
