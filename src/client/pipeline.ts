/**
 * The page side of `engine.pipeline()`: checks options and inputs (bad input fails here, before
 * anything crosses), asks the worker to build a transformers.js pipeline, and returns a callable
 * handle. Like a model handle it never runs anything itself, reloads itself into a fresh worker
 * after a crash, and every call is bounded by the engine's timeout and the caller's signal.
 */
import { proxy } from 'comlink';
import { InpageError, disposedError } from '../errors.ts';
import type {
  PipelineCallToWorker, PipelineDtype, PipelineFile, PipelineFor, PipelineFromWorker, PipelineInfo, PipelineOptionValue,
  PipelineOptions, PipelineProgress, PipelineRunFromWorker, PipelineTask, PipelineToWorker,
} from '../backends/transformers-types.ts';
import type { BackendName, BackendPreference } from '../types.ts';
import type { WorkerConnection } from './connection.ts';

/** The Hugging Face hub, transformers.js' default host and path template. */
export const HF_HUB = { remoteHost: 'https://huggingface.co/', pathTemplate: '{model}/resolve/{revision}/' } as const;
const DTYPES: readonly PipelineDtype[] = ['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'];
const DEVICES: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm'];
/** Texts in one call, and characters in all of them: a bound against pasting a book by mistake. */
const MAX_TEXTS = 4096;
const MAX_CHARS = 1_000_000;

/** What a pipeline needs from its engine (EngineImpl implements it). */
export interface PipelineEngine {
  connection(): Promise<WorkerConnection>;
  nextCallId(): number;
  timeoutMs(opts?: { timeoutMs?: number }): number;
  recordPipelineLoad(id: string, meta: PipelineFromWorker, ms: number): void;
  recordPipelineRun(id: string, reply: PipelineRunFromWorker, rows: number, startedAt: number): void;
  forgetPipeline(handle: PipelineHandle): void;
}

/**
 * Splits `modelHost` into transformers.js' `remoteHost` (absolute, resolved against the page) and
 * `remotePathTemplate`.
 *
 * @example resolveModelHost('/hf/', 'https://shop.test/p') // { remoteHost: 'https://shop.test/hf/', pathTemplate: '{model}/' }
 */
export function resolveModelHost(modelHost: string | URL | undefined, base = globalThis.location?.href): { remoteHost: string; pathTemplate: string } {
  if (modelHost === undefined) return { ...HF_HUB };
  // A URL object percent-encodes the braces of its placeholders.
  const text = String(modelHost).replace(/%7Bmodel%7D/gi, '{model}').replace(/%7Brevision%7D/gi, '{revision}');
  const at = text.search(/\{(model|revision)\}/);
  const prefix = at < 0 ? text : text.slice(0, at);
  const pathTemplate = at < 0 ? '{model}/' : text.slice(at);
  let remoteHost: string;
  try {
    remoteHost = new URL(prefix === '' ? './' : prefix, base).href;
  } catch {
    throw new InpageError('OPTION_INVALID', `modelHost '${text}' is not a valid URL${base === undefined ? ' (no page location to resolve a relative URL against: pass an absolute URL)' : ''}.`);
  }
  if (!/^https?:$/.test(new URL(remoteHost).protocol)) throw new InpageError('OPTION_INVALID', `modelHost must be an http(s) URL, got '${text}'.`);
  return { remoteHost: remoteHost.endsWith('/') ? remoteHost : `${remoteHost}/`, pathTemplate };
}

function checkDtype(d: unknown): void {
  const ok = (v: unknown): boolean => DTYPES.includes(v as PipelineDtype);
  if (typeof d === 'string' ? ok(d) : typeof d === 'object' && d !== null && Object.values(d).every(ok)) return;
  throw new InpageError('OPTION_INVALID', `dtype must be one of ${DTYPES.join(', ')} (or a map of file name to one of them), got ${JSON.stringify(d)}.`);
}

/** Checks `engine.pipeline()` arguments and builds the worker spec. */
export function pipelineSpec(pipeId: string, task: unknown, model: unknown, opts: PipelineOptions): PipelineToWorker {
  if (typeof task !== 'string' || task === '') throw new InpageError('OPTION_INVALID', `engine.pipeline(task, model): task must be a transformers.js task name like 'feature-extraction', got ${JSON.stringify(task)}.`);
  if (typeof model !== 'string' || model === '' || model.length > 200 || model.includes('..')) {
    throw new InpageError('OPTION_INVALID', `engine.pipeline(task, model): model must be a Hugging Face model id like 'Xenova/all-MiniLM-L6-v2', got ${JSON.stringify(model)}.`);
  }
  if (opts.device !== undefined && !DEVICES.includes(opts.device)) throw new InpageError('OPTION_INVALID', `device must be one of ${DEVICES.map((d) => `'${d}'`).join(', ')}, got ${JSON.stringify(opts.device)}.`);
  if (opts.dtype !== undefined) checkDtype(opts.dtype);
  if (opts.revision !== undefined && (typeof opts.revision !== 'string' || opts.revision === '')) throw new InpageError('OPTION_INVALID', `revision must be a non-empty string, got ${JSON.stringify(opts.revision)}.`);
  let batch: PipelineToWorker['batch'] = { maxBatch: 32, maxWaitMs: 2 };
  if (opts.batch === false) batch = false;
  else if (opts.batch !== undefined) {
    const maxBatch = opts.batch.maxBatch ?? 32;
    const maxWaitMs = opts.batch.maxWaitMs ?? 2;
    if (!Number.isInteger(maxBatch) || maxBatch < 1 || !(Number.isFinite(maxWaitMs) && maxWaitMs >= 0)) {
      throw new InpageError('OPTION_INVALID', `batch must be { maxBatch: integer ≥ 1, maxWaitMs: number ≥ 0 } or false, got ${JSON.stringify(opts.batch)}.`);
    }
    batch = maxBatch === 1 || maxWaitMs === 0 ? false : { maxBatch, maxWaitMs };
  }
  const spec: PipelineToWorker = {
    pipeId, task, model, revision: opts.revision ?? 'main', host: resolveModelHost(opts.modelHost), cache: opts.cache ?? true, batch,
  };
  if (opts.device !== undefined) spec.device = opts.device;
  if (opts.dtype !== undefined) spec.dtype = opts.dtype;
  return spec;
}

function isOptionValue(v: unknown, depth = 0): v is PipelineOptionValue {
  if (depth > 8) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isOptionValue(x, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every((x) => isOptionValue(x, depth + 1));
  return false;
}

/** Checks the texts of a call; returns how many there are. */
function checkTexts(input: unknown, what: string): number {
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input : undefined;
  if (texts === undefined || texts.length === 0 || texts.some((t) => typeof t !== 'string')) {
    throw new InpageError('INPUT_INVALID', `${what} needs a string or a non-empty array of strings, got ${Array.isArray(input) ? `an array with ${input.length === 0 ? 'no' : 'non-string'} elements` : JSON.stringify(input) ?? String(input)}.`);
  }
  if (texts.length > MAX_TEXTS) throw new InpageError('INPUT_INVALID', `${what}: at most ${MAX_TEXTS} texts per call, got ${texts.length}; split the call.`, { texts: texts.length });
  const chars = (texts as string[]).reduce((a, t) => a + t.length, 0);
  if (chars > MAX_CHARS) throw new InpageError('INPUT_INVALID', `${what}: at most ${MAX_CHARS} characters per call, got ${chars}.`, { chars });
  return texts.length;
}

/** The page-side state of one pipeline. */
export class PipelineHandle {
  meta: PipelineFromWorker;
  private disposed = false;
  private reloading: Promise<void> | undefined;

  constructor(private readonly engine: PipelineEngine, readonly spec: PipelineToWorker, meta: PipelineFromWorker, private conn: WorkerConnection) {
    this.meta = meta;
  }

  get id(): string {
    return this.spec.pipeId;
  }

  /** One call: `input` (and zero-shot `labels`), task options plus `signal`/`timeoutMs`. */
  async call(input: unknown, labels: unknown, options: unknown): Promise<unknown> {
    if (this.disposed) throw disposedError('This pipeline');
    const startedAt = performance.now();
    const what = `${this.spec.task} pipeline`;
    const known = ['feature-extraction', 'embeddings', 'text-classification', 'sentiment-analysis', 'zero-shot-classification'].includes(this.spec.task);
    const rows = known ? checkTexts(input, what) : 1;
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new InpageError('INPUT_INVALID', `${what}: options must be an object, got ${JSON.stringify(options)}.`);
    const { signal, timeoutMs, ...rest } = (options ?? {}) as { signal?: AbortSignal; timeoutMs?: number } & Record<string, unknown>;
    if (!isOptionValue(rest)) throw new InpageError('INPUT_INVALID', `${what}: options must be plain JSON values (numbers, strings, booleans, arrays, objects), got ${Object.keys(rest).join(', ')}.`);
    const call: PipelineCallToWorker = { input, options: rest };
    if (this.spec.task === 'zero-shot-classification') {
      checkTexts(labels, `${what} (candidate labels)`);
      call.labels = labels as string | string[];
    } else if (labels !== undefined) {
      throw new InpageError('INPUT_INVALID', `${what}: unexpected second argument; pass options as the second argument.`);
    }
    if (known) call.input = typeof input === 'string' ? input : [...(input as string[])];
    const guard = timeoutMs === undefined ? {} : { timeoutMs };
    const conn = await this.ensureLoaded(signal, guard);
    const callId = this.engine.nextCallId();
    const id = this.spec.pipeId;
    const reply = await conn.call((r) => r.pipelineRun(callId, id, call), {
      what: `${what}()`, signal, timeoutMs: this.engine.timeoutMs(guard),
      cancel: () => { void conn.remote.abort(callId); },
    });
    this.meta = { ...this.meta, backend: reply.backend };
    this.engine.recordPipelineRun(id, reply, rows, startedAt);
    return reply.output;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.forgetPipeline(this);
    if (this.conn.alive) {
      const id = this.spec.pipeId;
      await this.conn.call((r) => r.pipelineDispose(id), { what: 'pipeline.dispose()', timeoutMs: this.engine.timeoutMs() }).catch(() => {});
    }
  }

  /** Mark disposed without talking to the worker (engine.dispose does that in bulk). */
  markDisposed(): void {
    this.disposed = true;
  }

  /** After a worker crash the pipeline is gone: build it again in the fresh worker, once. */
  private async ensureLoaded(signal: AbortSignal | undefined, guard: { timeoutMs?: number }): Promise<WorkerConnection> {
    const conn = await this.engine.connection();
    if (conn === this.conn) return conn;
    this.reloading ??= loadInto(this.engine, conn, this.spec, { signal, timeoutMs: this.engine.timeoutMs(guard) })
      .then((meta) => { this.conn = conn; this.meta = meta; })
      .finally(() => { this.reloading = undefined; });
    await this.reloading;
    return this.ensureLoaded(signal, guard);
  }
}

/** Builds `spec` in the worker behind `conn`, relaying progress until the reply. */
export function loadInto(engine: PipelineEngine, conn: WorkerConnection, spec: PipelineToWorker, guard: { signal?: AbortSignal | undefined; timeoutMs: number }, onProgress?: (p: PipelineProgress) => void): Promise<PipelineFromWorker> {
  const callId = engine.nextCallId();
  let finished = false;
  // Progress arrives on its own channel and can trail the reply: drop anything after it.
  // The page reports 'ready' itself once the reply is in.
  const relay = onProgress ? proxy((p: PipelineProgress) => { if (!finished && p.phase !== 'ready') onProgress(p); }) : undefined;
  return conn.call((r) => r.pipelineLoad(callId, spec, relay), {
    what: 'engine.pipeline()', signal: guard.signal, timeoutMs: guard.timeoutMs,
    cancel: () => { void conn.remote.abort(callId); },
  }).finally(() => { finished = true; });
}

/** Wraps a handle as the callable, typed pipeline the caller gets. */
function callable<T extends PipelineTask>(handle: PipelineHandle): PipelineFor<T> {
  const fn = (input: unknown, second?: unknown, third?: unknown): Promise<unknown> =>
    (handle.spec.task === 'zero-shot-classification' ? handle.call(input, second, third) : handle.call(input, undefined, second));
  const info: { [K in keyof PipelineInfo]: PropertyDescriptor } = {
    task: { get: () => handle.meta.task, enumerable: true },
    model: { get: () => handle.meta.model, enumerable: true },
    backend: { get: (): BackendName => handle.meta.backend, enumerable: true },
    reason: { get: () => handle.meta.reason, enumerable: true },
    dtype: { get: () => handle.meta.dtype, enumerable: true },
    files: { get: (): readonly PipelineFile[] => handle.meta.files, enumerable: true },
    batching: { get: () => handle.meta.batching, enumerable: true },
    dispose: { value: () => handle.dispose() },
  };
  return Object.defineProperties(fn, info) as unknown as PipelineFor<T>;
}

let pipeCounter = 0;

/**
 * `engine.pipeline()`: validates, loads into the engine's worker, returns the callable handle.
 *
 * @example const embed = await createPipeline(engine, 'feature-extraction', 'Xenova/all-MiniLM-L6-v2', {}, (h) => set.add(h));
 */
export async function createPipeline<T extends PipelineTask>(engine: PipelineEngine, task: T, model: string, opts: PipelineOptions, track: (h: PipelineHandle) => void): Promise<PipelineFor<T>> {
  const spec = pipelineSpec(`p${++pipeCounter}`, task, model, opts);
  const t0 = performance.now();
  const conn = await engine.connection();
  const meta = await loadInto(engine, conn, spec, { signal: opts.signal, timeoutMs: engine.timeoutMs(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) }, opts.onProgress);
  opts.onProgress?.({ phase: 'ready', loaded: meta.bytes, total: meta.bytes });
  const handle = new PipelineHandle(engine, spec, meta, conn);
  track(handle);
  engine.recordPipelineLoad(handle.id, meta, performance.now() - t0);
  return callable<T>(handle);
}
