/**
 * A pure accumulator for `engine.stats()`: the engine records what happened, `snapshot()`
 * reports totals, rates and latency percentiles. Per instance; no timers, no I/O.
 *
 * @example
 * const c = new StatsCounter();
 * c.recordRun({ rows: 1, batchSize: 2, queuedMs: 1, computeMs: 4, backend: 'wasm', remote: false });
 * c.recordRun({ rows: 1, batchSize: 2, queuedMs: 0, computeMs: 4, backend: 'wasm', remote: false });
 * c.snapshot().meanBatchSize; // 2
 */
import type { BackendName } from '../types.ts';

/**
 * One request (one `model.run`) that ran. Record every request of a micro-batch, each with the
 * batch's `batchSize` and `computeMs`: batches and compute time are then counted once per batch.
 */
export interface RunRecord {
  /** Rows (items) this request carried, e.g. its batch dimension. */
  rows: number;
  /** Requests that shared this request's session run (1 when not batched). */
  batchSize: number;
  /** Time from the call until its batch started. */
  queuedMs: number;
  /** Duration of the session run (or remote call) that served it. */
  computeMs: number;
  backend: BackendName;
  /** Served by a hosted fallback instead of this device. */
  remote: boolean;
  /** Tokens processed, for text models. */
  tokens?: number;
}

/** Latency (queued + compute per request) over the most recent requests. */
export interface LatencyStats { p50: number; p95: number; count: number }

/** One finished text generation. */
export interface GenerationRecord {
  promptTokens: number;
  completionTokens: number;
  /** Time to the first token, page side. */
  firstTokenMs: number;
  /** Decode speed after the first token; 0 when a single token was generated. */
  tokensPerSecond: number;
}

/** Text generation totals and recent percentiles. */
export interface GenerationStats {
  /** Generations that finished. */
  answers: number;
  promptTokens: number;
  completionTokens: number;
  /** Time to first token over the most recent generations. */
  firstTokenMs: LatencyStats;
  /** Median decode speed (tokens per second after the first) over the most recent generations. */
  tokensPerSecond: number;
}

/** What `snapshot()` reports. Times are totals in ms; divide by `inferences` for means. */
export interface EngineStats {
  /** Requests that ran (cache hits are not runs). */
  inferences: number;
  /** Rows over all requests. */
  items: number;
  tokens: number;
  /** Session runs: each micro-batch once. */
  batches: number;
  /** Requests per session run; 0 before the first. */
  meanBatchSize: number;
  cacheHits: number;
  cacheMisses: number;
  /** hits / (hits + misses); 0 before the first lookup. */
  cacheHitRate: number;
  /** Total wait before running, summed over requests. */
  queuedMs: number;
  /** Total session time, each batch counted once. */
  computeMs: number;
  /** Model bytes fetched from the network. */
  bytesDownloaded: number;
  /** Model bytes served from the model cache instead. */
  bytesFromCache: number;
  localRuns: number;
  remoteRuns: number;
  /** Local requests per backend. */
  byBackend: Record<BackendName, number>;
  latency: LatencyStats;
  /** Text generation: tokens in and out, time to first token, tokens per second. */
  generation: GenerationStats;
}

/** Options of `new StatsCounter()`. */
export interface StatsCounterOptions {
  /** Requests kept for latency percentiles. Default 1000. */
  window?: number;
}

/** Nearest-rank percentile of sorted values (`q` in 0..1); 0 for none. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** Accumulates engine activity. See `EngineStats` for what each field means. */
export class StatsCounter {
  private readonly ring: Float64Array;
  private ringNext = 0;
  private ringCount = 0;
  private inferences = 0;
  private items = 0;
  private tokens = 0;
  // Sum of 1/batchSize over requests: exactly the number of batches when each is fully recorded.
  private batchShare = 0;
  private cacheHits = 0;
  private cacheMisses = 0;
  private queuedMs = 0;
  private computeMs = 0;
  private bytesDownloaded = 0;
  private bytesFromCache = 0;
  private remoteRuns = 0;
  private readonly byBackend: Record<BackendName, number> = { webgpu: 0, wasm: 0 };
  private answers = 0;
  private promptTokens = 0;
  private completionTokens = 0;
  private readonly firstTokens: number[] = [];
  private readonly speeds: number[] = [];
  private readonly window: number;

  constructor(opts: StatsCounterOptions = {}) {
    const window = opts.window ?? 1000;
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`StatsCounter window must be a positive integer, got ${String(window)}.`);
    this.ring = new Float64Array(window);
    this.window = window;
  }

  /** Record a finished generation (its run is recorded with `recordRun` as well). */
  recordGeneration(g: GenerationRecord): void {
    this.answers++;
    this.promptTokens += g.promptTokens;
    this.completionTokens += g.completionTokens;
    this.firstTokens.push(g.firstTokenMs);
    if (g.tokensPerSecond > 0) this.speeds.push(g.tokensPerSecond);
    if (this.firstTokens.length > this.window) this.firstTokens.shift();
    if (this.speeds.length > this.window) this.speeds.shift();
  }

  /** Record one request that ran (see `RunRecord`). */
  recordRun(run: RunRecord): void {
    const batchSize = Math.max(1, run.batchSize);
    this.inferences++;
    this.items += run.rows;
    this.tokens += run.tokens ?? 0;
    this.batchShare += 1 / batchSize;
    this.queuedMs += run.queuedMs;
    this.computeMs += run.computeMs / batchSize;
    if (run.remote) this.remoteRuns++;
    else this.byBackend[run.backend]++;
    this.ring[this.ringNext] = run.queuedMs + run.computeMs;
    this.ringNext = (this.ringNext + 1) % this.ring.length;
    this.ringCount = Math.min(this.ringCount + 1, this.ring.length);
  }

  /** Record a result-cache lookup. */
  recordCache(hit: boolean): void {
    if (hit) this.cacheHits++; else this.cacheMisses++;
  }

  /** Record model bytes obtained, from the network or from the model cache. */
  recordDownload(bytes: number, fromCache: boolean): void {
    if (fromCache) this.bytesFromCache += bytes; else this.bytesDownloaded += bytes;
  }

  /** A plain, structured-clone-safe copy of the totals. */
  snapshot(): EngineStats {
    const batches = Math.round(this.batchShare);
    const lookups = this.cacheHits + this.cacheMisses;
    const recent = Array.from(this.ring.subarray(0, this.ringCount)).sort((a, b) => a - b);
    return {
      inferences: this.inferences,
      items: this.items,
      tokens: this.tokens,
      batches,
      meanBatchSize: this.batchShare > 0 ? this.inferences / this.batchShare : 0,
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      cacheHitRate: lookups > 0 ? this.cacheHits / lookups : 0,
      queuedMs: this.queuedMs,
      computeMs: this.computeMs,
      bytesDownloaded: this.bytesDownloaded,
      bytesFromCache: this.bytesFromCache,
      localRuns: this.inferences - this.remoteRuns,
      remoteRuns: this.remoteRuns,
      byBackend: { ...this.byBackend },
      latency: { p50: percentile(recent, 0.5), p95: percentile(recent, 0.95), count: recent.length },
      generation: this.generationSnapshot(),
    };
  }

  private generationSnapshot(): GenerationStats {
    const ttft = [...this.firstTokens].sort((a, b) => a - b);
    const tps = [...this.speeds].sort((a, b) => a - b);
    return {
      answers: this.answers, promptTokens: this.promptTokens, completionTokens: this.completionTokens,
      firstTokenMs: { p50: percentile(ttft, 0.5), p95: percentile(ttft, 0.95), count: ttft.length },
      tokensPerSecond: percentile(tps, 0.5),
    };
  }
}
