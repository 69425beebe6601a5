/**
 * StatsCounter (batches, hit rate, bytes, latency percentiles over a bounded window) and the
 * per-instance typed Emitter.
 */
import { describe, expect, it, vi } from 'vitest';
import { StatsCounter, percentile, type RunRecord } from '../../src/stats/counters.ts';
import { Emitter } from '../../src/stats/emitter.ts';

const run = (over: Partial<RunRecord> = {}): RunRecord => ({ rows: 1, batchSize: 1, queuedMs: 0, computeMs: 1, backend: 'wasm', remote: false, ...over });

describe('StatsCounter', () => {
  it('starts at zero', () => {
    const s = new StatsCounter().snapshot();
    expect(s).toMatchObject({ inferences: 0, batches: 0, meanBatchSize: 0, cacheHitRate: 0, latency: { p50: 0, p95: 0, count: 0 } });
  });

  it('counts batches once and averages batch size over session runs', () => {
    const c = new StatsCounter();
    for (let i = 0; i < 4; i++) c.recordRun(run({ rows: 2, batchSize: 4, computeMs: 8, queuedMs: i }));
    c.recordRun(run({ rows: 3, batchSize: 1, computeMs: 2, backend: 'webgpu', tokens: 12 }));
    c.recordRun(run({ remote: true, computeMs: 100 }));
    const s = c.snapshot();
    expect(s).toMatchObject({ inferences: 6, items: 12, tokens: 12, batches: 3, localRuns: 5, remoteRuns: 1, byBackend: { wasm: 4, webgpu: 1 } });
    expect(s.meanBatchSize).toBeCloseTo(2, 12);
    expect(s.computeMs).toBeCloseTo(8 + 2 + 100, 9); // the 4-request batch once
    expect(s.queuedMs).toBe(0 + 1 + 2 + 3);
  });

  it('reports cache hit rate and model bytes by source', () => {
    const c = new StatsCounter();
    c.recordCache(true); c.recordCache(true); c.recordCache(true); c.recordCache(false);
    c.recordDownload(1000, false);
    c.recordDownload(250, true);
    expect(c.snapshot()).toMatchObject({ cacheHits: 3, cacheMisses: 1, cacheHitRate: 0.75, bytesDownloaded: 1000, bytesFromCache: 250 });
  });

  it('takes latency percentiles (queued + compute) over the last `window` requests', () => {
    const c = new StatsCounter({ window: 100 });
    for (let i = 1; i <= 100; i++) c.recordRun(run({ queuedMs: 0, computeMs: i }));
    expect(c.snapshot().latency).toEqual({ p50: 50, p95: 95, count: 100 });
    for (let i = 0; i < 100; i++) c.recordRun(run({ queuedMs: 1000, computeMs: 0 })); // older ones roll out
    expect(c.snapshot().latency).toEqual({ p50: 1000, p95: 1000, count: 100 });
    expect(c.snapshot().inferences).toBe(200);
  });

  it('snapshots are plain copies', () => {
    const c = new StatsCounter();
    c.recordRun(run());
    const s = c.snapshot();
    s.byBackend.wasm = 99;
    expect(c.snapshot().byBackend.wasm).toBe(1);
    expect(structuredClone(s)).toEqual(s);
  });

  it('percentile uses nearest rank', () => {
    expect(percentile([], 0.5)).toBe(0);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.95)).toBe(4);
    expect(() => new StatsCounter({ window: 0 })).toThrow(RangeError);
  });
});

describe('Emitter', () => {
  type Events = { stats: { n: number }; ready: undefined };

  it('delivers typed payloads in order and unsubscribes', () => {
    const e = new Emitter<Events>();
    const got: string[] = [];
    const off = e.on('stats', (s) => got.push(`a${s.n}`));
    e.on('stats', (s) => got.push(`b${s.n}`));
    e.on('ready', () => got.push('ready'));
    e.emit('stats', { n: 1 });
    off();
    e.emit('stats', { n: 2 });
    e.emit('ready', undefined);
    expect(got).toEqual(['a1', 'b1', 'b2', 'ready']);
    expect(e.listenerCount('stats')).toBe(1);
    expect(e.listenerCount()).toBe(2);
    e.clear();
    expect(e.listenerCount()).toBe(0);
  });

  it('instances are independent', () => {
    const a = new Emitter<Events>();
    const b = new Emitter<Events>();
    const fn = vi.fn();
    a.on('stats', fn);
    b.emit('stats', { n: 1 });
    expect(fn).not.toHaveBeenCalled();
  });

  it('a throwing listener does not stop the others; unsubscribing during emit is safe', () => {
    const errors: unknown[] = [];
    const e = new Emitter<Events>({ onError: (err) => errors.push(err) });
    const got: number[] = [];
    const offSelf: () => void = e.on('stats', () => { offSelf(); throw new Error('boom'); });
    e.on('stats', (s) => got.push(s.n));
    e.emit('stats', { n: 1 });
    e.emit('stats', { n: 2 });
    expect(got).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('boom');
  });
});
