/**
 * Public option and result types of the engine. Plain data only: everything here is
 * structured-clone safe so the same shapes travel to and from the worker. This module imports
 * no other part of the SDK but the tensor types and the result cache's options, so both sides
 * of the worker boundary (and protocol.ts) can build on it without an import loop.
 */
import type { TensorInfo, Tensors } from './tensor.ts';
import type { ResultCacheOptions } from './caches/result-cache.ts';

export type { ResultCacheOptions };

/** Where models run. `'auto'` picks WebGPU when the device has it and the model builds on it. */
export type BackendName = 'webgpu' | 'wasm';
/** What the caller asks for. Default `'auto'`. */
export type BackendPreference = 'auto' | BackendName;

/** Batching options of a model. `maxWaitMs: 0` or `maxBatch: 1` disables batching. */
export interface BatchOptions {
  /** Most rows in one run. Default 64. */
  maxBatch?: number;
  /** Longest time the first request of a batch waits for companions. Default 2 ms. */
  maxWaitMs?: number;
  /** Pad value per sequence input (padded along axis 1 to the longest request). */
  pad?: Record<string, number>;
}

/** One measured (or remembered) backend verdict, as `engine.info().measurements` reports it. */
export interface BackendMeasurement {
  /** First 12 hex chars of the model's SHA-256. */
  model: string;
  /** Median ms per run on each backend (ran through the session, worker-side). */
  medians: Partial<Record<BackendName, number>>;
  runs: number;
  chosen: BackendName;
  source: 'measured' | 'remembered';
  at: number;
}

/**
 * One variant of a model.
 *
 * @example
 * { label: 'fp16-gpu', url: '/m/fp16.onnx', requires: { webgpu: true, shaderF16: true }, latencyBudgetMs: 20 }
 */
export interface ModelVariant {
  label: string;
  url?: string;
  bytes?: ArrayBuffer | Uint8Array;
  sha256?: string;
  requires?: {
    /** Needs a WebGPU adapter (the variant is then loaded on WebGPU). */
    webgpu?: boolean;
    /** Needs the `shader-f16` adapter feature (float16 kernels). */
    shaderF16?: boolean;
    /** Needs at least this much device memory (navigator.deviceMemory, GiB; unknown counts as enough). */
    minMemoryGB?: number;
  };
  /** If the measured median run on this device exceeds this, the next eligible variant is tried. */
  latencyBudgetMs?: number;
}

/** Where a model cache entry lives. */
export type StoreKind = 'cache-storage' | 'indexeddb' | 'memory';

/** Where a model's bytes came from at load. */
export type ModelBytesSource = 'network' | 'bytes' | StoreKind;

/** What `engine.cache.list()` reports about one stored model. */
export interface StoredModelInfo {
  url: string;
  /** Lower-case hex SHA-256 recorded at `put`. */
  sha256: string;
  bytes: number;
  /** `Date.now()` at `put`. */
  storedAt: number;
  /** `Date.now()` when a load last read it (absent: never read since it was stored). */
  lastUsed?: number;
  store: StoreKind;
  version?: string;
}

/**
 * Options of `createEngine`.
 *
 * @example
 * const engine = await createEngine({ backend: 'auto', timeoutMs: 30_000 });
 */
export interface EngineOptions {
  /** Default `'auto'`. A forced `'webgpu'` on a device without it rejects with `WEBGPU_UNAVAILABLE`. */
  backend?: BackendPreference;
  /**
   * Base URL of self-hosted onnxruntime-web files (`ort-wasm-simd-threaded*.wasm`). Default: the
   * files your bundler emitted next to the SDK. Never a third-party CDN.
   */
  assetBase?: string;
  /** Upper bound for every call (load, run, info) in milliseconds. Default 60 000; 0 disables. */
  timeoutMs?: number;
  /** WASM threads. Default: up to 4 when `crossOriginIsolated`, else 1 (ORT needs SharedArrayBuffer). */
  threads?: number;
  /** URL of the worker script, for hosts that serve it elsewhere. Default: resolved next to the SDK. */
  workerUrl?: string | URL;
  /**
   * SRI hash of the file at `workerUrl` (`'sha384-…'`). When set, the worker's bytes are fetched,
   * checked with SubtleCrypto and started from a blob of those very bytes; a mismatch rejects
   * `createEngine` with `INTEGRITY_MISMATCH` and nothing of the file runs. The worker must be one
   * file (the script-tag build's is). The script tag sets it from the hashes inpage.js carries.
   *
   * @example createEngine({ workerUrl: 'https://cdn.example.com/inpage/inpage-worker.js', workerIntegrity: 'sha384-…' })
   */
  workerIntegrity?: string;
  /**
   * SRI hashes (`'sha384-…'`) of onnxruntime-web's `.wasm` files under `assetBase`, by file name.
   * When the runtime's file is listed, the worker fetches it, checks it with SubtleCrypto and
   * hands ORT those very bytes (`env.wasm.wasmBinary`); a mismatch fails the load with
   * `INTEGRITY_MISMATCH` and the file is never compiled. The script tag sets it from the hashes
   * inpage.js carries. Needs `assetBase`.
   *
   * @example createEngine({ assetBase: '/ort/', assetIntegrity: { 'ort-wasm-simd-threaded.wasm': 'sha384-…' } })
   */
  assetIntegrity?: Record<string, string>;
  /**
   * Under `'auto'` with both WebGPU and WASM available, time the actual model on both after
   * warm-up and keep the faster; the verdict is remembered per (model, adapter, threads).
   * Default true.
   */
  measure?: boolean;
  /** Largest total number of input elements in one call; more rejects with `INPUT_INVALID`. Default 2^26. */
  maxInputElements?: number;
  /** Reject NaN / ±Infinity in float inputs with `INPUT_INVALID`. Default false. */
  rejectNonFinite?: boolean;
  /** The page-side result cache used by models loaded with `resultCache: true`. */
  resultCache?: ResultCacheOptions;
  /**
   * Used only when no local backend can run a model (no worker, no usable backend): your own
   * hosted endpoint. Its runs are counted separately (`stats().remoteRuns`). Default none.
   */
  remoteFallback?: RemoteFallback;
  /** Expose `engine.testHooks` (crash the worker, delay runs). For tests only. Default false. */
  testHooks?: boolean;
}

/** The WebGPU adapter the worker found. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  features: string[];
  isFallbackAdapter: boolean;
}

/**
 * What the engine runs on and why — `engine.info()`.
 *
 * @example
 * const { backend, reason } = await engine.info(); // 'wasm', 'no WebGPU adapter (navigator.gpu.requestAdapter() returned null)'
 */
export interface EngineInfo {
  backend: BackendName;
  /** Why this backend, in words a developer understands. */
  reason: string;
  adapter?: AdapterInfo;
  webgpu: boolean;
  threads: number;
  crossOriginIsolated: boolean;
  simd: boolean;
  ortVersion: string;
  /** Measured (or remembered) backend verdicts, one per model measured. */
  measurements: BackendMeasurement[];
  /** Backend switches after start-up (e.g. a session that failed on WebGPU). Newest last. */
  switches: { from: BackendName; to: BackendName; reason: string; at: number }[];
  /**
   * Text generations running in the worker now and the bytes their KV caches hold (0 once every
   * stream has ended, been aborted or timed out: the cache is released with the generation).
   */
  generation?: { active: number; kvCacheBytes: number };
}

/**
 * Called for each run of a model no local backend can run.
 *
 * @example
 * remoteFallback: async ({ source, feeds }) => decode(await fetch('/api/infer', { method: 'POST', body: encode(feeds) }))
 */
export type RemoteFallback = (request: { source: ModelSource; feeds: Tensors; signal?: AbortSignal }) => Promise<Tensors>;

/** Where a model runs: a local backend, or the caller's remote fallback. */
export type ModelBackend = BackendName | 'remote';

/** Where a model comes from: `url`, `bytes`, or `variants` to route between. */
export interface ModelSource {
  /** Alternatives in order of preference; the router picks one per device (see `model.route`). */
  variants?: ModelVariant[];
  url?: string;
  bytes?: ArrayBuffer | Uint8Array;
  /** Hex SHA-256 of the bytes; verified with SubtleCrypto before a session is built. */
  sha256?: string;
}

/** Progress of `engine.load`. `total` is absent when the server sends no Content-Length. */
export interface LoadProgress {
  phase: 'download' | 'compile' | 'ready';
  loaded: number;
  total?: number;
  /** On 'download': the bytes came from the model cache, not the network. */
  fromCache?: boolean;
}

/** Options of `engine.load`. */
export interface LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** Per-call bound; default the engine's `timeoutMs`. */
  timeoutMs?: number;
  /** Override the engine's backend for this model. */
  backend?: BackendPreference;
  /**
   * Micro-batching of concurrent `run()` calls. Default: on (maxBatch 64, maxWaitMs 2) when every
   * input and output has a dynamic first axis; `false` disables.
   *
   * @example { batch: { maxBatch: 32, maxWaitMs: 1, pad: { items: 0 } } }
   */
  batch?: BatchOptions | false;
  /** Run once with zero inputs after building, so the first request pays no compilation. Default true. */
  warmup?: boolean;
  /** Keep the model's bytes in the model cache (Cache Storage → IndexedDB → memory). Default true. */
  cache?: boolean;
  /**
   * Largest download accepted from `url`, e.g. the size a package's manifest declares: a longer
   * body is stopped as soon as it passes this and rejected with `INTEGRITY_MISMATCH` (declared vs
   * arrived). Default: no bound.
   */
  maxBytes?: number;
  /**
   * A load without `sha256` uses its model-cache copy for this long (default one day); after that
   * it asks the server again (revalidating: a 304 costs no body) and takes the new file if it
   * changed. A load with `sha256` is pinned: its copy is keyed by the hash and never goes stale.
   */
  cacheMaxAgeMs?: number;
  /**
   * Answer repeated identical inputs from a page-side result cache, without crossing to the
   * worker. `true` uses the engine's cache (see `EngineOptions.resultCache`). Default false.
   */
  resultCache?: boolean;
  /**
   * Which of the engine's workers hosts the model. Default `'main'`, the engine's worker. Any other
   * name gives the model a worker of its own (started on first use, shared by every model and
   * pipeline loaded with the same name, stopped when the last of them is disposed): its load —
   * and the first runs of its new kernels, which block a worker for up to seconds — then never
   * delays the answers of models in other workers, at the cost of a second onnxruntime-web
   * instance in memory. See docs/RELIABILITY.md, "A model keeps answering while another loads".
   *
   * @example engine.pipeline('feature-extraction', 'encoder', { worker: 'search' })
   */
  worker?: string;
}

/** Options of `model.run`. */
export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Use (true) or bypass (false) the result cache for this call; default the model's `resultCache`. */
  cache?: boolean;
}

/** What a loaded model declares, read from the model itself. */
export interface ModelInfo {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  backend: ModelBackend;
  /** Where the bytes came from at load ('network', a cache store, 'bytes', or 'remote'). */
  source: ModelBytesSource | 'remote';
  /** The routing decision when the model was loaded from `variants`. */
  route?: { variant: string; reason: string };
  /** Hex SHA-256 of the model bytes. */
  sha256: string;
  bytes: number;
  /** Whether concurrent runs are merged into one session run, and why not. */
  batching: { enabled: boolean; reason: string };
}
