/**
 * Signals packaged next to the model for the page's non-personal strategies:
 * - trending: each item's event weight decayed by age at the end of the log ('trending');
 * - complementary categories learned from sessions: where shoppers go next when they leave a
 *   category ('complete-the-look'). Nothing here knows the simulator's trip graph.
 */
import { EVENT_TYPES, type Weighting } from '../../src/recommend/weights.ts';
import type { TrainCatalog } from './catalog.ts';
import type { Sessions } from './sessions.ts';

/** Time-decayed popularity at `asOf`. */
export interface Trending {
  /** Unix ms of the newest event: the moment the scores describe. */
  asOf: number;
  halfLifeDays: number;
  /** Σ event weight · 0.5^(age / half-life), per item. */
  scores: Float64Array;
}

/**
 * Trending scores: every step counts its event weight, halved per `halfLifeDays` of age at the
 * newest event. A product launched last week outranks one that sold well two months ago.
 */
export function trendingScores(sessions: Sessions, items: number, weighting: Readonly<Weighting>, halfLifeDays: number): Trending {
  let asOf = -Infinity;
  for (const t of sessions.time) asOf = Math.max(asOf, t);
  if (!Number.isFinite(asOf)) asOf = 0;
  const perMs = Math.LN2 / (halfLifeDays * 86_400_000);
  const scores = new Float64Array(items);
  for (let i = 0; i < sessions.item.length; i++) {
    const type = EVENT_TYPES[sessions.code[i]!] ?? 'view';
    scores[sessions.item[i]!]! += weighting.event[type] * Math.exp(-perMs * (asOf - sessions.time[i]!));
  }
  return { asOf, halfLifeDays, scores };
}

/** One learned complement of a category. */
export interface Complement {
  /** Index into the category list. */
  category: number;
  /** Share of the category's outgoing moves that went here (0–1). */
  share: number;
}

/** Options of {@link learnComplements}. */
export interface ComplementOptions {
  /** Keep at most this many complements per category. Default 4. */
  max?: number;
  /** Drop complements with a smaller share of outgoing moves. Default 0.08. */
  minShare?: number;
  /** Drop complements seen fewer times. Default 5. */
  minCount?: number;
}

/**
 * Complementary categories from session transitions: for each pair of consecutive steps whose
 * categories differ, count the move, weighted by the strength (event weight) of the step moved to.
 * A category's complements are its most frequent destinations.
 *
 * Returns the category list (sorted ids, as the model's items.json uses) and, per category, its
 * complements by decreasing share.
 */
export function learnComplements(
  sessions: Sessions,
  catalog: TrainCatalog,
  weighting: Readonly<Weighting>,
  opts: ComplementOptions = {},
): { categories: string[]; categoryOf: Int32Array; complements: Complement[][] } {
  const categories = [...new Set(catalog.categories)].sort();
  const catIndex = new Map(categories.map((c, i) => [c, i]));
  const categoryOf = Int32Array.from(catalog.categories, (c) => catIndex.get(c) ?? 0);
  const C = categories.length;
  const moves = new Float64Array(C * C);
  const seen = new Int32Array(C * C);
  for (let s = 0; s < sessions.count; s++) {
    for (let p = sessions.offsets[s]! + 1; p < sessions.offsets[s + 1]!; p++) {
      const a = categoryOf[sessions.item[p - 1]!]!;
      const b = categoryOf[sessions.item[p]!]!;
      if (a === b) continue;
      moves[a * C + b]! += weighting.event[EVENT_TYPES[sessions.code[p]!] ?? 'view'];
      seen[a * C + b]!++;
    }
  }
  const complements = categories.map((_, a) => {
    let total = 0;
    for (let b = 0; b < C; b++) total += moves[a * C + b]!;
    const list: Complement[] = [];
    for (let b = 0; b < C; b++) {
      const share = total > 0 ? moves[a * C + b]! / total : 0;
      if (share >= (opts.minShare ?? 0.08) && seen[a * C + b]! >= (opts.minCount ?? 5)) list.push({ category: b, share });
    }
    return list.sort((x, y) => y.share - x.share || x.category - y.category).slice(0, opts.max ?? 4);
  });
  return { categories, categoryOf, complements };
}
