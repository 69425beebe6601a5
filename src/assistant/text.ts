/**
 * How the assistant reads text for its keyword half (and how the eval's keyword baseline reads it:
 * one analyser): words of letters and digits, lower-cased, common English stop words dropped,
 * Porter-stemmed (`stemmer`, so "returns", "returned" and "returning" meet).
 */
import { stemmer } from 'stemmer';

/** Function words that carry no topic (kept short: "not", "no", numbers and units stay). */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'can', 'could', 'do', 'does', 'for', 'from', 'get', 'had', 'has', 'have',
  'how', 'i', 'if', 'in', 'into', 'is', 'it', 'its', 'me', 'my', 'of', 'on', 'or', 'our', 'so', 'that', 'the', 'their', 'them',
  'there', 'this', 'to', 'was', 'we', 'what', 'when', 'where', 'which', 'who', 'will', 'with', 'would', 'you', 'your', 'about',
  'any', 'am', 'did', 'should', 'than', 'then', 'these', 'those', 'us', 'very', 'just', 'much', 'many', 'some', 'also', 'please',
]);

/** Lower-case words (letters and digits) of a text, in order. */
export function splitWords(text: string): string[] {
  return text.toLowerCase().normalize('NFKD').replace(/\p{Mn}/gu, '').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A word as the keyword index stores it, or undefined for a stop word. */
export function analyzeTerm(word: string): string | undefined {
  const w = word.toLowerCase();
  if (w.length === 0 || STOP_WORDS.has(w)) return undefined;
  return /^\p{N}+$/u.test(w) ? w : stemmer(w);
}

/** The content terms of a text (analysed, stop words dropped). */
export function contentTerms(text: string): string[] {
  return splitWords(text).map(analyzeTerm).filter((t): t is string => t !== undefined);
}
