/**
 * The four strategies of `recommend()`. Each builds a history, a candidate mask and asks the model
 * (or, for 'trending', the packaged scores) for the top k:
 * - 'for-you': the visitor's weighted recent steps;
 * - 'similar': one anchor item, candidates of its category;
 * - 'complete-the-look': anchor plus history, candidates of the anchor's learned complementary
 *   categories (from session transitions, not rules), interleaved across those categories;
 * - 'trending': packaged time-decayed popularity.
 */
import { InpageError } from '../errors.ts';
import { EXCLUDED_THRESHOLD, restrictToCategories, type Candidates } from './candidates.ts';
import type { ModelLike } from './engine-like.ts';
import type { RecommenderItems, RecommenderManifest } from './manifest.ts';
import { completeReason, forYouReason, similarReason, trendingReason, type Reason } from './reasons.ts';
import { historyFeeds } from './feeds.ts';
import type { Step } from './weights.ts';

/** A scored item index with its reason. */
export interface Scored {
  index: number;
  score: number;
  reason: Reason;
}

/** What every strategy gets. */
export interface StrategyContext {
  manifest: RecommenderManifest;
  items: RecommenderItems;
  model: ModelLike;
  /** The visitor's history as steps (model indices), oldest first. */
  steps: Step[];
  now: number;
  signal: AbortSignal | undefined;
}

/** Runs the model for one visitor; returns up to `k` allowed items, best first. */
export async function runModel(ctx: StrategyContext, steps: readonly Step[], cand: Candidates, k: number): Promise<{ index: number; score: number }[]> {
  const { manifest, model } = ctx;
  const kk = Math.min(k, cand.allowed, manifest.dims.items);
  if (kk <= 0) return [];
  const out = await model.run(historyFeeds(manifest, steps, cand.bias, kk), ctx.signal === undefined ? {} : { signal: ctx.signal });
  const idx = out[manifest.outputs.indices];
  const sc = out[manifest.outputs.scores];
  if (idx?.type !== 'int64' || sc?.type !== 'float32') {
    throw new InpageError('RUN_FAILED', `The recommender model did not return '${manifest.outputs.indices}' (int64) and '${manifest.outputs.scores}' (float32); is ${manifest.model} the file this manifest was written for?`);
  }
  return topOfRow(idx.data as BigInt64Array, sc.data as Float32Array, 0, idx.data.length);
}

/**
 * Entries `from` to `to` of the model's top-k outputs (one visitor's row of a `[rows, k]` run)
 * as allowed items, best first.
 */
export function topOfRow(indices: BigInt64Array, scores: Float32Array, from: number, to: number): { index: number; score: number }[] {
  const result: { index: number; score: number }[] = [];
  for (let r = from; r < to; r++) {
    const score = Number(scores[r] ?? -Infinity);
    // Defensive: an excluded item only comes back when fewer than k pass, which kk prevents.
    if (score > EXCLUDED_THRESHOLD) result.push({ index: Number(indices[r]), score });
  }
  return result;
}

/** 'for-you': personal list from the weighted history. */
export async function forYou(ctx: StrategyContext, cand: Candidates, k: number): Promise<Scored[]> {
  if (ctx.steps.length === 0) return trending(ctx, cand, k);
  const top = await runModel(ctx, ctx.steps, cand, k);
  return top.map((t) => ({ ...t, reason: forYouReason(ctx.items, ctx.steps, t.index) }));
}

/** 'similar': what shoppers look at next after the anchor, within the anchor's category. */
export async function similar(ctx: StrategyContext, cand: Candidates, k: number, anchor: number): Promise<Scored[]> {
  const same = restrictToCategories(ctx.items, cand, new Map([[ctx.items.category[anchor] ?? -1, 0]]), k);
  const top = await runModel(ctx, [{ item: anchor, code: 1, time: ctx.now }], same, k);
  return top.map((t) => ({ ...t, reason: similarReason(ctx.items, anchor) }));
}

/**
 * 'complete-the-look': the anchor (newest, as if carted) on top of the history, scored only over
 * the anchor's learned complementary categories, each boosted by log(share of moves) so the
 * strongest pairing leads; the list then alternates between categories.
 */
export async function completeTheLook(ctx: StrategyContext, cand: Candidates, k: number, anchor: number): Promise<Scored[]> {
  const comps = ctx.items.categories[ctx.items.category[anchor] ?? -1]?.complements ?? [];
  if (comps.length === 0) return forYou(ctx, cand, k);
  const boost = new Map(comps.map(([c, share]) => [c, Math.log(Math.max(share, 1e-3))]));
  const restricted = restrictToCategories(ctx.items, cand, boost, 1);
  const steps = [...ctx.steps.filter((s) => s.item !== anchor), { item: anchor, code: 2, time: ctx.now }];
  const pool = await runModel(ctx, steps, restricted, Math.min(4 * k, restricted.allowed));
  return interleaveByCategory(ctx.items, pool, k).map((t) => ({ ...t, reason: completeReason(ctx.items, anchor, t.index) }));
}

/** Round-robin over categories in order of their best item, keeping score order within each. */
export function interleaveByCategory<T extends { index: number }>(items: RecommenderItems, ranked: readonly T[], k: number): T[] {
  const groups = new Map<number, T[]>();
  for (const r of ranked) {
    const c = items.category[r.index] ?? -1;
    groups.set(c, [...(groups.get(c) ?? []), r]);
  }
  const out: T[] = [];
  for (let round = 0; out.length < k; round++) {
    let added = false;
    for (const g of groups.values()) {
      const r = g[round];
      if (r !== undefined && out.length < k) {
        out.push(r);
        added = true;
      }
    }
    if (!added) break;
  }
  return out;
}

/** 'trending': packaged time-decayed popularity over the allowed items (no model run). */
export function trending(ctx: StrategyContext, cand: Candidates, k: number): Scored[] {
  const scores = ctx.items.trending.scores;
  // Ranked by log(popularity) + bias, so merchandising boosts (rules.ts, log-scale like the
  // model's scores) move items here too; with a zero bias the order is popularity's.
  // Partial insertion sort into a k-long list: O(N) for the usual small k, no full sort per call.
  // Each item's key is computed once (one log per item: on 50,000 items, recomputing both keys
  // in every comparison was most of this strategy's ~1.6 ms).
  const best: number[] = [];
  const bestKey: number[] = [];
  for (let j = 0; j < scores.length; j++) {
    const bias = cand.bias[j]!;
    if (bias <= EXCLUDED_THRESHOLD) continue;
    const key = Math.log(Math.max(scores[j]!, 1e-12)) + bias;
    // Ties keep the lower index first; j only grows, so an equal key never moves ahead.
    if (best.length === k && !(key > bestKey[k - 1]!)) continue;
    let at = best.length < k ? best.length : k - 1;
    while (at > 0 && key > bestKey[at - 1]!) {
      best[at] = best[at - 1]!;
      bestKey[at] = bestKey[at - 1]!;
      at--;
    }
    best[at] = j;
    bestKey[at] = key;
  }
  return best.map((index) => ({ index, score: scores[index]!, reason: trendingReason() }));
}
