/**
 * The shop's catalogue (public/shop/catalog.json, written by `npm run assets`). The shop renders
 * from this file; the recommender only knows ids, so the two meet by product id.
 */

export interface Product {
  id: string;
  title: string;
  description: string;
  brand: string;
  category: string;
  price: number;
  tags: string[];
  inStock: boolean;
  /** Relative to the catalogue file, e.g. `images/sku-10001.svg`. */
  image: string;
}

export interface Catalog {
  currency: string;
  categories: { id: string; name: string }[];
  products: Product[];
  byId: Map<string, Product>;
  categoryName(id: string): string;
  /** Absolute image URL of a product (resolved against the catalogue's URL). */
  imageUrl(p: Product): string;
}

function fail(url: string, what: string): never {
  throw new Error(`${url}: ${what}. Run \`npm run assets\` to regenerate the demo data.`);
}

/** Fetches and checks the catalogue; a wrong file fails loudly here, not as blank cards later. */
export async function loadCatalog(url: string | URL, signal?: AbortSignal): Promise<Catalog> {
  const href = new URL(url, location.href).href;
  const res = await fetch(href, signal === undefined ? {} : { signal });
  if (!res.ok) fail(href, `HTTP ${res.status}`);
  const raw = (await res.json()) as Partial<{ format: string; currency: string; categories: Catalog['categories']; products: Product[] }>;
  if (raw.format !== 'inpage-shop-catalog' || !Array.isArray(raw.products) || !Array.isArray(raw.categories)) fail(href, 'not an inpage-shop-catalog file');
  const products = raw.products;
  const names = new Map(raw.categories.map((c) => [c.id, c.name]));
  return {
    currency: raw.currency ?? 'EUR',
    categories: raw.categories,
    products,
    byId: new Map(products.map((p) => [p.id, p])),
    categoryName: (id) => names.get(id) ?? id,
    imageUrl: (p) => new URL(p.image, href).href,
  };
}

/** Products in `category` (or all), in catalogue order. Text search is `rec.search()` (views/home.ts). */
export function productsIn(catalog: Catalog, category: string | undefined): Product[] {
  return category === undefined ? catalog.products : catalog.products.filter((p) => p.category === category);
}
