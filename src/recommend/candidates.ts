/**
 * Which items may be recommended, as the model's `bias` input: 0 keeps an item, {@link EXCLUDED}
 * removes it. Masking inside the model means the top-k it returns already respects the business
 * filters, so filters never starve the list (no "ask for 8, filter, show 2").
 */
import { InpageError } from '../errors.ts';
import type { RecommenderItems } from './manifest.ts';

/** Bias of an excluded item: far below any real score (scores are O(10)). */
export const EXCLUDED = -1e9;

/** Scores below this came from excluded items (only returned when fewer items pass than k). */
export const EXCLUDED_THRESHOLD = -1e8;

/**
 * Business filters of `recommend()`.
 *
 * @example { category: 'tents', maxPrice: 300 }
 */
export interface RecommendFilter {
  /** Only these category ids. */
  category?: string | readonly string[];
  /** Only items at or below this price. */
  maxPrice?: number;
  /** Only items at or above this price. */
  minPrice?: number;
  /** `true`: only items in stock (what `recommend()` does unless `includeOutOfStock`). */
  inStock?: boolean;
  /** `recommend()` only: also offer out-of-stock items (left out by default in every strategy). */
  includeOutOfStock?: boolean;
}

/**
 * Checks a filter's types (`caller` names the method in errors): a category of the wrong type
 * would otherwise throw a raw TypeError inside the mask, a string price compare as text.
 * Throws `INPUT_INVALID` naming the field.
 */
export function checkFilter(value: unknown, caller: string): RecommendFilter | undefined {
  if (value === undefined) return undefined;
  const fail = (field: string, want: string, got: unknown): never => {
    throw new InpageError('INPUT_INVALID', `${caller}: filter.${field} must be ${want}, got ${JSON.stringify(got) ?? String(got)}.`, { field: `filter.${field}` });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InpageError('INPUT_INVALID', `${caller}: filter must be an object like { category: 'tents', maxPrice: 300 }, got ${JSON.stringify(value) ?? String(value)}.`, { field: 'filter' });
  const f = value as Record<string, unknown>;
  const cat = f['category'];
  if (cat !== undefined && typeof cat !== 'string' && !(Array.isArray(cat) && cat.every((c) => typeof c === 'string'))) fail('category', 'a category id or an array of them', cat);
  for (const key of ['maxPrice', 'minPrice'] as const) {
    const v = f[key];
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) fail(key, 'a number', v);
  }
  for (const key of ['inStock', 'includeOutOfStock'] as const) {
    const v = f[key];
    if (v !== undefined && typeof v !== 'boolean') fail(key, 'true or false', v);
  }
  return f as RecommendFilter;
}

/** A bias vector and how many items it keeps. */
export interface Candidates {
  bias: Float32Array;
  allowed: number;
}

/**
 * Builds the mask: items failing `filter`, and items in `exclude`, get {@link EXCLUDED}.
 * Unknown category ids simply match nothing (an empty list, not an error: catalogues change).
 */
export function buildCandidates(items: RecommenderItems, filter: RecommendFilter | undefined, exclude: ReadonlySet<number>): Candidates {
  return excluding(filterMask(items, filter), exclude);
}

/**
 * The mask of `filter` alone. It depends on nothing but the item table and the filter, so callers
 * that build many lists with one filter (the batch CLI, a page's repeated calls) compute it once
 * and apply each visitor's exclusions with {@link excluding}.
 */
export function filterMask(items: RecommenderItems, filter: RecommendFilter | undefined): Candidates {
  const N = items.ids.length;
  const bias = new Float32Array(N);
  let cats: Set<number> | undefined;
  if (filter?.category !== undefined) {
    const wanted = new Set(typeof filter.category === 'string' ? [filter.category] : filter.category);
    cats = new Set(items.categories.flatMap((c, i) => (wanted.has(c.id) ? [i] : [])));
  }
  let allowed = 0;
  for (let j = 0; j < N; j++) {
    const price = items.price[j] ?? 0;
    const keep =
      (cats === undefined || cats.has(items.category[j] ?? -1)) &&
      (filter?.maxPrice === undefined || price <= filter.maxPrice) &&
      (filter?.minPrice === undefined || price >= filter.minPrice) &&
      (filter?.inStock !== true || items.inStock[j] === 1);
    if (keep) allowed++;
    else bias[j] = EXCLUDED;
  }
  return { bias, allowed };
}

/**
 * A copy of `base` with the items in `exclude` removed too, written into `into` when given (a
 * row of a batch's bias, `base.bias.length` long) instead of a new array.
 */
export function excluding(base: Candidates, exclude: ReadonlySet<number>, into?: Float32Array): Candidates {
  let bias: Float32Array;
  if (into === undefined) bias = base.bias.slice();
  else {
    bias = into;
    bias.set(base.bias);
  }
  let allowed = base.allowed;
  for (const j of exclude) {
    if (j < 0 || j >= bias.length || bias[j] === EXCLUDED) continue;
    bias[j] = EXCLUDED;
    allowed--;
  }
  return { bias, allowed };
}

/**
 * Narrows candidates to `categories` (adding `boost[c]` to items of category c), unless fewer
 * than `atLeast` items would remain: then the unrestricted candidates are returned, so a narrow
 * strategy degrades to a broader list instead of an empty one.
 */
export function restrictToCategories(
  items: RecommenderItems,
  base: Candidates,
  categories: ReadonlyMap<number, number>,
  atLeast: number,
): Candidates {
  const bias = base.bias.slice();
  let allowed = 0;
  for (let j = 0; j < bias.length; j++) {
    if (bias[j] === EXCLUDED) continue;
    const boost = categories.get(items.category[j] ?? -1);
    if (boost === undefined) bias[j] = EXCLUDED;
    else {
      // Added, not set: merchandising boosts and buries (rules.ts) already sit in the bias.
      bias[j] = bias[j]! + boost;
      allowed++;
    }
  }
  return allowed >= atLeast ? { bias, allowed } : base;
}
