/**
 * A model's bytes for a load: from the caller, the model cache or the network, verified against
 * the expected SHA-256 before anything uses them. Only verified (or unpinned) bytes are cached.
 */
import { canHash, normaliseSha256, sha256Hex } from '../caches/hash.ts';
import { fetchModel } from '../caches/fetch-model.ts';
import type { ModelStore } from '../caches/model-store.ts';
import { InpageError } from '../errors.ts';
import type { LoadToWorker, ModelFromWorker, ProgressToPage } from '../protocol.ts';

/** How long an unpinned (URL-only) model-cache entry is used without asking the server: one day. */
export const DEFAULT_CACHE_MAX_AGE_MS = 24 * 3600 * 1000;

/** The bytes of a load, and where they came from. */
export interface ModelBytes {
  bytes: Uint8Array;
  /** Lower-case hex SHA-256 ('' when it could not be computed and none was asked for). */
  sha256: string;
  source: ModelFromWorker['source'];
  /** Bytes fetched from the network (0 on a cache hit). */
  downloadedBytes: number;
}

/**
 * Read, verify and (for URLs) cache the bytes `spec` names.
 * - Pinned loads (`sha256`) use the model cache, keyed by URL and hash; a network copy that does
 *   not match is fetched once more past the HTTP cache (a stale `max-age` copy from before a
 *   redeploy) before INTEGRITY_MISMATCH.
 * - URL-only loads use a cached copy younger than `cacheMaxAgeMs` (default one day); an older one
 *   is revalidated with the server (`cache: 'no-cache'`: a 304 costs no body), so a changed file
 *   is picked up within that time, and is used only when the network fails (offline).
 * - `maxBytes` stops a longer body as soon as it passes the bound.
 */
export async function readModelBytes(spec: LoadToWorker, store: ModelStore, signal: AbortSignal, progress: ProgressToPage): Promise<ModelBytes> {
  const expected = spec.sha256 === undefined ? undefined : normaliseSha256(spec.sha256);
  const useCache = spec.url !== undefined && spec.cache !== false;
  let bytes: Uint8Array;
  let source: ModelFromWorker['source'] = 'bytes';
  let downloadedBytes = 0;
  let cached = useCache ? await store.get(spec.url!, expected) : undefined;
  const maxAge = spec.cacheMaxAgeMs ?? DEFAULT_CACHE_MAX_AGE_MS;
  // An unpinned copy past its age: revalidate, keep it for when the network fails.
  const stale = expected === undefined && cached !== undefined && Date.now() - cached.info.storedAt >= maxAge ? cached : undefined;
  if (stale) cached = undefined;
  const download = (cache?: RequestCache): Promise<Uint8Array> => fetchModel(spec.url!, {
    signal, onProgress: progress, ...(cache === undefined ? {} : { cache }), ...(spec.maxBytes === undefined ? {} : { maxBytes: spec.maxBytes }),
  });
  if (spec.bytes) {
    bytes = spec.bytes;
  } else if (cached) {
    bytes = cached.bytes;
    source = cached.info.store;
    progress({ phase: 'download', loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true });
  } else if (spec.url) {
    try {
      bytes = await (expected === undefined ? download('no-cache') : download().catch((e: unknown) => {
        if (e instanceof InpageError && e.code === 'INTEGRITY_MISMATCH') return download('reload'); // too long: maybe stale
        throw e;
      }));
      source = 'network';
      downloadedBytes = bytes.byteLength;
    } catch (e) {
      // Offline: an unpinned load may use the copy kept from its last successful load.
      cached = e instanceof InpageError && e.code === 'MODEL_FETCH_FAILED' ? stale : undefined;
      if (!cached) throw e;
      bytes = cached.bytes;
      source = cached.info.store;
      progress({ phase: 'download', loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true });
    }
  } else {
    throw new InpageError('OPTION_INVALID', 'engine.load() needs { url } or { bytes }.');
  }
  if (signal.aborted) throw new InpageError('ABORTED', 'Loading the model was aborted.');
  let actual = cached ? cached.info.sha256 : expected !== undefined || canHash() ? await sha256Hex(bytes) : '';
  if (expected !== undefined && actual !== expected && source === 'network') {
    bytes = await download('reload');
    downloadedBytes += bytes.byteLength;
    actual = await sha256Hex(bytes);
  }
  if (expected !== undefined && actual !== expected) {
    throw new InpageError('INTEGRITY_MISMATCH', `The model's SHA-256 is ${actual}, expected ${expected}${spec.url ? ` (from ${spec.url}, fetched twice, the second time past the HTTP cache)` : ''}. The file changed or is corrupt; it was not used and not cached.`, { expected, actual });
  }
  // A copy, since ORT may hold the original.
  if (useCache && !cached && actual) void store.put(spec.url!, actual, bytes.slice());
  if (bytes.byteLength < 8) {
    throw new InpageError('MODEL_INVALID', `The model is ${bytes.byteLength} bytes long; an ONNX model is a protobuf of at least a graph. Check the URL or bytes.`, { bytes: bytes.byteLength });
  }
  return { bytes, sha256: actual, source, downloadedBytes };
}
