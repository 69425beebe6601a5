/**
 * Semantic search over the catalogue on the device, and the visitor's recent searches for the
 * 'for-you' blend. The package's `search.json` (written by `inpage train`) names a catalogue
 * encoder in the transformers.js layout and a search index: the text runs through
 * `engine.pipeline('feature-extraction', …, { pooling: 'mean', normalize: true })` and its vector
 * through the index (cosine with every item vector, filter mask, top-k) via `engine.load`. Both
 * are loaded on the first search only.
 *
 * @example
 * const hits = await rec.search('waterproof tent for two', { k: 8, filter: { maxPrice: 300 } });
 * // → [{ itemId: 'sku-11872', score: 0.83 }, …]
 */
import { InpageError, toInpageError } from '../errors.ts';
import type { Tensor } from '../tensor.ts';
import { EXCLUDED_THRESHOLD, type Candidates } from './candidates.ts';
import type { EngineLike, ModelLike } from './engine-like.ts';
import { ALWAYS_GRANTED, type ConsentGate } from '../privacy/gate.ts';
import { PersonalRecord } from '../privacy/personal-record.ts';
import { fitBytes, isFresh } from '../privacy/retention.ts';
import type { HistoryPrivacy, StorageLike } from './history.ts';
import type { FetchLike } from './load.ts';
import { fileEntry, parseFiles, type FileEntry, type RecommenderItems } from './manifest.ts';
import { fetchPinned, MANIFEST_MAX_BYTES } from './fetch-pinned.ts';
import { evictStale, STALE_KINDS } from './evict.ts';
import { checkModelShape, namedTensors } from './model-check.ts';
import type { Reason } from './reasons.ts';
import type { Step } from './weights.ts';
import { pricePositions, type HybridSettings } from './search-hybrid.ts';
import type { KeywordIndex } from './search-keyword.ts';
import { encoderPins, keywordDocs, parseHybridBlock, parseKeywordBlock, type KeywordBlock } from './search-package.ts';

/** Current `formatVersion` of `search.json`. */
export const SEARCH_FORMAT_VERSION = 1;

/**
 * `search.json`.
 *
 * @example { "format": "inpage-search", "formatVersion": 1, "encoder": { "model": "encoder", "pooling": "mean", "normalize": true },
 *            "index": "search.onnx", "dims": { "items": 2400, "embedding": 64, "vocab": 1100 }, … }
 */
export interface SearchManifest {
  format: 'inpage-search';
  formatVersion: 1;
  /** The encoder folder (relative to search.json, Hugging Face layout) and how to pool it. */
  encoder: { model: string; pooling: 'mean'; normalize: true };
  /** File name of the search index model, relative to search.json. */
  index: string;
  inputs: { query: string; bias: string; k: string };
  outputs: { scores: string; indices: string };
  dims: { items: number; embedding: number; vocab: number };
  /** SHA-256 of the item ids joined by "\n": the item table the index was built for. */
  idsSha256: string;
  /** The keyword half: its text file and settings (absent in packages from before the hybrid: encoder only). */
  keyword?: KeywordBlock;
  /** How the halves are fused (required with `keyword`). */
  hybrid?: HybridSettings;
  files: Record<string, FileEntry>;
  training?: Record<string, unknown>;
}

/** Options of `rec.search()`. */
export interface SearchOptions {
  /** Results. Default 10. */
  k?: number;
  filter?: import('./candidates.ts').RecommendFilter;
  /** Keep the text among the visitor's recent searches (for 'for-you'). Default true. */
  remember?: boolean;
  /**
   * Let the visitor's taste (the for-you model over their tracked history) break near-ties among
   * the results, with a small weight (`hybrid.tasteWeight`). Default false; a no-op without history.
   */
  personalize?: boolean;
  signal?: AbortSignal;
}

/**
 * One search hit. `score` is the fused rank score (higher is better; comparable within one
 * result list only); for a package without a keyword index, the cosine of text and item.
 */
export interface SearchResult {
  itemId: string;
  score: number;
}

/** A stored recent search. */
export interface RecentSearch {
  text: string;
  /** Unix ms. */
  time: number;
}

/** The feature-extraction pipeline the search needs. */
export type EncoderLike = ((texts: string, options: { pooling: 'mean'; normalize: true; signal?: AbortSignal }) => Promise<Tensor>) & { dispose(): Promise<void> };

/** An engine that can run transformers.js pipelines (`createEngine()` returns one). */
export interface PipelineEngineLike extends EngineLike {
  pipeline(task: 'feature-extraction', model: string, options: { modelHost: string; signal?: AbortSignal; cache?: boolean; worker?: string; integrity?: Record<string, string> }): Promise<EncoderLike>;
}

/** Whether the engine has `pipeline()` (fakes in tests may not). */
export function hasPipeline(engine: EngineLike): engine is PipelineEngineLike {
  return typeof (engine as Partial<PipelineEngineLike>).pipeline === 'function';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(where: string, field: string, why: string): never {
  throw new InpageError('MANIFEST_INVALID', `${where}: field '${field}' ${why}. Re-run \`inpage train\` or fix the file.`, { field });
}

/** Validates `search.json`; errors name the field. */
export function parseSearchManifest(json: unknown, where: string): SearchManifest {
  if (!isRecord(json)) bad(where, '(root)', 'must be an object');
  if (json['format'] !== 'inpage-search') bad(where, 'format', `must be "inpage-search", got ${JSON.stringify(json['format'])}`);
  if (json['formatVersion'] !== SEARCH_FORMAT_VERSION) bad(where, 'formatVersion', `must be ${SEARCH_FORMAT_VERSION} (this SDK's format), got ${JSON.stringify(json['formatVersion'])}`);
  const enc = json['encoder'];
  if (!isRecord(enc) || typeof enc['model'] !== 'string' || enc['model'] === '') bad(where, 'encoder.model', 'must name the encoder folder');
  if (enc['pooling'] !== 'mean' || enc['normalize'] !== true) bad(where, 'encoder', 'must say { pooling: "mean", normalize: true }');
  if (typeof json['index'] !== 'string' || json['index'] === '') bad(where, 'index', 'must name the search index model');
  const names = (key: 'inputs' | 'outputs', fields: readonly string[]): Record<string, string> => {
    const o = json[key];
    if (!isRecord(o)) bad(where, key, 'must be an object of tensor names');
    for (const f of fields) if (typeof o[f] !== 'string') bad(where, `${key}.${f}`, 'must be a tensor name');
    return o as Record<string, string>;
  };
  const inputs = names('inputs', ['query', 'bias', 'k']);
  const outputs = names('outputs', ['scores', 'indices']);
  const dims = json['dims'];
  if (!isRecord(dims)) bad(where, 'dims', 'must be an object');
  for (const f of ['items', 'embedding', 'vocab']) {
    const v = dims[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) bad(where, `dims.${f}`, `must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (typeof json['idsSha256'] !== 'string') bad(where, 'idsSha256', 'must be a hex SHA-256');
  const rawFiles = json['files'];
  if (!isRecord(rawFiles)) bad(where, 'files', 'must be an object');
  const files = parseFiles(rawFiles, where);
  if (fileEntry(files, json['index'] as string) === undefined) bad(where, `files.${json['index'] as string}`, 'is missing (every artifact needs a hash)');
  const keyword = parseKeywordBlock(json['keyword'], where);
  if (keyword !== undefined && fileEntry(files, keyword.file) === undefined) bad(where, `files.${keyword.file}`, 'is missing (every artifact needs a hash)');
  const hybrid = parseHybridBlock(json['hybrid'], where);
  if ((keyword === undefined) !== (hybrid === undefined)) bad(where, keyword === undefined ? 'keyword' : 'hybrid', 'must come with the other (keyword and hybrid)');
  return {
    format: 'inpage-search', formatVersion: 1,
    encoder: { model: enc['model'] as string, pooling: 'mean', normalize: true },
    index: json['index'] as string,
    inputs: { query: inputs['query']!, bias: inputs['bias']!, k: inputs['k']! },
    outputs: { scores: outputs['scores']!, indices: outputs['indices']! },
    dims: { items: dims['items'] as number, embedding: dims['embedding'] as number, vocab: dims['vocab'] as number },
    idsSha256: json['idsSha256'] as string,
    ...(keyword === undefined || hybrid === undefined ? {} : { keyword, hybrid }),
    files,
  };
}

async function sha256Text(text: string): Promise<string | undefined> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle === undefined) return undefined;
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A loaded search: encoder pipeline + index model. */
export interface LoadedSearch {
  manifest: SearchManifest;
  /** The normalised vector of `text`, or undefined when no word of it is known to the encoder. */
  encode(text: string, signal?: AbortSignal): Promise<Float32Array | undefined>;
  /** The keyword index (built on the page from keywords.json), when the package has one. */
  keyword: KeywordIndex | undefined;
  /** Each item's price position within its category (0 cheapest … 1 dearest), for price words. */
  pricePos: Float32Array;
  /** Top `k` allowed items for a query vector. */
  top(vector: Float32Array, cand: Candidates, k: number, signal?: AbortSignal): Promise<{ index: number; score: number }[]>;
  dispose(): Promise<void>;
}

/**
 * Loads `search.json`, the index (through `engine.load`, SHA-256 checked) and the encoder
 * (through `engine.pipeline`, from the folder next to search.json). `cache: false` keeps both
 * out of the engine's model cache.
 */
/**
 * The engine worker the search encoder and index live in by default: a worker of their own, so
 * loading them (the encoder's first run compiles new kernels, a block of up to seconds in one
 * ORT call) never freezes recommendations (bench scenario 7).
 */
export const SEARCH_WORKER = 'search';

export async function loadSearch(engine: EngineLike, url: string, fetchFn: FetchLike, items: RecommenderItems, signal?: AbortSignal, cache = true, worker: string = SEARCH_WORKER): Promise<LoadedSearch> {
  if (!hasPipeline(engine)) {
    throw new InpageError('OPTION_INVALID', 'rec.search() needs an engine with pipeline() (createEngine() from inpage); the engine given to createRecommender has none.');
  }
  let bytes: Uint8Array;
  try {
    bytes = await fetchPinned(fetchFn, { url, what: 'search manifest', pin: undefined, maxBytes: MANIFEST_MAX_BYTES, signal, cache: 'no-cache' });
  } catch (e) {
    if (e instanceof InpageError && e.details?.['status'] === 404) throw new InpageError('NOT_FOUND', `This recommender package has no search index (${url} answered 404). Train it with \`inpage train\` from a version that writes search.json.`, { url, status: 404 });
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new InpageError('MANIFEST_INVALID', `${url} is not valid JSON (${(e as Error).message}).`);
  }
  const manifest = parseSearchManifest(json, url);
  if (manifest.dims.items !== items.ids.length) {
    throw new InpageError('CATALOG_INVALID', `${url} indexes ${manifest.dims.items} items but the recommender's item table has ${items.ids.length}: the files come from different training runs. Re-deploy them together.`);
  }
  const ids = await sha256Text(items.ids.join('\n'));
  if (ids !== undefined && ids !== manifest.idsSha256) {
    throw new InpageError('CATALOG_INVALID', `${url} was built for a different item table (ids hash ${manifest.idsSha256.slice(0, 12)}…, the loaded table's is ${ids.slice(0, 12)}…). Re-deploy the package from one training run.`);
  }
  const base = new URL('./', url).href;
  const indexUrl = new URL(manifest.index, url).href;
  const sha = fileEntry(manifest.files, manifest.index)!.sha256;
  // Without consent nothing goes to the model cache either (docs/PRIVACY.md).
  const integrity = encoderPins(manifest.encoder.model, manifest.files);
  // One load: the first part to fail stops the others' downloads.
  const parts = new AbortController();
  const stop = (): void => parts.abort(signal?.reason);
  signal?.addEventListener('abort', stop, { once: true });
  let first: Error | undefined;
  const opts = { signal: parts.signal, ...(cache ? {} : { cache: false }), worker };
  const [model, encoder, keyword] = await Promise.all([
    engine.load({ url: indexUrl, sha256: sha }, { ...opts, maxBytes: Math.max(1, fileEntry(manifest.files, manifest.index)!.bytes) }),
    engine.pipeline('feature-extraction', manifest.encoder.model, { modelHost: `${base}{model}/`, ...opts, integrity }),
    manifest.keyword === undefined ? Promise.resolve(undefined) : loadKeywordIndex(manifest, url, fetchFn, items, parts.signal),
  ].map((p) => p.catch((e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    first ??= err; // the cause; the others then fail as aborted
    parts.abort();
    return err;
  }))) as [ModelLike | Error, EncoderLike | Error, KeywordIndex | undefined | Error];
  signal?.removeEventListener('abort', stop);
  if (model instanceof Error || encoder instanceof Error || keyword instanceof Error) {
    if (!(model instanceof Error)) await model.dispose().catch(() => {});
    if (!(encoder instanceof Error)) await encoder.dispose().catch(() => {});
    if (first instanceof InpageError) throw first;
    throw toInpageError(first, 'MODEL_INVALID', 'Loading the search index');
  }
  try {
    checkModelShape(model, namedTensors(manifest.inputs, manifest.outputs, {
      query: { size: manifest.dims.embedding, field: 'dims.embedding' }, bias: { size: manifest.dims.items, field: 'dims.items' },
    }), url, indexUrl);
  } catch (e) {
    await Promise.all([model.dispose(), encoder.dispose()]).catch(() => {});
    throw e;
  }
  if (cache) void evictStale(engine, base, STALE_KINDS.search, new Set([indexUrl, ...Object.keys(integrity).map((p) => new URL(`${manifest.encoder.model}/${p}`, base).href)]));
  const D = manifest.dims.embedding;
  return {
    manifest,
    keyword,
    pricePos: pricePositions(items.price, items.category),
    async encode(text, sig) {
      const out = await encoder(text, sig === undefined ? { pooling: 'mean', normalize: true } : { pooling: 'mean', normalize: true, signal: sig });
      if (out.type !== 'float32' || out.data.length !== D) {
        throw new InpageError('RUN_FAILED', `The search encoder returned ${out.type} [${out.dims.join(', ')}], expected float32 [1, ${D}]; is ${manifest.encoder.model}/ the encoder search.json was written for?`);
      }
      const v = out.data as Float32Array;
      let n = 0;
      for (const x of v) n += x * x;
      // No known word: the pooled vector is zero (or 0/0).
      return Number.isFinite(n) && n > 1e-12 ? v : undefined;
    },
    async top(vector, cand, k, sig) {
      const kk = Math.min(k, cand.allowed, manifest.dims.items);
      if (kk <= 0) return [];
      const feeds: Record<string, Tensor> = {
        [manifest.inputs.query]: { type: 'float32', dims: [1, D], data: vector.slice() },
        [manifest.inputs.bias]: { type: 'float32', dims: [1, manifest.dims.items], data: cand.bias.slice() },
        [manifest.inputs.k]: { type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(kk)) },
      };
      const out = await model.run(feeds, sig === undefined ? {} : { signal: sig });
      const idx = out[manifest.outputs.indices];
      const sc = out[manifest.outputs.scores];
      if (idx?.type !== 'int64' || sc?.type !== 'float32') throw new InpageError('RUN_FAILED', `The search index did not return '${manifest.outputs.indices}' (int64) and '${manifest.outputs.scores}' (float32).`);
      const result: { index: number; score: number }[] = [];
      for (let r = 0; r < idx.data.length; r++) {
        const score = Number(sc.data[r] ?? -Infinity);
        if (score > EXCLUDED_THRESHOLD) result.push({ index: Number(idx.data[r]), score });
      }
      return result;
    },
    async dispose() {
      await Promise.all([model.dispose(), encoder.dispose()]);
    },
  };
}

/**
 * Fetches keywords.json (SHA-256 checked when the manifest lists it) and builds the keyword
 * index on the page. MiniSearch is imported here, on the first search, so pages that only
 * recommend never download it.
 */
async function loadKeywordIndex(manifest: SearchManifest, searchUrl: string, fetchFn: FetchLike, items: RecommenderItems, signal?: AbortSignal): Promise<KeywordIndex> {
  const block = manifest.keyword!;
  const url = new URL(block.file, searchUrl).href;
  const bytes = await fetchPinned(fetchFn, { url, what: 'keyword index text', pin: fileEntry(manifest.files, block.file), signal });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new InpageError('CATALOG_INVALID', `${url} is not valid JSON (${(e as Error).message}).`);
  }
  const docs = keywordDocs(json, items, url);
  const { KeywordIndex } = await import('./search-keyword.ts');
  return KeywordIndex.build(docs, block.settings);
}

/**
 * The visitor's recent searches, newest last, capped, in storage next to the event history,
 * behind the same consent gate and retention as the history (see history.ts).
 */
export class RecentSearches {
  readonly #record: PersonalRecord;
  readonly #consent: ConsentGate;
  readonly #privacy: HistoryPrivacy;

  constructor(storage: StorageLike | null, key: string, private readonly cap = 10, privacy: HistoryPrivacy = {}) {
    this.#consent = privacy.consent ?? ALWAYS_GRANTED;
    this.#record = new PersonalRecord(storage, key, this.#consent);
    this.#privacy = privacy;
  }

  /** The storage key. */
  get key(): string {
    return this.#record.key;
  }

  /** Drops the in-memory copy (before an origin-wide sweep removes the stored one). */
  dropMemory(): void {
    this.#record.dropMemory();
  }

  all(): RecentSearch[] {
    const text = this.#record.read();
    if (text === null) return [];
    let list: RecentSearch[];
    try {
      const parsed = JSON.parse(text) as unknown;
      list = Array.isArray(parsed) ? parsed.filter((s): s is RecentSearch => isRecord(s) && typeof s['text'] === 'string' && typeof s['time'] === 'number' && Number.isFinite(s['time'])) : [];
    } catch {
      list = [];
    }
    const retention = this.#privacy.retention;
    if (retention === undefined) return list;
    const now = (this.#privacy.now ?? Date.now)();
    const fresh = list.filter((s) => isFresh(s.time, now, retention));
    if (fresh.length === 0) this.#record.remove();
    else if (fresh.length < list.length) this.#write(fresh);
    return fresh;
  }

  #write(list: RecentSearch[]): void {
    const retention = this.#privacy.retention;
    this.#record.write(retention === undefined ? JSON.stringify(list) : fitBytes(list, (l) => JSON.stringify(l), retention.maxBytes).text);
  }

  /** Remembers `text` (newest last). Without consent nothing is kept, not even in memory. */
  add(text: string, time: number): void {
    if (!this.#consent.granted()) return;
    this.#write([...this.all().filter((s) => s.text !== text), { text, time }].slice(-this.cap));
  }

  /** Erases the searches from storage and memory. True when they are gone. */
  clear(): boolean {
    return this.#record.remove();
  }
}

/** A pseudo history step standing for a search, with the text it came from. */
export interface SearchStep extends Step {
  query: string;
}

/**
 * Recent searches as history steps for 'for-you': each of the newest `searches` (up to 3)
 * contributes its top `perSearch` items as views at the time of the search, so the model's
 * usual weighting (recency, step decay) blends them with what the visitor looked at.
 */
export async function searchSteps(search: LoadedSearch, searches: readonly RecentSearch[], cand: Candidates, opts: { perSearch?: number; maxSearches?: number; signal?: AbortSignal | undefined } = {}): Promise<SearchStep[]> {
  const out: SearchStep[] = [];
  for (const s of searches.slice(-(opts.maxSearches ?? 3))) {
    const v = await search.encode(s.text, opts.signal);
    if (v === undefined) continue;
    for (const hit of await search.top(v, cand, opts.perSearch ?? 3, opts.signal)) out.push({ item: hit.index, code: 0, time: s.time, query: s.text });
  }
  return out;
}

/** "Because you searched for …" when a search step shares the candidate's category. */
export function searchReason(items: RecommenderItems, steps: readonly SearchStep[], candidate: number): Reason | undefined {
  const cat = items.category[candidate] ?? -1;
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (items.category[s.item] === cat) return { text: `Because you searched for “${s.query}”`, basis: 'history' };
  }
  return undefined;
}
