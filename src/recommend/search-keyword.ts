/**
 * The keyword half of `rec.search()`, and the keyword baseline of the eval: MiniSearch (BM25+
 * over per-field inverted indexes in a radix tree, with prefix and Levenshtein typo matching)
 * with the analyser of search-text.ts and per-field boosts. Built on the page from the package's
 * `keywords.json` on the first search. Item ids are model indices.
 *
 * @example
 * const kw = new KeywordIndex(docs, DEFAULT_KEYWORD_SETTINGS);
 * kw.search('waterproof tnet', 20) // { hits: [{ index: 17, score: 12.3 }, …], coverage: 1 } ("tnet" → "tent" by typo tolerance)
 */
import MiniSearch from 'minisearch';
import SearchableMap from 'minisearch/SearchableMap';
import { stemmer } from 'stemmer';
import { KEYWORD_FIELDS, type Hit, type KeywordDoc, type KeywordResult, type KeywordSettings } from './search-fields.ts';
import { ENGLISH_STOP_WORDS, splitWords } from './search-text.ts';

export { KEYWORD_FIELDS, UNTUNED_KEYWORD_SETTINGS } from './search-fields.ts';
export type { Hit, KeywordDoc, KeywordField, KeywordResult, KeywordSettings } from './search-fields.ts';

/** One word as the index stores it: lowercased and Porter-stemmed (`stemmer`); `null` for a stop word. */
export function analyzeTerm(word: string): string | null {
  const w = word.toLowerCase();
  return ENGLISH_STOP_WORDS.has(w) ? null : stemmer(w);
}

/** A keyword index over a fixed list of items. */
export class KeywordIndex {
  readonly #mini: MiniSearch<KeywordDoc & { id: number }>;
  /** The catalogue's own words (lowercase, unstemmed) and how often each occurs: the spelling corrector's dictionary. */
  readonly #words = new SearchableMap<number>();

  /**
   * Builds the index in chunks of `chunkSize` items, yielding to the event loop between them, so
   * a large catalogue does not block the page in one long task (what `rec.search()` uses).
   */
  static async build(docs: readonly KeywordDoc[], settings: Readonly<KeywordSettings>, chunkSize = 250): Promise<KeywordIndex> {
    const index = new KeywordIndex([], settings);
    await index.#mini.addAllAsync(docs.map((d, id) => ({ ...d, id })), { chunkSize });
    index.#learnWords(docs);
    return index;
  }

  /** Builds the index synchronously (the eval, tests). */
  constructor(docs: readonly KeywordDoc[], private readonly settings: Readonly<KeywordSettings>) {
    // A catalogue repeats a few thousand words: stemming each once (not once per occurrence)
    // makes the build several times faster. Bounded, so odd queries cannot grow it forever.
    const stems = new Map<string, string | null>();
    const analyze = (t: string): string | null => {
      let a = stems.get(t);
      if (a === undefined) {
        a = analyzeTerm(t);
        if (stems.size < 100_000) stems.set(t, a);
      }
      return a;
    };
    this.#mini = new MiniSearch<KeywordDoc & { id: number }>({
      fields: [...KEYWORD_FIELDS],
      tokenize: splitWords,
      processTerm: analyze,
    });
    this.#mini.addAll(docs.map((d, id) => ({ ...d, id })));
    this.#learnWords(docs);
  }

  #learnWords(docs: readonly KeywordDoc[]): void {
    const counts = new Map<string, number>();
    for (const d of docs) {
      for (const f of KEYWORD_FIELDS) for (const w of splitWords(d[f])) { const l = w.toLowerCase(); counts.set(l, (counts.get(l) ?? 0) + 1); }
    }
    for (const [w, n] of counts) this.#words.set(w, n);
  }

  /**
   * The text with each word the catalogue does not use replaced by the catalogue's nearest word,
   * within the same edit distance the keyword half tolerates (the most frequent wins a tie), so
   * the encoder, which cannot read typos, sees what the keyword half matched:
   * "hikking boots" → "hiking boots". Words without a near match, stop words and numbers stay.
   */
  correct(text: string): string {
    const s = this.settings;
    return splitWords(text).map((raw) => {
      const w = raw.toLowerCase();
      if (s.fuzzy <= 0 || ENGLISH_STOP_WORDS.has(w) || /\d/.test(w) || this.#words.has(w)) return w;
      const max = Math.min(2, Math.round(w.length * s.fuzzy));
      if (max < 1) return w;
      let best = w;
      let bestDistance = Infinity;
      let bestCount = 0;
      for (const [candidate, [count, distance]] of this.#words.fuzzyGet(w, max)) {
        if (distance < bestDistance || (distance === bestDistance && count > bestCount)) [best, bestDistance, bestCount] = [candidate, distance, count];
      }
      return best;
    }).join(' ');
  }

  /** Number of indexed items. */
  get size(): number {
    return this.#mini.documentCount;
  }

  /**
   * The best `limit` items for `text` (any term may match: OR), allowed by `allowed` (all when
   * omitted). Empty when no term matches.
   */
  search(text: string, limit: number, allowed?: (index: number) => boolean): KeywordResult {
    const s = this.settings;
    const results = this.#mini.search(text, {
      boost: s.boost,
      fuzzy: s.fuzzy > 0 ? s.fuzzy : false,
      maxFuzzy: 2,
      prefix: s.prefix,
      weights: s.weights,
      bm25: s.bm25,
      combineWith: 'OR',
      ...(allowed === undefined ? {} : { filter: (r: { id: number }) => allowed(r.id) }),
    });
    const out: Hit[] = [];
    const matched = new Set<string>();
    for (const r of results) {
      for (const t of r.queryTerms) matched.add(t);
      if (out.length < limit) out.push({ index: r.id as number, score: r.score });
    }
    const terms = new Set(splitWords(text).map((w) => analyzeTerm(w)).filter((t): t is string => t !== null));
    return { hits: out, coverage: terms.size === 0 ? 1 : [...terms].filter((t) => matched.has(t)).length / terms.size };
  }
}
