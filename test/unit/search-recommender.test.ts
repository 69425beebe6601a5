/**
 * `rec.search()` and the for-you blend of recent searches, in Node, on a package `inpage train`
 * wrote for a tiny generated shop. The fake engine runs every ONNX model in onnxruntime-node and
 * pipelines in transformers.js' Node build (the real code, on the package's files); results are
 * compared with the JS reference of the same files.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InpageError } from '../../src/errors.ts';
import type { StorageLike } from '../../src/recommend/history.ts';
import type { FetchLike } from '../../src/recommend/load.ts';
import { createRecommender, type RecommenderOptions } from '../../src/recommend/recommender.ts';
import { readSearchPackage, type ReadSearchPackage } from '../../tools/encoder/read.ts';
import { referenceEncoder, searchScores } from '../../tools/encoder/reference.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import { topK } from '../../tools/train/reference.ts';
import { train } from '../../tools/train/train.ts';
import { loadPackage } from '../../tools/eval/load-model.ts';
import { rankers } from '../../tools/eval/search-rank.ts';
import { pricePositions } from '../../src/recommend/search-hybrid.ts';
import { KeywordIndex } from '../../src/recommend/search-keyword.ts';
import { keywordDocs } from '../../src/recommend/search-package.ts';
import type { RecommenderItems } from '../../src/recommend/manifest.ts';
import { packageFetch, searchEngine } from './helpers/search-engine.ts';

const BASE = 'http://shop.test/reco/';
let dir = '';
let pkg: ReadSearchPackage;
let items: RecommenderItems;

const fakeFetch = (override: Record<string, string | null> = {}): FetchLike => packageFetch(BASE, dir, override);
const fakeEngine = (log: string[] = [], withPipeline = true) => searchEngine(BASE, dir, log, withPipeline);

function memoryStorage(): StorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

const NOW = Date.parse('2026-12-01T12:00:00Z');
function open(extra: Partial<RecommenderOptions> = {}) {
  return createRecommender({ engine: fakeEngine(), manifestUrl: `${BASE}manifest.json`, storage: memoryStorage(), fetch: fakeFetch(), now: () => NOW, ...extra });
}

/** What the JS reference of the hybrid (the eval's ranker, on the package's files) ranks first for `text`. */
async function hybridExpected(text: string, k: number): Promise<string[]> {
  const keywords = JSON.parse(await readFile(join(dir, 'keywords.json'), 'utf8')) as unknown;
  const rank = rankers({
    items, pricePos: pricePositions(items.price, items.category),
    keyword: new KeywordIndex(keywordDocs(keywords, items, 'keywords.json'), pkg.manifest.keyword!.settings),
    encoder: referenceEncoder(pkg.weights, { quantized: true }), targets: pkg.targets, hybrid: pkg.manifest.hybrid!,
  }).hybrid;
  return rank(text).slice(0, k).map((j) => items.ids[j]!);
}

/** What the encoder's reference ranks first for `text`, among items passing `keep` (a package without a keyword index). */
function expected(text: string, k: number, keep: (j: number) => boolean = () => true): string[] {
  const ref = referenceEncoder(pkg.weights, { quantized: true });
  const scores = searchScores(ref.encode(text), pkg.targets, pkg.weights.dim);
  for (let j = 0; j < scores.length; j++) if (!keep(j)) scores[j] = -1e9;
  return topK(scores, k).map((j) => items.ids[j]!);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-search-'));
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
  await train({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'shop', 'events.csv'), outDir: dir, model: { epochs: 2 }, encoder: { epochs: 3 } });
  pkg = await readSearchPackage(dir);
  items = (await loadPackage(dir)).items;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = `${dir}/`;
}, 120_000);
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('rec.search', () => {
  it('loads the encoder, index and keyword text on first use only, and ranks as the JS reference of the hybrid', async () => {
    const log: string[] = [];
    const rec = await open({ engine: fakeEngine(log) });
    expect(log).toEqual(['load recommender.onnx']);
    for (const q of ['waterproof tent', 'warm sleeping bag', 'merino socks', 'headlamp', 'sleping bag', 'cheap tent']) {
      const hits = await rec.search(q, { k: 8 });
      expect(hits.map((h) => h.itemId), q).toEqual(await hybridExpected(q, 8));
      expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    }
    expect(log).toEqual(['load recommender.onnx', 'load search.onnx', `pipeline feature-extraction encoder ${BASE}{model}/`]);
    await rec.dispose();
  });

  it('a package from before the keyword index (no keyword/hybrid blocks) runs the encoder alone, as before', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'search.json'), 'utf8')) as Record<string, unknown>;
    const { keyword: _k, hybrid: _h, ...old } = manifest;
    const rec = await open({ fetch: fakeFetch({ 'search.json': JSON.stringify(old) }) });
    const filtered = await rec.search('tent', { k: 5, filter: { maxPrice: 100, inStock: true } });
    expect(filtered.map((h) => h.itemId)).toEqual(expected('tent', 5, (j) => items.price[j]! <= 100 && items.inStock[j] === 1));
    const halfOnly = await open({ fetch: fakeFetch({ 'search.json': JSON.stringify({ ...old, keyword: manifest['keyword'] }) }) });
    await expect(halfOnly.search('tent')).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
  });

  it('puts items of the named category first and honours filters and price bounds', async () => {
    const rec = await open();
    const hits = await rec.search('tent', { k: 5 });
    expect(hits.filter((h) => rec.item(h.itemId)!.category === 'tents').length).toBeGreaterThanOrEqual(4);
    const filtered = await rec.search('tent', { k: 5, filter: { maxPrice: 300, inStock: true } });
    expect(filtered.length).toBeGreaterThan(0);
    for (const h of filtered) {
      expect(rec.item(h.itemId)!.price).toBeLessThanOrEqual(300);
      expect(rec.item(h.itemId)!.inStock).toBe(true);
    }
    // "under 250" in the text narrows the caller's filter; it is not a word to match.
    const under = await rec.search('tent under 250', { k: 5, filter: { maxPrice: 300 } });
    expect(under.length).toBeGreaterThan(0);
    for (const h of under) expect(rec.item(h.itemId)!.price).toBeLessThanOrEqual(250);
    expect(await rec.search('tent under 1')).toEqual([]);
  });

  it('rejects keywords.json that does not match the item table, or its hash', async () => {
    const kw = JSON.parse(await readFile(join(dir, 'keywords.json'), 'utf8')) as Record<string, string[]>;
    const manifest = JSON.parse(await readFile(join(dir, 'search.json'), 'utf8')) as { files: Record<string, unknown> };
    const short = JSON.stringify({ ...kw, brand: kw['brand']!.slice(1) });
    // Listed with its own hash, the short file passes integrity and fails the table check.
    const pinned = JSON.stringify({ ...manifest, files: { ...manifest.files, 'keywords.json': { bytes: Buffer.byteLength(short), sha256: createHash('sha256').update(short).digest('hex') } } });
    await expect((await open({ fetch: fakeFetch({ 'keywords.json': short, 'search.json': pinned }) })).search('tent')).rejects.toMatchObject({ code: 'CATALOG_INVALID' });
    // Not listed at all: every artifact needs a hash.
    const { 'keywords.json': _, ...files } = manifest.files;
    const unhashed = JSON.stringify({ ...manifest, files });
    await expect((await open({ fetch: fakeFetch({ 'search.json': unhashed }) })).search('tent')).rejects.toMatchObject({ code: 'MANIFEST_INVALID', details: { field: 'files.keywords.json' } });
    await expect((await open({ fetch: fakeFetch({ 'keywords.json': short }) })).search('tent')).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });

  it('remembers searches (unless told not to), forget() erases them, odd text gives no results', async () => {
    const storage = memoryStorage();
    const rec = await open({ storage });
    await rec.search('  warm sleeping bag ');
    await rec.search('tent', { remember: false });
    await rec.search('headlamp');
    expect(rec.recentSearches().map((s) => s.text)).toEqual(['warm sleeping bag', 'headlamp']);
    expect(await rec.search('   ')).toEqual([]);
    // Words the encoder has no pieces for pool to a zero vector, and match no keyword: no results rather than noise.
    const odd = '§§ ¶¶';
    expect(referenceEncoder(pkg.weights, { quantized: true }).encode(odd).every((x) => x === 0)).toBe(true);
    expect(await rec.search(odd)).toEqual([]);
    expect(await rec.search('xqzvvk', { remember: false })).toEqual([]);
    const again = await open({ storage });
    expect(again.recentSearches()).toHaveLength(3);
    await again.forget();
    expect(rec.recentSearches()).toEqual([]);
    await expect(rec.search(42 as never)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(rec.search('x', { k: 0 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('for-you blends recent searches: their categories move up, with a reason that names the search', async () => {
    const rec = await open();
    const tents = items.ids.filter((_, j) => items.categories[items.category[j]!]!.id === 'tents');
    rec.track({ type: 'view', itemId: tents[0]!, time: NOW - 60_000 });
    const before = await rec.recommend({ k: 10 });
    await rec.search('merino socks');
    const after = await rec.recommend({ k: 10 });
    const socks = (list: { itemId: string }[]) => list.filter((r) => rec.item(r.itemId)!.category === 'socks').length;
    expect(socks(after)).toBeGreaterThan(socks(before));
    const bySearch = after.filter((r) => r.reason === 'Because you searched for “merino socks”');
    expect(bySearch.length).toBeGreaterThan(0);
    expect(bySearch.every((r) => rec.item(r.itemId)!.category === 'socks' && r.basis === 'history')).toBe(true);
    const off = await rec.recommend({ k: 10, blendSearches: false });
    expect(off.map((r) => r.itemId)).toEqual(before.map((r) => r.itemId));
    // No history at all: searches alone personalise for-you instead of trending.
    const fresh = await open();
    await fresh.search('trekking poles');
    const list = await fresh.recommend({ k: 6 });
    expect(list.some((r) => r.basis !== 'trending')).toBe(true);
  });

  it('typed errors: a package without search.json, an engine without pipelines, a mismatched index', async () => {
    const none = await open({ fetch: fakeFetch({ 'search.json': null }) });
    await expect(none.search('tent')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    none.track({ type: 'view', itemId: items.ids[0]! });
    await expect(none.recommend({ k: 3 })).resolves.toHaveLength(3); // for-you goes on without search
    const plain = await open({ engine: fakeEngine([], false) });
    await expect(plain.search('tent')).rejects.toMatchObject({ code: 'OPTION_INVALID' });
    const manifest = JSON.parse(await readFile(join(dir, 'search.json'), 'utf8')) as Record<string, unknown>;
    const other = await open({ fetch: fakeFetch({ 'search.json': JSON.stringify({ ...manifest, idsSha256: '0'.repeat(64) }) }) });
    const err = await other.search('tent').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InpageError);
    expect(err).toMatchObject({ code: 'CATALOG_INVALID' });
    const broken = await open({ fetch: fakeFetch({ 'search.json': JSON.stringify({ ...manifest, dims: { items: 1 } }) }) });
    await expect(broken.search('tent')).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
  });
});
