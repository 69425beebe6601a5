/**
 * `inpage index-pages`: builds a knowledge package (src/assistant/knowledge.ts) from a folder of
 * help pages and, optionally, the catalogue:
 *
 *   - passages: one per page section (pages.ts); products: one per catalogue item (title,
 *     category name, brand, tags, description);
 *   - the question encoder: the catalogue encoder's trainer (tools/encoder/train-encoder.ts) on the
 *     passages alone — token vectors learned so that random word subsets of a passage land on that
 *     passage (no recommender vectors here: `recDim` 0, the passage's own text is its target) —
 *     written in the transformers.js layout like the search encoder;
 *   - passage vectors, and knowledge.json with every file's size and SHA-256.
 * Same inputs and seed → identical bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KnowledgeDoc, KnowledgeManifest, RetrievalSettings } from '../../src/assistant/knowledge.ts';
import type { ItemText } from '../encoder/catalog-text.ts';
import { encoderFiles } from '../encoder/export.ts';
import { writeHfFolder } from '../encoder/hf-layout.ts';
import { DEFAULT_ENCODER_OPTIONS, fitEncoder, type EncoderFit, type EncoderOptions } from '../encoder/train-encoder.ts';
import { sha256Hex } from '../onnx/sha256.ts';
import { readPages } from './pages.ts';

/**
 * Retrieval settings `index-pages` writes. Chosen on the validation half of the assistant eval's
 * questions (tools/eval/assistant.ts, `inpage eval` reports the other half): see docs/CHAT.md.
 */
export const DEFAULT_RETRIEVAL: Readonly<RetrievalSettings> = Object.freeze({
  rrfK: 30, keywordWeight: 1, encoderWeight: 0.25, depth: 20, minCosine: 0.8, minCoverage: 0.34, productCoverage: 0.5,
});

/**
 * The passage encoder's training settings: the catalogue encoder's, adapted to a few dozen
 * passages (a full softmax over all of them, many more views per passage and epochs).
 */
export const PASSAGE_ENCODER_OPTIONS: Readonly<EncoderOptions> = Object.freeze({
  ...DEFAULT_ENCODER_OPTIONS, epochs: 30, views: 24, negatives: 0, textDim: 64, recWeight: 0, textWeight: 1, refresh: 64, sameCategory: 0, vocabSize: 2000, maxLength: 64,
});

/** Passages as the encoder trainer's item texts (the page is the "category"). */
export function passageTexts(passages: readonly KnowledgeDoc[]): ItemText[] {
  return passages.map((p) => ({ id: p.id, title: p.heading, description: p.text, brand: '', category: p.id.split('#')[0]!, categoryName: p.title, tags: [], price: 0 }));
}

/** Fits the question encoder on `passages`. */
export function fitPassageEncoder(passages: readonly KnowledgeDoc[], opts: Partial<EncoderOptions> = {}): EncoderFit {
  return fitEncoder(passageTexts(passages), new Float32Array(0), 0, { ...PASSAGE_ENCODER_OPTIONS, ...opts });
}

/** Catalogue products as documents. */
export function productDocs(catalog: unknown, linkTemplate: string): KnowledgeDoc[] {
  const rec = catalog as { products?: unknown; categories?: { id: string; name: string }[] } | unknown[];
  const list = Array.isArray(rec) ? rec : rec.products;
  if (!Array.isArray(list)) throw new Error('index-pages: the catalogue must be { products: [...] } or an array');
  const names = new Map((Array.isArray(rec) ? [] : rec.categories ?? []).map((c) => [c.id, c.name]));
  return list.map((p: Record<string, unknown>) => {
    const id = String(p['id']);
    const category = String(p['category'] ?? '');
    return {
      id, kind: 'product', itemId: id, title: String(p['title'] ?? id), heading: names.get(category) ?? category, text: String(p['description'] ?? ''),
      url: linkTemplate.replaceAll('{id}', encodeURIComponent(id)), brand: String(p['brand'] ?? ''),
      tags: Array.isArray(p['tags']) ? (p['tags'] as unknown[]).map((t) => String(t).replace(/-/g, ' ')) : [],
    };
  });
}

/** Options of {@link buildKnowledge}. */
export interface BuildKnowledgeOptions {
  pagesDir: string;
  outDir: string;
  /** Link of a help page, `{page}` = its file name without extension. Default `'/help/{page}'`. */
  pageLink?: string;
  /** Catalogue JSON (parsed) and a product link with `{id}`. */
  catalog?: unknown;
  productLink?: string;
  /** Where live prices and stock are read, relative to knowledge.json (written into it). */
  catalogUrl?: string;
  seed?: number;
  retrieval?: Partial<RetrievalSettings>;
}

/** What {@link buildKnowledge} wrote. */
export interface KnowledgeSummary {
  manifest: KnowledgeManifest;
  docs: KnowledgeDoc[];
  fit: EncoderFit;
  seconds: number;
}

/**
 * Builds and writes the package.
 *
 * @example await buildKnowledge({ pagesDir: 'public/help', outDir: 'public/knowledge', catalog, productLink: '#/p/{id}', catalogUrl: '../shop/catalog.json' });
 */
export async function buildKnowledge(o: BuildKnowledgeOptions): Promise<KnowledgeSummary> {
  const t0 = performance.now();
  const passages = await readPages(o.pagesDir, o.pageLink ?? '/help/{page}');
  const products = o.catalog === undefined ? [] : productDocs(o.catalog, o.productLink ?? '/p/{id}');
  const fit = fitPassageEncoder(passages, o.seed === undefined ? {} : { seed: o.seed });
  const D = fit.weights.dim;
  const docs = [...passages, ...products];
  const files: Record<string, Uint8Array> = {
    'passages.json': new TextEncoder().encode(`${JSON.stringify({ docs })}\n`),
    'passage-vectors.bin': new Uint8Array(fit.targets.buffer, fit.targets.byteOffset, fit.targets.byteLength),
  };
  await mkdir(o.outDir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(o.outDir, name), bytes);
  const enc = await writeHfFolder(join(o.outDir, 'encoder'), encoderFiles(fit.weights));
  const entries: KnowledgeManifest['files'] = {};
  for (const [name, bytes] of Object.entries(files)) entries[name] = { bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
  for (const e of enc) entries[`encoder/${e.path}`] = { bytes: e.bytes, sha256: e.sha256 };
  const manifest: KnowledgeManifest = {
    format: 'inpage-knowledge', formatVersion: 1, passages: 'passages.json', vectors: 'passage-vectors.bin',
    encoder: { model: 'encoder', pooling: 'mean', normalize: true },
    dims: { passages: passages.length, products: products.length, embedding: D },
    retrieval: { ...DEFAULT_RETRIEVAL, ...o.retrieval },
    ...(o.catalogUrl === undefined ? {} : { catalog: o.catalogUrl }),
    files: entries,
    built: { pages: new Set(passages.map((p) => p.id.split('#')[0])).size, vocab: fit.weights.vocab.tokens.length, seed: o.seed ?? PASSAGE_ENCODER_OPTIONS.seed },
  };
  await writeFile(join(o.outDir, 'knowledge.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, docs, fit, seconds: (performance.now() - t0) / 1000 };
}
