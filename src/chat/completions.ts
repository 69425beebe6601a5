/**
 * `engine.chat.completions.create()`: the OpenAI chat-completions shape on top of
 * `engine.pipeline('text-generation')`, so code written for a hosted API ports with one line.
 * Built on the public engine API only (a domain layer, like the recommender). The engine keeps
 * one pipeline per (model, load options) and reuses it across calls.
 *
 * @example
 * const stream = await engine.chat.completions.create({ model: 'HuggingFaceTB/SmolLM2-135M-Instruct', messages, stream: true, max_tokens: 128 }, { modelHost: '/models/hf/' });
 * for await (const chunk of stream) out.textContent += chunk.choices[0]?.delta.content ?? '';
 */
import { InpageError } from '../errors.ts';
import type { ChatMessage, ContextPolicy, FinishReason, GenerationOptions, GenerationResult, GenerationStream, GenerationTimeout } from '../generation-types.ts';
import type { PipelineOptions, TextGenerationPipeline } from '../pipeline-types.ts';

/** The request body (OpenAI's names; what Inpage does not support is rejected, not ignored). */
export interface ChatCompletionRequest {
  /** A Hugging Face model id (a causal LM with a chat template), hub layout. */
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  /** Most tokens to generate (OpenAI's older name). */
  max_tokens?: number;
  /** Most tokens to generate (OpenAI's newer name; wins over `max_tokens`). */
  max_completion_tokens?: number;
  /** 0: greedy. Default: the model's generation config (greedy for most). */
  temperature?: number;
  top_p?: number;
  /** Only 1 choice is supported. */
  n?: number;
}

/** Per-call options (the second argument, as in OpenAI's SDK), plus how to load the model. */
export interface ChatRequestOptions extends Pick<PipelineOptions, 'modelHost' | 'dtype' | 'device' | 'revision' | 'onProgress' | 'cache'> {
  signal?: AbortSignal;
  timeoutMs?: GenerationTimeout;
  /** Over-long chats: drop the oldest turns (default) or reject with `INPUT_INVALID`. */
  context?: ContextPolicy;
}

/** OpenAI's usage block. */
export interface ChatCompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A whole answer (`stream: false`). */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  /** Unix seconds. */
  created: number;
  model: string;
  choices: { index: 0; message: { role: 'assistant'; content: string }; finish_reason: FinishReason }[];
  usage: ChatCompletionUsage;
}

/** One streamed piece (`stream: true`); the last one has `finish_reason` and `usage`. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: { index: 0; delta: { role?: 'assistant'; content?: string }; finish_reason: FinishReason | null }[];
  usage: ChatCompletionUsage | null;
}

/** `engine.chat`. */
export interface ChatApi {
  completions: {
    create(body: ChatCompletionRequest & { stream: true }, options?: ChatRequestOptions): Promise<AsyncIterable<ChatCompletionChunk>>;
    create(body: ChatCompletionRequest & { stream?: false }, options?: ChatRequestOptions): Promise<ChatCompletion>;
    create(body: ChatCompletionRequest, options?: ChatRequestOptions): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>>;
  };
}

/** What the chat layer needs from an engine. */
export interface ChatEngineLike {
  pipeline(task: 'text-generation', model: string, options?: PipelineOptions): Promise<TextGenerationPipeline>;
}

const KNOWN_BODY = new Set(['model', 'messages', 'stream', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'n']);

function bad(message: string): InpageError {
  return new InpageError('INPUT_INVALID', `chat.completions.create(): ${message}`);
}

/** Generation options of a request. */
function generationOptions(body: ChatCompletionRequest, options: ChatRequestOptions): GenerationOptions {
  const unknown = Object.keys(body).filter((k) => !KNOWN_BODY.has(k));
  if (unknown.length > 0) throw bad(`${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not supported by on-device chat (supported: ${[...KNOWN_BODY].join(', ')}).`);
  if (body.n !== undefined && body.n !== 1) throw bad(`n must be 1 (one choice per request), got ${JSON.stringify(body.n)}.`);
  if (typeof body.model !== 'string' || body.model === '') throw bad(`model must be a Hugging Face model id, got ${JSON.stringify(body.model)}.`);
  if (!Array.isArray(body.messages)) throw bad(`messages must be an array of { role, content }, got ${JSON.stringify(body.messages)}.`);
  const o: GenerationOptions = {};
  const maxNew = body.max_completion_tokens ?? body.max_tokens;
  if (maxNew !== undefined) o.max_new_tokens = maxNew;
  if (body.temperature !== undefined) o.temperature = body.temperature;
  if (body.top_p !== undefined) o.top_p = body.top_p;
  if (options.signal !== undefined) o.signal = options.signal;
  if (options.timeoutMs !== undefined) o.timeoutMs = options.timeoutMs;
  if (options.context !== undefined) o.context = options.context;
  return o;
}

const usageOf = (r: GenerationResult): ChatCompletionUsage => ({ prompt_tokens: r.usage.promptTokens, completion_tokens: r.usage.completionTokens, total_tokens: r.usage.totalTokens });

/** OpenAI-shaped chunks of a generation stream: a role chunk, content chunks, a finish chunk with usage. */
async function* chunksOf(stream: GenerationStream, head: { id: string; created: number; model: string }): AsyncGenerator<ChatCompletionChunk> {
  const chunk = (delta: ChatCompletionChunk['choices'][0]['delta'], finish: FinishReason | null, usage: ChatCompletionUsage | null): ChatCompletionChunk => ({
    ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], usage,
  });
  let done = false;
  try {
    yield chunk({ role: 'assistant', content: '' }, null, null);
    for await (const c of stream) if (c.text !== '') yield chunk({ content: c.text }, null, null);
    const r = await stream.result;
    done = true;
    yield chunk({}, r.finishReason, usageOf(r));
  } finally {
    // The consumer left early (break, return): stop the generation.
    if (!done) stream.abort();
  }
}

/** Builds `engine.chat` over `engine` (one pipeline per model and load options, reused). */
export function createChat(engine: ChatEngineLike): ChatApi {
  const pipelines = new Map<string, Promise<TextGenerationPipeline>>();
  let ids = 0;
  const pipelineFor = (model: string, options: ChatRequestOptions): Promise<TextGenerationPipeline> => {
    const load: PipelineOptions = {};
    for (const k of ['modelHost', 'dtype', 'device', 'revision', 'cache'] as const) if (options[k] !== undefined) (load as Record<string, unknown>)[k] = options[k];
    const key = `${model}\u0000${JSON.stringify(load, (_, v: unknown) => (v instanceof URL ? v.href : v))}`;
    let p = pipelines.get(key);
    if (!p) {
      const withProgress: PipelineOptions = options.onProgress ? { ...load, onProgress: options.onProgress } : load;
      p = engine.pipeline('text-generation', model, withProgress);
      pipelines.set(key, p);
      p.catch(() => pipelines.delete(key));
    }
    return p;
  };
  async function create(body: ChatCompletionRequest, options: ChatRequestOptions = {}): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    if (typeof body !== 'object' || body === null) throw bad(`the request must be an object { model, messages, … }, got ${JSON.stringify(body)}.`);
    const gen = generationOptions(body, options);
    const pipe = await pipelineFor(body.model, options);
    const head = { id: `chatcmpl-${Date.now().toString(36)}-${++ids}`, created: Math.floor(Date.now() / 1000), model: body.model };
    const stream = pipe(body.messages, gen);
    if (body.stream === true) return chunksOf(stream, head);
    const r = await stream.result;
    return {
      ...head, object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: r.text }, finish_reason: r.finishReason }],
      usage: usageOf(r),
    };
  }
  return { completions: { create: create as ChatApi['completions']['create'] } };
}
