/**
 * What a generated answer may say: only facts found in what was retrieved. Pure. The check is
 * deliberately narrow and strict — a written answer is kept only if
 *   - every number in it (prices, days, percentages, sizes, phone numbers) occurs in a retrieved
 *     passage or a shown product's fields, and
 *   - it makes no stock claim ("in stock", "sold out", "available") unless products are shown,
 *     whose live stock the cards state;
 * otherwise the assistant falls back to quoting the passage. It cannot judge paraphrased policy
 * wording; numbers and stock are what a wrong answer costs most on.
 */

/** Numbers as written ("30", "4.95", "4,95", "1.90") → a canonical form ("4.95"). */
function numbers(text: string): string[] {
  return (text.match(/\d+(?:[.,]\d+)*/g) ?? []).map((n) => n.replace(/,(?=\d{1,2}$)/, '.').replace(/,/g, ''));
}

const STOCK = /\b(in stock|out of stock|sold out|available now|unavailable|back in stock)\b/i;

/** The verdict on a generated answer. */
export interface GroundingVerdict {
  ok: boolean;
  /** Why it was refused, in words. */
  reason?: string;
}

/**
 * Checks `answer` against the retrieved `sources` (passage texts, product titles and prices).
 *
 * @example checkGrounding('Returns are free within 30 days.', ['You can return unused items within 30 days …'], false) // { ok: true }
 */
export function checkGrounding(answer: string, sources: readonly string[], productsShown: boolean): GroundingVerdict {
  if (answer.trim() === '') return { ok: false, reason: 'the model wrote nothing' };
  const known = new Set(sources.flatMap(numbers));
  const unknown = numbers(answer).filter((n) => !known.has(n));
  if (unknown.length > 0) return { ok: false, reason: `it states ${unknown.map((n) => `"${n}"`).join(', ')}, which no retrieved passage or product says` };
  if (!productsShown && STOCK.test(answer)) return { ok: false, reason: 'it makes a stock claim without a product whose live stock is shown' };
  return { ok: true };
}
