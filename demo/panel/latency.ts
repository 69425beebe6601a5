/**
 * Panel: how long requests take, split into the two numbers that mean different things:
 *   model       the session run in the worker (`computeMs` of each `inference` event): what the
 *               model itself costs, comparable with a direct call or a benchmark;
 *   round trip  page → worker → page (`ms`): what the caller waits, including any time the
 *               worker's reply waits for this page's main thread to be free;
 *   page busy   how long after each call the page could run its next task (page-wait.ts): the
 *               share of the round trip that is this page's own work, not the model's.
 * A live chart draws each request as its round trip with the model part inside it. The counts
 * below agree with each other and with the cost card: requests answered in this tab (counted by
 * the shop, every `recommend()` call), of which the model ran for some (`engine.stats()`:
 * model runs and result-cache hits) and the rest needed no model (trending).
 */
import type { Engine, EngineEvents, Model } from 'inpage';
import { byId, setText, svg } from '../dom.ts';
import { count, ms } from '../format.ts';

type Inference = EngineEvents['inference'];

const BARS = 60;
const WINDOW = 500;
const W = 300;
const H = 80;

function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
}

export class LatencyPanel {
  private readonly recent: Inference[] = [];
  private readonly waits: number[] = [];
  /** Every engine of this visit (a backend change makes a new one): counts add up over all. */
  private readonly engines = new Set<Engine>();
  private off: (() => void) | undefined;
  private queued = false;
  private requests = 0;
  private withoutModel = 0;
  private readonly chart = byId('latency-chart') as unknown as SVGSVGElement;

  /** Follow a new engine's events (and stop following the previous one). */
  watch(engine: Engine): void {
    this.off?.();
    this.engines.add(engine);
    this.off = engine.on('inference', (e) => {
      this.recent.push(e);
      if (this.recent.length > WINDOW) this.recent.splice(0, this.recent.length - WINDOW);
      this.schedule();
    });
    this.schedule();
  }

  /** How long the page stayed busy after a model call. */
  pageWait(ms: number): void {
    this.waits.push(ms);
    if (this.waits.length > WINDOW) this.waits.splice(0, this.waits.length - WINDOW);
    this.schedule();
  }

  /** The shop answered a request (`total` this visit, `withoutModel` of them from packaged popularity). */
  answered(total: number, withoutModel: number): void {
    this.requests = total;
    this.withoutModel = withoutModel;
    this.schedule();
  }

  model(model: Model): void {
    setText(byId('batch-why'), model.batching.enabled
      ? 'Micro-batching on: requests made together share one session run.'
      : `Micro-batching off: ${model.batching.reason}.`);
  }

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.draw(); });
  }

  private draw(): void {
    const runs = this.recent.filter((e) => !e.cached);
    const trip = this.recent.map((e) => e.ms);
    const model = runs.map((e) => e.computeMs);
    const none = '–';
    const modelP50 = percentile(model, 0.5);
    const tripP50 = percentile(trip, 0.5);
    const tripP95 = percentile(trip, 0.95);
    setText(byId('lat-model'), model.length > 0 ? ms(modelP50) : none);
    setText(byId('lat-p50'), trip.length > 0 ? ms(tripP50) : none);
    setText(byId('lat-p95'), trip.length > 0 ? ms(tripP95) : none);
    setText(byId('lat-page'), this.waits.length > 0 ? ms(percentile(this.waits, 0.5)) : none);
    setText(byId('glance-model'), model.length > 0 ? ms(modelP50) : none);
    document.documentElement.dataset['modelMsP50'] = model.length > 0 ? modelP50.toFixed(3) : '';
    document.documentElement.dataset['roundTripMsP50'] = trip.length > 0 ? tripP50.toFixed(3) : '';
    setText(byId('stat-requests'), count(this.requests));
    const s = { inferences: 0, cacheHits: 0, cacheMisses: 0, batches: 0 };
    for (const e of this.engines) {
      const t = e.stats();
      s.inferences += t.inferences;
      s.cacheHits += t.cacheHits;
      s.cacheMisses += t.cacheMisses;
      s.batches += t.batches;
    }
    setText(byId('stat-inferences'), count(s.inferences));
    setText(byId('stat-hits'), s.cacheHits + s.cacheMisses > 0 ? `${count(s.cacheHits)} (${Math.round((100 * s.cacheHits) / (s.cacheHits + s.cacheMisses))}%)` : '0');
    setText(byId('stat-batches'), count(s.batches));
    setText(byId('stat-batch-size'), s.batches > 0 ? (s.inferences / s.batches).toFixed(2) : none);
    // Each request that used the model was either run or answered by the result cache, so these add up.
    setText(byId('stat-split'), `${count(this.requests)} ${this.requests === 1 ? 'request' : 'requests'}: ${count(s.inferences)} ran the model, ` +
      `${count(s.cacheHits)} came from the result cache, ${count(this.withoutModel)} needed no model (trending).`);
    document.documentElement.dataset['counts'] = JSON.stringify({ requests: this.requests, runs: s.inferences, cacheHits: s.cacheHits, withoutModel: this.withoutModel });
    const shown = this.recent.slice(-BARS);
    const top = Math.max(0.05, ...shown.map((e) => e.ms), tripP95) * 1.15;
    const bw = W / BARS;
    const bars = shown.flatMap((e, i) => {
      const x = (i + BARS - shown.length) * bw + 0.5;
      const th = Math.max(1, (e.ms / top) * H);
      const mh = e.cached ? 0 : Math.min(th, Math.max(1, (e.computeMs / top) * H));
      return [
        svg('rect', { x, y: H - th, width: bw - 1, height: th, class: e.cached ? 'bar-hit' : 'bar-run' }),
        ...(mh > 0 ? [svg('rect', { x, y: H - mh, width: bw - 1, height: mh, class: 'bar-model' })] : []),
      ];
    });
    const y95 = H - (tripP95 / top) * H;
    const line = svg('line', { x1: 0, x2: W, y1: y95, y2: y95, class: 'p95-line', 'vector-effect': 'non-scaling-stroke' });
    this.chart.replaceChildren(...bars, ...(shown.length > 0 ? [line] : []));
    this.chart.setAttribute('aria-label', shown.length === 0
      ? 'No requests yet'
      : `The last ${shown.length} requests: model p50 ${ms(modelP50)}; round trip p50 ${ms(tripP50)}, p95 ${ms(tripP95)}.`);
  }
}
