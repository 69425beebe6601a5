/**
 * Vectors and priors for items the model has no events for (`inpage update-catalog`), from their
 * content and from the kept items that share it.
 *
 * Vector: the kept items' mean vector μ plus `spread` times the feature-weighted mean of
 * (m_f − μ), where m_f is the mean vector of the kept items that have feature f (category, brand,
 * brand×category, price band, tags: content.ts's features and weights). The plain mean of the
 * sharers (the rule this replaced) keeps μ whole and dilutes what each feature adds (averaged over
 * the features, and over sharers that differ in everything else). μ is the part every item
 * shares, which skip-gram training points away from the visitors' taste vectors (every item is a
 * negative sample), so such a vector scored like an average unknown item, and rescaling it to a
 * typical item's length (as the old rule also did) enlarged that common part: on the demo shop,
 * for visits that went to a new item, its dot product was −2.0 (median) against +0.1 for the
 * best-scoring sibling in its category. Keeping μ at its own length and scaling only the feature
 * part follows the trainer's own picture — an item is a sum of shared feature rows plus its id row
 * (content.ts) — with `spread` standing in for that sum (an item has several features, each a
 * full row, where the mean gives each a fraction).
 *
 * Prior: the `priorQuantile` quantile of the kept priors of the item's category (all kept items'
 * when the category has none). Having no events is not evidence of unpopularity; the median (what
 * this replaced) put every new item ~3 nats under the category heads that fill a top-10.
 *
 * Both settings are chosen on a validation split of the training period (the eval's
 * new-items-tune.ts); the defaults are the demo shop's (planted variant) choice.
 */
import type { TrainCatalog } from './catalog.ts';
import { contentFeatures } from './content.ts';
import type { ScorerWeights } from './reference.ts';

/** How new items are placed (see the file comment). */
export interface NewItemSettings {
  /** Scale of the content part of a new item's vector around the kept items' mean; 1 is the plain mean of its features' sharers. */
  spread: number;
  /** Quantile (0..1) of its category's kept priors that a new item gets; 0.5 is the median. */
  priorQuantile: number;
}

/** Chosen on the demo shop's validation split (docs/RECOMMENDER.md, "New items after update-catalog"). */
export const DEFAULT_NEW_ITEM_SETTINGS: Readonly<NewItemSettings> = { spread: 2, priorQuantile: 0.9 };

/**
 * Per-feature mean vectors of the kept items (row F is the mean over all kept items), for one
 * vector table `vec` ([old items, D]).
 */
function featureMeans(vec: Float32Array, D: number, oldIndex: readonly number[], cols: readonly Int32Array[], vals: readonly Float64Array[], F: number): { mean: Float64Array; weight: Float64Array } {
  const mean = new Float64Array((F + 1) * D);
  const weight = new Float64Array(F + 1);
  const add = (row: number, j: number, w: number): void => {
    weight[row]! += w;
    for (let d = 0; d < D; d++) mean[row * D + d]! += w * vec[j * D + d]!;
  };
  oldIndex.forEach((j, i) => {
    if (j < 0) return;
    cols[i]!.forEach((c, n) => add(c, j, vals[i]![n]!));
    add(F, j, 1);
  });
  for (let r = 0; r <= F; r++) {
    if (weight[r]! > 0) for (let d = 0; d < D; d++) mean[r * D + d]! /= weight[r]!;
  }
  return { mean, weight };
}

/**
 * In- and out-vectors over the new catalogue: kept items keep theirs (`oldIndex[i]` = item i's
 * row in `old`, -1 for a new item), new items get μ + spread · Σ_f w_f (m_f − μ).
 */
export function newItemVectors(catalog: TrainCatalog, oldIndex: readonly number[], old: ScorerWeights, spread: number): { inVec: Float32Array; outVec: Float32Array } {
  const D = old.dim;
  const N = catalog.ids.length;
  const f = contentFeatures(catalog);
  const F = f.names.length;
  const tables = [old.inVec, old.outVec].map((v) => featureMeans(v, D, oldIndex, f.cols, f.vals, F));
  const [inVec, outVec] = [new Float32Array(N * D), new Float32Array(N * D)];
  const targets = [inVec, outVec];
  for (let i = 0; i < N; i++) {
    const j = oldIndex[i]!;
    if (j >= 0) {
      inVec.set(old.inVec.subarray(j * D, (j + 1) * D), i * D);
      outVec.set(old.outVec.subarray(j * D, (j + 1) * D), i * D);
      continue;
    }
    // Features no kept item has carry nothing yet: an item with none of the others gets μ.
    const mix = Array.from(f.cols[i]!, (c, n) => [c, f.vals[i]![n]!] as const).filter(([c]) => tables[0]!.weight[c]! > 0);
    let total = 0;
    for (const [, v] of mix) total += v;
    tables.forEach(({ mean }, t) => {
      const out = targets[t]!;
      for (let d = 0; d < D; d++) {
        const mu = mean[F * D + d]!;
        let s = 0;
        for (const [c, v] of mix) s += (v / total) * (mean[c * D + d]! - mu);
        out[i * D + d] = mu + spread * s;
      }
    });
  }
  return { inVec, outVec };
}

/** The `q` quantile of `values` (linear between ranks, so 0.5 is the median; need not be sorted); 0 when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const pos = Math.min(1, Math.max(0, q)) * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo]! + (pos - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

/** Priors over the new catalogue: kept items keep theirs, new items get their category's `q` quantile. */
export function newItemPriors(catalog: TrainCatalog, oldIndex: readonly number[], old: ScorerWeights, q: number): Float32Array {
  const byCat = new Map<string, number[]>();
  const all: number[] = [];
  oldIndex.forEach((j, i) => {
    if (j < 0) return;
    const c = catalog.categories[i] ?? '';
    const list = byCat.get(c);
    if (list === undefined) byCat.set(c, [old.itemBias[j]!]);
    else list.push(old.itemBias[j]!);
    all.push(old.itemBias[j]!);
  });
  const ofCat = new Map([...byCat].map(([c, l]) => [c, quantile(l, q)]));
  const fallback = quantile(all, q);
  return Float32Array.from(oldIndex, (j, i) => (j >= 0 ? old.itemBias[j]! : ofCat.get(catalog.categories[i] ?? '') ?? fallback));
}
