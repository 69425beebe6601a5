/**
 * Words too common to carry meaning: the encoder gives their tokens zero vectors (so they add
 * nothing to the normalised mean). Kept as the encoder was tuned with it; the keyword half uses
 * Lucene's standard English list (src/recommend/search-text.ts), as a keyword engine would.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(['a', 'an', 'and', 'the', 'with', 'for', 'from', 'by', 'of', 'to', 'in', 'on', 'is', 'it', 'looking', 'that']);
