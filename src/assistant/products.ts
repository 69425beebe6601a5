/**
 * Live product facts for the assistant's cards: price and stock are read from the shop's catalogue
 * when an answer shows products (not from the knowledge package, which may be days old), re-read
 * at most once per `ttlMs`.
 */
import { InpageError, toInpageError } from '../errors.ts';

/** A product as an answer shows it. */
export interface LiveProduct {
  id: string;
  title: string;
  price: number;
  inStock: boolean;
}

/** Live facts of products by id (in the order asked; unknown ids are left out). */
export type ProductSource = (ids: readonly string[], signal?: AbortSignal) => Promise<LiveProduct[]>;

/**
 * A source reading `catalogUrl` (`{ products: [{ id, title, price, inStock }] }` or a bare array).
 * Without a URL it knows no products.
 */
export function liveCatalog(catalogUrl: string | undefined, fetchFn: (url: string, init?: RequestInit) => Promise<Response>, ttlMs = 60_000): ProductSource {
  let cached: { at: number; byId: Map<string, LiveProduct> } | undefined;
  return async (ids, signal) => {
    if (catalogUrl === undefined) return [];
    if (!cached || performance.now() - cached.at > ttlMs) {
      let res: Response;
      try {
        res = await fetchFn(catalogUrl, { cache: 'no-cache', ...(signal ? { signal } : {}) });
      } catch (e) {
        throw toInpageError(e, 'MODEL_FETCH_FAILED', `Fetching the catalogue ${catalogUrl}`);
      }
      if (!res.ok) throw new InpageError('MODEL_FETCH_FAILED', `Fetching the catalogue ${catalogUrl} failed with HTTP ${res.status}.`, { url: catalogUrl, status: res.status });
      const json = (await res.json()) as { products?: unknown } | unknown[];
      const list = Array.isArray(json) ? json : json.products;
      if (!Array.isArray(list)) throw new InpageError('CATALOG_INVALID', `${catalogUrl} must hold { products: [...] } or an array.`);
      const byId = new Map<string, LiveProduct>();
      for (const p of list as Record<string, unknown>[]) {
        if (typeof p['id'] !== 'string' || typeof p['price'] !== 'number') continue;
        byId.set(p['id'], { id: p['id'], title: String(p['title'] ?? p['id']), price: p['price'], inStock: p['inStock'] !== false });
      }
      cached = { at: performance.now(), byId };
    }
    const byId = cached.byId;
    return ids.flatMap((id) => { const p = byId.get(id); return p ? [p] : []; });
  };
}
