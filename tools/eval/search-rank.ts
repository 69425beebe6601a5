/**
 * The rankers the search eval compares, all over the same catalogue and all cut at `depth`:
 * the keyword library alone, the encoder alone, the keyword library with the query rules, and
 * the hybrid. The keyword and hybrid rankers call the very functions `rec.search()` calls
 * (src/recommend/search-*.ts); the encoder is its JS reference (tools/encoder/reference.ts),
 * equal to the shipped q8 file up to float noise (test/browser/search.spec.ts).
 */
import { buildCandidates } from '../../src/recommend/candidates.ts';
import type { RecommenderItems } from '../../src/recommend/manifest.ts';
import { fuseSearch, planQuery, type HybridSettings } from '../../src/recommend/search-hybrid.ts';
import type { Hit, KeywordIndex } from '../../src/recommend/search-keyword.ts';
import type { ReferenceEncoder } from '../encoder/reference.ts';
import { searchScores } from '../encoder/reference.ts';
import type { ItemText } from '../encoder/catalog-text.ts';

/** Ranked item indices for a query text, best first, at most `depth`. */
export type Ranker = (text: string) => number[];

/** The item table columns the query rules and filters read, from the catalogue text. */
export function itemsTable(texts: readonly ItemText[]): RecommenderItems {
  const cats = [...new Set(texts.map((t) => t.category))];
  return {
    format: 'inpage-recommender-items', version: 1,
    ids: texts.map((t) => t.id), titles: texts.map((t) => t.title),
    category: texts.map((t) => cats.indexOf(t.category)), price: texts.map((t) => t.price), inStock: texts.map(() => 1),
    categories: cats.map((id) => ({ id, name: texts.find((t) => t.category === id)!.categoryName, complements: [] })),
    trending: { asOf: new Date(0).toISOString(), halfLifeDays: 7, scores: texts.map(() => 0) },
  };
}

/** The encoder's best `depth` items among `allowed` (all when undefined); [] when no word is known. */
export function encoderHits(enc: ReferenceEncoder, targets: Float32Array, text: string, depth: number, bias?: Float32Array): Hit[] {
  const q = enc.encode(text);
  if (!q.some((x) => x !== 0)) return [];
  const scores = searchScores(q, targets, enc.dim);
  const order: number[] = [];
  for (let j = 0; j < scores.length; j++) if (bias === undefined || bias[j] === 0) order.push(j);
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, depth).map((index) => ({ index, score: scores[index]! }));
}

/** What the rankers share. */
export interface RankerParts {
  items: RecommenderItems;
  pricePos: Float32Array;
  keyword: KeywordIndex;
  encoder: ReferenceEncoder;
  targets: Float32Array;
  hybrid: Readonly<HybridSettings>;
}

/** The four rankers over one split. */
export function rankers(p: RankerParts): { keyword: Ranker; encoder: Ranker; rules: Ranker; hybrid: Ranker } {
  const depth = p.hybrid.depth;
  const idx = (hits: readonly Hit[]): number[] => hits.map((h) => h.index);
  const planned = (text: string) => {
    const plan = planQuery(text, undefined);
    const bias = plan.filter === undefined ? undefined : buildCandidates(p.items, plan.filter, new Set()).bias;
    return { plan, bias, allowed: bias === undefined ? undefined : (j: number) => bias[j] === 0 };
  };
  return {
    keyword: (text) => idx(p.keyword.search(text, depth).hits),
    encoder: (text) => idx(encoderHits(p.encoder, p.targets, text, depth)),
    rules: (text) => {
      const { plan, allowed } = planned(text);
      const keyword = p.keyword.search(plan.parsed.text, depth, allowed);
      return idx(fuseSearch({ keyword, encoder: [], band: plan.parsed.priceBand }, p.pricePos, { ...p.hybrid, encoderWeight: 0, encoderWeightUnmatched: 0 }, depth));
    },
    hybrid: (text) => {
      const { plan, bias, allowed } = planned(text);
      const keyword = p.keyword.search(plan.parsed.text, depth, allowed);
      const encoder = encoderHits(p.encoder, p.targets, p.keyword.correct(plan.parsed.text), depth, bias);
      return idx(fuseSearch({ keyword, encoder, band: plan.parsed.priceBand }, p.pricePos, p.hybrid, depth));
    },
  };
}

/** Metrics of one ranking for one query. */
export interface QueryMetrics {
  recall: number;
  rr: number;
  ndcg: number;
}

/**
 * Recall@k and reciprocal rank over the grade-2 items, NDCG@k over the grades (gain 2^g − 1).
 * With `only` (held-out items), the relevant items are the grade-2 items in `only`, and the other
 * grade-2 items leave the ranking (neither right nor wrong); undefined when nothing is relevant.
 */
export function queryMetrics(ranking: readonly number[], grades: Uint8Array, k: number, only?: ReadonlySet<number>): QueryMetrics | undefined {
  const relevant = (j: number): boolean => grades[j] === 2 && (only === undefined || only.has(j));
  let R = 0;
  for (let j = 0; j < grades.length; j++) if (relevant(j)) R++;
  if (R === 0) return undefined;
  const list = only === undefined ? ranking : ranking.filter((j) => grades[j] !== 2 || only.has(j));
  let hits = 0;
  let rr = 0;
  let dcg = 0;
  list.forEach((j, r) => {
    const rel = relevant(j);
    if (rel && rr === 0) rr = 1 / (r + 1);
    if (r < k) {
      if (rel) hits++;
      const g = only === undefined ? grades[j]! : rel ? 2 : grades[j] === 1 ? 1 : 0;
      dcg += (2 ** g - 1) / Math.log2(r + 2);
    }
  });
  const counts = [0, 0, 0];
  for (let j = 0; j < grades.length; j++) {
    const g = only === undefined ? grades[j]! : relevant(j) ? 2 : grades[j] === 1 ? 1 : 0;
    counts[g]!++;
  }
  let idcg = 0;
  let r = 0;
  for (const g of [2, 1]) for (let c = 0; c < counts[g]! && r < k; c++, r++) idcg += (2 ** g - 1) / Math.log2(r + 2);
  return { recall: hits / Math.min(k, R), rr, ndcg: idcg > 0 ? dcg / idcg : 0 };
}
