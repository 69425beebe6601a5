/** The demo-shop generator: deterministic bytes, and the size and shape the issue asks for. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHOP_CONFIG, TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { generateShop, type ShopCatalogFile } from '../../tools/shop/generate.ts';

describe('shop generator', () => {
  it('same seed → identical bytes; another seed → different data', () => {
    const a = generateShop(TINY_SHOP_CONFIG);
    const b = generateShop(TINY_SHOP_CONFIG);
    expect(a.catalogJson).toBe(b.catalogJson);
    expect(a.eventsCsv).toBe(b.eventsCsv);
    expect([...a.images]).toEqual([...b.images]);
    const c = generateShop({ ...TINY_SHOP_CONFIG, seed: TINY_SHOP_CONFIG.seed + 1 });
    expect(c.eventsCsv).not.toBe(a.eventsCsv);
    expect(c.catalogJson).not.toBe(a.catalogJson);
  });

  it('the default shop has ≥ 2,000 products in ≥ 12 categories and ≥ 20,000 sessions / 150,000 events', () => {
    const shop = generateShop(DEFAULT_SHOP_CONFIG);
    const catalog = JSON.parse(shop.catalogJson) as ShopCatalogFile;
    expect(catalog.products.length).toBeGreaterThanOrEqual(2000);
    expect(new Set(catalog.products.map((p) => p.category)).size).toBeGreaterThanOrEqual(12);
    expect(shop.stats.sessions).toBeGreaterThanOrEqual(20_000);
    expect(shop.stats.events).toBeGreaterThanOrEqual(150_000);

    const lines = shop.eventsCsv.trimEnd().split('\n');
    expect(lines[0]).toBe('session_id,item_id,event,timestamp,user_id');
    const types = new Map<string, number>();
    const perItem = new Map<string, number>();
    let previous = '';
    let ordered = true;
    for (const line of lines.slice(1)) {
      const [, item, type, ts] = line.split(',');
      types.set(type!, (types.get(type!) ?? 0) + 1);
      perItem.set(item!, (perItem.get(item!) ?? 0) + 1);
      ordered &&= ts! >= previous;
      previous = ts!;
    }
    expect(ordered).toBe(true); // the log is in time order
    expect([...types.keys()].sort()).toEqual(['add_to_cart', 'click', 'purchase', 'view']);
    // Long tail: the top 10% of items draw far more events than the bottom half.
    const counts = [...perItem.values()].sort((x, y) => y - x);
    const top = counts.slice(0, counts.length / 10).reduce((s, x) => s + x, 0);
    const bottom = counts.slice(counts.length / 2).reduce((s, x) => s + x, 0);
    expect(top).toBeGreaterThan(2 * bottom);
    // About 60 days of log.
    const days = (Date.parse(shop.stats.lastEvent) - Date.parse(shop.stats.firstEvent)) / 86_400_000;
    expect(days).toBeGreaterThan(55);
  }, 60_000);

  it('every product has the fields the shop shows and a small local SVG', () => {
    const shop = generateShop(TINY_SHOP_CONFIG);
    const catalog = JSON.parse(shop.catalogJson) as ShopCatalogFile;
    for (const p of catalog.products) {
      expect(p.id).toMatch(/^sku-\d+$/);
      expect(p.title.length).toBeGreaterThan(5);
      expect(p.description.length).toBeGreaterThan(10);
      expect(p.brand.length).toBeGreaterThan(1);
      expect(p.price).toBeGreaterThan(0);
      expect(p.tags.length).toBeGreaterThanOrEqual(2);
      expect(typeof p.inStock).toBe('boolean');
      expect(p.image).toBe(`images/${p.id}.svg`);
      const svg = shop.images.get(`${p.id}.svg`);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg!.length).toBeLessThan(1024);
      expect(svg).not.toMatch(/href=|url\(/); // no external references
    }
    expect(new Set(catalog.products.map((p) => p.title)).size).toBe(catalog.products.length);
  });
});
