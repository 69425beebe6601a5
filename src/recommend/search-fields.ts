/**
 * The keyword index's shapes and settings, apart from the index itself, so the package parser
 * and the fusion can use them without pulling MiniSearch into the page's first download
 * (search-keyword.ts is imported lazily, on the first search).
 */

/** The text fields of one item, as the keyword index reads them. */
export interface KeywordDoc {
  title: string;
  description: string;
  brand: string;
  /** The category's display name. */
  category: string;
  /** Tags joined by spaces, dashes as spaces. */
  tags: string;
}

/** The indexed fields, in a fixed order. */
export const KEYWORD_FIELDS = ['title', 'description', 'brand', 'category', 'tags'] as const;
/** One of {@link KEYWORD_FIELDS}. */
export type KeywordField = (typeof KEYWORD_FIELDS)[number];

/**
 * How the keyword index scores: field boosts, typo and prefix tolerance, BM25+ constants.
 * `search.json` carries the values the training run chose (`keyword` block).
 */
export interface KeywordSettings {
  boost: Record<KeywordField, number>;
  /** Typo tolerance: max edit distance as a share of the term's length (MiniSearch `fuzzy`), 0 = off. Capped at 2 edits. */
  fuzzy: number;
  /** Whether a query term also matches longer index terms it starts (as-you-type). */
  prefix: boolean;
  /** Weight of a typo (fuzzy) and of a prefix match relative to an exact one. */
  weights: { fuzzy: number; prefix: number };
  /** BM25+ constants (MiniSearch's defaults: k 1.2, b 0.7, d 0.5). */
  bm25: { k: number; b: number; d: number };
}

/** MiniSearch's defaults with every field equal: the untuned starting point. */
export const UNTUNED_KEYWORD_SETTINGS: Readonly<KeywordSettings> = Object.freeze({
  boost: { title: 1, description: 1, brand: 1, category: 1, tags: 1 },
  fuzzy: 0.2,
  prefix: true,
  weights: { fuzzy: 0.45, prefix: 0.375 },
  bm25: { k: 1.2, b: 0.7, d: 0.5 },
});

/** A ranked hit: model index and score (higher is better). */
export interface Hit {
  index: number;
  score: number;
}

/** The keyword half's answer. */
export interface KeywordResult {
  hits: Hit[];
  /** Share of the query's (analysed) terms that matched some allowed item; 1 for an empty query. */
  coverage: number;
}
