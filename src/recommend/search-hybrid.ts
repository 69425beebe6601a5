/**
 * How `rec.search()` combines its halves (pure; the eval runs the same code):
 *
 *   1. query rules (search-text.ts): price bounds become a price filter, price words a band;
 *   2. the keyword half (MiniSearch) and the encoder half (cosine with every item) each give
 *      their best `depth` allowed items;
 *   3. weighted reciprocal-rank fusion: score = Σ weight / (rrfK + rank) over the lists an item
 *      is in (Cormack et al. 2009; ranks, not raw scores, because BM25 and cosine live on
 *      unrelated scales); the encoder's weight depends on whether every query word matched the
 *      catalogue (then keywords answer it) or some did not (then the encoder fills the gap);
 *   4. a price word re-fuses the top `depth` with the same items ordered by price within their
 *      category (cheapest first for "cheap", dearest first for "premium"), weight `priceWeight`;
 *   5. the visitor's taste, when asked for, joins as one more list with a small weight, so it
 *      reorders near-ties and never outweighs what the text asked for.
 */
import type { RecommendFilter } from './candidates.ts';
import type { Hit, KeywordResult } from './search-fields.ts';
import { parseQuery, type ParsedQuery, type PriceBand } from './search-text.ts';

/** Fusion settings (`search.json`'s `hybrid` block carries the values chosen in training). */
export interface HybridSettings {
  /** RRF's rank offset (60 in the original paper): larger flattens the head of each list. */
  rrfK: number;
  keywordWeight: number;
  /** The encoder's weight when every word of the query matched the catalogue's words. */
  encoderWeight: number;
  /**
   * The encoder's weight when some word matched nothing ("rucksack", "warm bag for winter
   * camping"): there the keyword half is missing part of the question.
   */
  encoderWeightUnmatched: number;
  /** How many items each half contributes. */
  depth: number;
  /** Encoder hits below this cosine are dropped (an unrelated text still has a nearest item). */
  minCosine: number;
  /**
   * The same floor when the keyword half found nothing: then only the encoder speaks, and
   * gibberish ("xqzvvk") should get "no results" rather than its nearest items.
   */
  minCosineAlone: number;
  /** Weight of the price ordering when the query has a price word; 0 ignores price words. */
  priceWeight: number;
  /** Weight of the visitor's taste when `personalize` is on. */
  tasteWeight: number;
}

/** Equal weights, standard RRF: the untuned starting point. */
export const UNTUNED_HYBRID_SETTINGS: Readonly<HybridSettings> = Object.freeze({
  rrfK: 60, keywordWeight: 1, encoderWeight: 1, encoderWeightUnmatched: 1, depth: 100, minCosine: 0, minCosineAlone: 0, priceWeight: 0, tasteWeight: 0.1,
});

/** One ranked list and its weight in the fusion. */
export interface WeightedList {
  hits: readonly Hit[];
  weight: number;
}

/**
 * Weighted reciprocal-rank fusion of ranked lists (best first). Ties go to the lower index, so
 * the order is deterministic.
 *
 * @example fuseRanks([{ hits: a, weight: 1 }, { hits: b, weight: 0.5 }], 60)
 */
export function fuseRanks(lists: readonly WeightedList[], rrfK: number): Hit[] {
  const score = new Map<number, number>();
  for (const { hits, weight } of lists) {
    if (weight === 0) continue;
    hits.forEach((h, r) => score.set(h.index, (score.get(h.index) ?? 0) + weight / (rrfK + r + 1)));
  }
  return [...score].map(([index, s]) => ({ index, score: s })).sort((a, b) => b.score - a.score || a.index - b.index);
}

/**
 * Each item's price position within its category: 0 the cheapest, 1 the dearest (ties share
 * the mean position). Computed once per catalogue.
 */
export function pricePositions(price: readonly number[], category: readonly number[]): Float32Array {
  const out = new Float32Array(price.length);
  const byCat = new Map<number, number[]>();
  category.forEach((c, i) => { const l = byCat.get(c); if (l) l.push(i); else byCat.set(c, [i]); });
  for (const members of byCat.values()) {
    members.sort((a, b) => price[a]! - price[b]!);
    const n = members.length;
    for (let r = 0; r < n;) {
      let e = r;
      while (e + 1 < n && price[members[e + 1]!] === price[members[r]!]) e++;
      const pos = n === 1 ? 0.5 : (r + e) / 2 / (n - 1);
      for (let x = r; x <= e; x++) out[members[x]!] = pos;
      r = e + 1;
    }
  }
  return out;
}

/** The query after the rules, and the filter to search with (the caller's, narrowed by the bounds). */
export interface QueryPlan {
  parsed: ParsedQuery;
  filter: RecommendFilter | undefined;
}

/**
 * Applies the query rules and merges price bounds into the caller's filter.
 *
 * @example planQuery('tents under 200', { inStock: true }) // { parsed: { text: 'tents', maxPrice: 200 }, filter: { inStock: true, maxPrice: 200 } }
 */
export function planQuery(text: string, filter: RecommendFilter | undefined): QueryPlan {
  const parsed = parseQuery(text);
  if (parsed.minPrice === undefined && parsed.maxPrice === undefined) return { parsed, filter };
  const f: RecommendFilter = { ...filter };
  if (parsed.maxPrice !== undefined) f.maxPrice = Math.min(parsed.maxPrice, filter?.maxPrice ?? Infinity);
  if (parsed.minPrice !== undefined) f.minPrice = Math.max(parsed.minPrice, filter?.minPrice ?? -Infinity);
  return { parsed, filter: f };
}

/** What {@link fuseSearch} combines. */
export interface SearchParts {
  keyword: KeywordResult;
  /** Encoder hits, best first, with cosine scores. */
  encoder: readonly Hit[];
  band?: PriceBand | undefined;
  /** The visitor's taste among the candidates, best first. */
  taste?: readonly Hit[];
}

/**
 * Fuses the halves (steps 3–5 of the file comment) and returns the best `k`.
 *
 * @example fuseSearch({ keyword, encoder, band: 'low' }, pricePos, settings, 10)
 */
export function fuseSearch(parts: SearchParts, pricePos: Float32Array, s: Readonly<HybridSettings>, k: number): Hit[] {
  const floor = parts.keyword.hits.length === 0 ? Math.max(s.minCosine, s.minCosineAlone) : s.minCosine;
  const encoder = parts.encoder.filter((h) => h.score >= floor);
  const encoderWeight = parts.keyword.coverage < 1 ? s.encoderWeightUnmatched : s.encoderWeight;
  let fused = fuseRanks([{ hits: parts.keyword.hits, weight: s.keywordWeight }, { hits: encoder, weight: encoderWeight }], s.rrfK);
  if (parts.band !== undefined && s.priceWeight > 0 && fused.length > 1) {
    const head = fused.slice(0, s.depth);
    const sign = parts.band === 'low' ? 1 : -1;
    const byPrice = [...head].sort((a, b) => sign * (pricePos[a.index]! - pricePos[b.index]!) || a.index - b.index);
    fused = [...fuseRanks([{ hits: head, weight: 1 }, { hits: byPrice, weight: s.priceWeight }], s.rrfK), ...fused.slice(s.depth)];
  }
  if (parts.taste !== undefined && parts.taste.length > 0 && s.tasteWeight > 0) {
    const inFused = new Set(fused.map((h) => h.index));
    fused = fuseRanks([{ hits: fused, weight: 1 }, { hits: parts.taste.filter((h) => inFused.has(h.index)), weight: s.tasteWeight }], s.rrfK);
  }
  return fused.slice(0, k);
}
