/**
 * Graded relevance for the search eval, from catalogue facts by one documented rule, never from
 * the encoder's training rule (which counts an item right for a text when the item's text has
 * every token of it). A query carries a {@link RelevanceRule}; an item's grade is
 *
 *   2  its category is one of `categories` and every other condition holds:
 *      each `all` group has a term that is one of the item's tags (dashes read as spaces) or a
 *      phrase of its title (case-insensitive, whole words); `brand` is the item's brand;
 *      `minPrice` ≤ price ≤ `maxPrice`; `priceBand` low = at or below the 33rd percentile of the
 *      prices of the item's category, high = at or above the 67th;
 *   1  its category is one of `categories`, but not every other condition holds;
 *   0  otherwise.
 *
 * Description text is not read: the rule asks what the item is (kind, tags, title facts such as
 * "2P" or "-10°C", brand, price), not which words a description happens to use.
 */
import type { ItemText } from '../encoder/catalog-text.ts';

/** What a query asks for, in catalogue facts. */
export interface RelevanceRule {
  /** Category ids; any of them. */
  categories: string[];
  /** Groups of terms; every group needs one term that is a tag or a title phrase of the item. */
  all?: string[][];
  brand?: string;
  minPrice?: number;
  maxPrice?: number;
  priceBand?: 'low' | 'high';
}

/** An item as the rule reads it. */
export interface JudgedItem extends ItemText {
  price: number;
}

/** Grades every item for rules, with the per-category price bands precomputed. */
export interface Judge {
  /** Grade (0, 1, 2) of every item for `rule`. */
  grades(rule: RelevanceRule): Uint8Array;
}

const norm = (s: string): string => s.toLowerCase().replace(/-/g, ' ').replace(/\s+/g, ' ').trim();

/** Whether `phrase` occurs in `text` as whole words (both already normalised). */
function hasPhrase(text: string, phrase: string): boolean {
  let at = text.indexOf(phrase);
  while (at >= 0) {
    const before = at === 0 ? ' ' : text[at - 1]!;
    const after = at + phrase.length >= text.length ? ' ' : text[at + phrase.length]!;
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
    at = text.indexOf(phrase, at + 1);
  }
  return false;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Builds a judge over `items` (catalogue order).
 *
 * @example makeJudge(items).grades({ categories: ['tents'], all: [['2P']] }) // 2 for every 2P tent
 */
export function makeJudge(items: readonly JudgedItem[]): Judge {
  const titles = items.map((t) => norm(t.title));
  const tags = items.map((t) => new Set(t.tags.map(norm)));
  const byCat = new Map<string, number[]>();
  for (const t of items) {
    const list = byCat.get(t.category);
    if (list) list.push(t.price);
    else byCat.set(t.category, [t.price]);
  }
  const bands = new Map([...byCat].map(([c, prices]) => {
    const s = [...prices].sort((a, b) => a - b);
    return [c, { low: quantile(s, 1 / 3), high: quantile(s, 2 / 3) }];
  }));
  return {
    grades(rule) {
      const cats = new Set(rule.categories);
      const groups = (rule.all ?? []).map((g) => g.map(norm));
      return Uint8Array.from(items, (t, i) => {
        if (!cats.has(t.category)) return 0;
        const full =
          groups.every((g) => g.some((term) => tags[i]!.has(term) || hasPhrase(titles[i]!, term))) &&
          (rule.brand === undefined || t.brand.toLowerCase() === rule.brand.toLowerCase()) &&
          (rule.minPrice === undefined || t.price >= rule.minPrice) &&
          (rule.maxPrice === undefined || t.price <= rule.maxPrice) &&
          (rule.priceBand === undefined || (rule.priceBand === 'low' ? t.price <= bands.get(t.category)!.low : t.price >= bands.get(t.category)!.high));
        return full ? 2 : 1;
      });
    },
  };
}

/** A hand-written query of the fixture. */
export interface JudgedQuery {
  text: string;
  kind: string;
  rule: RelevanceRule;
}

/** Checks the fixture's shape (a hand-edited file fails here, naming the query). */
export function parseJudgements(json: unknown): JudgedQuery[] {
  const root = json as { format?: unknown; queries?: unknown };
  if (root?.format !== 'inpage-search-judgements' || !Array.isArray(root.queries)) throw new Error('search judgements: expected { format: "inpage-search-judgements", queries: [...] }');
  return root.queries.map((q: unknown, i: number) => {
    const r = q as Partial<JudgedQuery>;
    if (typeof r.text !== 'string' || r.text === '' || typeof r.kind !== 'string') throw new Error(`search judgements: query ${i} needs a text and a kind`);
    const rule = r.rule as Partial<RelevanceRule> | undefined;
    if (!rule || !Array.isArray(rule.categories) || rule.categories.length === 0) throw new Error(`search judgements: query ${i} ('${r.text}') needs rule.categories`);
    if (rule.all !== undefined && !rule.all.every((g) => Array.isArray(g) && g.length > 0 && g.every((x) => typeof x === 'string'))) throw new Error(`search judgements: query ${i} ('${r.text}'): rule.all must be non-empty lists of strings`);
    if (rule.priceBand !== undefined && rule.priceBand !== 'low' && rule.priceBand !== 'high') throw new Error(`search judgements: query ${i} ('${r.text}'): priceBand must be 'low' or 'high'`);
    return { text: r.text, kind: r.kind, rule: rule as RelevanceRule };
  });
}
