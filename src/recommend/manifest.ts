/**
 * The recommender package as the trainer writes it and the page reads it: `manifest.json`
 * (format, dims, weighting, file hashes) and `items.json` (index → id, what filters need,
 * trending scores, learned complementary categories). The validators name the bad field, so a
 * hand-edited or truncated file fails with a message that says where.
 */
import { InpageError } from '../errors.ts';
import { EVENT_TYPES, type Weighting } from './weights.ts';

/**
 * Current `formatVersion`. Version 2 models read the transition component from the last history
 * slots, so they need right-aligned histories (`fillWeights`): an SDK that predates them refuses
 * them. This SDK reads versions 1 and 2 (version 1 models only sum the history, in any order).
 */
export const RECOMMENDER_FORMAT_VERSION = 2 as const;

/** Versions this SDK reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2];

/** Size and hash of one packaged file. */
export interface FileEntry {
  bytes: number;
  /** Lower-case hex SHA-256. */
  sha256: string;
}

/**
 * `manifest.json`.
 *
 * @example
 * { "format": "inpage-recommender", "formatVersion": 2, "model": "recommender.onnx", "items": "items.json",
 *   "dims": { "items": 2400, "embedding": 32, "history": 20 }, "k": 10, ... }
 */
export interface RecommenderManifest {
  format: 'inpage-recommender';
  formatVersion: 1 | 2;
  /** File name of the ONNX model, relative to the manifest. */
  model: string;
  /** File name of the item table, relative to the manifest. */
  items: string;
  /** Graph tensor names. */
  inputs: { items: string; weights: string; bias: string; k: string };
  outputs: { scores: string; indices: string };
  /** N items, D embedding size, L history slots the page fills. */
  dims: { items: number; embedding: number; history: number };
  /** Default list length; the graph's `k` input accepts 1..dims.items. */
  k: number;
  /** How the page turns history into weights (same as training). */
  weighting: Weighting;
  /** Every artifact but the manifest: name → bytes and SHA-256. */
  files: Record<string, FileEntry>;
  /** Facts about the training run (informational; the page does not read them). */
  training?: Record<string, unknown>;
  /** An A/B experiment (validated by `createRecommender`; see docs/EXPERIMENTS.md). */
  experiment?: unknown;
  /** Merchandising rules for every list (validated by `createRecommender`; see docs/EXPERIMENTS.md). */
  rules?: unknown;
}

/** `items.json`: columns indexed by the model's item index. */
export interface RecommenderItems {
  format: 'inpage-recommender-items';
  version: 1;
  ids: string[];
  titles: string[];
  /** Index into `categories`. */
  category: number[];
  price: number[];
  /** 1 in stock, 0 not. */
  inStock: number[];
  /** Categories with their learned complements as [category index, share of moves]. */
  categories: { id: string; name: string; complements: [number, number][] }[];
  /** Time-decayed popularity at `asOf` (ISO time). */
  trending: { asOf: string; halfLifeDays: number; scores: number[] };
  /**
   * Brands and tags for merchandising rules that match on them (rules.ts), when the catalogue
   * had any: `brand[j]` indexes `brands` (-1: none), `tags[j]` lists indices into `tagNames`.
   * Absent in packages trained before it existed; `createRecommender({ itemFacts })` overrides.
   */
  facts?: { brands: string[]; brand: number[]; tagNames: string[]; tags: number[][] };
}

type Code = 'MANIFEST_INVALID' | 'CATALOG_INVALID';

/** Whether `v` can be an item id: a non-empty string that is not a dot path segment. */
export function isItemId(v: unknown): v is string {
  return typeof v === 'string' && v !== '' && v !== '.' && v !== '..';
}

function bad(code: Code, where: string, field: string, why: string): never {
  throw new InpageError(code, `${where}: field '${field}' ${why}. Re-run \`inpage train\` or fix the file.`, { field });
}

/**
 * `bytes` (UTF-8 JSON) parsed, or `code` saying the file at `where` is not JSON. Shared by the page
 * and the worker (which parses large item tables, worker/item-table.ts).
 */
export function parseJsonBytes(bytes: Uint8Array, where: string, code: Code): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new InpageError(code, `${where} is not valid JSON (${(e as Error).message}).`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `obj[key]` when `obj` has it as its own property, else undefined: a parsed file's missing
 * field must never be answered by `Object.prototype` (`constructor`, `toString`, `__proto__`).
 */
export function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function num(code: Code, where: string, obj: Record<string, unknown>, key: string, path: string, min = -Infinity): number {
  const v = own(obj, key);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) bad(code, where, path, `must be a number ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function int(code: Code, where: string, obj: Record<string, unknown>, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = own(obj, key);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(code, where, path, `must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return v;
}

function str(code: Code, where: string, obj: Record<string, unknown>, key: string, path: string): string {
  const v = own(obj, key);
  if (typeof v !== 'string' || v === '') bad(code, where, path, `must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function rec(code: Code, where: string, obj: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
  const v = own(obj, key);
  if (!isRecord(v)) bad(code, where, path, 'must be an object');
  return v;
}

/** Largest catalogue, embedding and history a package may declare (far above any real shop). */
export const DIM_LIMITS = { items: 5_000_000, embedding: 4096, history: 1000 } as const;

/**
 * Validates a `files` map (name → { bytes, sha256 }) into a null-prototype record, so an
 * artifact named `constructor` or `__proto__` is an ordinary entry: present only when listed.
 */
export function parseFiles(files: Record<string, unknown>, where: string): Record<string, FileEntry> {
  const C: Code = 'MANIFEST_INVALID';
  const out = Object.create(null) as Record<string, FileEntry>;
  for (const [name, entry] of Object.entries(files)) {
    if (!isRecord(entry)) bad(C, where, `files.${name}`, 'must be an object { bytes, sha256 }');
    const sha256 = str(C, where, entry, 'sha256', `files.${name}.sha256`);
    if (!/^[0-9a-f]{64}$/.test(sha256)) bad(C, where, `files.${name}.sha256`, 'must be 64 lower-case hex digits');
    out[name] = { bytes: int(C, where, entry, 'bytes', `files.${name}.bytes`, 0), sha256 };
  }
  return out;
}

/** The entry of artifact `name`, only when `files` lists it as its own. */
export function fileEntry(files: Record<string, FileEntry>, name: string): FileEntry | undefined {
  return Object.hasOwn(files, name) ? files[name] : undefined;
}

/**
 * Validates parsed `manifest.json`; `where` names the source in errors (e.g. the URL).
 * Throws `InpageError('MANIFEST_INVALID')` naming the first bad field.
 */
export function parseManifest(json: unknown, where = 'manifest.json'): RecommenderManifest {
  const C: Code = 'MANIFEST_INVALID';
  if (!isRecord(json)) bad(C, where, '(root)', 'must be a JSON object');
  if (own(json, 'format') !== 'inpage-recommender') bad(C, where, 'format', `must be "inpage-recommender", got ${JSON.stringify(own(json, 'format'))}`);
  const version = own(json, 'formatVersion');
  if (typeof version !== 'number' || !READABLE_VERSIONS.includes(version)) {
    bad(C, where, 'formatVersion', `must be ${READABLE_VERSIONS.join(' or ')} (the versions this SDK reads), got ${JSON.stringify(version)}`);
  }
  const inputs = rec(C, where, json, 'inputs', 'inputs');
  const outputs = rec(C, where, json, 'outputs', 'outputs');
  const dims = rec(C, where, json, 'dims', 'dims');
  const weighting = rec(C, where, json, 'weighting', 'weighting');
  const event = rec(C, where, weighting, 'event', 'weighting.event');
  const files = rec(C, where, json, 'files', 'files');
  const m: RecommenderManifest = {
    format: 'inpage-recommender',
    formatVersion: version as 1 | 2,
    model: str(C, where, json, 'model', 'model'),
    items: str(C, where, json, 'items', 'items'),
    inputs: {
      items: str(C, where, inputs, 'items', 'inputs.items'),
      weights: str(C, where, inputs, 'weights', 'inputs.weights'),
      bias: str(C, where, inputs, 'bias', 'inputs.bias'),
      k: str(C, where, inputs, 'k', 'inputs.k'),
    },
    outputs: { scores: str(C, where, outputs, 'scores', 'outputs.scores'), indices: str(C, where, outputs, 'indices', 'outputs.indices') },
    dims: {
      items: int(C, where, dims, 'items', 'dims.items', 1, DIM_LIMITS.items),
      embedding: int(C, where, dims, 'embedding', 'dims.embedding', 1, DIM_LIMITS.embedding),
      history: int(C, where, dims, 'history', 'dims.history', 1, DIM_LIMITS.history),
    },
    k: 0,
    weighting: {
      event: {
        view: num(C, where, event, 'view', 'weighting.event.view', 0),
        click: num(C, where, event, 'click', 'weighting.event.click', 0),
        add_to_cart: num(C, where, event, 'add_to_cart', 'weighting.event.add_to_cart', 0),
        purchase: num(C, where, event, 'purchase', 'weighting.event.purchase', 0),
      },
      stepDecay: num(C, where, weighting, 'stepDecay', 'weighting.stepDecay', 0),
      halfLifeHours: num(C, where, weighting, 'halfLifeHours', 'weighting.halfLifeHours', 0),
    },
    files: parseFiles(files, where),
  };
  // The graph's k input takes 1..N; a fractional k reaches BigInt() and throws.
  m.k = int(C, where, json, 'k', 'k', 1, 1000);
  for (const f of [m.model, m.items]) if (fileEntry(m.files, f) === undefined) bad(C, where, `files.${f}`, 'is missing (every artifact needs a hash)');
  const training = own(json, 'training');
  if (isRecord(training)) m.training = training;
  // Shop settings a marketer may add to the package; the recommender validates them (OPTION_INVALID).
  const experiment = own(json, 'experiment');
  if (experiment !== undefined) m.experiment = experiment;
  const rules = own(json, 'rules');
  if (rules !== undefined) m.rules = rules;
  // Every weighted type (EVENT_TYPES), never 'impression': impressions are not model input, so
  // manifests written before they existed load unchanged, and an `impression` key is ignored.
  if (EVENT_TYPES.some((t) => m.weighting.event[t] === undefined)) bad(C, where, 'weighting.event', 'must weight every event type');
  return m;
}

/**
 * Validates parsed `items.json` against the manifest (`dims.items` rows in every column).
 * Throws `InpageError('CATALOG_INVALID')` naming the first bad field.
 */
export function parseItems(json: unknown, manifest: { dims: Pick<RecommenderManifest['dims'], 'items'> }, where = 'items.json'): RecommenderItems {
  const C: Code = 'CATALOG_INVALID';
  if (!isRecord(json)) bad(C, where, '(root)', 'must be a JSON object');
  if (own(json, 'format') !== 'inpage-recommender-items') bad(C, where, 'format', `must be "inpage-recommender-items", got ${JSON.stringify(own(json, 'format'))}`);
  const N = manifest.dims.items;
  const column = <T>(key: string, ok: (v: unknown) => v is T, what: string): T[] => {
    const v = own(json, key);
    if (!Array.isArray(v)) bad(C, where, key, `must be an array of ${N} ${what}`);
    if (v.length !== N) bad(C, where, key, `has ${v.length} entries, but the manifest says dims.items = ${N}`);
    const i = v.findIndex((x) => !ok(x));
    if (i >= 0) bad(C, where, `${key}[${i}]`, `must be ${what}, got ${JSON.stringify(v[i])}`);
    return v as T[];
  };
  const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const isStr = (v: unknown): v is string => typeof v === 'string';
  const isId = (v: unknown): v is string => isItemId(v);
  const cats = own(json, 'categories');
  if (!Array.isArray(cats) || cats.length === 0) bad(C, where, 'categories', 'must be a non-empty array');
  const categories = cats.map((c: unknown, i) => {
    if (!isRecord(c)) bad(C, where, `categories[${i}]`, 'must be an object');
    const comp = own(c, 'complements');
    if (!Array.isArray(comp) || comp.some((p) => !Array.isArray(p) || !Number.isInteger(p[0]) || p[0] < 0 || p[0] >= cats.length || !isNum(p[1]))) {
      bad(C, where, `categories[${i}].complements`, 'must be an array of [category index, share] pairs');
    }
    return { id: str(C, where, c, 'id', `categories[${i}].id`), name: str(C, where, c, 'name', `categories[${i}].name`), complements: comp as [number, number][] };
  });
  const category = column('category', (v): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < categories.length, `a category index below ${categories.length}`);
  const trending = rec(C, where, json, 'trending', 'trending');
  const scores = own(trending, 'scores');
  if (!Array.isArray(scores) || scores.length !== N || !scores.every(isNum)) bad(C, where, 'trending.scores', `must be ${N} numbers`);
  const facts = own(json, 'facts') === undefined ? undefined : parseFacts(rec(C, where, json, 'facts', 'facts'), N, where);
  return {
    ...(facts === undefined ? {} : { facts }),
    format: 'inpage-recommender-items',
    version: 1,
    // '.' and '..' would climb a link path ('/p/{id}' → '/p/..' is '/'): the URL parser treats
    // their %2E forms as dot segments too, so they cannot be encoded away, only refused.
    ids: column('ids', isId, "a non-empty string other than '.' and '..'"),
    titles: column('titles', isStr, 'a string'),
    category,
    price: column('price', isNum, 'a number'),
    inStock: column('inStock', (v): v is number => v === 0 || v === 1, '0 or 1'),
    categories,
    trending: {
      asOf: str(C, where, trending, 'asOf', 'trending.asOf'),
      halfLifeDays: num(C, where, trending, 'halfLifeDays', 'trending.halfLifeDays', 0),
      scores: scores as number[],
    },
  };
}

/** items.json `facts`: string tables and per-item indices into them, all in range. */
function parseFacts(f: Record<string, unknown>, n: number, where: string): NonNullable<RecommenderItems['facts']> {
  const C: Code = 'CATALOG_INVALID';
  const strings = (key: string): string[] => {
    const v = own(f, key);
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) bad(C, where, `facts.${key}`, 'must be an array of strings');
    return v as string[];
  };
  const brands = strings('brands');
  const tagNames = strings('tagNames');
  const brand = own(f, 'brand');
  if (!Array.isArray(brand) || brand.length !== n) bad(C, where, 'facts.brand', `must be ${n} brand indices (-1 for none)`);
  const b = brand.findIndex((x) => !Number.isInteger(x) || (x as number) < -1 || (x as number) >= brands.length);
  if (b >= 0) bad(C, where, `facts.brand[${b}]`, `must be -1 or an index below ${brands.length}, got ${JSON.stringify(brand[b])}`);
  const tags = own(f, 'tags');
  if (!Array.isArray(tags) || tags.length !== n) bad(C, where, 'facts.tags', `must be ${n} arrays of tag indices`);
  const t = tags.findIndex((x) => !Array.isArray(x) || x.some((y) => !Number.isInteger(y) || (y as number) < 0 || (y as number) >= tagNames.length));
  if (t >= 0) bad(C, where, `facts.tags[${t}]`, `must be an array of indices below ${tagNames.length}, got ${JSON.stringify(tags[t])}`);
  return { brands, brand: brand as number[], tagNames, tags: tags as number[][] };
}
