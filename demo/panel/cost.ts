/**
 * Panel: what the same requests would have cost on a hosted API, with the SDK's example price
 * tables (`PRICING_EXAMPLES`: ≈ $1.40 a day at 10,000 requests on a cheap hosted model, ≈ $150 on a
 * frontier one). The visit figure counts every request answered on this device (`inference`
 * events, result-cache hits included: each one is a call a server-side design would have made).
 */
import { estimateSavings, PRICING_EXAMPLES, projectDaily, type Engine } from 'inpage';
import { byId, h, setText } from '../dom.ts';
import { count, dollars } from '../format.ts';

const PER_DAY = 10_000;

export class CostPanel {
  private requests = 0;
  private readonly select = byId<HTMLSelectElement>('pricing');
  private off: (() => void) | undefined;

  constructor() {
    this.select.replaceChildren(...PRICING_EXAMPLES.map((p, i) => h('option', { value: i }, p.name)));
    this.select.addEventListener('change', () => this.draw());
    this.draw();
  }

  /** Count this engine's requests (the visit total carries over when the engine is replaced). */
  watch(engine: Engine): void {
    this.off?.();
    this.off = engine.on('inference', () => { this.requests++; this.draw(); });
  }

  private draw(): void {
    const pricing = PRICING_EXAMPLES[Number(this.select.value)] ?? PRICING_EXAMPLES[0]!;
    const visit = estimateSavings({ requests: this.requests }, pricing)[0]!;
    const daily = projectDaily(PER_DAY, pricing)[0]!;
    setText(byId('cost-visit'), dollars(visit.dollars));
    setText(byId('glance-cost'), dollars(visit.dollars));
    document.documentElement.dataset['costRequests'] = String(this.requests);
    setText(byId('cost-visit-what'), `for ${count(this.requests)} ${this.requests === 1 ? 'request' : 'requests'} answered on this device during this visit`);
    setText(byId('cost-daily'), `At ${count(PER_DAY)} requests a day: ${dollars(daily.dollars)} a day, ${dollars(daily.dollars * 365)} a year. Here: $0.`);
    const tokens = visit.assumedTokens ? ` Assumes ~${count(Math.round(daily.inputTokens / PER_DAY))} input + ${count(Math.round(daily.outputTokens / PER_DAY))} output tokens per request.` : '';
    setText(byId('cost-note'), `${pricing.note ?? ''}.${tokens} Example prices, not quotes.`);
  }
}
