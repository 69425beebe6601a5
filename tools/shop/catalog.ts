/**
 * Catalogue generator: products with believable titles, brands, prices, tags and descriptions,
 * plus the hidden traits (popularity, launch day, price band) that only the simulator sees.
 */
import { Prng } from '../onnx/prng.ts';
import { BRANDS, TIER_PRICE, type PriceTier } from './brands.ts';
import { CATEGORIES, SERIES, type CategoryId } from './categories.ts';
import type { ShopConfig } from './config.ts';
import { pick, sampleWithoutReplacement, shuffle } from './random.ts';

/** A product as written to `catalog.json` (what the shop page shows). */
export interface Product {
  /** Stable id, e.g. `'sku-10234'`. */
  id: string;
  title: string;
  description: string;
  brand: string;
  category: CategoryId;
  /** Price in EUR, two decimals. */
  price: number;
  tags: string[];
  inStock: boolean;
  /** Relative path of the product's SVG, e.g. `'images/sku-10234.svg'`. */
  image: string;
}

/** What the simulator knows about a product and the shop never shows. */
export interface ProductTraits {
  categoryIndex: number;
  brandIndex: number;
  /** 0 cheap, 1 mid, 2 expensive — the product's price tercile within its category. */
  priceBand: 0 | 1 | 2;
  /** Latent appeal (long-tail weight) within the category. */
  popularity: number;
  /** Day (0-based) from which the product exists; 0 for the launch catalogue. */
  launchDay: number;
}

/** The generated catalogue: products and their hidden traits, index-aligned. */
export interface GeneratedCatalog {
  products: Product[];
  traits: ProductTraits[];
  /** Category ids each brand makes, index-aligned with BRANDS. */
  brandCategories: CategoryId[][];
}

const TIER_TAG: Readonly<Record<PriceTier, string>> = { budget: 'value', mid: 'all-round', premium: 'premium' };

/** Rounds a price the way shops do: 18.99, 249.95, 1,199.00. */
function shopPrice(raw: number): number {
  if (raw < 20) return Math.max(2, Math.round(raw)) - 0.01;
  if (raw < 400) return Math.round(raw / 5) * 5 - 0.05;
  return Math.round(raw / 10) * 10;
}

/** Assigns 3–6 categories to each brand, making sure every category has at least 4 brands. */
function brandCoverage(rng: Prng): CategoryId[][] {
  const ids = CATEGORIES.map((c) => c.id);
  const cover = BRANDS.map(() => sampleWithoutReplacement(rng, ids, 3 + rng.int(4)));
  for (const id of ids) {
    let have = cover.filter((c) => c.includes(id)).length;
    while (have < 4) {
      const b = cover[rng.int(cover.length)];
      if (b !== undefined && !b.includes(id)) {
        b.push(id);
        have++;
      }
    }
  }
  return cover;
}

/**
 * Generates the catalogue. Deterministic in `config.seed`.
 *
 * @example
 * const { products } = generateCatalog(DEFAULT_SHOP_CONFIG); // 2,400 products
 */
export function generateCatalog(config: Readonly<ShopConfig>): GeneratedCatalog {
  const rng = new Prng(config.seed ^ 0x5eed_ca7a);
  const brandCategories = brandCoverage(rng);
  const totalShare = CATEGORIES.reduce((s, c) => s + c.share, 0);
  const drafts: { product: Omit<Product, 'id' | 'image'>; traits: ProductTraits }[] = [];
  const titles = new Set<string>();

  let cumulativeShare = 0;
  CATEGORIES.forEach((cat, categoryIndex) => {
    // Cumulative rounding so the counts add up to exactly `config.products`.
    const before = Math.round((config.products * cumulativeShare) / totalShare);
    cumulativeShare += cat.share;
    const count = Math.round((config.products * cumulativeShare) / totalShare) - before;
    const brandIdx = BRANDS.map((_, i) => i).filter((i) => brandCategories[i]?.includes(cat.id));
    const start = drafts.length;
    for (let n = 0; n < count; n++) {
      const brandIndex = pick(rng, brandIdx);
      const brand = BRANDS[brandIndex] ?? BRANDS[0]!;
      let title = '';
      let variant = '';
      let noun = '';
      for (let tries = 0; tries < 50 && (title === '' || titles.has(title)); tries++) {
        variant = pick(rng, cat.variants);
        noun = pick(rng, cat.nouns);
        title = `${brand.name} ${pick(rng, SERIES)} ${variant} ${noun}`;
      }
      if (titles.has(title)) title = `${title} ${n}`;
      titles.add(title);
      const [f1, f2] = sampleWithoutReplacement(rng, cat.features, 2);
      const price = shopPrice(cat.medianPrice * TIER_PRICE[brand.tier] * Math.exp(0.35 * rng.normal()));
      const tags = [...sampleWithoutReplacement(rng, cat.tags, 2 + rng.int(2)), TIER_TAG[brand.tier]].sort();
      drafts.push({
        product: {
          title,
          description: `${variant} ${noun.toLowerCase()} with ${f1} and ${f2}.`,
          brand: brand.name,
          category: cat.id,
          price,
          tags,
          inStock: rng.nextFloat() >= config.outOfStockShare,
        },
        traits: {
          categoryIndex,
          brandIndex,
          priceBand: 1,
          popularity: 0,
          launchDay: rng.nextFloat() < config.launchShare ? 5 + rng.int(Math.max(1, config.days - 8)) : 0,
        },
      });
    }
    // Long tail: a random order within the category gets Zipf weights 1/(rank+1)^s.
    const inCat = drafts.slice(start);
    shuffle(rng, inCat).forEach((d, rank) => {
      d.traits.popularity = 1 / Math.pow(rank + 1, config.popularityExponent);
    });
    // Price band = tercile of price within the category.
    const sorted = [...inCat].sort((a, b) => a.product.price - b.product.price);
    sorted.forEach((d, i) => {
      d.traits.priceBand = i < sorted.length / 3 ? 0 : i < (2 * sorted.length) / 3 ? 1 : 2;
    });
  });

  // Shuffle so ids do not reveal categories, then number them.
  const order = shuffle(rng, drafts.map((_, i) => i));
  const products: Product[] = [];
  const traits: ProductTraits[] = [];
  order.forEach((i, n) => {
    const d = drafts[i];
    if (d === undefined) return;
    const id = `sku-${10001 + n}`;
    products.push({ id, ...d.product, image: `images/${id}.svg` });
    traits.push(d.traits);
  });
  return { products, traits, brandCategories };
}
