/**
 * The methods the eval compares, behind one interface (evaluate.ts `Scorer`): popularity,
 * item-kNN, last-item transition, EASE (ease.ts) and the trained model — the model through the
 * page's own input code (`fillWeights`) and the JS reference of the exported graph, so its numbers
 * are the numbers of the shipped package. Each baseline has the few settings that matter to it;
 * tune.ts picks them on the validation split.
 */
import { historyFeeds } from '../../src/recommend/feeds.ts';
import type { RecommenderManifest } from '../../src/recommend/manifest.ts';
import { toSteps, type Step } from '../../src/recommend/weights.ts';
import { decayedCounts } from '../train/model.ts';
import { scoreHistory, type ScorerWeights } from '../train/reference.ts';
import type { Sessions } from '../train/sessions.ts';
import { cooccurrence, countTransitions } from '../train/transitions.ts';
import type { Scorer } from './evaluate.ts';

/** Settings of {@link popularityScorer}. */
export interface PopularitySettings {
  /** Half-life of the counts in days at the end of training; 0 counts every step alike. */
  halfLifeDays: number;
}

/** Most popular items in the training period, for everyone (optionally recency-weighted). */
export function popularityScorer(train: Sessions, items: number, s: PopularitySettings): Scorer {
  const counts = decayedCounts(train, items, s.halfLifeDays);
  return {
    name: 'popularity',
    score(_seq, _from, _to, out) {
      for (let j = 0; j < items; j++) out[j] = counts[j]!;
    },
  };
}

/** Adds `1e-6 · popularity` so ties (and items no neighbour reaches) fall back to popularity. */
function popularityTieBreak(train: Sessions, items: number): Float32Array {
  const counts = decayedCounts(train, items, 0);
  let max = 1;
  for (const c of counts) max = Math.max(max, c);
  return Float32Array.from(counts, (c) => (1e-6 * c) / max);
}

/** Calls `vote(item, decay^age)` for the newest `count` steps of the history, newest first. */
function recentSteps(seq: Sessions, from: number, to: number, count: number, decay: number, vote: (item: number, weight: number) => void): void {
  let w = 1;
  for (let p = to - 1; p >= Math.max(from, to - count); p--, w *= decay) vote(seq.item[p]!, w);
}

/** Settings of {@link itemKnnScorer}. */
export interface ItemKnnSettings {
  /** Two steps co-occur when at most this many steps apart in a session. */
  window: number;
  /** Weight of each older history step relative to the next newer one. */
  decay: number;
  /** History steps read (newest). */
  history: number;
}

/**
 * Item-kNN: cosine similarity of items by co-occurrence within `window` steps of a session,
 * `sim(i,j) = c_ij / sqrt(c_i · c_j)`; a visitor's score for j is `Σ_h decay^age · sim(h, j)` over
 * their newest `history` steps; popularity breaks ties.
 */
export function itemKnnScorer(train: Sessions, items: number, s: ItemKnnSettings): Scorer {
  const co = cooccurrence(train, items, s.window);
  const tie = popularityTieBreak(train, items);
  return {
    name: 'item-kNN',
    score(seq, from, to, out) {
      out.set(tie);
      recentSteps(seq, from, to, s.history, s.decay, (h, w) => {
        for (let e = co.offsets[h]!; e < co.offsets[h + 1]!; e++) out[co.neighbour[e]!]! += w * co.cosine[e]!;
      });
    },
  };
}

/** Settings of {@link transitionScorer}. */
export interface TransitionSettings {
  /** Followers counted per step: the next `window` new items (later ones at half weight each). */
  window: number;
  /** How many of the visitor's last steps vote. */
  recent: number;
  /** Vote of each older step relative to the next newer one. */
  decay: number;
}

/**
 * Last-item transition: the items that most often followed the visitor's last item(s) in the
 * training sessions, as shares of that item's followers; popularity breaks ties. With `recent: 1`
 * and `window: 1` this is the one-line baseline "what most often comes next after the last item".
 */
export function transitionScorer(train: Sessions, items: number, s: TransitionSettings): Scorer {
  const c = countTransitions(train, items, { window: s.window, gap: 0.5 });
  const tie = popularityTieBreak(train, items);
  return {
    name: 'last-item transition',
    score(seq, from, to, out) {
      out.set(tie);
      recentSteps(seq, from, to, s.recent, s.decay, (h, w) => {
        const total = c.total[h]!;
        if (total > 0) for (let e = c.offsets[h]!; e < c.offsets[h + 1]!; e++) out[c.follower[e]!]! += (w * c.count[e]!) / total;
      });
    },
  };
}

/**
 * The trained model as the page runs it: the page's own input code (`historyFeeds`: the newest
 * steps, right-aligned and weighted as the manifest says), then the reference of the exported
 * graph over every item (the eval ranks the whole catalogue; the page's TopK keeps the head).
 *
 * `itemMap` scores a package whose items are not the eval's: `itemMap[i]` is eval item i's index
 * in the package, -1 when the package does not know it. As the page does (`stepsOf`), unknown
 * items are dropped from the history and steps that then meet merge (`toSteps`); unknown items
 * score -Infinity, so they are never in a list.
 */
export function modelScorer(weights: ScorerWeights, manifest: RecommenderManifest, name = 'model', itemMap?: Int32Array): Scorer {
  const u = new Float32Array(weights.dim);
  const L = manifest.dims.history;
  const noBias = new Float32Array(manifest.dims.items);
  const own = itemMap === undefined ? undefined : new Float32Array(manifest.dims.items);
  return {
    name,
    score(seq, from, to, out) {
      let steps: Step[] = [];
      if (itemMap === undefined) {
        for (let p = Math.max(from, to - L); p < to; p++) steps.push({ item: seq.item[p]!, code: seq.code[p]!, time: seq.time[p]! });
      } else {
        for (let p = from; p < to; p++) {
          const item = itemMap[seq.item[p]!]!;
          if (item >= 0) steps.push({ item, code: seq.code[p]!, time: seq.time[p]! });
        }
        steps = toSteps(steps).slice(-L);
      }
      const feeds = historyFeeds(manifest, steps, noBias, 1);
      const items = Array.from(feeds[manifest.inputs.items]!.data as BigInt64Array, Number);
      const weightsIn = feeds[manifest.inputs.weights]!.data as Float32Array;
      if (own === undefined || itemMap === undefined) {
        scoreHistory(weights, items, weightsIn, L, out, u);
        return;
      }
      scoreHistory(weights, items, weightsIn, L, own, u);
      for (let i = 0; i < itemMap.length; i++) out[i] = itemMap[i]! >= 0 ? own[itemMap[i]!]! : -Infinity;
    },
  };
}
