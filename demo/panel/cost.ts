/**
 * Panel: what a shop would pay a hosted service for the requests this demo answers in the tab.
 * At a daily traffic the visitor can change (default 10,000 requests a day, the glossary's
 * example: ≈ $1.40 a day on a cheap hosted LLM, ≈ $150 on a frontier one, $5 on a per-call
 * recommendation API), it lists the monthly bill of each example price table
 * (`projectDaily` × 30 days), cheapest first, against $0 for running in the visitor's tab; then
 * what this visit's requests would have cost. The assumption (tokens per request, example
 * prices) is stated once, under the table.
 */
import { estimateSavings, PRICING_EXAMPLES, projectDaily, TYPICAL_PERSONALISATION_REQUEST } from 'inpage';
import { byId, h, setText } from '../dom.ts';
import { count, dollars } from '../format.ts';

/** Days in the month the card bills. */
const MONTH_DAYS = 30;
const DEFAULT_PER_DAY = 10_000;

export class CostPanel {
  private requests = 0;
  private readonly perDay = byId<HTMLInputElement>('cost-per-day');

  constructor() {
    this.perDay.value = String(DEFAULT_PER_DAY);
    this.perDay.addEventListener('input', () => this.draw());
    setText(byId('cost-note'),
      `LLM prices assume ~${count(TYPICAL_PERSONALISATION_REQUEST.inputTokens)} input + ${count(TYPICAL_PERSONALISATION_REQUEST.outputTokens)} output tokens per request; ` +
      'all prices are examples (PRICING_EXAMPLES), not quotes; a month is 30 days.');
    this.draw();
  }

  /** The shop answered a request in this tab (`total` this visit, whatever engine answered it). */
  answered(total: number): void {
    this.requests = total;
    this.draw();
  }

  private draw(): void {
    const raw = Number(this.perDay.value);
    const perDay = Number.isFinite(raw) && raw >= 0 ? Math.round(raw) : DEFAULT_PER_DAY;
    const monthly = projectDaily(perDay, PRICING_EXAMPLES)
      .map((e) => ({ name: e.pricing, month: e.dollars * MONTH_DAYS, day: e.dollars }))
      .sort((a, b) => a.month - b.month);
    byId('cost-table').replaceChildren(
      ...monthly.map((m) => h('tr', {}, h('th', { scope: 'row' }, m.name), h('td', {}, `${dollars(m.month)} a month`), h('td', { class: 'muted' }, `${dollars(m.day)} a day`))),
      h('tr', { class: 'here' }, h('th', { scope: 'row' }, 'Inpage, in the visitor\'s tab'), h('td', {}, '$0 a month'), h('td', { class: 'muted' }, 'no server')),
    );
    const low = monthly[0]?.month ?? 0;
    const high = monthly.at(-1)?.month ?? 0;
    setText(byId('glance-cost'), `${dollars(low)}–${dollars(high)}/mo`);
    const visit = estimateSavings({ requests: this.requests }, PRICING_EXAMPLES).map((e) => e.dollars);
    setText(byId('cost-visit-what'), this.requests === 0
      ? 'No requests answered in this tab yet.'
      : `This visit: ${count(this.requests)} ${this.requests === 1 ? 'request' : 'requests'} answered in this tab, which a hosted service would have billed ${dollars(Math.min(...visit))} to ${dollars(Math.max(...visit))}.`);
    document.documentElement.dataset['costRequests'] = String(this.requests);
  }
}
