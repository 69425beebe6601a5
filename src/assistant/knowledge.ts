/**
 * The knowledge package `inpage index-pages` writes (tools/knowledge) and the assistant reads:
 *
 *   knowledge.json        this manifest: where the rest is, sizes and SHA-256 of every file,
 *                         retrieval settings chosen on the eval's validation split
 *   passages.json         help-page sections and catalogue products as retrievable documents
 *   passage-vectors.bin   float32 [passages, dim]: each help passage's vector from the encoder
 *   encoder/              the question encoder (transformers.js layout, feature-extraction)
 *
 * Pure: parsing and validation only; errors name the field.
 */
import { InpageError } from '../errors.ts';

/** Current `formatVersion`. */
export const KNOWLEDGE_FORMAT_VERSION = 1;

/** One retrievable document. */
export interface KnowledgeDoc {
  /** `page#section` for passages, the item id for products. */
  id: string;
  kind: 'passage' | 'product';
  /** Page title (passages) or product title. */
  title: string;
  /** Section heading (passages); category name (products). */
  heading: string;
  text: string;
  /** Link to the source (relative to the page, or absolute). */
  url: string;
  /** Products: catalogue facts at build time (the live values come from the catalogue). */
  itemId?: string;
  brand?: string;
  tags?: string[];
}

/** How the assistant retrieves and when it abstains (the builder writes the tuned values). */
export interface RetrievalSettings {
  /** Reciprocal-rank fusion offset and the halves' weights. */
  rrfK: number;
  keywordWeight: number;
  encoderWeight: number;
  /** Candidates each half contributes. */
  depth: number;
  /** Answer only when the best passage's cosine reaches this, or … */
  minCosine: number;
  /** … the share of the question's content terms found in the best passage reaches this. */
  minCoverage: number;
  /** Products are shown when this share of the question's terms match a product's title, category or tags. */
  productCoverage: number;
}

/** `knowledge.json`. */
export interface KnowledgeManifest {
  format: 'inpage-knowledge';
  formatVersion: 1;
  passages: string;
  vectors: string;
  encoder: { model: string; pooling: 'mean'; normalize: true };
  dims: { passages: number; products: number; embedding: number };
  retrieval: RetrievalSettings;
  /** Where live prices and stock come from (relative to knowledge.json), when the package has products. */
  catalog?: string;
  files: Record<string, { bytes: number; sha256: string }>;
  built?: Record<string, string | number>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(where: string, field: string, why: string): never {
  throw new InpageError('MANIFEST_INVALID', `${where}: field '${field}' ${why}. Re-run \`inpage index-pages\` or fix the file.`, { field });
}

const SETTINGS: readonly (keyof RetrievalSettings)[] = ['rrfK', 'keywordWeight', 'encoderWeight', 'depth', 'minCosine', 'minCoverage', 'productCoverage'];

/** Validates `knowledge.json`. */
export function parseKnowledgeManifest(json: unknown, where: string): KnowledgeManifest {
  if (!isRecord(json)) bad(where, '(root)', 'must be an object');
  if (json['format'] !== 'inpage-knowledge') bad(where, 'format', `must be "inpage-knowledge", got ${JSON.stringify(json['format'])}`);
  if (json['formatVersion'] !== KNOWLEDGE_FORMAT_VERSION) bad(where, 'formatVersion', `must be ${KNOWLEDGE_FORMAT_VERSION}, got ${JSON.stringify(json['formatVersion'])}`);
  for (const f of ['passages', 'vectors'] as const) if (typeof json[f] !== 'string' || json[f] === '') bad(where, f, 'must name a file');
  const enc = json['encoder'];
  if (!isRecord(enc) || typeof enc['model'] !== 'string' || enc['pooling'] !== 'mean' || enc['normalize'] !== true) bad(where, 'encoder', 'must be { model, pooling: "mean", normalize: true }');
  const dims = json['dims'];
  if (!isRecord(dims)) bad(where, 'dims', 'must be an object');
  for (const f of ['passages', 'products', 'embedding']) {
    const v = dims[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad(where, `dims.${f}`, `must be an integer ≥ 0, got ${JSON.stringify(v)}`);
  }
  const r = json['retrieval'];
  if (!isRecord(r)) bad(where, 'retrieval', 'must be an object');
  for (const f of SETTINGS) if (typeof r[f] !== 'number' || !Number.isFinite(r[f])) bad(where, `retrieval.${f}`, 'must be a number');
  if (json['catalog'] !== undefined && typeof json['catalog'] !== 'string') bad(where, 'catalog', 'must be a URL');
  const files = json['files'];
  if (!isRecord(files)) bad(where, 'files', 'must be an object');
  return json as unknown as KnowledgeManifest;
}

/** Validates `passages.json` against the manifest. */
export function parseDocs(json: unknown, manifest: KnowledgeManifest, where: string): KnowledgeDoc[] {
  const list = isRecord(json) ? json['docs'] : undefined;
  if (!Array.isArray(list)) bad(where, 'docs', 'must be an array');
  const docs = list.map((d: unknown, i): KnowledgeDoc => {
    if (!isRecord(d)) bad(where, `docs[${i}]`, 'must be an object');
    for (const f of ['id', 'title', 'heading', 'text', 'url']) if (typeof d[f] !== 'string') bad(where, `docs[${i}].${f}`, 'must be a string');
    if (d['kind'] !== 'passage' && d['kind'] !== 'product') bad(where, `docs[${i}].kind`, 'must be "passage" or "product"');
    return d as unknown as KnowledgeDoc;
  });
  const passages = docs.filter((d) => d.kind === 'passage').length;
  if (passages !== manifest.dims.passages || docs.length - passages !== manifest.dims.products) {
    throw new InpageError('MANIFEST_INVALID', `${where} holds ${passages} passages and ${docs.length - passages} products, knowledge.json says ${manifest.dims.passages} and ${manifest.dims.products}: the files come from different builds.`);
  }
  // Passages first, in the order of the vector rows.
  if (docs.slice(0, passages).some((d) => d.kind !== 'passage')) bad(where, 'docs', 'must list passages before products');
  return docs;
}
