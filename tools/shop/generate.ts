/**
 * The demo-shop generator's entry: builds the catalogue, images and event log in memory and
 * writes them as `catalog.json`, `images/<id>.svg` and `events.csv`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BRANDS } from './brands.ts';
import { generateCatalog, type Product } from './catalog.ts';
import { CATEGORIES } from './categories.ts';
import { DEFAULT_SHOP_CONFIG, type ShopConfig } from './config.ts';
import { simulateEvents } from './simulate.ts';
import { productSvg } from './svg.ts';

/** `catalog.json` as written: the shop's categories and products (compact JSON). */
export interface ShopCatalogFile {
  format: 'inpage-shop-catalog';
  version: 1;
  currency: 'EUR';
  categories: { id: string; name: string }[];
  products: Product[];
}

/** Everything the generator produces, as text. */
export interface GeneratedShop {
  catalogJson: string;
  /** File name (`sku-10001.svg`) → SVG text. */
  images: Map<string, string>;
  eventsCsv: string;
  stats: { products: number; categories: number; sessions: number; events: number; firstEvent: string; lastEvent: string };
}

/** Seconds-precision ISO time without the `.000`, e.g. `2026-10-01T18:04:09Z`. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function initials(name: string): string {
  return name.split(/\s+/).map((w) => w[0] ?? '').join('').slice(0, 2).toUpperCase();
}

/**
 * Generates the whole shop in memory. Deterministic: the same config gives identical strings.
 *
 * @example
 * const shop = generateShop({ ...DEFAULT_SHOP_CONFIG, seed: 7 });
 */
export function generateShop(config: Readonly<ShopConfig> = DEFAULT_SHOP_CONFIG): GeneratedShop {
  const catalog = generateCatalog(config);
  const events = simulateEvents(config, catalog);
  const file: ShopCatalogFile = {
    format: 'inpage-shop-catalog',
    version: 1,
    currency: 'EUR',
    categories: CATEGORIES.map((c) => ({ id: c.id, name: c.name })),
    products: catalog.products,
  };
  const images = new Map<string, string>();
  catalog.products.forEach((p, i) => {
    const tr = catalog.traits[i]!;
    const cat = CATEGORIES[tr.categoryIndex]!;
    images.set(`${p.id}.svg`, productSvg({
      glyph: cat.glyph,
      hue: cat.hue,
      brandIndex: tr.brandIndex,
      label: initials(BRANDS[tr.brandIndex]?.name ?? p.brand),
      variant: i,
    }));
  });
  // user_id names the shopper, so an eval can replay a visitor's sessions as one history.
  const lines = ['session_id,item_id,event,timestamp,user_id'];
  const width = String(config.sessions).length;
  const userWidth = String(config.shoppers).length;
  for (const e of events) {
    lines.push(`s-${String(e.session + 1).padStart(width, '0')},${catalog.products[e.item]!.id},${e.type},${isoSeconds(e.ts)},u-${String(e.shopper + 1).padStart(userWidth, '0')}`);
  }
  const sessions = new Set(events.map((e) => e.session)).size;
  return {
    catalogJson: JSON.stringify(file),
    images,
    eventsCsv: `${lines.join('\n')}\n`,
    stats: {
      products: catalog.products.length,
      categories: CATEGORIES.length,
      sessions,
      events: events.length,
      firstEvent: isoSeconds(events[0]?.ts ?? 0),
      lastEvent: isoSeconds(events[events.length - 1]?.ts ?? 0),
    },
  };
}

/**
 * Generates the shop and writes `catalog.json`, `images/*.svg` and `events.csv` under `outDir`.
 *
 * @example await writeShop('public/shop', DEFAULT_SHOP_CONFIG);
 */
export async function writeShop(outDir: string, config: Readonly<ShopConfig> = DEFAULT_SHOP_CONFIG): Promise<GeneratedShop> {
  const shop = generateShop(config);
  await mkdir(join(outDir, 'images'), { recursive: true });
  await writeFile(join(outDir, 'catalog.json'), shop.catalogJson);
  await writeFile(join(outDir, 'events.csv'), shop.eventsCsv);
  // Bounded parallelism: thousands of tiny files, without opening them all at once.
  const entries = [...shop.images];
  for (let i = 0; i < entries.length; i += 64) {
    await Promise.all(entries.slice(i, i + 64).map(([name, svg]) => writeFile(join(outDir, 'images', name), svg)));
  }
  return shop;
}
