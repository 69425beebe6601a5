/**
 * A model's bytes for a load: from the caller, the model cache or the network, verified against
 * the expected SHA-256 before anything uses them. Only verified (or unpinned) bytes are cached.
 */
import { canHash, normaliseSha256, sha256Hex } from '../caches/hash.ts';
import { fetchModel } from '../caches/fetch-model.ts';
import type { ModelStore } from '../caches/model-store.ts';
import { InpageError } from '../errors.ts';
import type { LoadToWorker, ModelFromWorker, ProgressToPage } from '../protocol.ts';

/** The bytes of a load, and where they came from. */
export interface ModelBytes {
  bytes: Uint8Array;
  /** Lower-case hex SHA-256 ('' when it could not be computed and none was asked for). */
  sha256: string;
  source: ModelFromWorker['source'];
  /** Bytes fetched from the network (0 on a cache hit). */
  downloadedBytes: number;
}

/** Read, verify and (for URLs) cache the bytes `spec` names. */
export async function readModelBytes(spec: LoadToWorker, store: ModelStore, signal: AbortSignal, progress: ProgressToPage): Promise<ModelBytes> {
  const expected = spec.sha256 === undefined ? undefined : normaliseSha256(spec.sha256);
  const useCache = spec.url !== undefined && spec.cache !== false;
  let bytes: Uint8Array;
  let source: ModelFromWorker['source'] = 'bytes';
  let downloadedBytes = 0;
  const cached = useCache ? await store.get(spec.url!, expected) : undefined;
  if (spec.bytes) {
    bytes = spec.bytes;
  } else if (cached) {
    bytes = cached.bytes;
    source = cached.info.store;
    progress({ phase: 'download', loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true });
  } else if (spec.url) {
    bytes = await fetchModel(spec.url, { signal, onProgress: progress });
    source = 'network';
    downloadedBytes = bytes.byteLength;
  } else {
    throw new InpageError('OPTION_INVALID', 'engine.load() needs { url } or { bytes }.');
  }
  if (signal.aborted) throw new InpageError('ABORTED', 'Loading the model was aborted.');
  const actual = cached ? cached.info.sha256 : expected !== undefined || canHash() ? await sha256Hex(bytes) : '';
  if (expected !== undefined && actual !== expected) {
    throw new InpageError('INTEGRITY_MISMATCH', `The model's SHA-256 is ${actual}, expected ${expected}${spec.url ? ` (from ${spec.url})` : ''}. The file changed or is corrupt; it was not used and not cached.`, { expected, actual });
  }
  // A copy, since ORT may hold the original.
  if (useCache && !cached && actual) void store.put(spec.url!, actual, bytes.slice());
  if (bytes.byteLength < 8) {
    throw new InpageError('MODEL_INVALID', `The model is ${bytes.byteLength} bytes long; an ONNX model is a protobuf of at least a graph. Check the URL or bytes.`, { bytes: bytes.byteLength });
  }
  return { bytes, sha256: actual, source, downloadedBytes };
}
