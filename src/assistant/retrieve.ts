/**
 * Retrieval over a knowledge package, pure (the page and the eval run this same code):
 *
 *   keyword   MiniSearch (BM25+) over each help passage's title, heading and text, with the
 *             analyser of text.ts and typo tolerance;
 *   encoder   cosine of the question's vector (the package's encoder, run by the caller) with
 *             every passage vector;
 *   hybrid    weighted reciprocal-rank fusion of both lists (ranks, not raw scores: BM25 and cosine
 *             live on unrelated scales — Cormack et al. 2009).
 *
 * The assistant answers with the best hybrid passage only when the evidence is there: its cosine
 * reaches `minCosine` or it contains at least `minCoverage` of the question's content terms;
 * otherwise it says it does not know. Products are matched apart, on their title, category, brand
 * and tags. Every threshold comes from the package (chosen on the eval's validation split).
 */
import MiniSearch from 'minisearch';
import type { KnowledgeDoc, RetrievalSettings } from './knowledge.ts';
import { analyzeTerm, contentTerms, splitWords } from './text.ts';

/** A ranked document: its index in the package's docs, and a score (higher is better). */
export interface Hit {
  index: number;
  score: number;
}

/** Which ranking to use (the eval compares all three). */
export type RetrievalMethod = 'keyword' | 'encoder' | 'hybrid';

/** The verdict on a question. */
export interface Retrieval {
  /** Passages, best first (hybrid). */
  ranked: Hit[];
  /** The best passage's cosine with the question, and its share of the question's terms. */
  cosine: number;
  coverage: number;
  /** True: not enough evidence to answer from the pages. */
  abstain: boolean;
  /** Matching products, best first, with the share of the question's terms each matched. */
  products: (Hit & { coverage: number })[];
}

type Indexed = { id: number; title: string; heading: string; text: string; tags: string };

function miniSearch(fields: readonly (keyof Indexed)[], boost: Partial<Record<keyof Indexed, number>>): MiniSearch<Indexed> {
  return new MiniSearch<Indexed>({
    fields: [...fields],
    tokenize: (t) => splitWords(t),
    processTerm: (t) => analyzeTerm(t) ?? null,
    searchOptions: { boost, fuzzy: (term) => (term.length > 5 ? 0.2 : 0), prefix: false, combineWith: 'OR' },
  });
}

/** The package's documents, indexed for questions. */
export class KnowledgeIndex {
  readonly passageCount: number;
  private readonly passages = miniSearch(['title', 'heading', 'text'], { heading: 2 });
  private readonly products = miniSearch(['title', 'heading', 'tags'], { title: 2 });
  private readonly terms: Set<string>[];

  /**
   * @param vectors float32 [passages, dim], L2-normalised (passages come first in `docs`)
   */
  constructor(readonly docs: readonly KnowledgeDoc[], private readonly vectors: Float32Array, readonly dim: number, readonly settings: RetrievalSettings) {
    this.passageCount = docs.findIndex((d) => d.kind !== 'passage');
    if (this.passageCount < 0) this.passageCount = docs.length;
    const row = (d: KnowledgeDoc, id: number): Indexed => ({ id, title: d.title, heading: d.heading, text: d.text, tags: [d.brand ?? '', ...(d.tags ?? [])].join(' ') });
    this.passages.addAll(docs.slice(0, this.passageCount).map(row));
    this.products.addAll(docs.slice(this.passageCount).map((d, i) => row(d, this.passageCount + i)));
    this.terms = docs.map((d) => new Set(contentTerms(`${d.title} ${d.heading} ${d.text} ${(d.tags ?? []).join(' ')} ${d.brand ?? ''}`)));
  }

  /** Keyword ranking of the passages. */
  keyword(question: string, k = this.settings.depth): Hit[] {
    return this.passages.search(question).slice(0, k).map((r) => ({ index: r.id as number, score: r.score }));
  }

  /** Encoder ranking of the passages for a normalised question vector (none: no known word). */
  encoder(vector: Float32Array | undefined, k = this.settings.depth): Hit[] {
    if (vector === undefined) return [];
    const D = this.dim;
    const hits: Hit[] = [];
    for (let p = 0; p < this.passageCount; p++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += vector[d]! * this.vectors[p * D + d]!;
      hits.push({ index: p, score: s });
    }
    return hits.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k);
  }

  /** Cosine of one passage with the question vector. */
  cosine(vector: Float32Array | undefined, index: number): number {
    if (vector === undefined || index >= this.passageCount) return 0;
    let s = 0;
    for (let d = 0; d < this.dim; d++) s += vector[d]! * this.vectors[index * this.dim + d]!;
    return s;
  }

  /** Share of the question's content terms that occur in document `index`. */
  coverage(question: string, index: number): number {
    const q = [...new Set(contentTerms(question))];
    if (q.length === 0) return 0;
    const have = this.terms[index]!;
    return q.filter((t) => have.has(t)).length / q.length;
  }

  /** The passages ranked by `method`. */
  rank(question: string, vector: Float32Array | undefined, method: RetrievalMethod): Hit[] {
    if (method === 'keyword') return this.keyword(question);
    if (method === 'encoder') return this.encoder(vector);
    const s = this.settings;
    const fused = new Map<number, number>();
    const add = (hits: Hit[], w: number): void => hits.forEach((h, r) => fused.set(h.index, (fused.get(h.index) ?? 0) + w / (s.rrfK + r + 1)));
    add(this.keyword(question), s.keywordWeight);
    add(this.encoder(vector), s.encoderWeight);
    return [...fused].map(([index, score]) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index);
  }

  /** Products whose title, category, brand or tags match the question, best first. */
  matchProducts(question: string, k = 3): (Hit & { coverage: number })[] {
    return this.products.search(question).slice(0, 20)
      .map((r) => ({ index: r.id as number, score: r.score, coverage: this.coverage(question, r.id as number) }))
      .filter((h) => h.coverage >= this.settings.productCoverage)
      .slice(0, k);
  }

  /** Everything the assistant needs to answer `question` (see the file comment). */
  retrieve(question: string, vector: Float32Array | undefined, method: RetrievalMethod = 'hybrid'): Retrieval {
    const ranked = this.rank(question, vector, method);
    const best = ranked[0];
    const cosine = best === undefined ? 0 : this.cosine(vector, best.index);
    const coverage = best === undefined ? 0 : this.coverage(question, best.index);
    const abstain = best === undefined || (cosine < this.settings.minCosine && coverage < this.settings.minCoverage);
    return { ranked, cosine, coverage, abstain, products: this.matchProducts(question) };
  }
}
