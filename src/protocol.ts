/**
 * The wire contract between the page (`client/`) and the worker (`worker/`). Types only, and the
 * only place such types live: both sides import their messages from here and never from each
 * other. Every type is structured-clone safe; nothing at the boundary is `unknown`.
 *
 * Transport is comlink (one RPC per method, matched by comlink's request id, never by arrival
 * order). Every method resolves with a `Reply` instead of throwing, because comlink flattens
 * thrown errors to `{ message, name, stack }` and we need `code` and `details` intact.
 */
import type { WireError } from './errors.ts';
import type { Tensor, TensorInfo, Tensors } from './tensor.ts';
import type {
  BackendName, BackendPreference, BatchOptions, EngineInfo, LoadProgress, ModelBytesSource, StoredModelInfo,
} from './types.ts';
import type {
  ClassificationLabel, PipelineDtype, PipelineFile, PipelineProgress, ZeroShotClassificationResult,
} from './pipeline-types.ts';
import type { PipelineKind } from './pipeline-tasks.ts';
import type { ChatMessage, ContextPolicy, FinishReason } from './generation-types.ts';

/** Outcome of every call to the worker. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** Sent once when a worker starts. */
export interface InitToWorker {
  backend: BackendPreference;
  assetBase?: string;
  /** SRI hashes of ORT's `.wasm` files under `assetBase`, by file name (`EngineOptions.assetIntegrity`). */
  assetIntegrity?: Record<string, string>;
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
  /** Largest body read from `url` (e.g. the size a manifest declares). */
  maxBytes?: number;
  /** Age after which an unpinned cached copy is revalidated with the server. */
  cacheMaxAgeMs?: number;
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

/** Timing of one request, reported back to the page for stats. */
export interface RunTiming {
  queuedMs: number;
  computeMs: number;
  /** Requests that shared the run (1 = ran alone). */
  batchSize: number;
  /** Rows in the run. */
  batchRows: number;
}

/** One run in a `runMany` message. */
export interface RunToWorker {
  callId: number;
  modelId: string;
  feeds: Tensors;
  /**
   * Set when the page stacked several callers' calls into this one: each caller's row count, in
   * order. The worker answers the group whole, or — when its run fails — runs each caller's rows
   * alone and answers per caller ({@link PartsFromWorker}), so the page never re-sends a call.
   */
  members?: number[];
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

/** A stacked call whose run failed: one reply per member, in order (only the culprit fails). */
export interface PartsFromWorker {
  parts: Reply<Tensors>[];
  timing: RunTiming;
  backend: BackendName;
  spent?: ArrayBuffer[];
}

/**
 * Strings sent as UTF-8 bytes back to back (transferable: a large string crossing `postMessage` is
 * copied and rebuilt on arrival, measured at ~300 ms per 20 M characters on the page). String i
 * is bytes `byteEnds[i-1] ?? 0` to `byteEnds[i]`, and `charEnds` are the same ends in UTF-16
 * code units, so a run of strings decodes in one call and splits without scanning.
 */
export interface PackedStringsFromWorker {
  utf8: Uint8Array;
  byteEnds: Uint32Array;
  charEnds: Uint32Array;
}

/**
 * A recommender item table (`items.json`) to check, parse and validate in the worker. `bytes`
 * is transferred (the page gives it up); `items` is the manifest's `dims.items`; `where` names
 * the file in errors.
 */
export interface ItemTableToWorker {
  bytes: Uint8Array;
  items: number;
  where: string;
  /** The manifest's SHA-256 of the file: checked here first (INTEGRITY_MISMATCH, details expected/actual). */
  sha256?: string;
}

/**
 * A validated item table as columns the page can take without a long task: numbers in typed
 * arrays and each string column as packed UTF-8 (all transferred, not copied), the small tables
 * (categories, brand and tag names) as they are.
 */
export interface ItemTableFromWorker {
  ids: PackedStringsFromWorker;
  titles: PackedStringsFromWorker;
  category: Int32Array;
  price: Float64Array;
  inStock: Uint8Array;
  categories: { id: string; name: string; complements: [number, number][] }[];
  trending: { asOf: string; halfLifeDays: number; scores: Float64Array };
  /** `tags` of item i are `tags.slice(tagEnds[i-1] ?? 0, tagEnds[i])`. */
  facts?: { brands: string[]; brand: Int32Array; tagNames: string[]; tags: Int32Array; tagEnds: Uint32Array };
}

/** Progress callback proxied through comlink. */
export type ProgressToPage = (p: LoadProgress) => void;

/** Test-only levers (enabled by `createEngine({ testHooks: true })`). */
export type TestHookToWorker =
  | { type: 'delay-runs'; ms: number }
  | { type: 'crash'; how: 'throw' | 'close' }
  | { type: 'lose-device' };

/** How the page asks the worker for a pipeline. */
export interface PipelineToWorker {
  pipeId: string;
  task: string;
  model: string;
  /** Absent: the engine's backend preference. */
  device?: BackendPreference;
  dtype?: PipelineDtype | Record<string, PipelineDtype>;
  revision: string;
  /** transformers.js `env.remoteHost` and `env.remotePathTemplate` for this model. */
  host: { remoteHost: string; pathTemplate: string };
  cache: boolean;
  batch: { maxBatch: number; maxWaitMs: number } | false;
  /** File path (relative to the model folder) → SHA-256: only these files, only with these hashes. */
  integrity?: Record<string, string>;
}

/** What the worker answers after building a pipeline. */
export interface PipelineFromWorker {
  pipeId: string;
  task: string;
  model: string;
  backend: BackendName;
  reason: string;
  dtype: string;
  files: PipelineFile[];
  /** Bytes of all files, and of those fetched from the network. */
  bytes: number;
  downloadedBytes: number;
  batching: { enabled: boolean; reason: string };
  /** Text generation: the model's context length in tokens (absent for other tasks). */
  contextTokens?: number;
}

/** A JSON-like option value (what call options may contain). */
export type PipelineOptionValue = string | number | boolean | null | PipelineOptionValue[] | { [key: string]: PipelineOptionValue };

/** Call options as they travel: the task's own keys, plus any other transformers.js option (JSON values only). */
export type PipelineOptionsToWorker = Record<string, PipelineOptionValue>;

/** A value a generic task takes or gives: JSON-like, with plain tensors inside. */
export type WireValue = string | number | boolean | null | Tensor | WireValue[] | { [key: string]: WireValue };

/** The texts of a call: one, or several. */
export type Texts = string | string[];

/** A generation's prompt: plain text, or chat messages for the model's chat template. */
export type GenerationPromptToWorker = { type: 'text'; text: string } | { type: 'chat'; messages: ChatMessage[] };

/** Checked generation settings (the page validated every value). */
export interface GenerationParamsToWorker {
  maxNewTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  repetitionPenalty?: number;
  context: ContextPolicy;
  /** Only count the prompt's tokens (chat template applied, no budget); generate nothing. */
  countOnly?: boolean;
}

/** A generation's outcome, reported by the worker when the last token is out. */
export interface GenerationFromWorker {
  text: string;
  tokens: number[];
  finishReason: FinishReason;
  promptTokens: number;
  droppedMessages: number;
  /** Chunk messages posted on the stream port (the page waits for all of them). */
  chunks: number;
  /** Worker-side: from the start of the call's turn to the first generated token, and to the last. */
  firstTokenMs: number;
  totalMs: number;
}

/** One message on a generation's stream port, posted as each token is produced. */
export interface GenerationChunkFromWorker {
  type: 'chunk';
  /** 0, 1, 2, … (one port carries one generation, in order). */
  seq: number;
  text: string;
  tokens: number[];
}

/** One pipeline call as it crosses to the worker, typed by the task's kind. */
export type PipelineCallToWorker =
  | { kind: 'feature-extraction'; texts: Texts; options: PipelineOptionsToWorker }
  | { kind: 'text-classification'; texts: Texts; options: PipelineOptionsToWorker }
  | { kind: 'zero-shot-classification'; texts: Texts; labels: Texts; options: PipelineOptionsToWorker }
  | { kind: 'text-generation'; prompt: GenerationPromptToWorker; params: GenerationParamsToWorker }
  | { kind: 'generic'; input: WireValue; options: PipelineOptionsToWorker };

/** One pipeline call's result, typed by the task's kind. Tensors are plain {@link Tensor}s. */
export type PipelineOutput =
  | { kind: 'feature-extraction'; value: Tensor }
  | { kind: 'text-classification'; value: ClassificationLabel[] | ClassificationLabel[][] }
  | { kind: 'zero-shot-classification'; value: ZeroShotClassificationResult | ZeroShotClassificationResult[] }
  | { kind: 'text-generation'; value: GenerationFromWorker }
  | { kind: 'generic'; value: WireValue };

/** One answered pipeline call. */
export interface PipelineRunFromWorker {
  output: PipelineOutput;
  timing: RunTiming;
  backend: BackendName;
}

/** Progress of a pipeline load, proxied through comlink. */
export type PipelineProgressToPage = (p: PipelineProgress) => void;

/** The kinds a pipeline call can have (re-exported for the sides). */
export type { PipelineKind };

/** The API the worker host exposes; `client/` calls it through `comlink.wrap`. */
export interface HostApi {
  init(opts: InitToWorker): Promise<Reply<EngineInfo>>;
  info(): Promise<Reply<EngineInfo>>;
  load(callId: number, spec: LoadToWorker, onProgress?: ProgressToPage): Promise<Reply<ModelFromWorker>>;
  run(callId: number, modelId: string, feeds: Tensors): Promise<Reply<RunFromWorker>>;
  /** Several runs in one message (what the page sends); one reply per call, in order. */
  runMany(calls: RunToWorker[]): Promise<Reply<RunFromWorker | PartsFromWorker>[]>;
  /** Cancel a pending load or queued run; a no-op for unknown or finished calls. */
  abort(callId: number): void;
  disposeModel(modelId: string): Promise<Reply<null>>;
  testHook(hook: TestHookToWorker): Promise<Reply<null>>;
  /** Models in the model cache. */
  cacheList(): Promise<Reply<StoredModelInfo[]>>;
  /** Deletes every stored version of `url`. */
  cacheDelete(url: string): Promise<Reply<null>>;
  /** Empty the model cache and the remembered backend verdicts. */
  cacheClear(): Promise<Reply<null>>;
  /** Build a transformers.js pipeline (imports transformers.js on first use). Abortable by `callId`. */
  pipelineLoad(callId: number, spec: PipelineToWorker, onProgress?: PipelineProgressToPage): Promise<Reply<PipelineFromWorker>>;
  /**
   * One pipeline call; concurrent calls may share a run (see `batching`). Abortable by `callId`.
   * A text generation posts each token on `stream` ({@link GenerationChunkFromWorker}) as it is
   * produced and answers when the last one is out.
   */
  pipelineRun(callId: number, pipeId: string, call: PipelineCallToWorker, stream?: MessagePort): Promise<Reply<PipelineRunFromWorker>>;
  /** Release a pipeline's sessions; a no-op for unknown ids. */
  pipelineDispose(pipeId: string): Promise<Reply<null>>;
  /**
   * Parse and validate a recommender item table off the page's main thread (a 300 MB items.json
   * was a 4.6 s long task there); `CATALOG_INVALID` naming the field, as on the page.
   */
  parseItemTable(table: ItemTableToWorker): Promise<Reply<ItemTableFromWorker>>;
}
