/**
 * Merchandising and analytics attributes of `<inpage-recommendations>`, for the simple cases
 * (richer rules go in `createRecommender({ rules })`, the manifest or `data-rules`):
 *
 * ```html
 * <inpage-recommendations strategy="for-you" list-id="home-for-you" exclude="sku-1,sku-2"
 *   filter-category="tents,stoves" filter-max-price="300" pin="sku-10042:1" boost-category="sleeping-bags"
 *   bury-category="accessories"></inpage-recommendations>
 * ```
 *
 * - `list-id`: the list's id in analytics (`item_list_id`), KPIs and per-list rules.
 * - `exclude`: item ids never shown here.
 * - `filter-category`, `filter-min-price`, `filter-max-price`: only items that match (inside the
 *   model, so the list stays full).
 * - `pin`: `itemId:slot` pairs (slot 1 is first).
 * - `boost-category` / `bury-category`: categories raised or lowered (strength 2, see rules.ts).
 *
 * Malformed values are skipped (the element must render whatever the page got wrong).
 */
import type { RecommendOptions } from '../recommend/recommender.ts';
import type { MerchRule } from '../recommend/rules.ts';

/** Attributes that change the list (observed by the element). */
export const LIST_ATTRIBUTES = ['list-id', 'exclude', 'filter-category', 'filter-min-price', 'filter-max-price', 'pin', 'boost-category', 'bury-category'] as const;

const list = (value: string | null): string[] => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);

/** Adds what the attributes say to `req`. */
export function applyListAttributes(el: Element, req: RecommendOptions): void {
  const listId = el.getAttribute('list-id');
  if (listId) req.listId = listId;
  const exclude = list(el.getAttribute('exclude'));
  if (exclude.length > 0) req.exclude = [...(req.exclude ?? []), ...exclude];
  const rules: MerchRule[] = [];
  const match: { category?: string[]; minPrice?: number; maxPrice?: number } = {};
  const categories = list(el.getAttribute('filter-category'));
  if (categories.length > 0) match.category = categories;
  const min = Number(el.getAttribute('filter-min-price') ?? NaN);
  if (Number.isFinite(min)) match.minPrice = min;
  const max = Number(el.getAttribute('filter-max-price') ?? NaN);
  if (Number.isFinite(max)) match.maxPrice = max;
  if (Object.keys(match).length > 0) rules.push({ type: 'filter', id: 'filter-attributes', match });
  for (const [attr, type] of [['boost-category', 'boost'], ['bury-category', 'bury']] as const) {
    const cats = list(el.getAttribute(attr));
    if (cats.length > 0) rules.push({ type, id: attr, match: { category: cats } });
  }
  for (const pair of list(el.getAttribute('pin'))) {
    const colon = pair.lastIndexOf(':');
    const position = Number(pair.slice(colon + 1));
    if (colon > 0 && Number.isInteger(position) && position >= 1 && position <= 1000) rules.push({ type: 'pin', id: `pin-${pair.slice(0, colon)}`, itemId: pair.slice(0, colon), position });
  }
  if (rules.length > 0) req.rules = [...(req.rules ?? []), ...rules];
}
