/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): an item-item weight
 * matrix B with a zero diagonal minimising ‖X − XB‖² + λ‖B‖², in closed form
 *   P = (XᵀX + λI)⁻¹,  B_ij = −P_ij / P_jj (i ≠ j).
 * X is visitor × item (1 when the visitor interacted with the item in training). A visitor's score
 * for j is Σ_{i in their history} B_ij. Dense and cubic in the items, so on catalogues over
 * {@link EASE_MAX_ITEMS} it models only that many, the most frequent in training (the usual
 * practice); the others are never recommended by it.
 */
import type { Sessions } from '../train/sessions.ts';
import type { Scorer } from './evaluate.ts';

/** Items EASE models at most (a dense inverse of 3,000² takes tens of seconds here). */
export const EASE_MAX_ITEMS = 3000;

/** Settings of {@link easeScorer}. */
export interface EaseSettings {
  /** L2 strength λ. */
  lambda: number;
}

/** The items EASE models: all of them, or the {@link EASE_MAX_ITEMS} with the most training steps. */
export function easeItems(users: Sessions, items: number): Int32Array {
  if (items <= EASE_MAX_ITEMS) return Int32Array.from({ length: items }, (_, i) => i);
  const counts = new Float64Array(items);
  for (const i of users.item) counts[i]!++;
  return Int32Array.from(Array.from({ length: items }, (_, i) => i).sort((a, b) => counts[b]! - counts[a]! || a - b).slice(0, EASE_MAX_ITEMS)).sort();
}

/** XᵀX over visitors' distinct items among `kept` (M × M in `kept` order, float64). */
export function gram(users: Sessions, kept: Int32Array, items: number): Float64Array {
  const M = kept.length;
  const col = new Int32Array(items).fill(-1);
  kept.forEach((i, c) => (col[i] = c));
  const g = new Float64Array(M * M);
  const distinct = new Set<number>();
  for (let u = 0; u < users.count; u++) {
    distinct.clear();
    for (let p = users.offsets[u]!; p < users.offsets[u + 1]!; p++) {
      const c = col[users.item[p]!]!;
      if (c >= 0) distinct.add(c);
    }
    const list = [...distinct];
    for (const a of list) {
      const row = a * M;
      for (const b of list) g[row + b]! += 1;
    }
  }
  return g;
}

/**
 * Inverts a symmetric positive definite matrix in place (Gauss–Jordan without pivoting, which is
 * stable for SPD matrices). Row operations run over contiguous rows for speed.
 */
export function invertSpd(a: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    const pivot = a[rk + k]!;
    if (!(pivot > 0)) throw new Error(`EASE: matrix not positive definite at ${k} (pivot ${pivot})`);
    const inv = 1 / pivot;
    for (let j = 0; j < n; j++) a[rk + j]! *= inv;
    a[rk + k] = inv;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const ri = i * n;
      const f = a[ri + k]!;
      if (f === 0) continue;
      for (let j = 0; j < n; j++) a[ri + j]! -= f * a[rk + j]!;
      a[ri + k] = -f * inv;
    }
  }
}

/** B from the Gram matrix and λ (float32, row i = weights from item i). */
export function easeWeights(g: Float64Array, items: number, lambda: number): Float32Array {
  const p = Float64Array.from(g);
  for (let i = 0; i < items; i++) p[i * items + i]! += lambda;
  invertSpd(p, items);
  const b = new Float32Array(items * items);
  for (let i = 0; i < items; i++) {
    for (let j = 0; j < items; j++) b[i * items + j] = i === j ? 0 : -p[i * items + j]! / p[j * items + j]!;
  }
  return b;
}

/** EASE over visitors' training histories; the score sums B rows of the visitor's distinct modelled items. */
export function easeScorer(b: Float32Array, kept: Int32Array, items: number): Scorer {
  const M = kept.length;
  const col = new Int32Array(items).fill(-1);
  kept.forEach((i, c) => (col[i] = c));
  const distinct = new Set<number>();
  const row = new Float32Array(M);
  return {
    name: 'EASE',
    score(seq, from, to, out) {
      row.fill(0);
      distinct.clear();
      for (let p = from; p < to; p++) {
        const c = col[seq.item[p]!]!;
        if (c >= 0) distinct.add(c);
      }
      for (const c of distinct) {
        const base = c * M;
        for (let j = 0; j < M; j++) row[j]! += b[base + j]!;
      }
      out.fill(-Infinity);
      for (let j = 0; j < M; j++) out[kept[j]!] = row[j]!;
    },
  };
}
