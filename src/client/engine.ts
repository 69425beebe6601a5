/**
 * The page-side engine. It composes the parts that each do one job — the worker supervisor
 * (supervisor.ts), model and pipeline handles (model.ts, pipeline.ts, on resident.ts),
 * counters and events (telemetry.ts), the result cache, routing between variants and the remote
 * fallback — and holds all of their state itself: two engines on one page share nothing.
 */
import { proxy, transfer } from 'comlink';
import { ResultCache } from '../caches/result-cache.ts';
import { createChat, type ChatApi } from '../chat/completions.ts';
import { InpageError, disposedError } from '../errors.ts';
import type { GenerationResult } from '../generation-types.ts';
import type { PipelineFor, PipelineOptions, PipelineTask } from '../pipeline-types.ts';
import type { ItemTableFromWorker, ItemTableToWorker, LoadToWorker, ModelFromWorker, PipelineFromWorker, PipelineRunFromWorker, RunFromWorker } from '../protocol.ts';
import type { EngineStats } from '../stats/counters.ts';
import type { EngineInfo, EngineOptions, LoadOptions, LoadProgress, ModelSource } from '../types.ts';
import type { ValidateOptions } from '../validate.ts';
import type { WorkerConnection, WorkerLike } from './connection.ts';
import type { Engine, EngineEvents, EngineTestHooks } from './engine-api.ts';
import { ModelHandle, type Model, type ModelHost } from './model.ts';
import { createPipeline, type PipelineEngine, type PipelineHandle } from './pipeline.ts';
import { RemoteModel } from './remote-model.ts';
import { loadRouted } from './routed-load.ts';
import { Placement, workerName } from './placement.ts';
import type { ReloadGuard, ResidentWorker } from './resident.ts';
import { WorkerSupervisor } from './supervisor.ts';
import { Telemetry } from './telemetry.ts';

/** Failures that mean "this device cannot run it", the only ones a remote fallback may take. */
const NO_LOCAL_BACKEND = new Set(['BACKEND_UNAVAILABLE', 'WEBGPU_UNAVAILABLE', 'WORKER_UNAVAILABLE']);

export class EngineImpl implements Engine, ModelHost, PipelineEngine {
  private readonly workers: Placement;
  /** The worker each live model or pipeline is in (by name). */
  private readonly placed = new Map<ModelHandle | PipelineHandle, string>();
  private readonly telemetry: Telemetry;
  private disposed = false;
  private callIds = 0;
  private modelIds = 0;
  private pipelineIds = 0;
  private readonly models = new Set<ModelHandle>();
  private readonly pipelines = new Set<PipelineHandle>();
  private results: ResultCache | undefined;
  readonly testHooks?: EngineTestHooks;
  readonly cache: Engine['cache'];
  readonly chat: ChatApi = createChat(this);

  constructor(private readonly opts: EngineOptions, spawn: () => WorkerLike) {
    const supervisor = (): WorkerSupervisor => new WorkerSupervisor({
      spawn,
      timeoutMs: () => this.timeoutMs(),
      init: () => {
        const init = { backend: this.opts.backend ?? 'auto', testHooks: Boolean(this.opts.testHooks), measure: this.opts.measure ?? true, validation: this.validation() };
        return {
          ...init,
          ...(this.opts.assetBase === undefined ? {} : { assetBase: this.opts.assetBase }),
          ...(this.opts.assetIntegrity === undefined ? {} : { assetIntegrity: { ...this.opts.assetIntegrity } }),
          ...(this.opts.threads === undefined ? {} : { threads: this.opts.threads }),
        };
      },
    });
    this.workers = new Placement(supervisor(), supervisor);
    this.telemetry = new Telemetry(async () => (await this.info()).reason);
    this.cache = {
      list: async () => {
        const conn = await this.connection();
        return conn.call((r) => r.cacheList(), { what: 'engine.cache.list()', timeoutMs: this.timeoutMs() });
      },
      delete: async (url: string) => {
        const conn = await this.connection();
        await conn.call((r) => r.cacheDelete(new URL(url, globalThis.location?.href).href), { what: 'engine.cache.delete()', timeoutMs: this.timeoutMs() });
      },
      clear: async () => {
        const conn = await this.connection();
        await conn.call((r) => r.cacheClear(), { what: 'engine.cache.clear()', timeoutMs: this.timeoutMs() });
        await this.results?.clear();
      },
    };
    if (opts.testHooks) {
      this.testHooks = {
        send: async (hook) => {
          const conn = await this.connection();
          await conn.call((r) => r.testHook(hook), { what: 'testHook', timeoutMs: 5000 });
        },
        killWorker: () => this.workers.main.kill(new InpageError('WORKER_CRASHED', 'The Inpage worker was killed. Pending calls were rejected; the next call starts a fresh worker.')),
        workerId: () => this.workers.main.current?.id,
      };
    }
  }

  /** Input checks shared by the page (fail fast, before buffers move) and the worker. */
  validation(): ValidateOptions {
    const v: ValidateOptions = {};
    if (this.opts.maxInputElements !== undefined) v.maxElements = this.opts.maxInputElements;
    if (this.opts.rejectNonFinite !== undefined) v.rejectNonFinite = this.opts.rejectNonFinite;
    return v;
  }

  timeoutMs(o?: { timeoutMs?: number }): number {
    return o?.timeoutMs ?? this.opts.timeoutMs ?? 60_000;
  }

  nextCallId(): number {
    return ++this.callIds;
  }

  nextPipelineId(): string {
    return `p${++this.pipelineIds}`;
  }

  /** The live connection to the main worker, starting (or restarting) it when needed. */
  connection(): Promise<WorkerConnection> {
    return this.workers.main.connection();
  }

  workerFor(name: string | undefined): ResidentWorker {
    return this.workers.get(workerName(name, 'engine.pipeline()'));
  }

  async info(): Promise<EngineInfo> {
    const conn = await this.connection();
    return conn.call((r) => r.info(), { what: 'engine.info()', timeoutMs: this.timeoutMs() });
  }

  async load(source: ModelSource, opts: LoadOptions = {}): Promise<Model> {
    if (this.disposed) throw disposedError('This engine');
    try {
      if (source.variants) return await loadRouted(this, source.variants, opts, (s, o) => this.loadOne(s, o));
      return await this.loadOne(source, opts);
    } catch (e) {
      const fallback = this.opts.remoteFallback;
      if (!fallback || !(e instanceof InpageError) || !NO_LOCAL_BACKEND.has(e.code)) throw e;
      return new RemoteModel(source, fallback, `no local backend: ${e.message}`, (ms, rows) => this.telemetry.answeredRemotely(ms, rows));
    }
  }

  private async loadOne(source: ModelSource, opts: LoadOptions): Promise<ModelHandle> {
    const spec: LoadToWorker = { modelId: `m${++this.modelIds}` };
    if (source.url !== undefined) spec.url = new URL(source.url, globalThis.location?.href).href;
    else if (source.bytes !== undefined) {
      // Copied, not transferred: the page keeps them to refill a worker that crashed.
      spec.bytes = source.bytes instanceof Uint8Array ? source.bytes : new Uint8Array(source.bytes);
    } else {
      throw new InpageError('OPTION_INVALID', 'engine.load() needs { url }, { bytes } or { variants }, got none.');
    }
    if (source.sha256 !== undefined) spec.sha256 = source.sha256;
    if (opts.backend !== undefined) spec.backend = opts.backend;
    if (opts.batch !== undefined) spec.batch = opts.batch;
    if (opts.warmup !== undefined) spec.warmup = opts.warmup;
    if (opts.cache !== undefined) spec.cache = opts.cache;
    if (opts.maxBytes !== undefined) {
      if (!Number.isInteger(opts.maxBytes) || opts.maxBytes < 1) throw new InpageError('OPTION_INVALID', `engine.load(): maxBytes must be a positive integer, got ${String(opts.maxBytes)}.`);
      spec.maxBytes = opts.maxBytes;
    }
    if (opts.cacheMaxAgeMs !== undefined) {
      if (!(opts.cacheMaxAgeMs >= 0)) throw new InpageError('OPTION_INVALID', `engine.load(): cacheMaxAgeMs must be a number ≥ 0, got ${String(opts.cacheMaxAgeMs)}.`);
      spec.cacheMaxAgeMs = opts.cacheMaxAgeMs;
    }
    const t0 = performance.now();
    const name = workerName(opts.worker, 'engine.load()');
    const worker = this.workers.get(name);
    let conn: WorkerConnection;
    let meta: ModelFromWorker;
    try {
      conn = await worker.connection();
      meta = await this.loadInto(conn, spec, { signal: opts.signal, timeoutMs: this.timeoutMs(opts) }, opts.onProgress);
    } catch (e) {
      this.workers.dropIfUnused(name, disposedError(`The worker '${name}'`));
      throw e;
    }
    const model = new ModelHandle(this, spec, meta, worker, conn, opts.resultCache ?? false);
    this.models.add(model);
    this.place(model, name);
    this.telemetry.modelLoaded(model.id, meta, performance.now() - t0);
    return model;
  }

  loadInto(conn: WorkerConnection, spec: LoadToWorker, guard: ReloadGuard, onProgress?: (p: LoadProgress) => void): Promise<ModelFromWorker> {
    const callId = this.nextCallId();
    let finished = false;
    // Progress arrives on its own channel and can trail the reply: drop anything after 'ready'.
    const relay = onProgress ? proxy((p: LoadProgress) => { if (!finished) onProgress(p); }) : undefined;
    return conn.call((r) => r.load(callId, spec, relay), {
      what: 'engine.load()', signal: guard.signal, timeoutMs: guard.timeoutMs,
      cancel: () => { void conn.remote.abort(callId); },
    }).then((meta) => {
      finished = true;
      onProgress?.({ phase: 'ready', loaded: meta.bytes, total: meta.bytes });
      return meta;
    }, (e: unknown) => {
      finished = true;
      throw e;
    });
  }

  async parseItemTable(bytes: Uint8Array, items: number, where: string, options: { signal?: AbortSignal; sha256?: string } = {}): Promise<ItemTableFromWorker> {
    if (this.disposed) throw disposedError('This engine');
    const conn = await this.connection();
    const buf = bytes.buffer;
    const table: ItemTableToWorker = { bytes, items, where, ...(options.sha256 === undefined ? {} : { sha256: options.sha256 }) };
    // Moved, not copied: the page's copy would be dead weight the size of the file.
    const sent = buf instanceof ArrayBuffer ? transfer(table, [buf]) : table;
    return conn.call((r) => r.parseItemTable(sent), { what: `Parsing ${where}`, signal: options.signal, timeoutMs: this.timeoutMs() });
  }

  pipeline<T extends PipelineTask>(task: T, model: string, opts: PipelineOptions = {}): Promise<PipelineFor<T>> {
    if (this.disposed) return Promise.reject(disposedError('This engine'));
    let name: string;
    try {
      name = workerName(opts.worker, 'engine.pipeline()');
    } catch (e) {
      return Promise.reject(e);
    }
    return createPipeline(this, task, model, opts, (h) => {
      this.pipelines.add(h);
      this.place(h, name);
    }).catch((e: unknown) => {
      this.workers.dropIfUnused(name, disposedError(`The worker '${name}'`));
      throw e;
    });
  }

  recordPipelineLoad(id: string, meta: PipelineFromWorker, ms: number): void {
    this.telemetry.pipelineLoaded(id, meta, ms);
  }

  recordPipelineRun(id: string, reply: PipelineRunFromWorker, rows: number, startedAt: number): void {
    this.telemetry.answered(id, reply.timing, reply.backend, rows, startedAt);
  }

  recordGeneration(id: string, reply: PipelineRunFromWorker, r: GenerationResult): void {
    this.telemetry.generated(id, reply.timing, reply.backend, {
      promptTokens: r.usage.promptTokens, completionTokens: r.usage.completionTokens, finishReason: r.finishReason, ...r.timing,
    });
  }

  forgetPipeline(handle: PipelineHandle): void {
    this.pipelines.delete(handle);
    this.unplace(handle);
  }

  private place(handle: ModelHandle | PipelineHandle, name: string): void {
    this.placed.set(handle, name);
    this.workers.retain(name);
  }

  /** A handle went: its own worker stops once nothing else lives there. */
  private unplace(handle: ModelHandle | PipelineHandle): void {
    const name = this.placed.get(handle);
    if (name === undefined) return;
    this.placed.delete(handle);
    this.workers.release(name, disposedError(`The worker '${name}'`));
  }

  preload(source: ModelSource, opts: LoadOptions = {}): Promise<Model | undefined> {
    const nav = globalThis.navigator as (Navigator & { connection?: { saveData?: boolean } }) | undefined;
    if (nav?.connection?.saveData) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const go = (): void => { this.load(source, opts).then(resolve, reject); };
      if (typeof globalThis.requestIdleCallback === 'function') globalThis.requestIdleCallback(go, { timeout: 5000 });
      else setTimeout(go, 200);
    });
  }

  resultCache(): ResultCache {
    if (!this.results) {
      this.results = new ResultCache({ namespace: 'inpage-results-v1', ...this.opts.resultCache });
      if (this.opts.resultCache?.persist) void this.results.restore().catch(() => 0);
    }
    return this.results;
  }

  recordRun(model: ModelHandle, reply: RunFromWorker, rows: number, startedAt: number): void {
    this.telemetry.answered(model.id, reply.timing, reply.backend, rows, startedAt);
  }

  recordCacheHit(model: ModelHandle, rows: number, startedAt: number): void {
    this.telemetry.cacheHit(model.id, model.backend, rows, startedAt);
  }

  recordCacheMiss(): void {
    this.telemetry.cacheMiss();
  }

  stats(): EngineStats {
    return this.telemetry.stats();
  }

  on<K extends keyof EngineEvents>(type: K, fn: (e: EngineEvents[K]) => void): () => void {
    return this.telemetry.events.on(type, fn);
  }

  forget(model: ModelHandle): void {
    this.models.delete(model);
    this.unplace(model);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const m of this.models) m.markDisposed();
    this.models.clear();
    for (const p of this.pipelines) p.markDisposed();
    this.pipelines.clear();
    for (const w of this.workers.all()) w.dispose(disposedError('This engine'));
    this.placed.clear();
    this.telemetry.events.clear();
  }
}

export type { Engine, EngineEvents, EngineTestHooks };
