/**
 * The page-side recommender in Node, on a package trained from a tiny generated shop, with a fake
 * engine that runs the JS reference of the graph (and one that runs the real graph in
 * onnxruntime-node, to check the feeds the page builds).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InpageError } from '../../src/errors.ts';
import type { EngineLike } from '../../src/recommend/engine-like.ts';
import type { StorageLike } from '../../src/recommend/history.ts';
import type { FetchLike } from '../../src/recommend/load.ts';
import type { RecommenderItems } from '../../src/recommend/manifest.ts';
import { createRecommender, type RecommenderOptions } from '../../src/recommend/recommender.ts';
import { loadPackage } from '../../tools/eval/load-model.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import type { ScorerWeights } from '../../tools/train/reference.ts';
import { recoEngine } from './helpers/reco-engine.ts';
import { train } from '../../tools/train/train.ts';

const BASE = 'http://shop.test/reco/';
let dir = '';
let items: RecommenderItems;
let weights: ScorerWeights;

/** Serves files of `dir` at BASE; `override` replaces a file's bytes. */
function fakeFetch(override: Record<string, string> = {}): FetchLike {
  return async (url) => {
    const name = url.startsWith(BASE) ? url.slice(BASE.length) : '';
    const text = override[name];
    try {
      const bytes = text !== undefined ? new TextEncoder().encode(text) : new Uint8Array(await readFile(join(dir, name)));
      return { ok: true, status: 200, arrayBuffer: async () => bytes.slice().buffer };
    } catch {
      return { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) };
    }
  };
}

/** An engine whose models run the JS reference (kind 'reference') or onnxruntime-node ('ort'). */
function fakeEngine(kind: 'reference' | 'ort', runs: { count: number } = { count: 0 }): EngineLike {
  return recoEngine(kind, async (url) => new Uint8Array(await readFile(join(dir, url.slice(BASE.length)))), () => weights, runs);
}

function memoryStorage(): StorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

function open(extra: Partial<RecommenderOptions> = {}) {
  return createRecommender({ engine: fakeEngine('reference'), manifestUrl: `${BASE}manifest.json`, storage: memoryStorage(), fetch: fakeFetch(), now: () => Date.parse('2026-12-01T12:00:00Z'), ...extra });
}

/** Item ids of a category, by trending order. */
function idsOf(category: string): string[] {
  const c = items.categories.findIndex((x) => x.id === category);
  return items.ids.filter((_, j) => items.category[j] === c);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-reco-'));
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
  await train({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'shop', 'events.csv'), outDir: dir, model: { maxEpochs: 3 } });
  const pkg = await loadPackage(dir);
  items = pkg.items;
  weights = pkg.weights;
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createRecommender', () => {
  it('with no history, for-you falls back to trending', async () => {
    const rec = await open();
    const list = await rec.recommend({ k: 5 });
    expect(list).toHaveLength(5);
    expect(list.every((r) => r.basis === 'trending' && r.reason === 'Trending now')).toBe(true);
  });

  it('for-you: k items, none already seen, each with a reason from the history', async () => {
    const rec = await open();
    const tents = idsOf('tents');
    rec.track({ type: 'view', itemId: tents[0]! });
    rec.track({ type: 'add_to_cart', itemId: tents[1]! });
    const list = await rec.recommend({ strategy: 'for-you', k: 8 });
    expect(list).toHaveLength(8);
    expect(list.some((r) => r.itemId === tents[0] || r.itemId === tents[1])).toBe(false);
    for (const r of list) expect(r.reason).toMatch(/^(Because you viewed |Because .* is in your cart$|Goes with the |Popular with)/);
    expect(list.map((r) => r.score)).toEqual([...list.map((r) => r.score)].sort((a, b) => b - a));
    const withSeen = await rec.recommend({ k: items.ids.length, excludeSeen: false });
    expect(withSeen.some((r) => r.itemId === tents[1])).toBe(true);
  });

  it('business filters never starve the list: masked inside the model, k items whenever k pass', async () => {
    const rec = await open();
    rec.track({ type: 'view', itemId: idsOf('tents')[0]! });
    // A category the visitor has not touched, cheap, in stock: the unfiltered top-8 has none of these.
    const socks = idsOf('socks').map((id) => rec.item(id)!).filter((i) => i.inStock && i.price <= 30);
    expect(socks.length).toBeGreaterThanOrEqual(8);
    const unfiltered = await rec.recommend({ k: 8 });
    expect(unfiltered.filter((r) => rec.item(r.itemId)!.category === 'socks')).toHaveLength(0);
    const list = await rec.recommend({ k: 8, filter: { category: 'socks', maxPrice: 30, inStock: true } });
    expect(list).toHaveLength(8);
    for (const r of list) {
      const info = rec.item(r.itemId)!;
      expect(info.category).toBe('socks');
      expect(info.price).toBeLessThanOrEqual(30);
      expect(info.inStock).toBe(true);
    }
    // Fewer eligible than k: all of them, nothing else.
    const three = socks.slice(0, 3);
    const maxPrice = Math.max(...three.map((s) => s.price));
    const eligible = idsOf('socks').filter((id) => rec.item(id)!.price <= maxPrice && rec.item(id)!.inStock);
    const few = await rec.recommend({ k: 50, filter: { category: ['socks'], maxPrice } });
    expect(few.map((r) => r.itemId).sort()).toEqual(eligible.sort());
  });

  it('exclude: the given ids never come back, the list stays full, bad values are INPUT_INVALID', async () => {
    const rec = await open();
    const anchor = idsOf('tents')[0]!;
    rec.track({ type: 'view', itemId: anchor });
    const similarList = await rec.recommend({ strategy: 'similar', itemId: anchor, k: 6 });
    const before = await rec.recommend({ k: 8 });
    expect(before.some((r) => similarList.some((s) => s.itemId === r.itemId))).toBe(true);
    const shown = similarList.map((r) => r.itemId);
    const after = await rec.recommend({ k: 8, exclude: [...shown, 'sku-not-in-the-model'] });
    expect(after).toHaveLength(8);
    expect(after.filter((r) => shown.includes(r.itemId))).toEqual([]);
    // Also in the other strategies.
    const trend = await rec.recommend({ strategy: 'trending', k: 3 });
    const trend2 = await rec.recommend({ strategy: 'trending', k: 3, exclude: [trend[0]!.itemId] });
    expect(trend2.map((r) => r.itemId)).toEqual([...trend.slice(1).map((r) => r.itemId), trend2[2]!.itemId]);
    await expect(rec.recommend({ exclude: 'sku-1' as unknown as string[] })).rejects.toMatchObject({ code: 'INPUT_INVALID', message: expect.stringContaining('exclude must be an array') });
    await expect(rec.recommend({ exclude: ['a', 3 as unknown as string] })).rejects.toMatchObject({ code: 'INPUT_INVALID', message: expect.stringContaining('exclude[1]') });
    await expect(rec.recommend({ exclude: Array.from({ length: 10_001 }, (_, i) => `x${i}`) })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('out-of-stock items are never recommended by default, in every strategy; includeOutOfStock brings them back', async () => {
    const rec = await open();
    const tents = idsOf('tents');
    rec.track({ type: 'view', itemId: tents[0]! });
    rec.track({ type: 'click', itemId: idsOf('backpacks')[0]! });
    const outOfStock = new Set(items.ids.filter((_, j) => items.inStock[j] === 0));
    expect(outOfStock.size).toBeGreaterThan(5);
    const asks = [
      { strategy: 'for-you' as const, k: 200 },
      { strategy: 'similar' as const, itemId: tents[1]!, k: 50 },
      { strategy: 'complete-the-look' as const, itemId: tents[1]!, k: 60 },
      { strategy: 'trending' as const, k: 200 },
    ];
    for (const ask of asks) {
      const list = await rec.recommend(ask);
      expect(list.length, ask.strategy).toBeGreaterThan(0);
      expect(list.filter((r) => outOfStock.has(r.itemId)), ask.strategy).toEqual([]);
      const all = await rec.recommend({ ...ask, filter: { includeOutOfStock: true } });
      expect(all.some((r) => outOfStock.has(r.itemId)), ask.strategy).toBe(true);
    }
  });

  it("'similar' stays in the anchor's category and leaves the anchor out", async () => {
    const rec = await open();
    const anchor = idsOf('sleeping-bags')[2]!;
    const list = await rec.recommend({ strategy: 'similar', itemId: anchor, k: 6 });
    expect(list).toHaveLength(6);
    expect(list.every((r) => rec.item(r.itemId)!.category === 'sleeping-bags' && r.itemId !== anchor)).toBe(true);
    expect(list[0]!.reason).toBe(`Similar to ${rec.item(anchor)!.title}`);
  });

  it("'complete-the-look' draws from learned complementary categories, alternating between them", async () => {
    const rec = await open();
    const anchor = idsOf('tents')[0]!;
    rec.track({ type: 'add_to_cart', itemId: anchor });
    const tentsIdx = items.categories.findIndex((c) => c.id === 'tents');
    const comps = new Set(items.categories[tentsIdx]!.complements.map(([c]) => items.categories[c]!.id));
    expect(comps.size).toBeGreaterThanOrEqual(2);
    const list = await rec.recommend({ strategy: 'complete-the-look', k: 6 }); // anchor = strongest recent item
    expect(list).toHaveLength(6);
    const cats = list.map((r) => rec.item(r.itemId)!.category);
    expect(cats.every((c) => comps.has(c))).toBe(true);
    expect(new Set(cats.slice(0, 2)).size).toBe(2);
    expect(list[0]!.reason).toContain(rec.item(anchor)!.title);
  });

  it("'trending' follows the packaged decayed popularity and honours filters", async () => {
    const rec = await open();
    const list = await rec.recommend({ strategy: 'trending', k: 4, filter: { inStock: true } });
    const scores = list.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(list.every((r) => rec.item(r.itemId)!.inStock)).toBe(true);
    const best = Math.max(...items.trending.scores.filter((_, j) => items.inStock[j] === 1));
    expect(list[0]!.score).toBe(best);
  });

  it('history is capped, survives a reload, is namespaced by manifest URL, and forget() erases it', async () => {
    const storage = memoryStorage();
    const ids = items.ids.slice(0, 8);
    const a = await open({ storage, historyCap: 5 });
    ids.forEach((id) => a.track({ type: 'view', itemId: id }));
    expect(a.history().map((e) => e.itemId)).toEqual(ids.slice(3));
    const reloaded = await open({ storage, historyCap: 5 });
    expect(reloaded.history().map((e) => e.itemId)).toEqual(ids.slice(3));
    expect([...storage.map.keys()]).toEqual([`inpage:reco:${BASE}manifest.json`, `inpage:reco:${BASE}manifest.json:seen`]);
    await reloaded.forget();
    expect(storage.map.size).toBe(0);
    expect(a.history()).toEqual([]);
    expect((await a.recommend({ k: 3 })).every((r) => r.basis === 'trending')).toBe(true);
  });

  it('impressions are stored but are not history: not seen, not model input, not a reason', async () => {
    const storage = memoryStorage();
    const rec = await open({ storage });
    const tents = idsOf('tents');
    const fallback = await rec.recommend({ k: 6 });
    fallback.forEach((r) => rec.track({ type: 'impression', itemId: r.itemId }));
    expect(rec.history().map((e) => e.type)).toEqual(fallback.map(() => 'impression'));
    // Still the no-history list, with the shown items in it (excludeSeen ignores impressions).
    expect(await rec.recommend({ k: 6 })).toEqual(fallback);
    await expect(rec.recommend({ strategy: 'complete-the-look' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    // With real history, impressions in between change nothing the model sees.
    const plain = await open();
    for (const r of [rec, plain]) {
      r.track({ type: 'view', itemId: tents[0]! });
      r.track({ type: 'click', itemId: tents[1]! });
    }
    rec.track({ type: 'impression', itemId: tents[2]! });
    rec.track({ type: 'impression', itemId: tents[1]! });
    const shown = await rec.recommend({ k: 8 });
    expect(shown).toEqual(await plain.recommend({ k: 8 }));
    expect(shown.every((r) => !r.reason.includes(rec.item(tents[2]!)!.title))).toBe(true);
    expect((await open({ storage })).history().filter((e) => e.type === 'impression')).toHaveLength(8);
  });

  it('keeps working in memory when storage throws', async () => {
    const broken: StorageLike = { getItem: () => { throw new Error('SecurityError'); }, setItem: () => { throw new Error('QuotaExceeded'); }, removeItem: () => {} };
    const rec = await open({ storage: broken });
    rec.track({ type: 'click', itemId: items.ids[0]! });
    expect(rec.history()).toHaveLength(1);
    expect(await rec.recommend({ k: 3 })).toHaveLength(3);
  });

  it('rejects bad input with clear, coded errors', async () => {
    const rec = await open();
    expect(() => rec.track({ type: 'like' as 'view', itemId: 'x' })).toThrow(/type must be 'view', 'click', 'add_to_cart', 'purchase' or 'impression'/);
    expect(() => rec.track({ type: 'view', itemId: '' })).toThrow(InpageError);
    await expect(rec.recommend({ strategy: 'similar' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(rec.recommend({ strategy: 'similar', itemId: 'sku-nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(rec.recommend({ k: 0 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('names the bad field of a broken manifest or item table, and catches a tampered item table', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const badDims = JSON.stringify({ ...manifest, dims: { items: 'many', embedding: 32, history: 20 } });
    await expect(open({ fetch: fakeFetch({ 'manifest.json': badDims }) })).rejects.toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringContaining("'dims.items'") });
    const itemsJson = JSON.parse(await readFile(join(dir, 'items.json'), 'utf8')) as Record<string, unknown>;
    const tampered = JSON.stringify({ ...itemsJson, price: (itemsJson['price'] as number[]).map(() => 1) });
    await expect(open({ fetch: fakeFetch({ 'items.json': tampered }) })).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
    await expect(open({ fetch: fakeFetch({ 'manifest.json': '{"format":' }) })).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
  });

  it('the real graph in onnxruntime-node gives the same lists as the JS reference', async () => {
    const storage = memoryStorage();
    const runs = { count: 0 };
    const ref = await open({ storage });
    const real = await open({ storage, engine: fakeEngine('ort', runs) });
    ref.track({ type: 'view', itemId: idsOf('backpacks')[0]! });
    ref.track({ type: 'click', itemId: idsOf('hydration')[1]! });
    for (const opts of [{ k: 10 }, { k: 8, filter: { maxPrice: 60 } }, { strategy: 'similar' as const, itemId: idsOf('stoves')[0]! }, { strategy: 'complete-the-look' as const, k: 6 }]) {
      const a = await ref.recommend(opts);
      const b = await real.recommend(opts);
      expect(b.map((r) => r.itemId)).toEqual(a.map((r) => r.itemId));
      b.forEach((r, i) => expect(Math.abs(r.score - a[i]!.score)).toBeLessThan(1e-4));
    }
    expect(runs.count).toBe(4);
    await real.dispose();
  });
});
