/**
 * The one queue in front of a runtime that must not be entered twice at once (onnxruntime-web:
 * its WebGPU build is an asyncify build, so a second call while another session's run or build
 * is suspended re-enters the same wasm instance — seen as "memory access out of bounds" and as
 * loads that never finish — and it refuses two WebGPU session builds at once). Every ORT call in
 * a worker goes through one `Executor` per runtime, one job at a time.
 *
 * The policy, so no model waits behind someone else's load:
 * - Two lanes. `run` jobs (runs of loaded models and pipelines, and releases) go before `load`
 *   jobs (session builds, warm-up runs, backend measurements): a load is split into such steps
 *   by its caller, so runs slip in between them.
 * - Loads take turns by age: the steps of the load that started first go first, so three loads
 *   started together finish one after another instead of all together at the end.
 * - A load is never starved: once its oldest waiting step has waited `loadAgeMs`, it goes next
 *   even while runs keep arriving.
 * - A queued job whose signal fires never starts and rejects with `ABORTED` at once; a running
 *   job finishes (WASM cannot be interrupted) but its caller is answered at once.
 *
 * @example
 * const ex = new Executor();
 * await ex.add('run', () => session.run(feeds));
 * await ex.add({ load: 3, signal }, () => ort.InferenceSession.create(bytes));
 */
import { abortError } from '../errors.ts';

/** Which lane a job goes in: a run, or a step of the load numbered `load` (lower = older). */
export type Lane = 'run' | { load: number; signal?: AbortSignal | undefined };

/** Options of {@link Executor}. */
export interface ExecutorOptions {
  /** After this long a waiting load step goes before runs. Default 100 ms. */
  loadAgeMs?: number;
  /** The clock (tests). Default `performance.now`. */
  now?: () => number;
}

interface Job {
  work: () => Promise<unknown>;
  load: number;
  enqueuedAt: number;
  signal: AbortSignal | undefined;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  /** Answered (abort) before it ran: skip it. */
  gone: boolean;
}

/** What the executor has done, for tests and the bench. */
export interface ExecutorStats {
  /** Jobs run per lane. */
  runs: number;
  loads: number;
  /** Longest time a run job waited for the executor, in ms. */
  maxRunWaitMs: number;
}

export class Executor {
  private readonly runs: Job[] = [];
  private readonly loads: Job[] = [];
  private busy = false;
  private readonly loadAgeMs: number;
  private readonly now: () => number;
  readonly stats: ExecutorStats = { runs: 0, loads: 0, maxRunWaitMs: 0 };

  constructor(opts: ExecutorOptions = {}) {
    this.loadAgeMs = opts.loadAgeMs ?? 100;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Jobs waiting (not running). */
  get waiting(): number {
    return this.runs.length + this.loads.length;
  }

  /** Queue `work` in `lane`; it runs alone, when the policy gives it its turn. */
  add<T>(lane: Lane, work: () => Promise<T>): Promise<T> {
    const signal = lane === 'run' ? undefined : lane.signal;
    if (signal?.aborted) return Promise.reject(abortError('The step', signal.reason));
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        work, load: lane === 'run' ? -1 : lane.load, enqueuedAt: this.now(), signal, gone: false,
        resolve: resolve as (v: unknown) => void, reject,
      };
      if (signal) {
        const onAbort = (): void => {
          if (job.gone) return;
          job.gone = true;
          reject(abortError('The step', signal.reason));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const done = (): void => signal.removeEventListener('abort', onAbort);
        job.resolve = (v) => { done(); resolve(v as T); };
        job.reject = (e) => { done(); reject(e); };
      }
      if (lane === 'run') this.runs.push(job);
      else this.insertLoad(job);
      this.pump();
    });
  }

  /** Load steps are kept oldest load first, FIFO within a load. */
  private insertLoad(job: Job): void {
    let i = this.loads.length;
    while (i > 0 && this.loads[i - 1]!.load > job.load) i--;
    this.loads.splice(i, 0, job);
  }

  private next(): Job | undefined {
    const now = this.now();
    const oldestLoadWait = this.loads.reduce((m, j) => Math.max(m, now - j.enqueuedAt), -1);
    if (this.runs.length > 0 && !(this.loads.length > 0 && oldestLoadWait >= this.loadAgeMs)) return this.runs.shift();
    return this.loads.shift() ?? this.runs.shift();
  }

  private pump(): void {
    if (this.busy) return;
    let job = this.next();
    while (job?.gone) job = this.next();
    if (!job) return;
    this.busy = true;
    const isRun = job.load < 0;
    if (isRun) {
      this.stats.runs++;
      this.stats.maxRunWaitMs = Math.max(this.stats.maxRunWaitMs, this.now() - job.enqueuedAt);
    } else this.stats.loads++;
    const j = job;
    let started: Promise<unknown>;
    try {
      started = j.work();
    } catch (e) {
      started = Promise.reject(e);
    }
    started.then((v) => { j.gone = true; j.resolve(v); }, (e: unknown) => { j.gone = true; j.reject(e); }).finally(() => {
      this.busy = false;
      this.pump();
    });
  }
}
