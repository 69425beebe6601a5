/**
 * Micro-batching per model: concurrent requests are stacked into one session run and the rows
 * split back to each caller. Runs on one session never overlap (ORT refuses that).
 *
 * The batch window: requests submitted in the same task (the page sends a burst of runs as one
 * message) always go together. Beyond that, an idle session only waits for companions when
 * callers have recently overlapped (a request arrived while another was queued or running):
 * then the first request waits turn by turn while more arrive, up to `maxWaitMs` or `maxBatch`
 * rows. A caller that awaits each run before the next never overlaps, so it never waits. While
 * a run is in progress requests simply pile up and go together next.
 */
import { InpageError, abortError } from '../errors.ts';
import type { Tensors } from '../tensor.ts';
import { DEFAULT_MAX_BATCH, rowsOf, sameGroup, splitOutputs, stackFeeds, type BatchLayout } from './batch-tensors.ts';

/** Batching options of a model. `maxWaitMs: 0` or `maxBatch: 1` disables batching. */
export interface BatchOptions {
  /** Most rows in one run. Default 64. */
  maxBatch?: number;
  /** Longest time the first request of a batch waits for companions. Default 2 ms. */
  maxWaitMs?: number;
  /** Pad value per sequence input (padded along axis 1 to the longest request). */
  pad?: Record<string, number>;
}

/** Timing of one request, reported back to the page for stats. */
export interface RunTiming {
  queuedMs: number;
  computeMs: number;
  /** Requests that shared the run (1 = ran alone). */
  batchSize: number;
  /** Rows in the run. */
  batchRows: number;
}

interface Pending {
  feeds: Tensors;
  rows: number;
  enqueuedAt: number;
  signal: AbortSignal | undefined;
  settled: boolean;
  resolve(v: { outputs: Tensors; timing: RunTiming }): void;
  reject(e: unknown): void;
}

/** How long an overlap of callers keeps the batch window open on an idle session. */
export const OVERLAP_MEMORY_MS = 1000;

/** One turn of the task queue, faster than setTimeout(0) (which clamps to 1–4 ms). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
    ch.port2.postMessage(0);
  });
}

export class Batcher {
  private readonly queue: Pending[] = [];
  private running = false;
  private gathering = false;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  /** When a request last arrived while another was queued or running. */
  private lastOverlapAt = -Infinity;

  /**
   * @param run runs one (possibly stacked) request on the session
   * @param layout the model's batch layout, or undefined when it cannot batch
   */
  constructor(private readonly run: (feeds: Tensors) => Promise<Tensors>, private readonly layout: BatchLayout | undefined, opts: BatchOptions = {}) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? DEFAULT_MAX_BATCH);
    this.maxWaitMs = Math.max(0, opts.maxWaitMs ?? 2);
  }

  /** Whether requests are merged at all. */
  get enabled(): boolean {
    return this.layout !== undefined && this.maxBatch > 1 && this.maxWaitMs > 0;
  }

  /** Requests waiting (not yet running). */
  get waiting(): number {
    return this.queue.length;
  }

  submit(feeds: Tensors, signal?: AbortSignal): Promise<{ outputs: Tensors; timing: RunTiming }> {
    if (signal?.aborted) return Promise.reject(abortError('The run', signal.reason));
    return new Promise((resolve, reject) => {
      const p: Pending = {
        feeds, rows: rowsOf(feeds, this.layout), enqueuedAt: performance.now(),
        signal, settled: false, resolve, reject,
      };
      const onAbort = (): void => {
        if (p.settled) return;
        p.settled = true;
        const i = this.queue.indexOf(p);
        if (i >= 0) this.queue.splice(i, 1);
        reject(abortError('The run', signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // A long-lived signal must not keep every settled request's feeds alive.
      p.resolve = (v) => { signal?.removeEventListener('abort', onAbort); resolve(v); };
      p.reject = (e) => { signal?.removeEventListener('abort', onAbort); reject(e); };
      if (this.queue.length > 0 || this.running || this.gathering) this.lastOverlapAt = p.enqueuedAt;
      this.queue.push(p);
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || this.gathering || this.queue.length === 0) return;
    if (!this.enabled) { void this.flush(); return; }
    this.gathering = true;
    void this.gather(performance.now());
  }

  private async gather(start: number): Promise<void> {
    // The rest of a burst submitted in this task (one runMany message) joins before we decide.
    await Promise.resolve();
    if (performance.now() - this.lastOverlapAt < OVERLAP_MEMORY_MS) {
      let seen = -1;
      while (this.queue.length !== seen && this.queuedRows() < this.maxBatch && performance.now() - start < this.maxWaitMs) {
        seen = this.queue.length;
        await nextTurn();
      }
    }
    this.gathering = false;
    await this.flush();
  }

  private queuedRows(): number {
    return this.queue.reduce((n, p) => n + p.rows, 0);
  }

  /** Take the head request and every compatible one up to maxBatch rows; run; answer each. */
  private async flush(): Promise<void> {
    const head = this.queue[0];
    if (this.running || !head) return;
    this.running = true;
    const batch: Pending[] = [];
    let rows = 0;
    for (let i = 0; i < this.queue.length;) {
      const p = this.queue[i]!;
      const fits = batch.length === 0 || (this.enabled && rows + p.rows <= this.maxBatch && sameGroup(p.feeds, head.feeds, this.layout!));
      if (fits) { batch.push(p); rows += p.rows; this.queue.splice(i, 1); } else i++;
      if (!this.enabled) break;
    }
    try {
      await this.runBatch(batch, rows);
    } finally {
      this.running = false;
      if (this.queue.length > 0) {
        // What piled up during the run goes next, without another window.
        if (this.enabled) void this.flush(); else this.kick();
      }
    }
  }

  private async runBatch(batch: Pending[], rows: number): Promise<void> {
    const live = batch.filter((p) => !p.settled);
    if (live.length === 0) return;
    const started = performance.now();
    try {
      if (live.length === 1) {
        const outputs = await this.run(live[0]!.feeds);
        this.answer(live[0]!, outputs, started, 1, rows);
        return;
      }
      const stacked = stackFeeds(live.map((p) => p.feeds), this.layout!);
      const outputs = await this.run(stacked);
      const parts = splitOutputs(outputs, live.map((p) => p.feeds), this.layout!);
      live.forEach((p, i) => this.answer(p, parts[i]!, started, live.length, rows));
    } catch (e) {
      if (live.length === 1) { this.fail(live[0]!, e); return; }
      // One request must not sink its batch-mates: rerun each alone so only the culprit fails.
      for (const p of live) {
        if (p.settled) continue;
        const s = performance.now();
        try { this.answer(p, await this.run(p.feeds), s, 1, p.rows); } catch (err) { this.fail(p, err); }
      }
    }
  }

  private answer(p: Pending, outputs: Tensors, started: number, batchSize: number, batchRows: number): void {
    if (p.settled) return;
    p.settled = true;
    const now = performance.now();
    p.resolve({ outputs, timing: { queuedMs: started - p.enqueuedAt, computeMs: now - started, batchSize, batchRows } });
  }

  private fail(p: Pending, e: unknown): void {
    if (p.settled) return;
    p.settled = true;
    p.reject(e instanceof Error ? e : new InpageError('RUN_FAILED', String(e)));
  }
}
