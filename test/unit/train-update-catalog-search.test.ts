/**
 * `inpage update-catalog` keeps search working (issue #16): the updated package's search.json
 * matches the new item table, a product added by the update is found by its title words through
 * the page's own search code (createRecommender → rec.search, the encoder in transformers.js and
 * the index in onnxruntime-node, on the written files), and a removed one is never returned.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecommender } from '../../src/recommend/recommender.ts';
import type { SearchManifest } from '../../src/recommend/search.ts';
import { parseCatalogText } from '../../tools/encoder/catalog-text.ts';
import { readSearchPackage } from '../../tools/encoder/read.ts';
import { indexRow, normalizeRows, textTokens, trainableTokens } from '../../tools/encoder/train-encoder.ts';
import { main } from '../../tools/cli/main.ts';
import { loadPackage } from '../../tools/eval/load-model.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import { train } from '../../tools/train/train.ts';
import { MapStorage } from './helpers/map-storage.ts';
import { packageFetch, searchEngine } from './helpers/search-engine.ts';

const BASE = 'http://shop.test/reco/';
interface Product { id: string; title: string; description?: string; category: string; brand?: string; price: number; tags?: string[] }
let dir = '';
let products: Product[] = [];
let removedOne: Product;
let added: Product;
let retitled: Product;
const out: string[] = [];

const open = (pkgDir: string) => createRecommender({
  engine: searchEngine(BASE, pkgDir), manifestUrl: `${BASE}manifest.json`, storage: new MapStorage(), fetch: packageFetch(BASE, pkgDir),
  now: () => Date.parse('2026-12-01T12:00:00Z'),
});
const searchIds = async (pkgDir: string, text: string, k = 10): Promise<string[]> => {
  const rec = await open(pkgDir);
  try {
    return (await rec.search(text, { k, remember: false })).map((h) => h.itemId);
  } finally {
    await rec.dispose();
  }
};
const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-update-search-'));
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
  await train({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'shop', 'events.csv'), outDir: join(dir, 'v1'), hashedNames: true, validation: false, model: { epochs: 2 }, encoder: { epochs: 2 } });
  const catalog = await readJson<{ products: Product[] }>(join(dir, 'shop', 'catalog.json'));
  products = catalog.products;
  const tents = products.filter((p) => p.category === 'tents');
  removedOne = tents[0]!;
  retitled = { ...tents[1]!, title: 'Quasarbright Ridge Tent' };
  // A new product: a tent with a name no trained text has, a description in ordinary words.
  added = { ...tents[2]!, id: 'sku-launch-zephyr', title: 'Zephyrlite Trail Shelter', description: 'Featherweight trail shelter for fast hikes.' };
  const next = products.filter((p) => p.id !== removedOne.id).map((p) => (p.id === retitled.id ? retitled : p));
  await writeFile(join(dir, 'new.json'), JSON.stringify({ ...catalog, products: [...next, added] }));
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`) };
  expect(await main(['update-catalog', '--reco', join(dir, 'v1'), '--catalog', join(dir, 'new.json'), '--out', join(dir, 'v2')], io)).toBe(0);
}, 180_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inpage update-catalog: search', () => {
  it('writes search.json for the new item table: same pinned encoder, new index and keywords, content-addressed', async () => {
    const v1 = await readJson<SearchManifest>(join(dir, 'v1', 'search.json'));
    const v2 = await readJson<SearchManifest>(join(dir, 'v2', 'search.json'));
    const items = (await loadPackage(join(dir, 'v2'))).items;
    expect(v2.dims.items).toBe(items.ids.length);
    expect(v2.encoder.model).toBe(v1.encoder.model);
    const encoderFiles = (m: SearchManifest) => Object.entries(m.files).filter(([n]) => n.startsWith(`${m.encoder.model}/`));
    expect(encoderFiles(v2)).toEqual(encoderFiles(v1));
    expect(v2.index).toMatch(/^search\.[0-9a-f]{16}\.onnx$/);
    expect(v2.index).not.toBe(v1.index);
    expect(v2.keyword!.file).toMatch(/^keywords\.[0-9a-f]{16}\.json$/);
    expect(out.join('\n')).toMatch(/search: 2 items encoded, \d+ kept their index rows/);
  });

  it('kept items with unchanged text keep their rows; the re-encoding code reproduces the trainer\'s rows', async () => {
    const v1 = await readSearchPackage(join(dir, 'v1'));
    const v2 = await readSearchPackage(join(dir, 'v2'));
    const ids1 = (await loadPackage(join(dir, 'v1'))).items.ids;
    const pkg2 = await loadPackage(join(dir, 'v2'));
    const D = v2.manifest.dims.embedding;
    const row = (p: typeof v1, ids: readonly string[], id: string) => p.targets.subarray(ids.indexOf(id) * D, (ids.indexOf(id) + 1) * D);
    const same = products.find((p) => p.category === 'tents' && p.id !== removedOne.id && p.id !== retitled.id)!;
    expect(row(v2, pkg2.items.ids, same.id)).toEqual(row(v1, ids1, same.id));
    expect(row(v2, pkg2.items.ids, retitled.id)).not.toEqual(row(v1, ids1, retitled.id));
    // indexRow over the shipped fp32 token table gives the trainer's row for an unchanged item (the
    // trainer summed float64 tokens: agreement to float32 rounding), so new rows are built alike.
    const text = parseCatalogText({ products: [same] })[0]!;
    const R = pkg2.weights.dim;
    const j = pkg2.items.ids.indexOf(same.id);
    const rec = normalizeRows(pkg2.weights.inVec.slice(j * R, (j + 1) * R), R);
    const got = new Float64Array(D);
    indexRow(textTokens(text, v1.weights.vocab, trainableTokens(v1.weights.vocab)), rec, 0, Float64Array.from(v1.weights.table), R, D - R, { recWeight: 1, textWeight: 2 }, got, 0, new Float64Array(D - R));
    const want = row(v1, ids1, same.id);
    for (let d = 0; d < D; d++) expect(got[d]).toBeCloseTo(want[d]!, 5);
  });

  it('a product added by the update is found by its title words; a removed one is gone', async () => {
    const v2 = join(dir, 'v2');
    expect((await searchIds(v2, 'zephyrlite'))[0]).toBe(added.id);
    expect((await searchIds(v2, 'Zephyrlite Trail Shelter', 3))[0]).toBe(added.id);
    expect((await searchIds(v2, 'quasarbright'))[0]).toBe(retitled.id);
    // The old package found the removed tent by its title; the new one never returns it.
    expect(await searchIds(join(dir, 'v1'), removedOne.title, 3)).toContain(removedOne.id);
    for (const q of [removedOne.title, 'tent', 'tents']) expect(await searchIds(v2, q, 100)).not.toContain(removedOne.id);
    // Not found before the update: the words are new.
    expect(await searchIds(join(dir, 'v1'), 'zephyrlite')).not.toContain(added.id);
  });

  it('refuses a package whose encoder files do not match search.json', async () => {
    const bad = join(dir, 'tampered');
    await cp(join(dir, 'v1'), bad, { recursive: true });
    const m = await readJson<SearchManifest>(join(bad, 'search.json'));
    await writeFile(join(bad, m.encoder.model, 'tokenizer.json'), '{}');
    const err: string[] = [];
    const code = await main(['update-catalog', '--reco', bad, '--catalog', join(dir, 'new.json'), '--out', join(dir, 'v3')], { out: () => {}, err: (l) => err.push(l) });
    expect(code).not.toBe(0);
    expect(err.join('\n')).toMatch(/tokenizer\.json does not match search\.json/);
  });
});
