/**
 * What an `<inpage-recommendations>` element asks for, read from its attributes, and the key of
 * that question for the lists it remembers (last-list.ts). Pure: no DOM beyond reading attributes.
 */
import type { RecommendOptions } from '../recommend/index.ts';
import { applyListAttributes, LIST_ATTRIBUTES } from './list-attributes.ts';

/** The attributes the element watches. */
export const ATTRIBUTES = ['strategy', 'item', 'count', 'category', 'max-price', 'in-stock', 'heading', 'allow-repeats', 'image-template', 'link-template', 'currency', ...LIST_ATTRIBUTES] as const;
const STRATEGIES = ['for-you', 'similar', 'complete-the-look', 'trending'] as const;

/** Lists the visitor's history can shape get the "Why these?" disclosure. */
export function mayPersonalise(req: RecommendOptions): boolean {
  return req.strategy === 'for-you' || (req.strategy === 'complete-the-look' && req.itemId === undefined);
}

/** `count` clamped to 1..24; anything unparsable is the default 4. */
function countOf(value: string | null): number {
  const n = Number(value ?? '4');
  return Number.isInteger(n) ? Math.min(24, Math.max(1, n)) : 4;
}

/**
 * The request an element's attributes describe (an unknown strategy is 'for-you').
 *
 * @example requestOf(el) // { strategy: 'similar', k: 4, itemId: 'sku-10001', filter: { inStock: true } }
 */
export function requestOf(el: Element): RecommendOptions {
  const strategy = el.getAttribute('strategy') ?? 'for-you';
  const req: RecommendOptions = {
    strategy: (STRATEGIES as readonly string[]).includes(strategy) ? strategy as RecommendOptions['strategy'] & string : 'for-you',
    k: countOf(el.getAttribute('count')),
  };
  const item = el.getAttribute('item');
  if (item) req.itemId = item;
  const filter: NonNullable<RecommendOptions['filter']> = {};
  const category = el.getAttribute('category');
  if (category) filter.category = category.split(',').map((c) => c.trim()).filter(Boolean);
  const maxPrice = Number(el.getAttribute('max-price') ?? NaN);
  if (Number.isFinite(maxPrice)) filter.maxPrice = maxPrice;
  if (el.hasAttribute('in-stock')) filter.inStock = true;
  if (Object.keys(filter).length > 0) req.filter = filter;
  applyListAttributes(el, req); // list-id, exclude, filter-*, pin, boost/bury (list-attributes.ts)
  return req;
}

/**
 * One string per distinct question: strategy, anchor item, filters and list length. `exclude`
 * is left out on purpose: it depends on the other elements of the page, not on the question.
 * Categories are sorted, so `category="a,b"` and `category="b,a"` share a key.
 *
 * @example contextKey({ strategy: 'similar', itemId: 'sku-1', k: 4 }) // '["similar","sku-1",4,null,null,null,false]'
 */
export function contextKey(req: RecommendOptions): string {
  const f = req.filter;
  const category = f?.category === undefined ? null : (typeof f.category === 'string' ? [f.category] : [...f.category]).sort();
  return JSON.stringify([req.strategy ?? 'for-you', req.itemId ?? null, req.k ?? null, category, f?.minPrice ?? null, f?.maxPrice ?? null, f?.inStock === true]);
}
