/**
 * The page-side engine: owns one worker connection at a time, restarts it after a crash, hands
 * out model handles, and keeps the page-side parts of the cost levers (result cache, stats,
 * events, routing between variants, remote fallback).
 */
import { proxy } from 'comlink';
import { ResultCache } from '../caches/result-cache.ts';
import { InpageError, disposedError } from '../errors.ts';
import type { InitToWorker, LoadToWorker, ModelFromWorker, RunFromWorker } from '../protocol.ts';
import { StatsCounter, type EngineStats } from '../stats/counters.ts';
import { Emitter } from '../stats/emitter.ts';
import type { EngineInfo, EngineOptions, LoadOptions, LoadProgress, ModelSource } from '../types.ts';
import type { ValidateOptions } from '../validate.ts';
import { WorkerConnection, type WorkerLike } from './connection.ts';
import type { Engine, EngineEvents, EngineTestHooks } from './engine-api.ts';
import { ModelHandle, type Model, type ModelHost } from './model.ts';
import { RemoteModel } from './remote-model.ts';
import { loadRouted } from './routed-load.ts';
import { createPipeline, type PipelineEngine, type PipelineHandle } from './pipeline.ts';
import type { PipelineFor, PipelineFromWorker, PipelineOptions, PipelineRunFromWorker, PipelineTask } from '../backends/transformers-types.ts';

let modelCounter = 0;
/** Failures that mean "this device cannot run it", the only ones a remote fallback may take. */
const NO_LOCAL_BACKEND = new Set(['BACKEND_UNAVAILABLE', 'WEBGPU_UNAVAILABLE', 'WORKER_UNAVAILABLE']);

export class EngineImpl implements Engine, ModelHost, PipelineEngine {
  private conn: WorkerConnection | undefined;
  private starting: Promise<WorkerConnection> | undefined;
  private disposed = false;
  private callCounter = 0;
  private readonly models = new Set<ModelHandle>();
  private readonly pipelines = new Set<PipelineHandle>();
  private readonly counter = new StatsCounter();
  private readonly events = new Emitter<EngineEvents>();
  private results: ResultCache | undefined;
  private lastBackend: string | undefined;
  readonly testHooks?: EngineTestHooks;
  readonly cache: Engine['cache'];

  constructor(private readonly opts: EngineOptions, private readonly spawn: () => WorkerLike) {
    this.cache = {
      list: async () => {
        const conn = await this.connection();
        return conn.call((r) => r.cacheList(), { what: 'engine.cache.list()', timeoutMs: this.timeoutMs() });
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
        killWorker: () => this.conn?.die(new InpageError('WORKER_CRASHED', 'The Inpage worker was killed. Pending calls were rejected; the next call starts a fresh worker.')),
        workerId: () => this.conn?.id,
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
    return ++this.callCounter;
  }

  /** The live connection, starting (or restarting) the worker when needed. */
  connection(): Promise<WorkerConnection> {
    if (this.disposed) return Promise.reject(disposedError('This engine'));
    if (this.conn?.alive) return Promise.resolve(this.conn);
    // One retry: right after a crash Chromium occasionally fails the fresh worker's script load
    // (seen in the crash tests); a CSP block fails both attempts within milliseconds.
    this.starting ??= this.start()
      .catch(async (e: unknown) => {
        if (!(e instanceof InpageError) || e.code !== 'WORKER_UNAVAILABLE' || this.disposed) throw e;
        await new Promise((r) => setTimeout(r, 100));
        return this.start();
      })
      .finally(() => { this.starting = undefined; });
    return this.starting;
  }

  private async start(): Promise<WorkerConnection> {
    let worker: WorkerLike;
    try {
      worker = this.spawn();
    } catch (e) {
      throw new InpageError('WORKER_UNAVAILABLE', `Could not start the Inpage worker: ${e instanceof Error ? e.message : String(e)}. If the page has a Content-Security-Policy, add the script's origin (or blob:) to worker-src.`);
    }
    const conn = new WorkerConnection(worker, (dead) => { if (this.conn === dead) this.conn = undefined; });
    const init: InitToWorker = {
      backend: this.opts.backend ?? 'auto', lifeLock: conn.lifeLock, testHooks: Boolean(this.opts.testHooks),
      measure: this.opts.measure ?? true, validation: this.validation(),
    };
    if (this.opts.assetBase !== undefined) init.assetBase = this.opts.assetBase;
    if (this.opts.threads !== undefined) init.threads = this.opts.threads;
    try {
      await conn.call((r) => r.init(init), { what: 'Starting the worker', timeoutMs: this.timeoutMs() });
    } catch (e) {
      conn.end(e instanceof InpageError ? e : new InpageError('WORKER_UNAVAILABLE', String(e)));
      if (e instanceof InpageError && e.code === 'WORKER_CRASHED') {
        throw new InpageError('WORKER_UNAVAILABLE', `The Inpage worker failed to start: ${e.message} Check that the worker script is served and allowed by the page's CSP (worker-src, script-src).`);
      }
      throw e;
    }
    conn.watchLifeLock();
    this.conn = conn;
    return conn;
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
      return new RemoteModel(source, fallback, `no local backend: ${e.message}`, (ms, rows) => {
        this.counter.recordRun({ rows, batchSize: 1, queuedMs: 0, computeMs: ms, backend: 'wasm', remote: true });
        this.events.emit('inference', { model: 'remote', ms, queuedMs: 0, computeMs: ms, batchSize: 1, rows, backend: 'remote', cached: false });
      });
    }
  }

  private async loadOne(source: ModelSource, opts: LoadOptions): Promise<ModelHandle> {
    const spec: LoadToWorker = { modelId: `m${++modelCounter}` };
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
    const t0 = performance.now();
    const conn = await this.connection();
    const meta = await this.loadInto(conn, spec, { signal: opts.signal, timeoutMs: this.timeoutMs(opts) }, opts.onProgress);
    const model = new ModelHandle(this, spec, meta, conn, opts.resultCache ?? false);
    this.models.add(model);
    this.counter.recordDownload(meta.downloadedBytes || (meta.source === 'network' ? meta.bytes : 0), false);
    if (meta.source !== 'network' && meta.source !== 'bytes') this.counter.recordDownload(meta.bytes, true);
    this.events.emit('load', { model: model.id, source: meta.source, bytes: meta.bytes, downloadedBytes: meta.downloadedBytes, ms: performance.now() - t0, backend: meta.backend });
    this.noteBackend(meta.backend);
    return model;
  }

  loadInto(conn: WorkerConnection, spec: LoadToWorker, guard: { signal?: AbortSignal | undefined; timeoutMs: number }, onProgress?: (p: LoadProgress) => void): Promise<ModelFromWorker> {
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

  pipeline<T extends PipelineTask>(task: T, model: string, opts: PipelineOptions = {}): Promise<PipelineFor<T>> {
    if (this.disposed) return Promise.reject(disposedError('This engine'));
    return createPipeline(this, task, model, opts, (h) => this.pipelines.add(h));
  }

  recordPipelineLoad(id: string, meta: PipelineFromWorker, ms: number): void {
    this.counter.recordDownload(meta.downloadedBytes, false);
    if (meta.bytes > meta.downloadedBytes) this.counter.recordDownload(meta.bytes - meta.downloadedBytes, true);
    const cached = meta.files.find((f) => f.source !== 'network')?.source;
    this.events.emit('load', { model: id, source: meta.downloadedBytes > 0 || cached === undefined ? 'network' : cached, bytes: meta.bytes, downloadedBytes: meta.downloadedBytes, ms, backend: meta.backend });
    this.noteBackend(meta.backend);
  }

  recordPipelineRun(id: string, reply: PipelineRunFromWorker, rows: number, startedAt: number): void {
    const { timing } = reply;
    this.counter.recordRun({ rows, batchSize: timing.batchSize, queuedMs: timing.queuedMs, computeMs: timing.computeMs, backend: reply.backend, remote: false });
    this.events.emit('inference', {
      model: id, ms: performance.now() - startedAt, queuedMs: timing.queuedMs, computeMs: timing.computeMs,
      batchSize: timing.batchSize, rows, backend: reply.backend, cached: false,
    });
    this.noteBackend(reply.backend);
  }

  forgetPipeline(handle: PipelineHandle): void {
    this.pipelines.delete(handle);
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
    const { timing } = reply;
    this.counter.recordRun({ rows, batchSize: timing.batchSize, queuedMs: timing.queuedMs, computeMs: timing.computeMs, backend: reply.backend, remote: false });
    this.events.emit('inference', {
      model: model.id, ms: performance.now() - startedAt, queuedMs: timing.queuedMs, computeMs: timing.computeMs,
      batchSize: timing.batchSize, rows, backend: reply.backend, cached: false,
    });
    this.noteBackend(reply.backend);
  }

  recordCacheHit(model: ModelHandle, rows: number, startedAt: number): void {
    this.counter.recordCache(true);
    this.events.emit('inference', { model: model.id, ms: performance.now() - startedAt, queuedMs: 0, computeMs: 0, batchSize: 1, rows, backend: model.backend, cached: true });
  }

  recordCacheMiss(): void {
    this.counter.recordCache(false);
  }

  private noteBackend(backend: string): void {
    if (this.lastBackend !== undefined && backend !== this.lastBackend) {
      const from = this.lastBackend as EngineEvents['backend']['from'];
      void this.info().then((i) => this.events.emit('backend', { from, to: backend as EngineEvents['backend']['to'], reason: i.reason }), () => {});
    }
    this.lastBackend = backend;
  }

  stats(): EngineStats {
    return this.counter.snapshot();
  }

  on<K extends keyof EngineEvents>(type: K, fn: (e: EngineEvents[K]) => void): () => void {
    return this.events.on(type, fn);
  }

  forget(model: ModelHandle): void {
    this.models.delete(model);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const m of this.models) m.markDisposed();
    this.models.clear();
    for (const p of this.pipelines) p.markDisposed();
    this.pipelines.clear();
    this.conn?.end(disposedError('This engine'));
    this.conn = undefined;
    this.events.clear();
  }
}

export type { Engine, EngineEvents, EngineTestHooks };
