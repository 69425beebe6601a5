/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): an item-item weight
 * matrix B with a zero diagonal minimising ‖X − XB‖² + λ‖B‖², in closed form
 *   P = (XᵀX + λI)⁻¹,  B_ij = −P_ij / P_jj (i ≠ j).
 * X is visitor × item (1 when the visitor interacted with the item in training). A visitor's score
 * for j is Σ_{i in their history} B_ij. Dense N × N: meant for catalogues of a few thousand items.
 */
import type { Sessions } from '../train/sessions.ts';
import type { Scorer } from './evaluate.ts';

/** Settings of {@link easeScorer}. */
export interface EaseSettings {
  /** L2 strength λ. */
  lambda: number;
}

/** XᵀX over visitors' distinct items (row-major N × N, float64). */
export function gram(users: Sessions, items: number): Float64Array {
  const g = new Float64Array(items * items);
  const distinct = new Set<number>();
  for (let u = 0; u < users.count; u++) {
    distinct.clear();
    for (let p = users.offsets[u]!; p < users.offsets[u + 1]!; p++) distinct.add(users.item[p]!);
    const list = [...distinct];
    for (const a of list) {
      const row = a * items;
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

/** EASE over visitors' training histories; the score sums B rows of the visitor's distinct items. */
export function easeScorer(b: Float32Array, items: number): Scorer {
  const distinct = new Set<number>();
  return {
    name: 'EASE',
    score(seq, from, to, out) {
      out.fill(0);
      distinct.clear();
      for (let p = from; p < to; p++) distinct.add(seq.item[p]!);
      for (const i of distinct) {
        const row = i * items;
        for (let j = 0; j < items; j++) out[j]! += b[row + j]!;
      }
    },
  };
}
