/**
 * Human reasons for recommendations ("Because you viewed …"), from the visitor's history, the
 * item table and the learned complementary categories. No embeddings on the page: the reason
 * names the history item that shares the candidate's category, or whose category the candidate
 * complements.
 */
import type { RecommenderItems } from './manifest.ts';
import type { Step } from './weights.ts';

/** What a reason rests on, for UI badges. */
export type ReasonBasis = 'history' | 'complement' | 'similar' | 'trending' | 'popular';

/** A reason in words and its basis. */
export interface Reason {
  text: string;
  basis: ReasonBasis;
}

const VERB = ['viewed', 'looked closely at', 'added to your cart', 'bought'] as const;

/** "viewed", "added to your cart", … for an event code. */
export function verbOf(code: number): string {
  return VERB[code] ?? VERB[0];
}

/** True when category `to` is a learned complement of category `from`. */
export function complements(items: RecommenderItems, from: number, to: number): boolean {
  return items.categories[from]?.complements.some(([c]) => c === to) ?? false;
}

/**
 * The reason for a 'for-you' item: the newest history step in the same category, else the newest
 * whose category it complements, else a generic one. `steps` are oldest first.
 */
export function forYouReason(items: RecommenderItems, steps: readonly Step[], candidate: number): Reason {
  const cat = items.category[candidate] ?? -1;
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (items.category[s.item] === cat) return { text: `Because you ${verbOf(s.code)} ${items.titles[s.item] ?? 'a similar item'}`, basis: 'history' };
  }
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (complements(items, items.category[s.item] ?? -1, cat)) {
      return { text: `Goes with the ${items.titles[s.item] ?? 'item'} you ${verbOf(s.code)}`, basis: 'complement' };
    }
  }
  return { text: 'Popular with shoppers who like what you like', basis: 'popular' };
}

/** The reason for a 'similar' item. */
export function similarReason(items: RecommenderItems, anchor: number): Reason {
  return { text: `Similar to ${items.titles[anchor] ?? 'this item'}`, basis: 'similar' };
}

/** The reason for a 'complete-the-look' item. */
export function completeReason(items: RecommenderItems, anchor: number, candidate: number): Reason {
  const from = items.categories[items.category[anchor] ?? -1]?.name ?? 'this';
  const to = items.categories[items.category[candidate] ?? -1]?.name ?? 'these';
  return { text: `Completes your ${items.titles[anchor] ?? 'item'}: shoppers who pick ${from} often add ${to}`, basis: 'complement' };
}

/** The reason for a 'trending' item. */
export function trendingReason(): Reason {
  return { text: 'Trending now', basis: 'trending' };
}
