/**
 * Words too common to carry meaning: the keyword baseline's analyser drops them, and the encoder
 * gives their tokens zero vectors (so they add nothing to the normalised mean). One list, so both
 * methods read a query the same way.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(['a', 'an', 'and', 'the', 'with', 'for', 'from', 'by', 'of', 'to', 'in', 'on', 'is', 'it', 'looking', 'that']);
