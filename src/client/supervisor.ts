/**
 * The engine's worker, kept alive: starts it (with `init`), hands out the live connection, and
 * after a crash starts a fresh one on the next call. All state is the engine's own (its call
 * timers, its worker incarnation count), so two engines on a page share nothing.
 */
import { InpageError, disposedError } from '../errors.ts';
import type { InitToWorker } from '../protocol.ts';
import { Deadlines } from './deadlines.ts';
import { WorkerConnection, type WorkerLike } from './connection.ts';

/** What starting a worker needs. */
export interface SupervisorOptions {
  spawn: () => WorkerLike;
  /** The init message, without the life lock (the supervisor adds the connection's). */
  init: () => Omit<InitToWorker, 'lifeLock'>;
  /** Bound of the init call. */
  timeoutMs: () => number;
}

export class WorkerSupervisor {
  private conn: WorkerConnection | undefined;
  private starting: Promise<WorkerConnection> | undefined;
  private disposed = false;
  private incarnations = 0;
  /** One timer per timeout length for every call of this engine (see deadlines.ts). */
  private readonly deadlines = new Deadlines();

  constructor(private readonly opts: SupervisorOptions) {}

  /** The connection believed alive, if any (no start). */
  get current(): WorkerConnection | undefined {
    return this.conn?.alive ? this.conn : undefined;
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
      worker = this.opts.spawn();
    } catch (e) {
      throw new InpageError('WORKER_UNAVAILABLE', `Could not start the Inpage worker: ${e instanceof Error ? e.message : String(e)}. If the page has a Content-Security-Policy, add the script's origin (or blob:) to worker-src.`);
    }
    const conn = new WorkerConnection(worker, (dead) => { if (this.conn === dead) this.conn = undefined; }, ++this.incarnations, this.deadlines);
    const init: InitToWorker = { ...this.opts.init(), lifeLock: conn.lifeLock };
    try {
      await conn.call((r) => r.init(init), { what: 'Starting the worker', timeoutMs: this.opts.timeoutMs() });
    } catch (e) {
      conn.end(e instanceof InpageError ? e : new InpageError('WORKER_UNAVAILABLE', String(e)));
      if (e instanceof InpageError && e.code === 'WORKER_CRASHED') {
        throw new InpageError('WORKER_UNAVAILABLE', `The Inpage worker failed to start: ${e.message} Check that the worker script is served and allowed by the page's CSP (worker-src, script-src).`);
      }
      throw e;
    }
    if (this.disposed) {
      conn.end(disposedError('This engine'));
      throw disposedError('This engine');
    }
    conn.watchLifeLock();
    this.conn = conn;
    return conn;
  }

  /** Terminate the worker as a crash would (test hook): pending calls reject, the next call restarts. */
  kill(error: InpageError): void {
    this.conn?.die(error);
  }

  /** Stop for good: calls in flight reject with `error`, later ones with DISPOSED. */
  dispose(error: InpageError): void {
    this.disposed = true;
    this.conn?.end(error);
    this.conn = undefined;
  }
}
