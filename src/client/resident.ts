/**
 * What model and pipeline handles share: they live in the engine's worker, and the worker can
 * die. After a crash the next call loads the handle again into the fresh worker (once, however
 * many calls wait for it); dispose releases it there; the engine can mark it disposed in bulk.
 */
import { disposedError } from '../errors.ts';
import type { WorkerConnection } from './connection.ts';

/** What a resident handle needs from its engine. */
export interface ResidentHost {
  timeoutMs(opts?: { timeoutMs?: number }): number;
}

/** The engine worker a handle lives in (supervisor.ts). */
export interface ResidentWorker {
  /** A live connection, starting a fresh worker if the last one died. */
  connection(): Promise<WorkerConnection>;
}

/** A call's bounds while it may have to reload the handle first. */
export interface ReloadGuard {
  signal?: AbortSignal | undefined;
  timeoutMs: number;
}

export abstract class Resident<Meta> {
  protected disposed = false;
  private reloading: Promise<void> | undefined;

  /**
   * @param worker the engine worker the handle lives in
   * @param what names the handle in errors, e.g. 'This model'
   */
  protected constructor(protected readonly worker: ResidentWorker, protected conn: WorkerConnection, protected readonly what: string) {}

  /** Load the handle into a fresh worker; returns its new metadata. */
  protected abstract reload(conn: WorkerConnection, guard: ReloadGuard): Promise<Meta>;
  /** Take the new metadata after a reload. */
  protected abstract reloaded(meta: Meta): void;
  /** Release the handle in the worker behind `conn`. */
  protected abstract release(conn: WorkerConnection): Promise<unknown>;
  /** Tell the engine this handle is gone. */
  protected abstract forget(): void;

  /** Throws `DISPOSED` once disposed. */
  protected checkAlive(): void {
    if (this.disposed) throw disposedError(this.what);
  }

  /** The connection this handle lives in, reloading it into a fresh worker after a crash. */
  protected async ensureLoaded(guard: ReloadGuard): Promise<WorkerConnection> {
    const conn = await this.worker.connection();
    if (conn === this.conn) return conn;
    this.reloading ??= this.reload(conn, guard)
      .then((meta) => { this.conn = conn; this.reloaded(meta); })
      .finally(() => { this.reloading = undefined; });
    await this.reloading;
    return this.ensureLoaded(guard);
  }

  /** Release in the worker. Later calls reject with `DISPOSED`. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.forget();
    if (this.conn.alive) await this.release(this.conn).catch(() => {});
  }

  /** Mark disposed without talking to the worker (engine.dispose does that in bulk). */
  markDisposed(): void {
    this.disposed = true;
  }
}
