/**
 * The three methods the eval compares, behind one interface: popularity, item-to-item
 * co-occurrence (item-kNN) and the trained model (through the same JS reference as the ONNX
 * graph). All three get the same history and weights.
 */
import type { Sessions } from '../train/sessions.ts';
import { scoreAll, userVector, type ScorerWeights } from '../train/reference.ts';

/** Scores every item for one visitor: `items`/`weights` hold `n` history slots, newest last. */
export interface Scorer {
  name: string;
  score(items: Int32Array, weights: Float32Array, n: number, out: Float32Array): void;
}

/** How often each item occurs in the training sessions (steps). */
export function itemCounts(train: Sessions, items: number): Float64Array {
  const counts = new Float64Array(items);
  for (let i = 0; i < train.item.length; i++) counts[train.item[i]!]!++;
  return counts;
}

/** (1) Most popular items in the training period, for everyone. */
export function popularityScorer(train: Sessions, items: number): Scorer {
  const counts = itemCounts(train, items);
  return {
    name: 'popularity',
    score(_items, _weights, _n, out) {
      for (let j = 0; j < items; j++) out[j] = counts[j]!;
    },
  };
}

/**
 * (2) Item-kNN: cosine similarity of items by the sessions they share,
 * `sim(i,j) = c_ij / sqrt(c_i · c_j)`; a visitor's score for j is `Σ_h w_h · sim(h, j)` over their
 * weighted history. Popularity breaks ties (and fills lists when few neighbours exist), which
 * only helps this baseline.
 */
export function itemKnnScorer(train: Sessions, items: number): Scorer {
  const sessionsWith = new Float64Array(items);
  const pairs = new Map<number, number>();
  const seen = new Set<number>();
  for (let s = 0; s < train.count; s++) {
    seen.clear();
    for (let p = train.offsets[s]!; p < train.offsets[s + 1]!; p++) seen.add(train.item[p]!);
    const distinct = [...seen];
    for (const i of distinct) sessionsWith[i]!++;
    for (let a = 0; a < distinct.length; a++) {
      for (let b = a + 1; b < distinct.length; b++) {
        const i = Math.min(distinct[a]!, distinct[b]!);
        const j = Math.max(distinct[a]!, distinct[b]!);
        const key = i * items + j;
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
    }
  }
  // Neighbour lists (CSR) with cosine weights.
  const degree = new Int32Array(items + 1);
  for (const key of pairs.keys()) {
    degree[Math.floor(key / items) + 1]!++;
    degree[(key % items) + 1]!++;
  }
  for (let i = 0; i < items; i++) degree[i + 1]! += degree[i]!;
  const nbr = new Int32Array(degree[items]!);
  const sim = new Float32Array(degree[items]!);
  const fill = degree.slice(0, items);
  for (const [key, c] of pairs) {
    const i = Math.floor(key / items);
    const j = key % items;
    const v = c / Math.sqrt(sessionsWith[i]! * sessionsWith[j]!);
    nbr[fill[i]!] = j;
    sim[fill[i]!++] = v;
    nbr[fill[j]!] = i;
    sim[fill[j]!++] = v;
  }
  const counts = itemCounts(train, items);
  let maxCount = 1;
  for (const c of counts) maxCount = Math.max(maxCount, c);
  return {
    name: 'item-kNN',
    score(hist, weights, n, out) {
      for (let j = 0; j < items; j++) out[j] = (1e-6 * counts[j]!) / maxCount;
      for (let l = 0; l < n; l++) {
        const h = hist[l]!;
        const w = weights[l]!;
        for (let e = degree[h]!; e < degree[h + 1]!; e++) out[nbr[e]!]! += w * sim[e]!;
      }
    },
  };
}

/** (3) The trained model, scored by the reference implementation of the exported graph. */
export function modelScorer(weights: ScorerWeights, name = 'model'): Scorer {
  const u = new Float32Array(weights.dim);
  return {
    name,
    score(items, w, n, out) {
      userVector(weights, items, w, n, u);
      scoreAll(weights, u, out);
    },
  };
}
