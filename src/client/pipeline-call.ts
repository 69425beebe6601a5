/**
 * One `engine.pipeline()` call, checked on the page and laid out as the typed wire call of its
 * task's kind (protocol.ts): bad input fails here, before anything crosses.
 */
import { InpageError } from '../errors.ts';
import type { PipelineKind } from '../pipeline-tasks.ts';
import type { PipelineCallToWorker, PipelineOptionValue, PipelineOptionsToWorker, Texts, WireValue } from '../protocol.ts';

/** Texts in one call, and characters in all of them: a bound against pasting a book by mistake. */
const MAX_TEXTS = 4096;
const MAX_CHARS = 1_000_000;
const TENSOR_TYPES = new Set(['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool']);

function isOptionValue(v: unknown, depth = 0): v is PipelineOptionValue {
  if (depth > 8) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isOptionValue(x, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every((x) => isOptionValue(x, depth + 1));
  return false;
}

/** A JSON-like value, possibly holding plain tensors (what a generic task's input may be). */
function isWireValue(v: unknown, depth = 0): v is WireValue {
  if (depth > 8) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isWireValue(x, depth + 1));
  if (typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const t = v as { type?: unknown; dims?: unknown; data?: unknown };
  if (typeof t.type === 'string' && TENSOR_TYPES.has(t.type) && Array.isArray(t.dims) && ArrayBuffer.isView(t.data)) return true;
  return Object.values(v).every((x) => isWireValue(x, depth + 1));
}

/** Checks the texts of a call; returns them (a copy of an array) and how many there are. */
function checkTexts(input: unknown, what: string): { texts: Texts; rows: number } {
  const list = typeof input === 'string' ? [input] : Array.isArray(input) ? input : undefined;
  if (list === undefined || list.length === 0 || list.some((t) => typeof t !== 'string')) {
    throw new InpageError('INPUT_INVALID', `${what} needs a string or a non-empty array of strings, got ${Array.isArray(input) ? `an array with ${input.length === 0 ? 'no' : 'non-string'} elements` : JSON.stringify(input) ?? String(input)}.`);
  }
  if (list.length > MAX_TEXTS) throw new InpageError('INPUT_INVALID', `${what}: at most ${MAX_TEXTS} texts per call, got ${list.length}; split the call.`, { texts: list.length });
  const chars = (list as string[]).reduce((a, t) => a + t.length, 0);
  if (chars > MAX_CHARS) throw new InpageError('INPUT_INVALID', `${what}: at most ${MAX_CHARS} characters per call, got ${chars}.`, { chars });
  return { texts: typeof input === 'string' ? input : [...(list as string[])], rows: list.length };
}

/** A call ready to cross, with its rows (texts) for stats, and the page-only bounds. */
export interface LaidOutCall {
  call: PipelineCallToWorker;
  rows: number;
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
}

/**
 * Checks `input` (and zero-shot `labels`) and `options` of a call to a pipeline of `kind`.
 *
 * @example layOutCall('feature-extraction', 'tent', undefined, { pooling: 'mean' }, 'feature-extraction pipeline')
 */
export function layOutCall(kind: PipelineKind, input: unknown, labels: unknown, options: unknown, what: string): LaidOutCall {
  if (kind === 'text-generation') throw new InpageError('INTERNAL', `${what}: text generation streams (generation-call.ts), it is not a one-reply call.`);
  const checked = kind === 'generic' ? undefined : checkTexts(input, what);
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new InpageError('INPUT_INVALID', `${what}: options must be an object, got ${JSON.stringify(options)}.`);
  const { signal, timeoutMs, ...rest } = (options ?? {}) as { signal?: AbortSignal; timeoutMs?: number } & Record<string, unknown>;
  if (!isOptionValue(rest)) throw new InpageError('INPUT_INVALID', `${what}: options must be plain JSON values (numbers, strings, booleans, arrays, objects), got ${Object.keys(rest).join(', ')}.`);
  const opts: PipelineOptionsToWorker = rest;
  let call: PipelineCallToWorker;
  if (kind === 'zero-shot-classification') {
    call = { kind, texts: checked!.texts, labels: checkTexts(labels, `${what} (candidate labels)`).texts, options: opts };
  } else if (labels !== undefined) {
    throw new InpageError('INPUT_INVALID', `${what}: unexpected second argument; pass options as the second argument.`);
  } else if (kind === 'generic') {
    if (!isWireValue(input)) throw new InpageError('INPUT_INVALID', `${what}: the input must be plain data (strings, numbers, arrays, objects, or tensors { type, dims, data }), got ${Object.prototype.toString.call(input)}.`);
    call = { kind, input, options: opts };
  } else {
    call = { kind, texts: checked!.texts, options: opts } as PipelineCallToWorker;
  }
  return { call, rows: checked?.rows ?? 1, signal, timeoutMs };
}
