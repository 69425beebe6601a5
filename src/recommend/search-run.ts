/**
 * One `rec.search()` on the device: query rules, the keyword half (MiniSearch on the page), the
 * encoder half (the engine's worker), fusion (search-hybrid.ts), optionally the visitor's taste.
 * Nothing leaves the page. Packages without a keyword block run the encoder alone, as before.
 */
import { buildCandidates, type RecommendFilter } from './candidates.ts';
import type { RecommenderItems } from './manifest.ts';
import type { LoadedSearch } from './search.ts';
import { fuseSearch, planQuery } from './search-hybrid.ts';
import type { Hit } from './search-fields.ts';

/** What one search needs besides the loaded package. */
export interface SearchRequest {
  text: string;
  k: number;
  filter: RecommendFilter | undefined;
  signal: AbortSignal | undefined;
  /** The visitor's taste over a candidate mask, best first (the for-you model), when asked for. */
  taste?: ((allowed: Float32Array, k: number) => Promise<Hit[]>) | undefined;
}

/**
 * Runs the search; hits best first, at most `k`. An empty list means nothing matched: no
 * keyword hit and no encoder hit at or above the package's `minCosineAlone`, or no item passes
 * the filters.
 */
export async function runSearch(s: LoadedSearch, items: RecommenderItems, req: SearchRequest): Promise<Hit[]> {
  const hybrid = s.manifest.hybrid;
  if (s.keyword === undefined || hybrid === undefined) {
    const vector = await s.encode(req.text, req.signal);
    return vector === undefined ? [] : s.top(vector, buildCandidates(items, req.filter, new Set()), req.k, req.signal);
  }
  const plan = planQuery(req.text, req.filter);
  const cand = buildCandidates(items, plan.filter, new Set());
  if (cand.allowed === 0) return [];
  const depth = Math.max(req.k, hybrid.depth);
  const keyword = s.keyword.search(plan.parsed.text, depth, (j) => cand.bias[j] === 0);
  // The encoder cannot read typos: it gets the words the keyword half matched ("hikking" → "hiking").
  const vector = await s.encode(s.keyword.correct(plan.parsed.text), req.signal);
  const encoder = vector === undefined ? [] : await s.top(vector, cand, depth, req.signal);
  const taste = req.taste === undefined ? undefined : await req.taste(cand.bias, depth);
  return fuseSearch({ keyword, encoder, band: plan.parsed.priceBand, ...(taste === undefined ? {} : { taste }) }, s.pricePos, hybrid, req.k);
}
