/**
 * The page side of `engine.pipeline()`: asks the worker to build a transformers.js pipeline and
 * returns a callable, typed handle. Like a model handle it never runs anything itself, reloads
 * itself into a fresh worker after a crash (resident.ts), and every call is bounded by the
 * engine's timeout and the caller's signal. Options and calls are checked in pipeline-spec.ts and
 * pipeline-call.ts.
 */
import { proxy } from 'comlink';
import { InpageError, disposedError } from '../errors.ts';
import type { GenerationResult, GenerationStream } from '../generation-types.ts';
import type { PipelineFile, PipelineFor, PipelineInfo, PipelineOptions, PipelineProgress, PipelineTask } from '../pipeline-types.ts';
import { taskKind, type PipelineKind } from '../pipeline-tasks.ts';
import type { PipelineFromWorker, PipelineOutput, PipelineRunFromWorker, PipelineToWorker } from '../protocol.ts';
import type { BackendName } from '../types.ts';
import type { WorkerConnection } from './connection.ts';
import { layOutGeneration } from './generation-call.ts';
import { startStream, type GenerationStreamImpl } from './generation-stream.ts';
import { layOutCall } from './pipeline-call.ts';
import { pipelineSpec } from './pipeline-spec.ts';
import { Resident, type ReloadGuard, type ResidentHost, type ResidentWorker } from './resident.ts';

/** What a pipeline needs from its engine (EngineImpl implements it). */
export interface PipelineEngine extends ResidentHost {
  /** The worker named by the `worker` option ('main' when absent), started on first use. */
  workerFor(name: string | undefined): ResidentWorker;
  nextCallId(): number;
  /** A fresh id for a pipeline of this engine. */
  nextPipelineId(): string;
  recordPipelineLoad(id: string, meta: PipelineFromWorker, ms: number): void;
  recordPipelineRun(id: string, reply: PipelineRunFromWorker, rows: number, startedAt: number): void;
  /** A generation finished: its page-side result (tokens, time to first token, speed). */
  recordGeneration(id: string, reply: PipelineRunFromWorker, result: GenerationResult): void;
  forgetPipeline(handle: PipelineHandle): void;
}

/** The page-side state of one pipeline. */
export class PipelineHandle extends Resident<PipelineFromWorker> {
  readonly kind: PipelineKind;
  /** Stops of the generations streaming now (dispose ends them). */
  private readonly streams = new Set<(reason: InpageError) => void>();

  constructor(private readonly engine: PipelineEngine, readonly spec: PipelineToWorker, public meta: PipelineFromWorker, worker: ResidentWorker, conn: WorkerConnection) {
    super(worker, conn, 'This pipeline');
    this.kind = taskKind(spec.task);
  }

  get id(): string {
    return this.spec.pipeId;
  }

  /** One call: `input` (and zero-shot `labels`), task options plus `signal`/`timeoutMs`. */
  async call(input: unknown, labels: unknown, options: unknown): Promise<PipelineOutput['value']> {
    this.checkAlive();
    const startedAt = performance.now();
    const what = `${this.spec.task} pipeline`;
    const { call, rows, signal, timeoutMs } = layOutCall(this.kind, input, labels, options, what);
    const guard = timeoutMs === undefined ? {} : { timeoutMs };
    const conn = await this.ensureLoaded({ signal, timeoutMs: this.engine.timeoutMs(guard) });
    const callId = this.engine.nextCallId();
    const id = this.spec.pipeId;
    const reply = await conn.call((r) => r.pipelineRun(callId, id, call), {
      what: `${what}()`, signal, timeoutMs: this.engine.timeoutMs(guard),
      cancel: () => { void conn.remote.abort(callId); },
    });
    this.meta = { ...this.meta, backend: reply.backend };
    this.engine.recordPipelineRun(id, reply, rows, startedAt);
    return reply.output.value;
  }

  /** A streamed generation (text-generation pipelines). */
  generate(prompt: unknown, options: unknown): GenerationStream {
    this.checkAlive();
    const what = `${this.spec.task} pipeline`;
    const { call, signal, firstTokenMs, totalMs } = layOutGeneration(prompt, options, what);
    const id = this.spec.pipeId;
    return startStream({
      what: `${what}()`, pipeId: id, defaultTimeoutMs: this.engine.timeoutMs(),
      nextCallId: () => this.engine.nextCallId(),
      connect: (sig, timeoutMs) => this.ensureLoaded({ signal: sig, timeoutMs }),
      track: (stop) => { this.streams.add(stop); return () => { this.streams.delete(stop); }; },
      done: (reply, stream) => this.finished(reply, stream),
    }, call, { signal, firstTokenMs, totalMs });
  }

  private finished(reply: PipelineRunFromWorker, stream: GenerationStreamImpl): GenerationResult {
    if (reply.output.kind !== 'text-generation') throw new InpageError('INTERNAL', 'A generation was answered with another output.');
    const out = reply.output.value;
    const now = performance.now();
    const first = stream.firstChunkAt ?? now;
    const completion = out.tokens.length;
    const result: GenerationResult = {
      text: out.text, tokens: out.tokens, finishReason: out.finishReason, droppedMessages: out.droppedMessages,
      usage: { promptTokens: out.promptTokens, completionTokens: completion, totalTokens: out.promptTokens + completion },
      timing: { firstTokenMs: first - stream.startedAt, totalMs: now - stream.startedAt, tokensPerSecond: completion > 1 && now > first ? ((completion - 1) * 1000) / (now - first) : 0 },
      backend: reply.backend,
    };
    this.meta = { ...this.meta, backend: reply.backend };
    this.engine.recordGeneration(this.spec.pipeId, reply, result);
    return result;
  }

  /** Tokens of a prompt as the model sees it (after the chat template; nothing trimmed). */
  async countTokens(prompt: unknown, options: unknown): Promise<number> {
    this.checkAlive();
    const what = `${this.spec.task} pipeline.countTokens`;
    const { call, signal, totalMs } = layOutGeneration(prompt, options, what, { countOnly: true });
    const timeoutMs = totalMs ?? this.engine.timeoutMs();
    const conn = await this.ensureLoaded({ signal, timeoutMs });
    const callId = this.engine.nextCallId();
    const reply = await conn.call((r) => r.pipelineRun(callId, this.spec.pipeId, call), { what: `${what}()`, signal, timeoutMs, cancel: () => { void conn.remote.abort(callId); } });
    if (reply.output.kind !== 'text-generation') throw new InpageError('INTERNAL', 'countTokens was answered with another output.');
    return reply.output.value.promptTokens;
  }

  override async dispose(): Promise<void> {
    for (const stop of [...this.streams]) stop(disposedError('This pipeline'));
    await super.dispose();
  }

  override markDisposed(): void {
    for (const stop of [...this.streams]) stop(disposedError('This pipeline'));
    super.markDisposed();
  }

  protected reload(conn: WorkerConnection, guard: ReloadGuard): Promise<PipelineFromWorker> {
    return loadInto(this.engine, conn, this.spec, guard);
  }

  protected reloaded(meta: PipelineFromWorker): void {
    this.meta = meta;
  }

  protected release(conn: WorkerConnection): Promise<unknown> {
    const id = this.spec.pipeId;
    return conn.call((r) => r.pipelineDispose(id), { what: 'pipeline.dispose()', timeoutMs: this.engine.timeoutMs() });
  }

  protected forget(): void {
    this.engine.forgetPipeline(this);
  }
}

/** Builds `spec` in the worker behind `conn`, relaying progress until the reply. */
export function loadInto(engine: PipelineEngine, conn: WorkerConnection, spec: PipelineToWorker, guard: ReloadGuard, onProgress?: (p: PipelineProgress) => void): Promise<PipelineFromWorker> {
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
  const fn = (input: unknown, second?: unknown, third?: unknown): Promise<unknown> | GenerationStream =>
    (handle.kind === 'text-generation' ? handle.generate(input, second)
      : handle.kind === 'zero-shot-classification' ? handle.call(input, second, third) : handle.call(input, undefined, second));
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
  if (handle.kind === 'text-generation') {
    Object.defineProperties(fn, {
      countTokens: { value: (prompt: unknown, options?: unknown) => handle.countTokens(prompt, options) },
      contextTokens: { get: () => handle.meta.contextTokens ?? 0, enumerable: true },
    });
  }
  return Object.defineProperties(fn, info) as unknown as PipelineFor<T>;
}

/**
 * `engine.pipeline()`: validates, loads into the engine's worker, returns the callable handle.
 *
 * @example const embed = await createPipeline(engine, 'feature-extraction', 'Xenova/all-MiniLM-L6-v2', {}, (h) => set.add(h));
 */
export async function createPipeline<T extends PipelineTask>(engine: PipelineEngine, task: T, model: string, opts: PipelineOptions, track: (h: PipelineHandle) => void): Promise<PipelineFor<T>> {
  const spec = pipelineSpec(engine.nextPipelineId(), task, model, opts);
  const t0 = performance.now();
  const worker = engine.workerFor(opts.worker);
  const conn = await worker.connection();
  const meta = await loadInto(engine, conn, spec, { signal: opts.signal, timeoutMs: engine.timeoutMs(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) }, opts.onProgress);
  opts.onProgress?.({ phase: 'ready', loaded: meta.bytes, total: meta.bytes });
  const handle = new PipelineHandle(engine, spec, meta, worker, conn);
  track(handle);
  engine.recordPipelineLoad(handle.id, meta, performance.now() - t0);
  return callable<T>(handle);
}
