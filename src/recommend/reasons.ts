/**
 * Human reasons for recommendations ("Because you viewed …"), from the visitor's history, the
 * item table and the learned complementary categories. No embeddings on the page: the reason
 * names the history item that shares the candidate's category, or whose category the candidate
 * complements.
 */
import type { RecommenderItems } from './manifest.ts';
import type { Step } from './weights.ts';

/** What a reason rests on, for UI badges. */
/** `'rule'`: a merchandising rule placed the item (a pin; the text is the rule's reason). */
export type ReasonBasis = 'history' | 'complement' | 'similar' | 'trending' | 'popular' | 'rule';

/** A reason in words and its basis. */
export interface Reason {
  text: string;
  basis: ReasonBasis;
}

/**
 * How a reason names a history step, per event code (view, click, add_to_cart, purchase): a click
 * opens the product, so to the shopper it was a view too; a cart line is still in the cart.
 */
const BECAUSE: readonly ((title: string) => string)[] = [
  (t) => `Because you viewed ${t}`, (t) => `Because you viewed ${t}`, (t) => `Because ${t} is in your cart`, (t) => `Because you bought ${t}`,
];
const GOES_WITH: readonly ((title: string) => string)[] = [
  (t) => `Goes with the ${t} you viewed`, (t) => `Goes with the ${t} you viewed`, (t) => `Goes with the ${t} in your cart`, (t) => `Goes with the ${t} you bought`,
];

/** "Because you viewed …", "Because … is in your cart", … for an event code. */
function because(code: number, title: string): string {
  return (BECAUSE[code] ?? BECAUSE[0]!)(title);
}

/** "Goes with the … you viewed", "Goes with the … in your cart", … for an event code. */
function goesWith(code: number, title: string): string {
  return (GOES_WITH[code] ?? GOES_WITH[0]!)(title);
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
    if (items.category[s.item] === cat) return { text: because(s.code, items.titles[s.item] ?? 'a similar item'), basis: 'history' };
  }
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (complements(items, items.category[s.item] ?? -1, cat)) {
      return { text: goesWith(s.code, items.titles[s.item] ?? 'item'), basis: 'complement' };
    }
  }
  return { text: 'Popular with shoppers who like what you like', basis: 'popular' };
}

/** The reason for a 'similar' item. */
export function similarReason(items: RecommenderItems, anchor: number): Reason {
  return { text: `Similar to ${items.titles[anchor] ?? 'this item'}`, basis: 'similar' };
}

/**
 * The reason for a 'complete-the-look' item: short enough for a card's two reason lines (the
 * learned category pair is in `items.categories[…].complements` for anyone who wants to say more).
 */
export function completeReason(items: RecommenderItems, anchor: number, _candidate: number): Reason {
  return { text: `Goes with the ${items.titles[anchor] ?? 'item'}`, basis: 'complement' };
}

/** The reason for a 'trending' item. */
export function trendingReason(): Reason {
  return { text: 'Trending now', basis: 'trending' };
}
