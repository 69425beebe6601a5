/**
 * The page-side engine: owns one worker connection at a time, restarts it after a crash, and
 * hands out model handles. All heavy work happens in the worker.
 */
import { proxy } from 'comlink';
import { InpageError, disposedError } from '../errors.ts';
import type { InitToWorker, LoadToWorker, ModelFromWorker } from '../protocol.ts';
import type { EngineInfo, EngineOptions, LoadOptions, LoadProgress, ModelSource } from '../types.ts';
import { WorkerConnection, type WorkerLike } from './connection.ts';
import { ModelHandle, type Model, type ModelHost } from './model.ts';
import type { TestHookToWorker } from '../protocol.ts';
import type { ValidateOptions } from '../validate.ts';

/**
 * An engine: one worker hosting models.
 *
 * @example
 * const engine = await createEngine();
 * const model = await engine.load({ url: '/models/mlp.onnx' });
 */
export interface Engine {
  /** Backend in use and why, adapter, threads, isolation, ORT version. */
  info(): Promise<EngineInfo>;
  /** Download (with progress), verify and compile a model. */
  load(source: ModelSource, opts?: LoadOptions): Promise<Model>;
  /** Stop the worker and release every model. Pending calls reject with `DISPOSED`. */
  dispose(): Promise<void>;
  /** Present only with `createEngine({ testHooks: true })`. */
  readonly testHooks?: EngineTestHooks;
}

/** Levers for tests: simulate crashes and slow runs. */
export interface EngineTestHooks {
  send(hook: TestHookToWorker): Promise<void>;
  /** Terminate the worker from the page, as the browser would on a crash. */
  killWorker(): void;
  /** Which worker incarnation is live (increments after each restart). */
  workerId(): number | undefined;
}

let modelCounter = 0;

export class EngineImpl implements Engine, ModelHost {
  private conn: WorkerConnection | undefined;
  private starting: Promise<WorkerConnection> | undefined;
  private disposed = false;
  private callCounter = 0;
  private readonly models = new Set<ModelHandle>();
  readonly testHooks?: EngineTestHooks;

  constructor(private readonly opts: EngineOptions, private readonly spawn: () => WorkerLike) {
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
    const spec: LoadToWorker = { modelId: `m${++modelCounter}` };
    if (source.url !== undefined) spec.url = new URL(source.url, globalThis.location?.href).href;
    else if (source.bytes !== undefined) {
      // Copied, not transferred: the page keeps them to refill a worker that crashed.
      spec.bytes = source.bytes instanceof Uint8Array ? source.bytes : new Uint8Array(source.bytes);
    } else {
      throw new InpageError('OPTION_INVALID', 'engine.load() needs { url } or { bytes }, got neither.');
    }
    if (source.sha256 !== undefined) spec.sha256 = source.sha256;
    if (opts.backend !== undefined) spec.backend = opts.backend;
    if (opts.batch !== undefined) spec.batch = opts.batch;
    if (opts.warmup !== undefined) spec.warmup = opts.warmup;
    const conn = await this.connection();
    const guard = { signal: opts.signal, timeoutMs: this.timeoutMs(opts) };
    const meta = await this.loadInto(conn, spec, guard, opts.onProgress);
    const model = new ModelHandle(this, spec, meta, conn);
    this.models.add(model);
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

  forget(model: ModelHandle): void {
    this.models.delete(model);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const m of this.models) m.markDisposed();
    this.models.clear();
    this.conn?.end(disposedError('This engine'));
    this.conn = undefined;
  }
}
