/**
 * The keyword half's part of the search package: the `keyword` and `hybrid` blocks of
 * `search.json` and the `keywords.json` file (description, brand and tags per item; titles and
 * category names come from items.json). Validators name the bad field, like manifest.ts.
 * Packages written before these existed have neither: `rec.search()` then runs the encoder alone.
 */
import { InpageError } from '../errors.ts';
import type { FileEntry, RecommenderItems } from './manifest.ts';
import type { HybridSettings } from './search-hybrid.ts';
import { KEYWORD_FIELDS, type KeywordDoc, type KeywordSettings } from './search-fields.ts';

/** `search.json`'s `keyword` block. */
export interface KeywordBlock {
  /** File name of keywords.json, relative to search.json. */
  file: string;
  settings: KeywordSettings;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(where: string, field: string, why: string): never {
  throw new InpageError('MANIFEST_INVALID', `${where}: field '${field}' ${why}. Re-run \`inpage train\` or fix the file.`, { field });
}

function num(where: string, o: Record<string, unknown>, key: string, path: string, min: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) bad(where, path, `must be a number ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function obj(where: string, o: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
  const v = o[key];
  if (!isRecord(v)) bad(where, path, 'must be an object');
  return v;
}

/** Validates the `keyword` block (undefined when absent). */
export function parseKeywordBlock(json: unknown, where: string): KeywordBlock | undefined {
  if (json === undefined) return undefined;
  if (!isRecord(json)) bad(where, 'keyword', 'must be an object');
  if (typeof json['file'] !== 'string' || json['file'] === '') bad(where, 'keyword.file', 'must name keywords.json');
  const s = obj(where, json, 'settings', 'keyword.settings');
  const boost = obj(where, s, 'boost', 'keyword.settings.boost');
  const weights = obj(where, s, 'weights', 'keyword.settings.weights');
  const bm25 = obj(where, s, 'bm25', 'keyword.settings.bm25');
  if (typeof s['prefix'] !== 'boolean') bad(where, 'keyword.settings.prefix', 'must be true or false');
  return {
    file: json['file'],
    settings: {
      boost: Object.fromEntries(KEYWORD_FIELDS.map((f) => [f, num(where, boost, f, `keyword.settings.boost.${f}`, 0)])) as KeywordSettings['boost'],
      fuzzy: num(where, s, 'fuzzy', 'keyword.settings.fuzzy', 0),
      prefix: s['prefix'],
      weights: { fuzzy: num(where, weights, 'fuzzy', 'keyword.settings.weights.fuzzy', 0), prefix: num(where, weights, 'prefix', 'keyword.settings.weights.prefix', 0) },
      bm25: { k: num(where, bm25, 'k', 'keyword.settings.bm25.k', 0), b: num(where, bm25, 'b', 'keyword.settings.bm25.b', 0), d: num(where, bm25, 'd', 'keyword.settings.bm25.d', 0) },
    },
  };
}

/** Validates the `hybrid` block (undefined when absent). */
export function parseHybridBlock(json: unknown, where: string): HybridSettings | undefined {
  if (json === undefined) return undefined;
  if (!isRecord(json)) bad(where, 'hybrid', 'must be an object');
  const depth = num(where, json, 'depth', 'hybrid.depth', 1);
  if (!Number.isInteger(depth)) bad(where, 'hybrid.depth', `must be an integer, got ${depth}`);
  return {
    rrfK: num(where, json, 'rrfK', 'hybrid.rrfK', 0),
    keywordWeight: num(where, json, 'keywordWeight', 'hybrid.keywordWeight', 0),
    encoderWeight: num(where, json, 'encoderWeight', 'hybrid.encoderWeight', 0),
    encoderWeightUnmatched: num(where, json, 'encoderWeightUnmatched', 'hybrid.encoderWeightUnmatched', 0),
    depth,
    minCosine: num(where, json, 'minCosine', 'hybrid.minCosine', -1),
    minCosineAlone: num(where, json, 'minCosineAlone', 'hybrid.minCosineAlone', -1),
    priceWeight: num(where, json, 'priceWeight', 'hybrid.priceWeight', 0),
    tasteWeight: num(where, json, 'tasteWeight', 'hybrid.tasteWeight', 0),
  };
}

/**
 * Parses keywords.json and joins it with the item table into one {@link KeywordDoc} per item.
 * Rejects with `CATALOG_INVALID` when its lists do not match the item table's length.
 */
export function keywordDocs(json: unknown, items: RecommenderItems, where: string): KeywordDoc[] {
  if (!isRecord(json) || json['format'] !== 'inpage-search-keywords') throw new InpageError('CATALOG_INVALID', `${where} is not an inpage-search-keywords file. Re-deploy the package from one training run.`);
  const N = items.ids.length;
  const list = (key: 'description' | 'brand' | 'tags'): string[] => {
    const v = json[key];
    if (!Array.isArray(v) || v.length !== N || !v.every((x) => typeof x === 'string')) {
      throw new InpageError('CATALOG_INVALID', `${where}: '${key}' must list ${N} strings (one per item of items.json), got ${Array.isArray(v) ? `${v.length} entries` : typeof v}. Re-deploy the package from one training run.`, { field: key });
    }
    return v as string[];
  };
  const description = list('description');
  const brand = list('brand');
  const tags = list('tags');
  return items.ids.map((_, j) => ({
    title: items.titles[j] ?? '', description: description[j]!, brand: brand[j]!,
    category: items.categories[items.category[j] ?? -1]?.name ?? '', tags: tags[j]!,
  }));
}

/**
 * The encoder's files as search.json lists them (`encoder/tokenizer.json` → its hash), relative
 * to the encoder folder: the pipeline then fetches only these, each checked against its hash.
 */
export function encoderPins(folder: string, files: Readonly<Record<string, FileEntry>>): Record<string, string> {
  const prefix = `${folder}/`;
  const pins: Record<string, string> = {};
  for (const [name, entry] of Object.entries(files)) if (name.startsWith(prefix)) pins[name.slice(prefix.length)] = entry.sha256;
  if (Object.keys(pins).length === 0) throw new InpageError('MANIFEST_INVALID', `search.json lists no files under '${prefix}': the encoder's files need their hashes. Re-run \`inpage train\`.`, { field: 'files' });
  return pins;
}
