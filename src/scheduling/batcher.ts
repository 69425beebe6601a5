/**
 * The one micro-batcher, for ONNX models and transformers.js pipelines alike. Concurrent
 * requests are merged into one run and each caller gets its own part back; what may be merged,
 * how inputs are stacked and how results split is the task's {@link BatchPolicy}.
 *
 * - Runs of one batcher never overlap: while a run is in progress requests pile up and go
 *   together next (ORT refuses overlapping runs on one session anyway).
 * - The window. Requests submitted in the same task always go together. Beyond that, with the
 *   `overlap` window (ONNX models) an idle batcher only waits for companions when callers have
 *   recently overlapped, so a caller that awaits each run never waits; with the `always` window
 *   (pipelines, whose calls arrive one message each and whose runs take milliseconds) the first
 *   request always waits turn by turn for companions. Both stop at `maxWaitMs` or `maxBatch` rows.
 * - Bad-request isolation happens here and only here: when a merged run fails, every request in
 *   it is run again on its own, so only the culprit fails. A request stacked by the page from
 *   several callers (a *group*, with the rows each caller owns) is split back into its callers'
 *   rows for that, so the page never re-sends anything.
 * - Abort: a queued request is dropped and rejected at once; a running one finishes (WASM cannot
 *   be interrupted) but its caller is answered at once.
 */
import { InpageError, abortError } from '../errors.ts';
import type { RunTiming } from '../protocol.ts';
import { nextTurn } from './turn.ts';

export type { RunTiming };

/** How one kind of request is merged, run and split. */
export interface BatchPolicy<In, Out> {
  /** Rows a request owns (what `maxBatch` counts). */
  rows(input: In): number;
  /** Whether `input` may share a run with the batch led by `head`. */
  joins(head: In, input: In): boolean;
  /**
   * Runs the inputs as one run; one output per input, in order. A single input runs as is.
   * `timing.ms`, when the policy sets it, is the time the work itself took (without waiting for
   * the executor); the rest of the wall time counts as queued.
   */
  run(inputs: readonly In[], timing: { ms: number }): Promise<Out[]>;
  /** Rows `[from, from + rows)` of a group's input, to run one caller's part alone. */
  slice?(input: In, from: number, rows: number): In;
}

/** A request's answer. */
export interface Answer<Out> {
  output: Out;
  timing: RunTiming;
}

/** One caller's outcome inside a group whose run failed and was split. */
export type PartOutcome<Out> = { ok: true; output: Out } | { ok: false; error: unknown };

/** A group's answer: the whole output, or, after isolation, one outcome per caller. */
export type GroupAnswer<Out> = Answer<Out> | { parts: PartOutcome<Out>[]; timing: RunTiming };

/** Limits of a batcher. */
export interface BatcherLimits {
  /** Most rows in one run. */
  maxBatch: number;
  /** Longest time the first request waits for companions. 0 disables merging. */
  maxWaitMs: number;
  /** When an idle batcher waits for companions (see the file comment). */
  window: 'overlap' | 'always';
}

/** How long an overlap of callers keeps the batch window open on an idle batcher. */
export const OVERLAP_MEMORY_MS = 1000;

interface Pending<In, Out> {
  input: In;
  rows: number;
  /** Rows of each caller, for a request the page stacked from several callers. */
  members: readonly number[] | undefined;
  enqueuedAt: number;
  settled: boolean;
  resolve(v: GroupAnswer<Out>): void;
  reject(e: unknown): void;
}

export class MicroBatcher<In, Out> {
  private readonly queue: Pending<In, Out>[] = [];
  private running: Promise<void> | undefined;
  private gathering = false;
  private closed: InpageError | undefined;
  /** When a request last arrived while another was queued or running. */
  private lastOverlapAt = -Infinity;

  /**
   * @param policy how requests merge; `undefined` when they never do (one request per run)
   */
  constructor(private readonly policy: BatchPolicy<In, Out>, private readonly merging: boolean, private readonly limits: BatcherLimits) {}

  /** Whether requests are merged at all. */
  get enabled(): boolean {
    return this.merging && this.limits.maxBatch > 1 && this.limits.maxWaitMs > 0;
  }

  /** Requests waiting (not yet running). */
  get waiting(): number {
    return this.queue.length;
  }

  /** One caller's request. */
  submit(input: In, signal?: AbortSignal): Promise<Answer<Out>> {
    return this.enqueue(input, undefined, signal) as Promise<Answer<Out>>;
  }

  /**
   * A request the page stacked from several callers; `members` are their row counts, in order.
   * Answered whole, or — when its run failed — per caller after running each part alone.
   */
  submitGroup(input: In, members: readonly number[], signal?: AbortSignal): Promise<GroupAnswer<Out>> {
    const rows = this.policy.rows(input);
    if (members.length === 0 || !members.every((n) => Number.isInteger(n) && n > 0) || members.reduce((a, b) => a + b, 0) !== rows) {
      return Promise.reject(new InpageError('INPUT_INVALID', `A stacked call's members must be positive row counts adding up to its ${rows} rows, got [${members.join(', ')}].`));
    }
    return this.enqueue(input, members.length > 1 ? members : undefined, signal);
  }

  /**
   * Stop taking requests: queued ones reject with `error`; resolves once the run in progress
   * (if any) is over, so the session can be released safely.
   */
  async close(error: InpageError): Promise<void> {
    this.closed = error;
    for (const p of this.queue.splice(0)) this.fail(p, error);
    await this.running;
  }

  private enqueue(input: In, members: readonly number[] | undefined, signal: AbortSignal | undefined): Promise<GroupAnswer<Out>> {
    if (this.closed) return Promise.reject(this.closed);
    if (signal?.aborted) return Promise.reject(abortError('The run', signal.reason));
    return new Promise((resolve, reject) => {
      const p: Pending<In, Out> = { input, rows: this.policy.rows(input), members, enqueuedAt: performance.now(), settled: false, resolve, reject };
      if (signal) {
        const onAbort = (): void => {
          if (p.settled) return;
          p.settled = true;
          const i = this.queue.indexOf(p);
          if (i >= 0) this.queue.splice(i, 1);
          reject(abortError('The run', signal.reason));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        // A long-lived signal must not keep every settled request's input alive.
        p.resolve = (v) => { signal.removeEventListener('abort', onAbort); resolve(v); };
        p.reject = (e) => { signal.removeEventListener('abort', onAbort); reject(e); };
      }
      if (this.queue.length > 0 || this.running || this.gathering) this.lastOverlapAt = p.enqueuedAt;
      this.queue.push(p);
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || this.gathering || this.queue.length === 0) return;
    if (!this.enabled) { this.flush(); return; }
    this.gathering = true;
    void this.gather(performance.now());
  }

  private async gather(start: number): Promise<void> {
    // The rest of a burst submitted in this task (one message from the page) joins first.
    await Promise.resolve();
    const wait = this.limits.window === 'always' || performance.now() - this.lastOverlapAt < OVERLAP_MEMORY_MS;
    if (wait) {
      let seen = -1;
      while (this.queue.length !== seen && this.queuedRows() < this.limits.maxBatch && performance.now() - start < this.limits.maxWaitMs) {
        seen = this.queue.length;
        await nextTurn();
      }
    }
    this.gathering = false;
    this.flush();
  }

  private queuedRows(): number {
    let n = 0;
    for (const p of this.queue) n += p.rows;
    return n;
  }

  /** Take the head request and every compatible one up to maxBatch rows; run; answer each. */
  private flush(): void {
    const head = this.queue[0];
    if (this.running || !head) return;
    const batch: Pending<In, Out>[] = [];
    let rows = 0;
    for (let i = 0; i < this.queue.length;) {
      const p = this.queue[i]!;
      const fits = batch.length === 0 || (rows + p.rows <= this.limits.maxBatch && this.policy.joins(head.input, p.input));
      if (fits) { batch.push(p); rows += p.rows; this.queue.splice(i, 1); } else i++;
      if (!this.enabled) break;
    }
    this.running = this.runBatch(batch, rows).finally(() => {
      this.running = undefined;
      // What piled up during the run goes next, without another window.
      if (this.queue.length > 0 && !this.closed) {
        if (this.enabled) this.flush(); else this.kick();
      }
    });
  }

  private async runBatch(batch: Pending<In, Out>[], rows: number): Promise<void> {
    const live = batch.filter((p) => !p.settled);
    if (live.length === 0) return;
    const started = performance.now();
    const work = { ms: Number.NaN };
    let outputs: Out[];
    try {
      outputs = await this.policy.run(live.map((p) => p.input), work);
    } catch (e) {
      await this.isolate(live, e);
      return;
    }
    const wall = performance.now() - started;
    const computeMs = Number.isNaN(work.ms) ? wall : work.ms;
    live.forEach((p, i) => this.answer(p, { output: outputs[i]!, timing: { queuedMs: started - p.enqueuedAt + wall - computeMs, computeMs, batchSize: live.length, batchRows: rows } }));
  }

  /** A run failed: run every request (every caller's rows of a group) alone, so only the culprit fails. */
  private async isolate(live: Pending<In, Out>[], error: unknown): Promise<void> {
    const alone = live.length === 1 && live[0]!.members === undefined;
    if (alone) { this.fail(live[0]!, error); return; }
    for (const p of live) {
      if (p.settled) continue;
      const started = performance.now();
      const timing = (): RunTiming => ({ queuedMs: started - p.enqueuedAt, computeMs: performance.now() - started, batchSize: 1, batchRows: p.rows });
      if (p.members === undefined || !this.policy.slice) {
        try {
          const [output] = await this.policy.run([p.input], { ms: Number.NaN });
          this.answer(p, { output: output!, timing: timing() });
        } catch (e) {
          this.fail(p, e);
        }
        continue;
      }
      const parts: PartOutcome<Out>[] = [];
      let from = 0;
      for (const n of p.members) {
        try {
          const [output] = await this.policy.run([this.policy.slice(p.input, from, n)], { ms: Number.NaN });
          parts.push({ ok: true, output: output! });
        } catch (e) {
          parts.push({ ok: false, error: e });
        }
        from += n;
      }
      this.answer(p, { parts, timing: timing() });
    }
  }

  private answer(p: Pending<In, Out>, v: GroupAnswer<Out>): void {
    if (p.settled) return;
    p.settled = true;
    p.resolve(v);
  }

  private fail(p: Pending<In, Out>, e: unknown): void {
    if (p.settled) return;
    p.settled = true;
    p.reject(e instanceof Error ? e : new InpageError('RUN_FAILED', String(e)));
  }
}
