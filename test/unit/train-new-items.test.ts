/**
 * New items' vectors and priors in `update-catalog` (tools/train/new-items.ts), on a hand-built
 * model shaped like a skip-gram one: every out-vector shares a common part that points away from
 * the visitors' taste vectors, plus its category's direction, plus a large per-item (id) part.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../tools/onnx/prng.ts';
import type { TrainCatalog } from '../../tools/train/catalog.ts';
import { DEFAULT_NEW_ITEM_SETTINGS, newItemPriors, newItemVectors, quantile } from '../../tools/train/new-items.ts';
import { scoreHistory, type ScorerWeights } from '../../tools/train/reference.ts';
import { updatedWeights } from '../../tools/train/update-catalog.ts';

const D = 4;
const PER = 20;
const rng = new Prng(7);
// Kept items 0..19 in A, 20..39 in B; brands alternate across both categories; prices 1..20.
const kept = Array.from({ length: 2 * PER }, (_, j) => ({ id: `k${j}`, cat: j < PER ? 'A' : 'B', brand: j % 2 === 0 ? 'x' : 'y', price: (j % PER) + 1 }));
const OLD: ScorerWeights = {
  items: kept.length, dim: D, shrink: 1,
  // Taste: the common axis 0 (+1) and the category's axis (1 for A, 2 for B).
  inVec: Float32Array.from(kept.flatMap((k) => [1, k.cat === 'A' ? 1 : 0, k.cat === 'B' ? 1 : 0, 0].map((x) => x + 0.2 * rng.normal()))),
  // Common part −2 on axis 0 (opposite the taste), the category's axis, and an id part of scale 1.
  outVec: Float32Array.from(kept.flatMap((k) => [-2, k.cat === 'A' ? 1 : 0, k.cat === 'B' ? 1 : 0, 0].map((x) => x + rng.normal()))),
  itemBias: Float32Array.from(kept, () => 2 * rng.nextFloat()),
};

/** The catalogue after the update: the kept items, then `extra` new ones. */
function catalogOf(extra: { id: string; cat: string; brand: string; price: number }[]): { catalog: TrainCatalog; oldIndex: number[] } {
  const all = [...kept, ...extra];
  return {
    catalog: {
      ids: all.map((p) => p.id), index: new Map(all.map((p, i) => [p.id, i])), titles: all.map((p) => p.id),
      categories: all.map((p) => p.cat), brands: all.map((p) => p.brand), prices: all.map((p) => p.price),
      tags: all.map(() => []), inStock: all.map(() => true), categoryNames: new Map(),
    },
    oldIndex: all.map((_, i) => (i < kept.length ? i : -1)),
  };
}

const NEW_A = kept.length;
const { catalog, oldIndex } = catalogOf([{ id: 'new-a', cat: 'A', brand: 'x', price: 10.5 }, { id: 'new-c', cat: 'C', brand: '', price: 3 }]);

/** Rank (1 = best) of item `i` for a visitor who viewed `history` (no transitions in this model). */
function rankFor(w: ScorerWeights, history: number[], i: number): number {
  const out = new Float32Array(w.items);
  scoreHistory(w, history, history.map(() => 1), history.length, out, new Float32Array(D));
  return Array.from(out).filter((s, j) => j !== i && !history.includes(j) && s > out[i]!).length + 1;
}

describe('update-catalog: new items from their content', () => {
  it('ranks a new item above the median of its siblings for a visitor who views its category', () => {
    const w = updatedWeights(OLD, catalog, oldIndex);
    const viewsA = [3, 8, 13];
    const rankA = rankFor(w, viewsA, NEW_A);
    // Above the median of its 17 unseen siblings (the old rule, a length-rescaled mean with the median prior, put it below).
    const siblingRanks = Array.from({ length: PER }, (_, j) => j).filter((j) => !viewsA.includes(j)).map((j) => rankFor(w, viewsA, j)).sort((a, b) => a - b);
    expect(rankA).toBeLessThan(siblingRanks[siblingRanks.length >> 1]!);
    // And it ranks lower for a visitor of the other category.
    expect(rankFor(w, [23, 28, 33], NEW_A)).toBeGreaterThan(rankA);
  });

  it('builds μ + spread · Σ w_f (m_f − μ): spread 1 is the plain mean of its features\' sharers', () => {
    // new-a's features: cat:A, brand:x, brandcat:x|A, band:A|1 (price 10.5 is in A's middle tercile), weight 1 each.
    const mean = (vec: Float32Array, members: number[]): number[] => Array.from({ length: D }, (_, d) => members.reduce((s, j) => s + vec[j * D + d]!, 0) / members.length);
    const ids = (f: (k: (typeof kept)[number], j: number) => boolean): number[] => kept.flatMap((k, j) => (f(k, j) ? [j] : []));
    const groups = [
      ids((k) => k.cat === 'A'),
      ids((k) => k.brand === 'x'),
      ids((k) => k.brand === 'x' && k.cat === 'A'),
      ids((k) => k.cat === 'A' && k.price >= 8 && k.price <= 13), // A's middle tercile of its 21 prices, 10.5 included
    ];
    const all = kept.map((_, j) => j);
    for (const spread of [1, 2.5]) {
      const { inVec, outVec } = newItemVectors(catalog, oldIndex, OLD, spread);
      for (const [vec, got] of [[OLD.inVec, inVec], [OLD.outVec, outVec]] as const) {
        const mu = mean(vec, all);
        const mix = groups.map((g) => mean(vec, g));
        const want = mu.map((m, d) => m + spread * mix.reduce((s, g) => s + (g[d]! - m) / 4, 0));
        for (let d = 0; d < D; d++) expect(got[NEW_A * D + d]).toBeCloseTo(want[d]!, 5);
      }
    }
    // Kept items keep their rows bit for bit; an item sharing no feature with a kept one gets μ.
    const w = updatedWeights(OLD, catalog, oldIndex);
    expect(Array.from(w.outVec.subarray(0, kept.length * D))).toEqual(Array.from(OLD.outVec));
    const mu = mean(OLD.outVec, all);
    for (let d = 0; d < D; d++) expect(w.outVec[(NEW_A + 1) * D + d]).toBeCloseTo(mu[d]!, 5);
  });

  it("gives a new item its category's prior quantile (all kept items' for a new category)", () => {
    const priorsA = Array.from(OLD.itemBias.subarray(0, PER));
    const p = newItemPriors(catalog, oldIndex, OLD, 0.9);
    expect(p[NEW_A]).toBeCloseTo(quantile(priorsA, 0.9), 6);
    expect(p[NEW_A + 1]).toBeCloseTo(quantile(Array.from(OLD.itemBias), 0.9), 6);
    expect(Array.from(p.subarray(0, kept.length))).toEqual(Array.from(OLD.itemBias));
    expect(updatedWeights(OLD, catalog, oldIndex).itemBias[NEW_A]).toBeCloseTo(quantile(priorsA, DEFAULT_NEW_ITEM_SETTINGS.priorQuantile), 6);
  });

  it('quantile interpolates between ranks (0.5 is the median)', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([5, 1, 3], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 12);
    expect(quantile([1, 2], 1)).toBe(2);
    expect(quantile([], 0.9)).toBe(0);
  });
});
