/**
 * The page-side handle of a loaded model. It never runs anything itself: it validates feeds
 * (so bad input fails fast and the caller's buffers are not detached), transfers them to the
 * worker and rebuilds the reply.
 */
import { transfer } from 'comlink';
import { disposedError } from '../errors.ts';
import type { LoadToWorker, ModelFromWorker, RunFromWorker } from '../protocol.ts';
import type { TensorInfo, Tensors } from '../tensor.ts';
import { transferablesOf } from '../transfer.ts';
import type { BackendName, ModelInfo, RunOptions } from '../types.ts';
import { validateFeeds, type ValidateOptions } from '../validate.ts';
import type { WorkerConnection } from './connection.ts';

/**
 * A loaded model.
 *
 * @example
 * const out = await model.run({ x: { type: 'float32', dims: [1, 64], data: new Float32Array(64) } });
 * out.probs.data; // Float32Array
 */
export interface Model extends ModelInfo {
  /** Run the model. Input buffers are transferred to the worker (detached here) unless shared. */
  run(feeds: Tensors, opts?: RunOptions): Promise<Tensors>;
  /** Release the session in the worker. Later calls reject with `DISPOSED`. */
  dispose(): Promise<void>;
}

/** What the model needs from its engine. */
export interface ModelHost {
  /** A live connection, starting a fresh worker if the last one died. */
  connection(): Promise<WorkerConnection>;
  nextCallId(): number;
  validation(): ValidateOptions;
  timeoutMs(opts?: { timeoutMs?: number }): number;
  /** Load `spec` into `conn` (used to refill a fresh worker after a crash). */
  loadInto(conn: WorkerConnection, spec: LoadToWorker, guard: { signal?: AbortSignal | undefined; timeoutMs: number }): Promise<ModelFromWorker>;
  forget(model: ModelHandle): void;
  /** Stats hook: called for every answered run. */
  recordRun?(model: ModelHandle, reply: RunFromWorker): void;
}

export class ModelHandle implements Model {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  backend: BackendName;
  sha256: string;
  bytes: number;
  batching: { enabled: boolean; reason: string };
  private disposed = false;
  private reloading: Promise<void> | undefined;

  constructor(private readonly host: ModelHost, private readonly spec: LoadToWorker, meta: ModelFromWorker, private conn: WorkerConnection) {
    this.inputs = meta.inputs;
    this.outputs = meta.outputs;
    this.backend = meta.backend;
    this.sha256 = meta.sha256;
    this.bytes = meta.bytes;
    this.batching = meta.batching;
  }

  get id(): string {
    return this.spec.modelId;
  }

  async run(feeds: Tensors, opts: RunOptions = {}): Promise<Tensors> {
    if (this.disposed) throw disposedError('This model');
    validateFeeds(feeds, this.inputs, this.host.validation());
    const conn = await this.ensureLoaded(opts);
    const callId = this.host.nextCallId();
    const id = this.spec.modelId;
    const reply = await conn.call((r) => r.run(callId, id, transfer(feeds, transferablesOf(feeds))), {
      what: 'model.run()', signal: opts.signal, timeoutMs: this.host.timeoutMs(opts),
      cancel: () => { void conn.remote.abort(callId); },
    });
    this.backend = reply.backend;
    this.host.recordRun?.(this, reply);
    return reply.outputs;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.host.forget(this);
    if (this.conn.alive) {
      const id = this.spec.modelId;
      await this.conn.call((r) => r.disposeModel(id), { what: 'model.dispose()', timeoutMs: this.host.timeoutMs() }).catch(() => {});
    }
  }

  /** After a worker crash the session is gone: load it again into the fresh worker, once. */
  private async ensureLoaded(opts: RunOptions): Promise<WorkerConnection> {
    const conn = await this.host.connection();
    if (conn === this.conn) return conn;
    this.reloading ??= this.host.loadInto(conn, this.spec, { signal: opts.signal, timeoutMs: this.host.timeoutMs(opts) })
      .then((meta) => { this.conn = conn; this.backend = meta.backend; })
      .finally(() => { this.reloading = undefined; });
    await this.reloading;
    return this.ensureLoaded(opts);
  }

  /** Mark disposed without talking to the worker (engine.dispose does that in bulk). */
  markDisposed(): void {
    this.disposed = true;
  }
}
