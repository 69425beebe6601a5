/**
 * Public types of text generation: `engine.pipeline('text-generation', …)` streams, and the chat
 * messages both it and `engine.chat.completions.create()` take. Types only; the wire shapes are in
 * protocol.ts, the pipeline handle type in pipeline-types.ts.
 */
import type { BackendName } from './types.ts';

/** Who wrote a chat message. */
export type ChatRole = 'system' | 'user' | 'assistant';

/** One chat message (OpenAI's shape, text content only). */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/**
 * What happens when a chat does not fit the model's context (prompt tokens + `max_new_tokens`):
 * `'trim'` drops the oldest turns — never a system message, never the last message — until it
 * fits; `'reject'` fails with `INPUT_INVALID`. A message is never cut in the middle. A plain-text
 * prompt has no turns to drop, so it is rejected either way.
 */
export type ContextPolicy = 'trim' | 'reject';

/**
 * Bounds of a generation. A number bounds both the time to the first token and the whole answer;
 * the object sets them apart. Default: the engine's `timeoutMs` for both.
 *
 * @example { firstToken: 5_000, total: 60_000 }
 */
export type GenerationTimeout = number | { firstToken?: number; total?: number };

/** Options of one generation (transformers.js' names). */
export interface GenerationOptions {
  signal?: AbortSignal;
  /**
   * Most tokens to generate. Default: a quarter of the model's context, at most 256. The prompt
   * plus this must fit the context (see `context`).
   */
  max_new_tokens?: number;
  /** 0 (or absent): the model's own default, greedy for most. > 0: sample at this temperature. */
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches this. (0, 1]. */
  top_p?: number;
  /** Sample among the `top_k` most likely tokens only; 0 = all. */
  top_k?: number;
  /** > 1 discourages repeating tokens already in the text. Default 1 (off). */
  repetition_penalty?: number;
  /** Over-long chats: drop the oldest turns (default) or reject. */
  context?: ContextPolicy;
  timeoutMs?: GenerationTimeout;
}

/** One streamed piece of the answer. */
export interface GenerationChunk {
  /** New text (may be empty: a token that ends inside a multi-byte character, or an end token). */
  text: string;
  /** The token ids this piece carries, as produced (end-of-sequence tokens included). */
  tokens: number[];
  /** 0, 1, 2, … in order. */
  index: number;
}

/** Why generation stopped: an end-of-sequence token, or the token limit / context end. */
export type FinishReason = 'stop' | 'length';

/** Token counts of one generation (what a hosted API would bill). */
export interface GenerationUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** The whole answer, when the stream is over. */
export interface GenerationResult {
  text: string;
  /** Every generated token id. */
  tokens: number[];
  finishReason: FinishReason;
  usage: GenerationUsage;
  /** Chat turns dropped to fit the context (0 when nothing was trimmed). */
  droppedMessages: number;
  /** Page-side timings: time to first token, whole answer, decode speed after the first token. */
  timing: { firstTokenMs: number; totalMs: number; tokensPerSecond: number };
  backend: BackendName;
}

/**
 * A generation in progress: iterate it for chunks as they are produced, or await `result`.
 * Every stream settles: abort, timeout, a worker crash and `dispose()` end the iteration with a
 * typed `InpageError`. Leaving a `for await` loop early stops the generation.
 */
export interface GenerationStream extends AsyncIterable<GenerationChunk> {
  /** The whole answer (rejects like the iteration does). */
  readonly result: Promise<GenerationResult>;
  /** Stop now; the stream ends with `ABORTED`. */
  abort(): void;
}
