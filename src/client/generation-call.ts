/**
 * One text-generation call, checked on the page and laid out as the wire call (protocol.ts): a
 * bad prompt or option fails here, before anything crosses.
 */
import { InpageError } from '../errors.ts';
import type { ChatMessage, ContextPolicy, GenerationTimeout } from '../generation-types.ts';
import type { GenerationParamsToWorker, GenerationPromptToWorker, PipelineCallToWorker } from '../protocol.ts';

/** Characters in a prompt: a bound against pasting a book by mistake (the token budget is checked in the worker). */
const MAX_CHARS = 1_000_000;
const MAX_MESSAGES = 1000;
const ROLES = new Set(['system', 'user', 'assistant']);
const KNOWN = new Set(['max_new_tokens', 'temperature', 'top_p', 'top_k', 'repetition_penalty', 'context', 'signal', 'timeoutMs']);

/** A generation ready to cross, and its page-only bounds. */
export interface LaidOutGeneration {
  call: Extract<PipelineCallToWorker, { kind: 'text-generation' }>;
  signal: AbortSignal | undefined;
  /** Time to the first token, and to the whole answer (undefined: the engine's default). */
  firstTokenMs: number | undefined;
  totalMs: number | undefined;
}

function bad(what: string, message: string): InpageError {
  return new InpageError('INPUT_INVALID', `${what}: ${message}`);
}

/** Checks a prompt: a string, or chat messages `{ role, content }`. */
export function checkPrompt(prompt: unknown, what: string): GenerationPromptToWorker {
  if (typeof prompt === 'string') {
    if (prompt.length > MAX_CHARS) throw bad(what, `at most ${MAX_CHARS} characters per prompt, got ${prompt.length}.`);
    return { type: 'text', text: prompt };
  }
  if (!Array.isArray(prompt) || prompt.length === 0) {
    throw bad(what, `the prompt must be a string or a non-empty array of chat messages { role: 'system' | 'user' | 'assistant', content: string }, got ${Array.isArray(prompt) ? 'an empty array' : JSON.stringify(prompt) ?? String(prompt)}.`);
  }
  if (prompt.length > MAX_MESSAGES) throw bad(what, `at most ${MAX_MESSAGES} messages per chat, got ${prompt.length}.`);
  let chars = 0;
  const messages: ChatMessage[] = prompt.map((m: unknown, i) => {
    const r = m as { role?: unknown; content?: unknown } | null;
    if (typeof r !== 'object' || r === null || !ROLES.has(r.role as string) || typeof r.content !== 'string') {
      throw bad(what, `message ${i} must be { role: 'system' | 'user' | 'assistant', content: string }, got ${JSON.stringify(m) ?? String(m)}.`);
    }
    chars += r.content.length;
    return { role: r.role as ChatMessage['role'], content: r.content };
  });
  if (chars > MAX_CHARS) throw bad(what, `at most ${MAX_CHARS} characters per chat, got ${chars}.`);
  return { type: 'chat', messages };
}

function num(o: Record<string, unknown>, key: string, what: string, ok: (v: number) => boolean, expect: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw bad(what, `${key} must be ${expect}, got ${JSON.stringify(v) ?? String(v)}.`);
  return v;
}

/** `timeoutMs` as its two bounds. */
export function checkTimeout(t: unknown, what: string): { firstTokenMs: number | undefined; totalMs: number | undefined } {
  const ms = (v: unknown, name: string): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw bad(what, `${name} must be a number of milliseconds > 0, got ${JSON.stringify(v) ?? String(v)}.`);
    return v;
  };
  if (t === undefined || typeof t === 'number') {
    const v = ms(t, 'timeoutMs');
    return { firstTokenMs: v, totalMs: v };
  }
  if (typeof t !== 'object' || t === null) throw bad(what, `timeoutMs must be a number or { firstToken?, total? }, got ${JSON.stringify(t)}.`);
  const o = t as { firstToken?: unknown; total?: unknown };
  return { firstTokenMs: ms(o.firstToken, 'timeoutMs.firstToken'), totalMs: ms(o.total, 'timeoutMs.total') };
}

/**
 * Checks a generation's prompt and options.
 *
 * @example layOutGeneration('Once upon', { max_new_tokens: 20 }, 'text-generation pipeline')
 */
export function layOutGeneration(prompt: unknown, options: unknown, what: string, extra: { countOnly?: boolean } = {}): LaidOutGeneration {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw bad(what, `options must be an object, got ${JSON.stringify(options)}.`);
  const o = (options ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw bad(what, `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${[...KNOWN].join(', ')}.`);
  const context = o['context'] ?? 'trim';
  if (context !== 'trim' && context !== 'reject') throw bad(what, `context must be 'trim' or 'reject', got ${JSON.stringify(context)}.`);
  const signal = o['signal'];
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw bad(what, 'signal must be an AbortSignal.');
  const params: GenerationParamsToWorker = { context: context as ContextPolicy };
  const maxNew = num(o, 'max_new_tokens', what, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  const temperature = num(o, 'temperature', what, (v) => v >= 0, 'a number ≥ 0');
  const topP = num(o, 'top_p', what, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  const topK = num(o, 'top_k', what, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
  const penalty = num(o, 'repetition_penalty', what, (v) => v > 0, 'a number > 0');
  if (maxNew !== undefined) params.maxNewTokens = maxNew;
  if (temperature !== undefined) params.temperature = temperature;
  if (topP !== undefined) params.topP = topP;
  if (topK !== undefined) params.topK = topK;
  if (penalty !== undefined) params.repetitionPenalty = penalty;
  if (extra.countOnly) params.countOnly = true;
  const { firstTokenMs, totalMs } = checkTimeout(o['timeoutMs'] as GenerationTimeout | undefined, what);
  return { call: { kind: 'text-generation', prompt: checkPrompt(prompt, what), params }, signal: signal as AbortSignal | undefined, firstTokenMs, totalMs };
}
