/**
 * The wire contract between the page (`client/`) and the worker (`worker/`). Types only.
 *
 * Transport is comlink (one RPC per method, matched by comlink's request id, never by arrival
 * order). Every method resolves with a `Reply` instead of throwing, because comlink flattens
 * thrown errors to `{ message, name, stack }` and we need `code` and `details` intact.
 */
import type { WireError } from './errors.ts';
import type { StoreKind, StoredModelInfo } from './caches/model-store.ts';
import type { TensorInfo, Tensors } from './tensor.ts';
import type { BatchOptions, RunTiming } from './scheduling/batcher.ts';
import type { BackendName, BackendPreference, EngineInfo, LoadProgress } from './types.ts';
import type {
  PipelineCallToWorker, PipelineFromWorker, PipelineProgressToPage, PipelineRunFromWorker, PipelineToWorker,
} from './backends/transformers-types.ts';

/** Outcome of every call to the worker. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** Sent once when a worker starts. */
export interface InitToWorker {
  backend: BackendPreference;
  assetBase?: string;
  threads?: number;
  /** Name of a Web Lock the worker holds for its lifetime, so the page learns when it dies. */
  lifeLock?: string;
  testHooks: boolean;
  measure: boolean;
  validation: { maxElements?: number; rejectNonFinite?: boolean };
}

/** How the page asks for a model. `bytes` is copied, not transferred, so a crashed worker can be refilled. */
export interface LoadToWorker {
  modelId: string;
  url?: string;
  bytes?: Uint8Array;
  sha256?: string;
  backend?: BackendPreference;
  /** Micro-batching; `false` disables. Default: on when the model has a dynamic batch axis. */
  batch?: BatchOptions | false;
  /** Run once with synthetic inputs after building, so the first real run pays no compilation. Default true. */
  warmup?: boolean;
  /** Keep/take URL-loaded bytes in the model cache. Default true. */
  cache?: boolean;
}

/** What the worker answers after loading. */
export interface ModelFromWorker {
  modelId: string;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  backend: BackendName;
  sha256: string;
  bytes: number;
  /** Whether concurrent runs are merged, and why not when they are not. */
  batching: { enabled: boolean; reason: string };
  /** Where the bytes came from. */
  source: ModelBytesSource;
  /** Bytes fetched from the network for this load (0 on a cache hit). */
  downloadedBytes: number;
}

/** Where a model's bytes came from at load. */
export type ModelBytesSource = 'network' | 'bytes' | StoreKind;

/** One run in a `runMany` message. */
export interface RunToWorker {
  callId: number;
  modelId: string;
  feeds: Tensors;
  /**
   * Send the input buffers back with the answer (the page stacked them and reuses them for the
   * next stacked call: memory already touched, where a fresh buffer costs a page fault per 4 KB).
   */
  returnInputs?: boolean;
}

/** One answered run. */
export interface RunFromWorker {
  outputs: Tensors;
  timing: RunTiming;
  backend: BackendName;
  /** The input buffers, handed back when the call asked for them (`returnInputs`). */
  spent?: ArrayBuffer[];
}

/** Progress callback proxied through comlink. */
export type ProgressToPage = (p: LoadProgress) => void;

/** Test-only levers (enabled by `createEngine({ testHooks: true })`). */
export type TestHookToWorker =
  | { type: 'delay-runs'; ms: number }
  | { type: 'crash'; how: 'throw' | 'close' }
  | { type: 'lose-device' };

/** The API the worker host exposes; `client/` calls it through `comlink.wrap`. */
export interface HostApi {
  init(opts: InitToWorker): Promise<Reply<EngineInfo>>;
  info(): Promise<Reply<EngineInfo>>;
  load(callId: number, spec: LoadToWorker, onProgress?: ProgressToPage): Promise<Reply<ModelFromWorker>>;
  run(callId: number, modelId: string, feeds: Tensors): Promise<Reply<RunFromWorker>>;
  /** Several runs in one message (what the page sends); one reply per call, in order. */
  runMany(calls: RunToWorker[]): Promise<Reply<RunFromWorker>[]>;
  /** Cancel a pending load or queued run; a no-op for unknown or finished calls. */
  abort(callId: number): void;
  disposeModel(modelId: string): Promise<Reply<null>>;
  testHook(hook: TestHookToWorker): Promise<Reply<null>>;
  /** Models in the model cache. */
  cacheList(): Promise<Reply<StoredModelInfo[]>>;
  /** Empty the model cache and the remembered backend verdicts. */
  cacheClear(): Promise<Reply<null>>;
  /** Build a transformers.js pipeline (imports transformers.js on first use). Abortable by `callId`. */
  pipelineLoad(callId: number, spec: PipelineToWorker, onProgress?: PipelineProgressToPage): Promise<Reply<PipelineFromWorker>>;
  /** One pipeline call; concurrent calls may share a run (see `batching`). Abortable by `callId`. */
  pipelineRun(callId: number, pipeId: string, call: PipelineCallToWorker): Promise<Reply<PipelineRunFromWorker>>;
  /** Release a pipeline's sessions; a no-op for unknown ids. */
  pipelineDispose(pipeId: string): Promise<Reply<null>>;
}
