/**
 * The public shape of an engine and its events (types only).
 */
import type { ChatApi } from '../chat/completions.ts';
import type { PipelineFor, PipelineOptions, PipelineTask } from '../pipeline-types.ts';
import type { InpageError } from '../errors.ts';
import type { ItemTableFromWorker, TestHookToWorker } from '../protocol.ts';
import type { EngineStats } from '../stats/counters.ts';
import type { EngineInfo, LoadOptions, ModelBackend, ModelSource, StoredModelInfo } from '../types.ts';
import type { Model } from './model.ts';

/** Events an engine emits; subscribe with `engine.on(type, fn)`. */
export type EngineEvents = {
  /** Every answered request, cache hits included. `ms` is the page-side round trip. */
  inference: { model: string; ms: number; queuedMs: number; computeMs: number; batchSize: number; rows: number; backend: ModelBackend; cached: boolean };
  /** A model finished loading. */
  load: { model: string; source: Model['source']; bytes: number; downloadedBytes: number; ms: number; backend: ModelBackend };
  /** The backend changed (a fallback or a measured choice); `reason` in words. */
  backend: { from: ModelBackend; to: ModelBackend; reason: string };
  /** A text generation finished: tokens in and out, time to first token, decode speed (page side). */
  generation: {
    model: string; backend: ModelBackend; promptTokens: number; completionTokens: number;
    firstTokenMs: number; totalMs: number; tokensPerSecond: number; finishReason: 'stop' | 'length';
  };
};

/**
 * An engine: one worker hosting models.
 *
 * @example
 * const engine = await createEngine();
 * const model = await engine.load({ url: '/models/mlp.onnx' });
 * engine.on('inference', (e) => console.log(e.ms));
 */
export interface Engine {
  /** Backend in use and why, adapter, threads, isolation, ORT version, measurements. */
  info(): Promise<EngineInfo>;
  /** Download (with progress), verify, cache and compile a model. */
  load(source: ModelSource, opts?: LoadOptions): Promise<Model>;
  /**
   * Load during idle time (`requestIdleCallback`), so a later `load` of the same URL is instant.
   * Skipped (resolves `undefined`) when the visitor asked to save data (`navigator.connection.saveData`).
   */
  preload(source: ModelSource, opts?: LoadOptions): Promise<Model | undefined>;
  /**
   * A Hugging Face transformers.js pipeline in this engine's worker, on the same onnxruntime-web,
   * backend choice and fallback, model cache, progress, abort and typed errors as `load()`.
   * transformers.js is imported on the first call only. Models come from the Hugging Face hub
   * unless `modelHost` names a self-hosted folder in the hub's layout. See docs/PIPELINES.md.
   *
   * @example
   * const embed = await engine.pipeline('feature-extraction', 'Xenova/all-MiniLM-L6-v2', { dtype: 'q8' });
   * const v = await embed('waterproof tent', { pooling: 'mean', normalize: true }); // Tensor, dims [1, 384]
   */
  pipeline<T extends PipelineTask>(task: T, model: string, opts?: PipelineOptions): Promise<PipelineFor<T>>;
  /**
   * OpenAI-shaped chat completions on the device (`text-generation` pipelines, loaded on first use
   * per model and reused). See docs/CHAT.md.
   *
   * @example
   * for await (const c of await engine.chat.completions.create({ model, messages, stream: true, max_tokens: 64 }, { modelHost: '/hf/' }))
   *   out.append(c.choices[0]?.delta.content ?? '');
   */
  readonly chat: ChatApi;
  /** Counters for the cost meter: inferences, batches, cache hit rate, bytes, local vs remote. */
  stats(): EngineStats;
  /** Subscribe to an event; returns the unsubscribe function. */
  on<K extends keyof EngineEvents>(type: K, fn: (e: EngineEvents[K]) => void): () => void;
  /** The model cache (bytes kept across visits). */
  readonly cache: {
    list(): Promise<StoredModelInfo[]>;
    /** Deletes every stored version of the model at `url` (resolved against the page). */
    delete(url: string): Promise<void>;
    clear(): Promise<void>;
  };
  /**
   * Parses and validates a recommender item table (`items.json` bytes, `items` rows) in the
   * engine's worker, off the page's main thread; `createRecommender` uses it for large tables.
   * `bytes` is transferred: the caller gives it up. With `sha256` the bytes are checked first
   * (`INTEGRITY_MISMATCH`). Rejects with `CATALOG_INVALID` naming the field, as parsing on the
   * page would.
   *
   * @example const columns = await engine.parseItemTable(bytes, manifest.dims.items, itemsUrl);
   */
  parseItemTable(bytes: Uint8Array, items: number, where: string, options?: { signal?: AbortSignal; sha256?: string }): Promise<ItemTableFromWorker>;
  /** Stop the worker and release every model. Pending calls reject with `DISPOSED`. */
  dispose(): Promise<void>;
  /** Present only with `createEngine({ testHooks: true })`. */
  readonly testHooks?: EngineTestHooks;
}

/** Levers for tests: simulate crashes, slow runs and device loss. */
export interface EngineTestHooks {
  send(hook: TestHookToWorker): Promise<void>;
  /** Terminate the worker from the page, as the browser would on a crash. */
  killWorker(): void;
  /** Which worker incarnation is live (increments after each restart). */
  workerId(): number | undefined;
}

export type { InpageError };
