/**
 * Loads a recommender package in the page: `manifest.json` → `items.json` (SHA-256 checked when
 * SubtleCrypto is available) and the ONNX model through the engine (which checks its SHA-256).
 */
import { InpageError, toInpageError } from '../errors.ts';
import type { EngineLike, ModelLike } from './engine-like.ts';
import { parseItems, parseManifest, type RecommenderItems, type RecommenderManifest } from './manifest.ts';

/** The part of `fetch` the loader uses (injectable for tests and non-browser hosts). */
export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

/** A loaded package. */
export interface LoadedRecommender {
  manifestUrl: string;
  manifest: RecommenderManifest;
  items: RecommenderItems;
  model: ModelLike;
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

async function fetchBytes(fetchFn: FetchLike, url: string, what: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
  let res;
  try {
    res = await fetchFn(url, signal === undefined ? {} : { signal });
  } catch (e) {
    throw toInpageError(e, 'MODEL_FETCH_FAILED', `Fetching the recommender ${what} from ${url}`);
  }
  if (!res.ok) throw new InpageError('MODEL_FETCH_FAILED', `Fetching the recommender ${what} from ${url} failed with HTTP ${res.status}. Check the URL and that the files are deployed.`, { url, status: res.status });
  return new Uint8Array(await res.arrayBuffer());
}

function parseJson(bytes: Uint8Array, url: string, code: 'MANIFEST_INVALID' | 'CATALOG_INVALID'): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new InpageError(code, `${url} is not valid JSON (${(e as Error).message}).`);
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string | undefined> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle === undefined) return undefined; // insecure context: the engine still checks the model
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Fetches and validates the package, and loads the model (`cache: false`: not into the model cache).
 *
 * @example const pkg = await loadRecommender(engine, '/reco/manifest.json', fetch.bind(globalThis));
 */
export async function loadRecommender(engine: EngineLike, manifestUrl: string | URL, fetchFn: FetchLike, signal?: AbortSignal, cache = true): Promise<LoadedRecommender> {
  const url = resolveUrl(manifestUrl);
  const manifest = parseManifest(parseJson(await fetchBytes(fetchFn, url, 'manifest', signal), url, 'MANIFEST_INVALID'), url);
  const itemsUrl = resolveUrl(manifest.items, url);
  const modelUrl = resolveUrl(manifest.model, url);
  const modelEntry = manifest.files[manifest.model];
  const modelLoad = engine.load(
    modelEntry === undefined ? { url: modelUrl } : { url: modelUrl, sha256: modelEntry.sha256 },
    { ...(signal === undefined ? {} : { signal }), ...(cache ? {} : { cache: false }) },
  );
  let items: RecommenderItems;
  try {
    const itemBytes = await fetchBytes(fetchFn, itemsUrl, 'item table', signal);
    const expected = manifest.files[manifest.items]?.sha256;
    const actual = await sha256Hex(itemBytes);
    if (actual !== undefined && expected !== undefined && actual !== expected) {
      throw new InpageError('INTEGRITY_MISMATCH', `${itemsUrl} does not match the SHA-256 in ${url} (a stale cache or a partial deploy?). Expected ${expected}, got ${actual}.`, { url: itemsUrl });
    }
    items = parseItems(parseJson(itemBytes, itemsUrl, 'CATALOG_INVALID'), manifest, itemsUrl);
  } catch (e) {
    // The model may still be loading: release it once it arrives instead of leaking a session.
    modelLoad.then((m) => m.dispose()).catch(() => {});
    throw e;
  }
  const model = await modelLoad;
  return { manifestUrl: url, manifest, items, model };
}
