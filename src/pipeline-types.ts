/**
 * Public types of `engine.pipeline()`: options, results and the handle types per task. Types
 * only. The wire shapes between page and worker are in protocol.ts.
 */
import type { Tensor } from './tensor.ts';
import type { ChatMessage, GenerationOptions, GenerationStream } from './generation-types.ts';
import type { BackendName, BackendPreference, LoadProgress, StoreKind } from './types.ts';

/**
 * A transformers.js task. The named ones are typed, batched where the task allows and tested
 * (`text-generation` streams, see generation-types.ts); any other transformers.js 4.3.2 task name
 * is passed through untyped and unbatched.
 */
export type PipelineTask = 'feature-extraction' | 'text-classification' | 'zero-shot-classification' | 'text-generation' | (string & {});

/** Weight precision, as transformers.js names it (it picks `onnx/model<suffix>.onnx`). */
export type PipelineDtype = 'auto' | 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';

/**
 * Options of `engine.pipeline()`.
 *
 * @example
 * { device: 'auto', dtype: 'q8', modelHost: '/models/hf/', onProgress: (p) => bar(p.loaded / (p.total ?? 1)) }
 */
export interface PipelineOptions {
  /** Backend for this pipeline. Default: the engine's `backend` (`'auto'`: WebGPU when it builds, else WASM). */
  device?: BackendPreference;
  /**
   * Weight file to use. Default: the model's `transformers.js_config.dtype` when its config
   * names one, else transformers.js' own default for the backend (`'q8'` on WASM, `'fp32'` on WebGPU).
   */
  dtype?: PipelineDtype | Record<string, PipelineDtype>;
  /** Hub revision (branch, tag or commit). Default `'main'`. */
  revision?: string;
  /**
   * Where the model files live, for self-hosted models in the Hugging Face repository layout
   * (`config.json`, `tokenizer.json`, `onnx/model.onnx`, …). A URL (relative to the page) that may
   * contain `{model}` and `{revision}`; without them `{model}/` is appended.
   * Default: the Hugging Face hub, `https://huggingface.co/{model}/resolve/{revision}/`.
   *
   * @example '/models/hf/'                       // → /models/hf/<model>/config.json
   * @example 'https://cdn.example.com/{model}@{revision}/'
   */
  modelHost?: string | URL;
  /**
   * Pins the model's files: path relative to the model folder → SHA-256 (e.g. a package's
   * `search.json` lists them). Only listed files are fetched, each must match (a stale HTTP copy is
   * fetched once more past the cache first), and model-cache copies are keyed by the hash;
   * otherwise the load rejects with `INTEGRITY_MISMATCH`.
   *
   * @example { 'tokenizer.json': '9f…', 'config.json': '1c…', 'onnx/model.onnx': 'a0…' }
   */
  integrity?: Record<string, string>;
  /** Keep the model files in the engine's model cache (Cache Storage → IndexedDB → memory). Default true. */
  cache?: boolean;
  /** Which of the engine's workers hosts the pipeline: `'main'` (default) or a name (see `LoadOptions.worker`). */
  worker?: string;
  /**
   * Concurrent calls with the same options are merged into one model run (feature-extraction
   * with pooling, text-classification). Default `{ maxBatch: 32, maxWaitMs: 2 }`; `false` disables.
   */
  batch?: { maxBatch?: number; maxWaitMs?: number } | false;
  onProgress?: (p: PipelineProgress) => void;
  signal?: AbortSignal;
  /** Per-call bound for loading; default the engine's `timeoutMs`. */
  timeoutMs?: number;
}

/** Load progress of a pipeline: bytes over all of its files so far. */
export interface PipelineProgress extends LoadProgress {
  /** The file the event is about (path inside the model folder), on 'download'. */
  file?: string;
}

/** Bounds of one pipeline call. */
export interface PipelineCallOptions {
  signal?: AbortSignal;
  /** Default the engine's `timeoutMs`. */
  timeoutMs?: number;
}

/** Options of a feature-extraction call (transformers.js' names). */
export interface FeatureExtractionOptions extends PipelineCallOptions {
  /** Default `'none'` (one vector per token; such calls are not batched). */
  pooling?: 'none' | 'mean' | 'cls' | 'first_token' | 'eos' | 'last_token';
  /** L2-normalise each vector. Default false. */
  normalize?: boolean;
  /** Binary-quantise the embeddings (int8/uint8 output). Default false. */
  quantize?: boolean;
  precision?: 'binary' | 'ubinary';
}

/** Options of a text-classification call. */
export interface TextClassificationOptions extends PipelineCallOptions {
  /** Labels per text, best first; `null` for all. Default 1. */
  top_k?: number | null;
}

/** One label and its probability. */
export interface ClassificationLabel {
  label: string;
  score: number;
}

/** Options of a zero-shot-classification call. */
export interface ZeroShotClassificationOptions extends PipelineCallOptions {
  /** Default `'This example is {}.'`. */
  hypothesis_template?: string;
  /** Score each label on its own (sigmoid-like) instead of a softmax across labels. Default false. */
  multi_label?: boolean;
}

/** Result of zero-shot-classification for one text: labels sorted by score. */
export interface ZeroShotClassificationResult {
  sequence: string;
  labels: string[];
  scores: number[];
}

/** What every pipeline handle reports about itself. */
export interface PipelineInfo {
  readonly task: string;
  readonly model: string;
  /** Backend the pipeline's sessions run on. */
  readonly backend: BackendName;
  /** Why this backend, in words. */
  readonly reason: string;
  /** The weight file variant in use (e.g. `'q8'` → `onnx/model_quantized.onnx`). */
  readonly dtype: string;
  /** Files the pipeline loaded, with where each came from. */
  readonly files: readonly PipelineFile[];
  /** Whether concurrent calls are merged into one run, and why not. */
  readonly batching: { enabled: boolean; reason: string };
  /** Release the pipeline's sessions in the worker. Later calls reject with `DISPOSED`. */
  dispose(): Promise<void>;
}

/**
 * A feature-extraction pipeline: text(s) → `float32` tensor `[texts, dim]` with pooling, or
 * `[texts, tokens, dim]` without.
 *
 * @example
 * const embed = await engine.pipeline('feature-extraction', 'Xenova/all-MiniLM-L6-v2');
 * const v = await embed(['red tent', 'blue bag'], { pooling: 'mean', normalize: true }); // v.dims = [2, 384]
 */
export interface FeatureExtractionPipeline extends PipelineInfo {
  (texts: string | readonly string[], options?: FeatureExtractionOptions): Promise<Tensor>;
}

/**
 * A text-classification pipeline. Like transformers.js: a single text with `top_k: 1` gives
 * `[{ label, score }]`; several texts give one entry per text (an array of labels when `top_k` ≠ 1).
 *
 * @example
 * const classify = await engine.pipeline('text-classification', 'Xenova/distilbert-base-uncased-finetuned-sst-2-english');
 * await classify('Great tent!'); // [{ label: 'POSITIVE', score: 0.99 }]
 */
export interface TextClassificationPipeline extends PipelineInfo {
  (texts: string | readonly string[], options?: TextClassificationOptions): Promise<ClassificationLabel[] | ClassificationLabel[][]>;
}

/**
 * A zero-shot-classification pipeline (an NLI model scores "This example is {label}.").
 *
 * @example
 * const zs = await engine.pipeline('zero-shot-classification', 'Xenova/mobilebert-uncased-mnli');
 * await zs('I need a warm bag for winter', ['camping', 'cooking']); // { sequence, labels: ['camping', 'cooking'], scores: [0.9, 0.1] }
 */
export interface ZeroShotClassificationPipeline extends PipelineInfo {
  (texts: string | readonly string[], labels: string | readonly string[], options?: ZeroShotClassificationOptions): Promise<ZeroShotClassificationResult | ZeroShotClassificationResult[]>;
}

/** Any other transformers.js task: input and options pass through, tensors come back as {@link Tensor}. */
export interface GenericPipeline extends PipelineInfo {
  (input: unknown, options?: Record<string, unknown> & PipelineCallOptions): Promise<unknown>;
}

/**
 * A text-generation pipeline (a causal language model, e.g. a GPT-2 or SmolLM2 export): a string
 * prompt, or chat messages rendered with the model's chat template.
 *
 * @example
 * const gen = await engine.pipeline('text-generation', 'HuggingFaceTB/SmolLM2-135M-Instruct', { modelHost: '/models/hf/', dtype: 'q4' });
 * for await (const chunk of gen([{ role: 'user', content: 'Hi!' }], { max_new_tokens: 64 })) out.append(chunk.text);
 */
export interface TextGenerationPipeline extends PipelineInfo {
  (prompt: string | readonly ChatMessage[], options?: GenerationOptions): GenerationStream;
  /** Token count of a prompt as the model sees it (chat messages: after the chat template; no trimming). */
  countTokens(prompt: string | readonly ChatMessage[], options?: PipelineCallOptions): Promise<number>;
  /** The model's context length in tokens. */
  readonly contextTokens: number;
}

/** The handle type of a task. */
export type PipelineFor<T extends PipelineTask> =
  T extends 'feature-extraction' ? FeatureExtractionPipeline
    : T extends 'text-classification' ? TextClassificationPipeline
      : T extends 'zero-shot-classification' ? ZeroShotClassificationPipeline
        : T extends 'text-generation' ? TextGenerationPipeline
          : GenericPipeline;

/** One model file a pipeline loaded. */
export interface PipelineFile {
  /** Full URL the file came from (its model-cache key). */
  url: string;
  bytes: number;
  source: 'network' | StoreKind;
}
