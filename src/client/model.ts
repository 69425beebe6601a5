/**
 * The page-side handle of a loaded model. It never runs anything itself: it answers result-cache
 * hits on the page, validates feeds (so bad input fails fast and the caller's buffers are not
 * detached), transfers them to the worker and rebuilds the reply.
 */
import type { MissTicket, ResultCache } from '../caches/result-cache.ts';
import type { LoadToWorker, ModelFromWorker, RunFromWorker } from '../protocol.ts';
import type { TensorInfo, Tensors } from '../tensor.ts';
import type { ModelBackend, ModelInfo, RunOptions } from '../types.ts';
import { validateFeeds, type ValidateOptions } from '../validate.ts';
import type { WorkerConnection } from './connection.ts';
import { Resident, type ReloadGuard, type ResidentHost, type ResidentWorker } from './resident.ts';
import type { PageBatching } from './run-outbox.ts';
import { DEFAULT_MAX_BATCH, batchLayout } from '../scheduling/batch-tensors.ts';

/**
 * A loaded model.
 *
 * @example
 * const out = await model.run({ x: { type: 'float32', dims: [1, 64], data: new Float32Array(64) } });
 * out.probs.data; // Float32Array
 */
export interface Model extends ModelInfo {
  /**
   * Run the model. Input buffers are handed over: transferred to the worker (detached here), or
   * copied into a batch when concurrent calls are stacked on the page. Don't reuse them.
   */
  run(feeds: Tensors, opts?: RunOptions): Promise<Tensors>;
  /** Release the session in the worker. Later calls reject with `DISPOSED`. */
  dispose(): Promise<void>;
}

/** What the model needs from its engine. */
export interface ModelHost extends ResidentHost {
  nextCallId(): number;
  validation(): ValidateOptions;
  /** Load `spec` into `conn` (used to refill a fresh worker after a crash). */
  loadInto(conn: WorkerConnection, spec: LoadToWorker, guard: ReloadGuard): Promise<ModelFromWorker>;
  forget(model: ModelHandle): void;
  /** The engine's result cache (created on first use). */
  resultCache(): ResultCache;
  /** Stats and events for every answered request. */
  recordRun(model: ModelHandle, reply: RunFromWorker, rows: number, startedAt: number): void;
  recordCacheHit(model: ModelHandle, rows: number, startedAt: number): void;
  recordCacheMiss(): void;
}

export class ModelHandle extends Resident<ModelFromWorker> implements Model {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  backend: ModelBackend;
  sha256: string;
  bytes: number;
  batching: { enabled: boolean; reason: string };
  source: ModelInfo['source'];
  route?: { variant: string; reason: string };
  private stacking: PageBatching | undefined | null = null;
  /** The first input with a batch axis: its axis 0 counts a call's rows (undefined: none has one). */
  private readonly rowInput: string | undefined;

  constructor(
    private readonly host: ModelHost, private readonly spec: LoadToWorker, meta: ModelFromWorker, worker: ResidentWorker, conn: WorkerConnection,
    private readonly useResultCache: boolean,
  ) {
    super(worker, conn, 'This model');
    this.inputs = meta.inputs;
    this.outputs = meta.outputs;
    this.backend = meta.backend;
    this.sha256 = meta.sha256;
    this.bytes = meta.bytes;
    this.batching = meta.batching;
    this.source = meta.source;
    this.rowInput = meta.inputs.find((i) => typeof i.dims[0] === 'string')?.name;
  }

  get id(): string {
    return this.spec.modelId;
  }

  async run(feeds: Tensors, opts: RunOptions = {}): Promise<Tensors> {
    this.checkAlive();
    const startedAt = performance.now();
    validateFeeds(feeds, this.inputs, this.host.validation());
    // Rows come from an input with a batch axis (a fixed-shape input such as `k` [1] says nothing).
    const rows = (this.rowInput === undefined ? undefined : feeds[this.rowInput]?.dims[0]) ?? Object.values(feeds)[0]?.dims[0] ?? 1;
    let ticket: MissTicket | undefined;
    if (opts.cache ?? this.useResultCache) {
      // Looked up before the buffers move: a hit never crosses to the worker.
      const look = this.host.resultCache().get(this.sha256 || this.id, feeds);
      if (look.hit) {
        this.host.recordCacheHit(this, rows, startedAt);
        return look.outputs;
      }
      ticket = look.ticket;
      this.host.recordCacheMiss();
    }
    const conn = await this.ensureLoaded({ signal: opts.signal, timeoutMs: this.host.timeoutMs(opts) });
    const callId = this.host.nextCallId();
    const id = this.spec.modelId;
    const reply = await conn.call(() => conn.outbox.submit({ callId, modelId: id, feeds }, this.pageBatching()), {
      what: 'model.run()', signal: opts.signal, timeoutMs: this.host.timeoutMs(opts),
      cancel: () => { if (!conn.outbox.withdraw(callId)) void conn.remote.abort(callId); },
    });
    this.backend = reply.backend;
    if (ticket) this.host.resultCache().set(ticket, reply.outputs);
    this.host.recordRun(this, reply, rows, startedAt);
    return reply.outputs;
  }

  /** How the outbox may stack this model's concurrent calls (the worker's layout, rebuilt here once). */
  private pageBatching(): PageBatching | undefined {
    if (this.stacking !== null) return this.stacking;
    // `batch: false` reaches here as batching.enabled false (the worker reports it off).
    const opts = this.spec.batch || undefined;
    const layout = this.batching.enabled ? batchLayout(this.inputs, this.outputs, opts?.pad ?? {}) : 'off';
    this.stacking = typeof layout === 'string' ? undefined : { layout, maxBatch: Math.max(1, opts?.maxBatch ?? DEFAULT_MAX_BATCH) };
    return this.stacking;
  }

  protected reload(conn: WorkerConnection, guard: ReloadGuard): Promise<ModelFromWorker> {
    return this.host.loadInto(conn, this.spec, guard);
  }

  protected reloaded(meta: ModelFromWorker): void {
    this.backend = meta.backend;
  }

  protected release(conn: WorkerConnection): Promise<unknown> {
    const id = this.spec.modelId;
    return conn.call((r) => r.disposeModel(id), { what: 'model.dispose()', timeoutMs: this.host.timeoutMs() });
  }

  protected forget(): void {
    this.host.forget(this);
  }
}
