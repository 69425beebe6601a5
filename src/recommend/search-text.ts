/**
 * The keyword half's analyser, and the query rules `rec.search()` applies before either half
 * sees the text. Pure functions, shared by the page and the offline eval (so the eval measures
 * exactly what ships).
 *
 * Analyser (with `analyzeTerm` in search-keyword.ts): Lucene's `StandardAnalyzer` for English,
 * as a shopper's keyword engine would configure it: split on anything that is not a letter or a
 * digit, lowercase, drop Lucene's English stop words, Porter-stem, so "boots" finds "boot" and
 * "camping" finds "camp".
 */

/** Lucene's `EnglishAnalyzer.ENGLISH_STOP_WORDS_SET` (33 words). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not', 'of',
  'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with',
]);

/** Words of a text: runs of letters or digits. */
export function splitWords(text: string): string[] {
  return text.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
}


/** Price band a query asks for with a price word ("cheap tent", "premium boots"). */
export type PriceBand = 'low' | 'high';

/** A query after the rules: the words for both halves, and the price it names. */
export interface ParsedQuery {
  /** The text without price bounds ("tents under 200" → "tents"). Price words stay in it. */
  text: string;
  minPrice?: number;
  maxPrice?: number;
  priceBand?: PriceBand;
}

const CURRENCY = String.raw`(?:[€$£]\s*)?`;
const AMOUNT = String.raw`(\d+(?:[.,]\d+)?)`;
const UNIT = String.raw`(?:\s*(?:€|\$|£|euros?\b|eur\b|usd\b|dollars?\b|gbp\b|pounds?\b|bucks\b))?`;
const price = (s: string): number => Number(s.replace(',', '.'));
const RULES: readonly { re: RegExp; apply: (m: RegExpExecArray, q: ParsedQuery) => void }[] = [
  { re: new RegExp(String.raw`\b(?:between|from)\s+${CURRENCY}${AMOUNT}${UNIT}\s+(?:and|to|-)\s+${CURRENCY}${AMOUNT}${UNIT}`, 'giu'), apply: (m, q) => { q.minPrice = price(m[1]!); q.maxPrice = price(m[2]!); } },
  { re: new RegExp(String.raw`(?:\b(?:under|below|less than|cheaper than|up to|at most|max(?:imum)?|no more than)\s*|[<≤]\s*)${CURRENCY}${AMOUNT}${UNIT}`, 'giu'), apply: (m, q) => { q.maxPrice = price(m[1]!); } },
  { re: new RegExp(String.raw`(?:\b(?:over|above|more than|at least|min(?:imum)?)\s*|[>≥]\s*)${CURRENCY}${AMOUNT}${UNIT}`, 'giu'), apply: (m, q) => { q.minPrice = price(m[1]!); } },
];
const LOW_WORDS = /\b(?:cheap(?:est)?|budget|affordable|inexpensive|low[- ]cost|bargain)\b/iu;
const HIGH_WORDS = /\b(?:premium|luxury|high[- ]end|top[- ]end|expensive)\b/iu;

/**
 * Finds price bounds ("under 100", "below €80", "between 100 and 150", "over 300") and price
 * words ("cheap", "budget", "premium", "luxury"). Bounds leave the text (their numbers would
 * match model numbers like "100 Down Jacket"); price words stay (a catalogue may use them).
 *
 * @example parseQuery('tents under 200') // { text: 'tents', maxPrice: 200 }
 * @example parseQuery('cheap tent') // { text: 'cheap tent', priceBand: 'low' }
 */
export function parseQuery(raw: string): ParsedQuery {
  const q: ParsedQuery = { text: raw };
  let text = raw;
  for (const rule of RULES) {
    text = text.replace(rule.re, (...args: unknown[]) => {
      const m = args.slice(0, -2) as unknown as RegExpExecArray;
      rule.apply(m, q);
      return ' ';
    });
  }
  q.text = text.replace(/\s+/g, ' ').trim();
  if (LOW_WORDS.test(raw)) q.priceBand = 'low';
  else if (HIGH_WORDS.test(raw)) q.priceBand = 'high';
  return q;
}
