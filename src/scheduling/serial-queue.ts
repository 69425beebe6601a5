/**
 * Runs jobs one at a time. ORT refuses overlapping `run()` calls on one session, and on WebGPU
 * they would contend for the same queue anyway (transformers.js chains runs for the same reason).
 * A queued job can be aborted before it starts; a running job finishes (WASM cannot be
 * interrupted) but its caller is answered at once.
 */
import { abortError } from '../errors.ts';

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Jobs queued or running. */
  get size(): number {
    return this.pending;
  }

  /** Enqueue `job`; rejects with `ABORTED` if `signal` fires before the job starts. */
  add<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.pending++;
    const run = this.tail.then(() => {
      if (signal?.aborted) throw abortError('The run', signal.reason);
      return job();
    });
    this.tail = run.then(() => undefined, () => undefined).finally(() => { this.pending--; });
    if (!signal) return run;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(abortError('The run', signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}
