/**
 * Panel: a live chart of each inference's round trip (page → worker → page, or a result-cache hit
 * answered on the page), p50/p95 over the recent ones, and the engine's counters
 * (`engine.stats()`: runs, session batches, requests per batch, cache hit rate).
 */
import type { Engine, EngineEvents, Model } from 'inpage';
import { byId, setText, svg } from '../dom.ts';
import { count, ms } from '../format.ts';

type Inference = EngineEvents['inference'];

const BARS = 60;
const WINDOW = 500;
const W = 300;
const H = 80;

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
}

export class LatencyPanel {
  private readonly recent: Inference[] = [];
  private engine: Engine | undefined;
  private off: (() => void) | undefined;
  private queued = false;
  private readonly chart = byId('latency-chart') as unknown as SVGSVGElement;

  /** Follow a new engine's events (and stop following the previous one). */
  watch(engine: Engine): void {
    this.off?.();
    this.engine = engine;
    this.off = engine.on('inference', (e) => {
      this.recent.push(e);
      if (this.recent.length > WINDOW) this.recent.splice(0, this.recent.length - WINDOW);
      this.schedule();
    });
    this.schedule();
  }

  model(model: Model): void {
    setText(byId('batch-why'), model.batching.enabled
      ? 'Micro-batching on: concurrent requests share one session run.'
      : `Micro-batching off: ${model.batching.reason}.`);
  }

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.draw(); });
  }

  private draw(): void {
    const sorted = this.recent.map((e) => e.ms).sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5);
    const p95 = percentile(sorted, 0.95);
    setText(byId('lat-p50'), sorted.length > 0 ? ms(p50) : '–');
    setText(byId('lat-p95'), sorted.length > 0 ? ms(p95) : '–');
    setText(byId('glance-p50'), sorted.length > 0 ? ms(p50) : '–');
    if (this.engine !== undefined) {
      const s = this.engine.stats();
      setText(byId('stat-inferences'), count(s.inferences));
      setText(byId('stat-hits'), s.cacheHits + s.cacheMisses > 0 ? `${Math.round(s.cacheHitRate * 100)}%` : '–');
      setText(byId('stat-batches'), count(s.batches));
      setText(byId('stat-batch-size'), s.batches > 0 ? s.meanBatchSize.toFixed(2) : '–');
    }
    const shown = this.recent.slice(-BARS);
    const top = Math.max(0.05, ...shown.map((e) => e.ms), p95) * 1.15;
    const bw = W / BARS;
    const bars = shown.map((e, i) => {
      const bh = Math.max(1, (e.ms / top) * H);
      return svg('rect', { x: (i + BARS - shown.length) * bw + 0.5, y: H - bh, width: bw - 1, height: bh, class: e.cached ? 'bar-hit' : 'bar-run' });
    });
    const y95 = H - (p95 / top) * H;
    const line = svg('line', { x1: 0, x2: W, y1: y95, y2: y95, class: 'p95-line', 'vector-effect': 'non-scaling-stroke' });
    this.chart.replaceChildren(...bars, ...(shown.length > 0 ? [line] : []));
    this.chart.setAttribute('aria-label', shown.length === 0
      ? 'No inferences yet'
      : `Round-trip latency of the last ${shown.length} inferences: p50 ${ms(p50)}, p95 ${ms(p95)}, slowest ${ms(sorted.at(-1) ?? 0)}.`);
  }
}
