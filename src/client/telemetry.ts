/**
 * The engine's counters and events: every answered request (runs, pipeline calls, cache hits,
 * remote runs) and every load is counted once here and emitted once, so `stats()` and
 * `engine.on()` always agree.
 */
import type { ModelFromWorker, PipelineFromWorker, RunTiming } from '../protocol.ts';
import { StatsCounter, type EngineStats } from '../stats/counters.ts';
import { Emitter } from '../stats/emitter.ts';
import type { BackendName, ModelBackend } from '../types.ts';
import type { EngineEvents } from './engine-api.ts';

export class Telemetry {
  private readonly counter = new StatsCounter();
  readonly events = new Emitter<EngineEvents>();
  private lastBackend: ModelBackend | undefined;

  /** @param reasonNow the engine's current backend reason (for 'backend' events) */
  constructor(private readonly reasonNow: () => Promise<string>) {}

  stats(): EngineStats {
    return this.counter.snapshot();
  }

  /** A model finished loading. */
  modelLoaded(id: string, meta: ModelFromWorker, ms: number): void {
    this.counter.recordDownload(meta.downloadedBytes || (meta.source === 'network' ? meta.bytes : 0), false);
    if (meta.source !== 'network' && meta.source !== 'bytes') this.counter.recordDownload(meta.bytes, true);
    this.events.emit('load', { model: id, source: meta.source, bytes: meta.bytes, downloadedBytes: meta.downloadedBytes, ms, backend: meta.backend });
    this.noteBackend(meta.backend);
  }

  /** A pipeline finished loading. */
  pipelineLoaded(id: string, meta: PipelineFromWorker, ms: number): void {
    this.counter.recordDownload(meta.downloadedBytes, false);
    if (meta.bytes > meta.downloadedBytes) this.counter.recordDownload(meta.bytes - meta.downloadedBytes, true);
    const cached = meta.files.find((f) => f.source !== 'network')?.source;
    this.events.emit('load', { model: id, source: meta.downloadedBytes > 0 || cached === undefined ? 'network' : cached, bytes: meta.bytes, downloadedBytes: meta.downloadedBytes, ms, backend: meta.backend });
    this.noteBackend(meta.backend);
  }

  /** A request answered by the worker (model run or pipeline call). */
  answered(id: string, timing: RunTiming, backend: BackendName, rows: number, startedAt: number): void {
    this.counter.recordRun({ rows, batchSize: timing.batchSize, queuedMs: timing.queuedMs, computeMs: timing.computeMs, backend, remote: false });
    this.events.emit('inference', {
      model: id, ms: performance.now() - startedAt, queuedMs: timing.queuedMs, computeMs: timing.computeMs,
      batchSize: timing.batchSize, rows, backend, cached: false,
    });
    this.noteBackend(backend);
  }

  /** A text generation finished (its run counted once, with its tokens). */
  generated(id: string, timing: RunTiming, backend: BackendName, g: { promptTokens: number; completionTokens: number; firstTokenMs: number; totalMs: number; tokensPerSecond: number; finishReason: 'stop' | 'length' }): void {
    this.counter.recordRun({ rows: 1, batchSize: 1, queuedMs: timing.queuedMs, computeMs: timing.computeMs, backend, remote: false, tokens: g.promptTokens + g.completionTokens });
    this.counter.recordGeneration(g);
    this.events.emit('inference', { model: id, ms: g.totalMs, queuedMs: timing.queuedMs, computeMs: timing.computeMs, batchSize: 1, rows: 1, backend, cached: false });
    this.events.emit('generation', { model: id, backend, ...g });
    this.noteBackend(backend);
  }

  /** A request answered by the caller's remote fallback. */
  answeredRemotely(ms: number, rows: number): void {
    this.counter.recordRun({ rows, batchSize: 1, queuedMs: 0, computeMs: ms, backend: 'wasm', remote: true });
    this.events.emit('inference', { model: 'remote', ms, queuedMs: 0, computeMs: ms, batchSize: 1, rows, backend: 'remote', cached: false });
  }

  /** A request answered from the page-side result cache. */
  cacheHit(id: string, backend: ModelBackend, rows: number, startedAt: number): void {
    this.counter.recordCache(true);
    this.events.emit('inference', { model: id, ms: performance.now() - startedAt, queuedMs: 0, computeMs: 0, batchSize: 1, rows, backend, cached: true });
  }

  cacheMiss(): void {
    this.counter.recordCache(false);
  }

  private noteBackend(backend: ModelBackend): void {
    if (this.lastBackend !== undefined && backend !== this.lastBackend) {
      const from = this.lastBackend;
      void this.reasonNow().then((reason) => this.events.emit('backend', { from, to: backend, reason }), () => {});
    }
    this.lastBackend = backend;
  }
}
