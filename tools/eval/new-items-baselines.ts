/**
 * What a shop shows for new products without a model, as `Scorer`s over new items only (every
 * other item scores -Infinity, so their lists hold new items alone; items not launched yet are
 * excluded by `evaluate`'s `availableFrom`). Neither has a setting, so nothing is tuned:
 * - `newest in category`: the "New in <category>" shelf for the category of the visitor's last
 *   item — the newest launch day first (catalogue order within a day), then new items of other
 *   categories the same way;
 * - `popular new in category`: the "Trending new arrivals" shelf — new items of that category by
 *   their events so far (every visitor's events before the visitor's last step: counts a shop
 *   updates as they come, which the model frozen at the cut does not see), then other categories.
 */
import type { EventLog } from '../train/read-events.ts';
import type { Scorer } from './evaluate.ts';
import { availableFrom, type NewItems } from './new-items-split.ts';

/** Scores of the shelf: same category first (+2), then the rest (+1), `within` ∈ [0, 1) orders each group. */
function shelf(seq: Parameters<Scorer['score']>[0], to: number, n: NewItems, category: ArrayLike<number>, within: (j: number) => number, out: Float32Array): void {
  const c = to > 0 ? category[seq.item[to - 1]!] : -1;
  for (let j = 0; j < out.length; j++) out[j] = n.isNew[j] === 1 ? (category[j] === c ? 2 : 1) + within(j) : -Infinity;
}

/**
 * "New in this category", newest launch day first.
 *
 * @example const s = newestInCategoryScorer(newItems, categoryIndex);
 */
export function newestInCategoryScorer(n: NewItems, category: ArrayLike<number>): Scorer {
  const from = availableFrom(n);
  const days = [...new Set(Array.from(from).filter((t) => Number.isFinite(t)))].sort((a, b) => a - b);
  const dayRank = new Map(days.map((d, r) => [d, r]));
  // Newer day higher; within a day, earlier in the catalogue higher (the order of `topK` ties).
  const within = Float32Array.from(from, (t, j) => (Number.isFinite(t) ? ((dayRank.get(t) ?? 0) + 1 - j / (from.length + 1)) / (days.length + 1) : 0));
  return {
    name: 'newest in category',
    score(seq, _from, to, out) {
      shelf(seq, to, n, category, (j) => within[j]!, out);
    },
  };
}

/**
 * "Trending new arrivals in this category": new items by their events before the visitor's last
 * step (`log`: the whole event log).
 */
export function popularNewInCategoryScorer(log: EventLog, n: NewItems, category: ArrayLike<number>): Scorer {
  const times = new Map<number, number[]>();
  for (let e = 0; e < log.length; e++) {
    const i = log.item[e]!;
    if (n.isNew[i] !== 1) continue;
    const list = times.get(i);
    if (list === undefined) times.set(i, [log.time[e]!]);
    else list.push(log.time[e]!);
  }
  for (const list of times.values()) list.sort((a, b) => a - b);
  const countBefore = (i: number, t: number): number => {
    const list = times.get(i) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    name: 'popular new in category',
    score(seq, from, to, out) {
      const now = to > from ? seq.time[to - 1]! : -Infinity;
      // count / (count + 1) keeps the order of the counts inside [0, 1).
      shelf(seq, to, n, category, (j) => {
        const c = countBefore(j, now);
        return c / (c + 1);
      }, out);
    },
  };
}
