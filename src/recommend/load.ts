/**
 * Loads a recommender package in the page: `manifest.json` (revalidated with the server on every
 * load: it is the one mutable file) → `items.json` (size and SHA-256 checked, refetched past the
 * HTTP cache once on a mismatch: see fetch-pinned.ts) and the ONNX model through the engine
 * (which checks its SHA-256), with the model's inputs checked against the manifest's dims.
 */
import { InpageError, toInpageError } from '../errors.ts';
import type { EngineLike, ModelLike } from './engine-like.ts';
import { evictStale, STALE_KINDS } from './evict.ts';
import { checkModelShape, namedTensors } from './model-check.ts';
import { fetchPinned, MANIFEST_MAX_BYTES, type FetchLike } from './fetch-pinned.ts';
import { fileEntry, parseJsonBytes, parseManifest, type RecommenderItems, type RecommenderManifest } from './manifest.ts';
import { ITEMS_OFF_THREAD_BYTES, loadItemTable } from './item-table.ts';

export type { FetchLike } from './fetch-pinned.ts';

/** A loaded package. */
export interface LoadedRecommender {
  manifestUrl: string;
  manifest: RecommenderManifest;
  items: RecommenderItems;
  model: ModelLike;
  /** Item id → index, when loading built it (a large table, rebuilt in slices). */
  index?: Map<string, number>;
}

/** Resolves `url` against the page's location (absolute URLs pass through). */
export function resolveUrl(url: string | URL, base?: string): string {
  const loc = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    return new URL(url, base ?? loc).href;
  } catch {
    throw new InpageError('OPTION_INVALID', `manifestUrl '${String(url)}' is not a valid URL${loc === undefined ? ' (no page location to resolve a relative URL against: pass an absolute URL)' : ''}.`);
  }
}

/**
 * Fetches and validates the package, and loads the model (`cache: false`: not into the model cache).
 *
 * @example const pkg = await loadRecommender(engine, '/reco/manifest.json', fetch.bind(globalThis));
 */
export async function loadRecommender(engine: EngineLike, manifestUrl: string | URL, fetchFn: FetchLike, signal?: AbortSignal, cache = true, offThreadAbove = ITEMS_OFF_THREAD_BYTES): Promise<LoadedRecommender> {
  const url = resolveUrl(manifestUrl);
  // The manifest is the one mutable file: always revalidated with the server (`no-cache`).
  const manifestBytes = await fetchPinned(fetchFn, { url, what: 'manifest', pin: undefined, maxBytes: MANIFEST_MAX_BYTES, signal, cache: 'no-cache' });
  const manifest = parseManifest(parseJsonBytes(manifestBytes, url, 'MANIFEST_INVALID'), url);
  const itemsUrl = resolveUrl(manifest.items, url);
  const modelUrl = resolveUrl(manifest.model, url);
  const modelEntry = fileEntry(manifest.files, manifest.model)!;
  // One load: when the item table fails, the model download stops too (and the other way round).
  const parts = new AbortController();
  const stop = (): void => parts.abort(signal?.reason);
  signal?.addEventListener('abort', stop, { once: true });
  const modelLoad = engine.load({ url: modelUrl, sha256: modelEntry.sha256 }, { signal: parts.signal, maxBytes: Math.max(1, modelEntry.bytes), ...(cache ? {} : { cache: false }) });
  let modelError: unknown;
  modelLoad.catch((e: unknown) => {
    modelError = e;
    parts.abort();
  });
  let items: RecommenderItems;
  let index: Map<string, number> | undefined;
  try {
    ({ items, index } = await loadItemTable(engine, fetchFn, { url: itemsUrl, what: 'item table', pin: fileEntry(manifest.files, manifest.items), signal: parts.signal }, manifest, offThreadAbove));
  } catch (e) {
    // An item table stopped because the model failed reports the model's error.
    const cause = modelError !== undefined && signal?.aborted !== true ? toInpageError(modelError, 'MODEL_FETCH_FAILED', `Loading ${modelUrl}`) : e;
    parts.abort();
    // The model may still be loading: release it once it arrives instead of leaking a session.
    modelLoad.then((m) => m.dispose()).catch(() => {});
    throw cause;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  const model = await modelLoad;
  try {
    checkModelShape(model, namedTensors(manifest.inputs, manifest.outputs, { bias: { size: manifest.dims.items, field: 'dims.items' } }), url, modelUrl);
  } catch (e) {
    await model.dispose().catch(() => {});
    throw e;
  }
  if (cache) void evictStale(engine, new URL('./', url).href, STALE_KINDS.recommender, new Set([modelUrl]));
  return { manifestUrl: url, manifest, items, model, ...(index === undefined ? {} : { index }) };
}
