/**
 * The report as text for the terminal: one row per arm, then the method in words.
 *
 * @example io.out(renderText(analyse(parsed)))
 */
import type { ArmReport, ExperimentReport } from './analyse.ts';
import type { Interval } from './stats.ts';

const pct = (x: number, digits = 2): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : 'n/a');
const signedPct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%` : 'n/a');
const money = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en') : '∞');
/** A p-value as text: '<0.0001' below that. */
export const pval = (p: number): string => (!Number.isFinite(p) ? 'n/a' : p < 0.0001 ? '<0.0001' : p.toFixed(4));

/** "5.00% [4.12, 6.01]" */
export function rateCi(i: Interval): string {
  return `${pct(i.estimate)} [${pct(i.low)}, ${pct(i.high)}]`;
}

/** The verdict on one comparison at α = 0.05 under both tests. */
export function verdict(a: ArmReport): string {
  const v = a.vsControl;
  if (v === undefined) return 'control';
  if (v.conversion.pAlwaysValid <= 0.05) return v.conversion.difference.estimate > 0 ? 'better (sequential)' : 'worse (sequential)';
  if (v.conversion.p <= 0.05) return `${v.conversion.difference.estimate > 0 ? 'better' : 'worse'} (fixed horizon only)`;
  return 'not significant';
}

/** Column table plus the method and caveats. */
export function renderText(r: ExperimentReport): string {
  const head = ['variant', 'visitors', 'CTR', 'cart rate', 'conversion [95% CI]', `revenue/visitor${r.currency ? ` (${r.currency})` : ''} [95% CI]`, 'uplift conv. [95% CI]', 'p (z)', 'p (always valid)', 'visitors/arm still needed', 'verdict'];
  const rows = r.arms.map((a) => [
    a.variant, int(a.visitors), pct(a.ctr.estimate), pct(a.cartRate.estimate), rateCi(a.conversion),
    `${money(a.revenuePerVisitor.estimate)} [${money(a.revenuePerVisitor.low)}, ${money(a.revenuePerVisitor.high)}]`,
    a.vsControl ? `${signedPct(a.vsControl.conversion.uplift.estimate)} [${signedPct(a.vsControl.conversion.uplift.low)}, ${signedPct(a.vsControl.conversion.uplift.high)}]` : '—',
    a.vsControl ? pval(a.vsControl.conversion.p) : '—', a.vsControl ? pval(a.vsControl.conversion.pAlwaysValid) : '—',
    a.vsControl ? int(a.vsControl.stillNeeded) : '—', verdict(a),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const rpv = r.arms.filter((a) => a.vsControl).map((a) => `  ${a.variant}: revenue/visitor uplift ${signedPct(a.vsControl!.revenuePerVisitor.uplift.estimate)} [${signedPct(a.vsControl!.revenuePerVisitor.uplift.low)}, ${signedPct(a.vsControl!.revenuePerVisitor.uplift.high)}], p (z) ${pval(a.vsControl!.revenuePerVisitor.p)}, p (always valid) ${pval(a.vsControl!.revenuePerVisitor.pAlwaysValid)}`);
  const span = Number.isFinite(r.from) ? `${new Date(r.from).toISOString().slice(0, 10)} → ${new Date(r.to).toISOString().slice(0, 10)}` : '';
  return [
    ...(r.simulated ? ['SIMULATED DATA (inpage simulate-ab): shoppers from the demo simulator, not real visitors.', ''] : []),
    `Experiment ${r.experiment}, control '${r.control}', ${span}`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...rpv,
    '',
    `Method: visitors are the unit (the unit of randomisation). Conversion = share of visitors with a purchase attributed to an Inpage list; 95% Wilson intervals;`,
    `uplift = relative difference to the control with a delta-method (log-ratio) interval; p (z) = two-sided two-sample z-test, valid only if the sample size was fixed in advance`,
    `and the report read once: looking repeatedly and stopping at the first p < 0.05 inflates false positives (peeking). p (always valid) = mixture SPRT (Johari et al. 2017,`,
    `mixing scale 10% of the control rate): stop whenever it falls below 0.05, as often as you look. 'Still needed' = visitors per arm to detect a ${pct(r.mde, 0)} relative change in`,
    `conversion with 80% power at α = 0.05 (fixed-horizon), minus the smaller arm's visitors. CTR is per impression and not tested (impressions of one visitor are correlated).`,
    ...(r.mixedVisitors > 0 ? [`${int(r.mixedVisitors)} visitors appeared in more than one variant (their later events were left out): check that the id is sticky.`] : []),
    ...(r.otherExperiments.length > 0 ? [`Other experiments in the export: ${r.otherExperiments.join(', ')} (--experiment <id>).`] : []),
  ].join('\n');
}
