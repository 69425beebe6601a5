/**
 * Text generation on a transformers.js `text-generation` pipeline, token by token, inside the
 * worker. We drive the pipeline's tokenizer and `model.generate()` ourselves rather than calling
 * the pipeline, because the pipeline tokenizes with `truncation: true` (a long prompt would be cut
 * mid-message without a word) and hides the points we need:
 *
 * - the token budget (chat/budget.ts) is applied before anything runs;
 * - every model run is one executor job (the session wrapper in transformers.ts), and before each
 *   one we check the call's signal: an abort, timeout or dispose stops generation before the next
 *   token — within one token — and other models' runs take their turns between tokens;
 * - each token is posted to the page as it is produced (a streamer), with the text it completes
 *   (a token that ends inside a multi-byte character waits for the next one);
 * - the KV cache is ours (a `DynamicCache` passed in, so `generate()` leaves it alone) and is
 *   released in `finally`, whatever ended the generation; its bytes are tracked for `info()`;
 * - after a WebGPU failure the call is retried on WASM from where it stopped (prompt + tokens
 *   already sent), so the page never sees a token twice.
 */
import type * as Transformers from '@huggingface/transformers';
import { defaultMaxNewTokens, fitChat, fitText } from '../chat/budget.ts';
import { InpageError, abortError } from '../errors.ts';
import type { ChatMessage, FinishReason } from '../generation-types.ts';
import type { GenerationChunkFromWorker, GenerationFromWorker, PipelineCallToWorker } from '../protocol.ts';

type GenerationCall = Extract<PipelineCallToWorker, { kind: 'text-generation' }>;

/** The parts of transformers.js' tokenizer we use (duck-typed: the class is in a lazy module). */
interface HfTokenizer {
  encode(text: string, opts?: { add_special_tokens?: boolean }): number[];
  decode(ids: readonly number[] | readonly bigint[], opts?: { skip_special_tokens?: boolean }): string;
  apply_chat_template(messages: readonly ChatMessage[], opts: { tokenize: false; add_generation_prompt: true }): string;
  all_special_ids: number[];
  add_bos_token?: boolean;
  add_eos_token?: boolean;
  model_max_length?: number;
  chat_template?: unknown;
}

/** The parts of a causal LM we use. */
interface HfCausalLm {
  config: Record<string, unknown>;
  generation_config?: { eos_token_id?: number | number[] | null } | null;
  generate(args: Record<string, unknown>): Promise<unknown>;
  forward(inputs: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** What a text-generation pipeline object holds. */
export interface GenerationParts {
  tokenizer: HfTokenizer;
  model: HfCausalLm;
}

/** The tokenizer and model of a loaded pipeline, or a clear error. */
export function generationParts(pipe: unknown): GenerationParts {
  const p = pipe as Partial<GenerationParts> | null;
  if (typeof p?.tokenizer?.encode !== 'function' || typeof p.model?.generate !== 'function') {
    throw new InpageError('MODEL_INVALID', 'This pipeline has no tokenizer and causal language model: text-generation needs a decoder model (config.json of a causal LM, tokenizer.json).');
  }
  return p as GenerationParts;
}

/** The model's context in tokens: config first (n_positions for GPT-2), else the tokenizer's bound. */
export function contextTokensOf(parts: GenerationParts): number {
  const c = parts.model.config;
  for (const key of ['max_position_embeddings', 'n_positions', 'n_ctx', 'seq_length']) {
    const v = c[key];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  const t = parts.tokenizer.model_max_length;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 && t < 1e7 ? t : 2048;
}

/** Live generations of one worker and their KV cache bytes (what `engine.info().generation` reports). */
export class GenerationMonitor {
  private readonly live = new Map<object, number>();

  /** A generation started; returns the handle that updates and ends it. */
  start(): { bytes(n: number): void; end(): void } {
    const key = {};
    this.live.set(key, 0);
    return { bytes: (n) => { if (this.live.has(key)) this.live.set(key, n); }, end: () => { this.live.delete(key); } };
  }

  get state(): { active: number; kvCacheBytes: number } {
    let kvCacheBytes = 0;
    for (const n of this.live.values()) kvCacheBytes += n;
    return { active: this.live.size, kvCacheBytes };
  }
}

/** What survives a retry of the same call (WebGPU → WASM): the prompt and what was already sent. */
export interface GenerationProgress {
  promptIds?: number[];
  promptTokens?: number;
  droppedMessages?: number;
  maxNewTokens?: number;
  generated: number[];
  /** Text already posted (the decoded prefix of `generated`). */
  printed: string;
  chunks: number;
  startedAt?: number;
  firstTokenMs?: number;
}

/** How one generation call runs. */
export interface GenerationContext {
  signal: AbortSignal;
  /** Posts a chunk to the page (absent: nobody listens, e.g. countOnly). */
  emit?: ((chunk: GenerationChunkFromWorker) => void) | undefined;
  /** Awaited before each model run (the test lever that slows runs). */
  beforeRun(): Promise<void>;
  monitor: GenerationMonitor;
  progress: GenerationProgress;
  /** The transformers.js module (its Tensor and DynamicCache). */
  tf: typeof Transformers;
}

const BYTES: Record<string, number> = { float32: 4, float16: 2, int64: 8, int32: 4, uint8: 1, int8: 1, bool: 1 };

/** Bytes held by a cache's tensors. */
function cacheBytes(cache: object): number {
  let n = 0;
  for (const t of Object.values(cache) as { type?: string; dims?: number[] }[]) {
    if (Array.isArray(t?.dims)) n += t.dims.reduce((a, b) => a * b, 1) * (BYTES[t.type ?? ''] ?? 4);
  }
  return n;
}

/** Text of `ids` that is final: a trailing U+FFFD may still become a character with the next token. */
function stableText(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0xfffd) end--;
  return text.slice(0, end);
}

/** Prepares the prompt ids (budget applied) on the first attempt; later attempts resume. */
function preparePrompt(parts: GenerationParts, call: GenerationCall, contextTokens: number, progress: GenerationProgress): number[] {
  if (progress.promptIds) return [...progress.promptIds, ...progress.generated];
  const { tokenizer } = parts;
  const maxNewTokens = call.params.maxNewTokens ?? defaultMaxNewTokens(contextTokens);
  let ids: number[];
  let dropped = 0;
  if (call.prompt.type === 'chat') {
    if (tokenizer.chat_template === undefined || tokenizer.chat_template === null) {
      throw new InpageError('INPUT_INVALID', 'This model has no chat template (tokenizer_config.json chat_template): pass a plain-text prompt instead of chat messages.');
    }
    const render = (m: readonly ChatMessage[]): string => tokenizer.apply_chat_template(m, { tokenize: false, add_generation_prompt: true });
    if (call.params.countOnly) {
      progress.promptTokens = tokenizer.encode(render(call.prompt.messages), { add_special_tokens: false }).length;
      return [];
    }
    const fitted = fitChat(call.prompt.messages, (m) => tokenizer.encode(render(m), { add_special_tokens: false }).length, { contextTokens, maxNewTokens, policy: call.params.context, what: 'The chat' });
    ids = tokenizer.encode(render(fitted.messages), { add_special_tokens: false });
    dropped = fitted.dropped;
  } else {
    // As the transformers.js pipeline does: special tokens only when the tokenizer asks for a BOS/EOS.
    ids = tokenizer.encode(call.prompt.text, { add_special_tokens: Boolean(tokenizer.add_bos_token || tokenizer.add_eos_token) });
    if (call.params.countOnly) { progress.promptTokens = ids.length; return ids; }
    fitText(ids.length, { contextTokens, maxNewTokens, what: 'The prompt' });
  }
  progress.promptIds = ids;
  progress.promptTokens = ids.length;
  progress.droppedMessages = dropped;
  progress.maxNewTokens = maxNewTokens;
  return ids;
}

/**
 * Runs one text-generation call on `parts` (see the file comment). Resolves when the last token is
 * out; rejects `ABORTED` (or the signal's reason) when stopped.
 */
export async function runGeneration(parts: GenerationParts, call: GenerationCall, ctx: GenerationContext): Promise<GenerationFromWorker> {
  const { tokenizer, model } = parts;
  const { tf } = ctx;
  const progress = ctx.progress;
  progress.startedAt ??= performance.now();
  const contextTokens = contextTokensOf(parts);
  const ids = preparePrompt(parts, call, contextTokens, progress);
  const summary = (finishReason: FinishReason, text = progress.printed): GenerationFromWorker => ({
    text, tokens: [...progress.generated], finishReason, promptTokens: progress.promptTokens ?? ids.length,
    droppedMessages: progress.droppedMessages ?? 0, chunks: progress.chunks,
    firstTokenMs: progress.firstTokenMs ?? 0, totalMs: performance.now() - (progress.startedAt ?? 0),
  });
  if (call.params.countOnly) return summary('length');
  const maxNew = (progress.maxNewTokens ?? 1) - progress.generated.length;
  if (maxNew <= 0) return summary('length');
  const special = new Set(tokenizer.all_special_ids.map(Number));
  const eosRaw = model.generation_config?.eos_token_id ?? (model.config['eos_token_id'] as number | number[] | undefined);
  const eos = new Set((Array.isArray(eosRaw) ? eosRaw : eosRaw === undefined || eosRaw === null ? [] : [eosRaw]).map(Number));
  const text = (): string => tokenizer.decode(progress.generated.filter((t) => !special.has(t)), { skip_special_tokens: true });
  const post = (tokens: number[], final: boolean): void => {
    const full = progress.generated.some((t) => !special.has(t)) ? text() : '';
    const ready = final ? full : stableText(full);
    const piece = ready.startsWith(progress.printed) ? ready.slice(progress.printed.length) : '';
    if (piece !== '') progress.printed += piece;
    if (tokens.length === 0 && piece === '') return;
    ctx.emit?.({ type: 'chunk', seq: progress.chunks, text: piece, tokens });
    progress.chunks++;
  };
  let prompt = true;
  const streamer = {
    put(value: bigint[][]): void {
      if (prompt) { prompt = false; return; }
      const tokens = (value[0] ?? []).map(Number);
      progress.generated.push(...tokens);
      progress.firstTokenMs ??= performance.now() - (progress.startedAt ?? 0);
      post(tokens, false);
    },
    end(): void {},
  };
  const cache = new tf.DynamicCache();
  const live = ctx.monitor.start();
  // Each forward pass is one step: check the signal before it (stop within one token) and
  // account the cache the previous step left.
  const forward = model.forward.bind(model);
  const stepping = async (inputs: Record<string, unknown>): Promise<Record<string, unknown>> => {
    live.bytes(cacheBytes(cache));
    if (ctx.signal.aborted) throw abortError('The generation', ctx.signal.reason);
    await ctx.beforeRun();
    if (ctx.signal.aborted) throw abortError('The generation', ctx.signal.reason);
    return forward(inputs);
  };
  (model as { forward: typeof stepping }).forward = stepping;
  try {
    const n = ids.length;
    await model.generate({
      input_ids: new tf.Tensor('int64', BigInt64Array.from(ids, (t) => BigInt(t)), [1, n]),
      attention_mask: new tf.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      max_new_tokens: Math.min(maxNew, contextTokens - n),
      ...(call.params.temperature !== undefined && call.params.temperature > 0 ? { do_sample: true, temperature: call.params.temperature } : {}),
      ...(call.params.topP !== undefined ? { top_p: call.params.topP } : {}),
      ...(call.params.topK !== undefined ? { top_k: call.params.topK } : {}),
      ...(call.params.repetitionPenalty !== undefined ? { repetition_penalty: call.params.repetitionPenalty } : {}),
      streamer,
      past_key_values: cache,
    });
  } finally {
    delete (model as Partial<{ forward: unknown }>).forward;
    live.end();
    await cache.dispose().catch(() => {});
    for (const key of Object.keys(cache)) delete (cache as unknown as Record<string, unknown>)[key];
  }
  const last = progress.generated.at(-1);
  const finishReason: FinishReason = last !== undefined && eos.has(last) ? 'stop' : 'length';
  // Flush what a trailing partial character held back.
  post([], true);
  return summary(finishReason, progress.generated.some((t) => !special.has(t)) ? text() : '');
}
