/**
 * `inpage update-catalog` (issue #16): a trained package plus a new catalogue gives a package in
 * which new items are recommended from their content, removed items never come back, and new
 * prices and stock apply — read by the page-side recommender over the reference scorer.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../src/recommend/load.ts';
import { createRecommender } from '../../src/recommend/recommender.ts';
import { main } from '../../tools/cli/main.ts';
import { loadPackage, type LoadedPackage } from '../../tools/eval/load-model.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import { train } from '../../tools/train/train.ts';
import { recoEngine } from './helpers/reco-engine.ts';

const BASE = 'http://shop.test/reco/';
let dir = '';
interface Product { id: string; category: string; brand?: string; price: number; tags?: string[]; inStock?: boolean; title?: string }
let products: Product[] = [];
let next: LoadedPackage;
const out: string[] = [];
const removed: string[] = [];
let newTent: Product;
let category = '';

function serve(pkgDir: string): FetchLike {
  return async (url) => {
    try {
      const bytes = new Uint8Array(await readFile(join(pkgDir, url.slice(BASE.length))));
      return { ok: true, status: 200, arrayBuffer: async () => bytes.slice().buffer };
    } catch {
      return { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) };
    }
  };
}

const open = (pkgDir: string, pkg: () => LoadedPackage) => createRecommender({
  engine: recoEngine('reference', async (url) => new Uint8Array(await readFile(join(pkgDir, url.slice(BASE.length)))), () => pkg().weights),
  manifestUrl: `${BASE}manifest.json`, storage: null, fetch: serve(pkgDir), now: () => Date.parse('2026-12-01T12:00:00Z'),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-update-'));
  await writeShop(join(dir, 'shop'), TINY_SHOP_CONFIG);
  await train({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'shop', 'events.csv'), outDir: join(dir, 'v1'), encoder: false, model: { maxEpochs: 3 } });
  const catalog = JSON.parse(await readFile(join(dir, 'shop', 'catalog.json'), 'utf8')) as { products: Product[] };
  products = catalog.products;
  category = products[0]!.category;
  const siblings = products.filter((p) => p.category === category);
  // Two discontinued products of that category; one new product shaped like a sibling; a price change; one sold out.
  removed.push(siblings[0]!.id, siblings[1]!.id);
  newTent = { ...siblings[2]!, id: 'sku-launch-1', title: 'Launch product' };
  const changed = products.filter((p) => !removed.includes(p.id)).map((p) => (p.id === siblings[3]!.id ? { ...p, price: 1.23 } : p.id === siblings[4]!.id ? { ...p, inStock: false } : p));
  await writeFile(join(dir, 'new.json'), JSON.stringify({ ...catalog, products: [...changed, newTent] }));
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`) };
  expect(await main(['update-catalog', '--reco', join(dir, 'v1'), '--catalog', join(dir, 'new.json'), '--out', join(dir, 'v2')], io)).toBe(0);
  next = await loadPackage(join(dir, 'v2'));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inpage update-catalog', () => {
  it('reports what changed and writes a valid content-addressed package', () => {
    expect(out.join('\n')).toMatch(/299 items: 298 kept \(2 with a new price, stock, title or category\), 1 added \(sku-launch-1\), 2 removed/);
    expect(next.manifest.dims.items).toBe(products.length - 2 + 1);
    expect(next.manifest.model).toMatch(/^recommender\.[0-9a-f]{16}\.onnx$/);
  });

  it("a new item is recommended to a visitor who views its category (its top 10%), not to one who views another", async () => {
    const top = Math.ceil(next.manifest.dims.items / 10);
    const listFor = async (cat: string): Promise<string[]> => {
      const rec = await open(join(dir, 'v2'), () => next);
      for (const p of products.filter((x) => x.category === cat && !removed.includes(x.id)).slice(5, 10)) rec.track({ type: 'view', itemId: p.id });
      return (await rec.recommend({ k: top })).map((r) => r.itemId);
    };
    expect(await listFor(category)).toContain(newTent.id);
    // A category the new item's own does not complement (nor the other way round).
    const v1 = await loadPackage(join(dir, 'v1'));
    const ci = v1.items.categories.findIndex((c) => c.id === category);
    const other = v1.items.categories.find((c, i) => i !== ci && !c.complements.some(([x]) => x === ci) && !v1.items.categories[ci]!.complements.some(([x]) => x === i))!;
    expect(await listFor(other.id)).not.toContain(newTent.id);
    const rec = await open(join(dir, 'v2'), () => next);
    expect(rec.item(newTent.id)).toMatchObject({ category, title: 'Launch product' });
  });

  it('removed items are never returned; new prices and stock apply', async () => {
    const rec = await open(join(dir, 'v2'), () => next);
    const N = next.manifest.dims.items;
    for (const p of products.slice(0, 3)) rec.track({ type: 'view', itemId: p.id });
    const lists = [
      await rec.recommend({ k: 1000, excludeSeen: false, filter: { includeOutOfStock: true } }),
      await rec.recommend({ strategy: 'trending', k: 1000, filter: { includeOutOfStock: true } }),
      await rec.recommend({ strategy: 'similar', itemId: newTent.id, k: 1000, filter: { includeOutOfStock: true } }),
    ];
    expect(lists[0]).toHaveLength(N);
    for (const l of lists) for (const id of removed) expect(l.map((r) => r.itemId)).not.toContain(id);
    for (const id of removed) expect(rec.item(id)).toBeUndefined();
    const siblings = products.filter((p) => p.category === category);
    expect(rec.item(siblings[3]!.id)!.price).toBe(1.23);
    expect(rec.item(siblings[4]!.id)!.inStock).toBe(false);
    expect((await rec.recommend({ strategy: 'trending', k: 1000 })).map((r) => r.itemId)).not.toContain(siblings[4]!.id);
  });
});
