/**
 * One live worker and the calls in flight to it. The guarantee this file exists for: every call
 * settles. A call races its reply against the worker's death, its timeout and its AbortSignal;
 * whichever comes first answers the caller, with a typed error for all but the reply.
 */
import { wrap, type Remote } from 'comlink';
import { InpageError, abortError, fromWire, isWireError } from '../errors.ts';
import type { HostApi, Reply } from '../protocol.ts';
import { Deadlines } from './deadlines.ts';
import { PageLifecycle } from './page-lifecycle.ts';
import { RunOutbox } from './run-outbox.ts';

/** How a call is bounded. */
export interface CallGuard {
  /** Names the call in error messages, e.g. "model.run()". */
  what: string;
  signal?: AbortSignal | undefined;
  /** 0 or undefined: no timeout. */
  timeoutMs?: number | undefined;
  /** Tell the worker to stop work for this call (after timeout or abort). */
  cancel?: (() => void) | undefined;
}

/** What the connection needs of a worker: a `Worker`, or a `MessagePort` wrapper in unit tests. */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: string, listener: (ev: MessageEvent & ErrorEvent) => void): void;
  removeEventListener(type: string, listener: (ev: MessageEvent & ErrorEvent) => void): void;
  terminate(): void;
}

/** A started worker (see supervisor.ts for starting and restarting one). */
export class WorkerConnection {
  readonly remote: Remote<HostApi>;
  /** Runs issued in the same task travel together (see run-outbox.ts). */
  readonly outbox: RunOutbox;
  readonly id: number;
  readonly lifeLock: string;
  private deathError: InpageError | undefined;
  private readonly deathWaiters = new Set<(e: InpageError) => void>();
  private ended = false;
  private endError: InpageError | undefined;
  private readonly lifecycle = new PageLifecycle();

  /**
   * @param id which incarnation of the engine's worker this is (1, 2, … after restarts)
   * @param deadlines the engine's call timers (one timer per timeout length, see deadlines.ts)
   */
  constructor(
    private readonly worker: WorkerLike, private readonly onDeath: (conn: WorkerConnection, e: InpageError) => void,
    id = 1, private readonly deadlines: Deadlines = new Deadlines(),
  ) {
    this.id = id;
    this.lifeLock = `inpage-worker-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${this.id}`;
    this.remote = wrap<HostApi>(worker as unknown as Worker);
    this.outbox = new RunOutbox(this.remote);
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      const detail = ev.message ? `: ${ev.message}` : ' (the worker script failed to load or threw)';
      this.die(new InpageError('WORKER_CRASHED', `The Inpage worker crashed${detail}. Pending calls were rejected; the next call starts a fresh worker.`));
    });
  }

  /** Whether the worker is still believed alive. */
  get alive(): boolean {
    return this.deathError === undefined && !this.ended;
  }

  /**
   * Start watching the worker's life lock (after init: the worker holds it by then). If the page
   * was parked in the back/forward cache meanwhile, the request waits for `pageshow` (see
   * page-lifecycle.ts: a request from a page being restored evicts it).
   */
  watchLifeLock(): void {
    const locks = globalThis.navigator?.locks;
    if (!locks) return;
    this.lifecycle.whenShown(() => {
      if (!this.alive) return;
      locks.request(this.lifeLock, () => {
        this.die(new InpageError('WORKER_CRASHED', 'The Inpage worker stopped unexpectedly (closed, out of memory or killed). Pending calls were rejected; the next call starts a fresh worker.'));
      }).catch(() => {});
    });
  }

  /** Mark the worker dead and reject everything in flight. Idempotent. */
  die(error: InpageError): void {
    if (this.deathError || this.ended) return;
    this.deathError = error;
    this.lifecycle.dispose();
    this.worker.terminate();
    for (const w of this.deathWaiters) w(error);
    this.deathWaiters.clear();
    this.onDeath(this, error);
  }

  /** Stop the worker on purpose; calls in flight reject with `err`. */
  end(err: InpageError): void {
    if (this.ended) return;
    this.endError = err;
    for (const w of this.deathWaiters) w(err);
    this.deathWaiters.clear();
    this.ended = true;
    this.lifecycle.dispose();
    this.worker.terminate();
  }

  /** Call the worker, bounded by death, timeout and abort; unwraps the `Reply`. */
  call<T>(invoke: (remote: Remote<HostApi>) => Promise<Reply<T>>, guard: CallGuard): Promise<T> {
    if (this.deathError) return Promise.reject(this.deathError);
    if (this.endError) return Promise.reject(this.endError);
    if (guard.signal?.aborted) return Promise.reject(abortError(guard.what, guard.signal.reason));
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let disarm: (() => void) | undefined;
      const finish = (): void => {
        done = true;
        disarm?.();
        guard.signal?.removeEventListener('abort', onAbort);
        this.deathWaiters.delete(onDeath);
      };
      const onDeath = (e: InpageError): void => { if (!done) { finish(); reject(e); } };
      const onAbort = (): void => {
        if (done) return;
        finish();
        guard.cancel?.();
        reject(abortError(guard.what, guard.signal?.reason));
      };
      this.deathWaiters.add(onDeath);
      guard.signal?.addEventListener('abort', onAbort, { once: true });
      if (guard.timeoutMs) {
        const ms = guard.timeoutMs;
        disarm = this.deadlines.add(ms, () => {
          if (done) return;
          finish();
          guard.cancel?.();
          reject(new InpageError('TIMEOUT', `${guard.what} did not finish within ${ms} ms. Raise timeoutMs, or check the model size and device.`, { timeoutMs: ms }));
        });
      }
      invoke(this.remote).then((reply) => {
        if (done) return;
        finish();
        // Trust nothing from the other side of the boundary: a malformed reply still settles.
        const r = reply as unknown as { ok?: unknown; value?: unknown; error?: unknown } | null;
        if (r !== null && typeof r === 'object' && r.ok === true) resolve(r.value as T);
        else if (r !== null && typeof r === 'object' && r.ok === false && isWireError(r.error)) reject(fromWire(r.error));
        else reject(new InpageError('INTERNAL', `${guard.what}: the worker sent a malformed reply (expected { ok: true, value } or { ok: false, error: { code, message } }).`));
      }, (e: unknown) => {
        if (done) return;
        finish();
        reject(new InpageError('INTERNAL', `${guard.what} failed in transport: ${e instanceof Error ? e.message : String(e)}`));
      });
    });
  }
}
