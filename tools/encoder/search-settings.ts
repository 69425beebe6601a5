/**
 * The keyword and fusion settings `inpage train` writes into `search.json` (the page reads them
 * from there). Chosen by `inpage eval --tune-search` (tools/eval/search-tune.ts) on the tuning
 * splits 2, 5, 6, 7 (family A queries only) of the demo shop: 19 keyword trials (from
 * MiniSearch's defaults, Recall@10 0.738 / MRR 0.819 there, to 0.766 / 0.823), then 8 fusion
 * trials with these keyword settings (from 0.774 / 0.834 to 0.805 / 0.869). The trial log is in
 * docs/PIPELINES.md.
 */
import type { HybridSettings } from '../../src/recommend/search-hybrid.ts';
import type { KeywordSettings } from '../../src/recommend/search-keyword.ts';

/** The keyword library's settings: tags ×3, brand ×2, BM25+ k 2, b 1; typo tolerance MiniSearch's default (not tuned). */
export const DEFAULT_KEYWORD_SETTINGS: Readonly<KeywordSettings> = Object.freeze({
  boost: { title: 1, description: 1, brand: 2, category: 1, tags: 3 },
  fuzzy: 0.2,
  prefix: true,
  weights: { fuzzy: 0.45, prefix: 0.375 },
  bm25: { k: 2, b: 1, d: 0.5 },
});

/**
 * The fusion's settings: the encoder at a quarter of the keyword half's weight when every query
 * word matched the catalogue, equal when some did not (0.5 and 2 were tried), price words weigh 2. `minCosine` is not tuned (0.3 did not help
 * when it was tried); `tasteWeight` is not evaluated offline (no visitor histories).
 * `minCosineAlone` is set by hand, not tuned (the eval measures finding relevant items, not
 * refusing nonsense): nonsense strings scored 0.22–0.32 against their nearest item
 * ("xqzvvk" 0.30, "hello world" 0.32, "pizza" 0.22), "flashlight" 0.35 and "raincoat" 0.70
 * (both of which the encoder maps to the right category), so 0.34.
 */
export const DEFAULT_HYBRID_SETTINGS: Readonly<HybridSettings> = Object.freeze({
  rrfK: 60, keywordWeight: 1, encoderWeight: 0.25, encoderWeightUnmatched: 1, depth: 100, minCosine: 0, minCosineAlone: 0.34, priceWeight: 2, tasteWeight: 0.1,
});
