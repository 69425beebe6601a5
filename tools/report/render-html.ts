/**
 * The report as one self-contained HTML page: the table of render-text.ts, and inline SVG charts
 * (conversion and revenue per visitor per arm with their 95% intervals; uplift over the control
 * with its interval). No scripts, no network.
 */
import type { ExperimentReport } from './analyse.ts';
import type { Interval } from './stats.ts';
import { pval, rateCi, verdict } from './render-text.ts';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLORS = ['#64748b', '#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626'];

/** Horizontal interval chart: one row per label, a dot at the estimate, a bar over the interval. */
function intervalChart(title: string, rows: { label: string; ci: Interval; color: string }[], format: (x: number) => string, zeroLine: boolean): string {
  const W = 820;
  const left = 120;
  const right = 230;
  const rowH = 34;
  const H = 40 + rows.length * rowH + 24;
  const values = rows.flatMap((r) => [r.ci.low, r.ci.high, r.ci.estimate]).filter(Number.isFinite);
  let lo = Math.min(...values, zeroLine ? 0 : Infinity);
  let hi = Math.max(...values, zeroLine ? 0 : -Infinity);
  if (!zeroLine) lo = Math.min(lo, 0);
  if (hi === lo) hi = lo + 1;
  const pad = (hi - lo) * 0.05;
  // Rates and money start at 0: no padding below it.
  lo = !zeroLine && lo >= 0 ? Math.max(0, lo - pad) : lo - pad;
  hi += pad;
  const x = (v: number): number => left + ((v - lo) / (hi - lo)) * (W - left - right);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`,
    `<text x="0" y="18" font-size="14" font-weight="600">${esc(title)}</text>`];
  if (zeroLine) parts.push(`<line x1="${x(0)}" y1="30" x2="${x(0)}" y2="${H - 20}" stroke="#999" stroke-dasharray="4 3"/>`);
  rows.forEach((r, i) => {
    const y = 44 + i * rowH;
    parts.push(`<text x="0" y="${y + 5}" font-size="13">${esc(r.label)}</text>`);
    if (Number.isFinite(r.ci.low) && Number.isFinite(r.ci.high)) parts.push(`<line x1="${x(r.ci.low)}" y1="${y}" x2="${x(r.ci.high)}" y2="${y}" stroke="${r.color}" stroke-width="6" stroke-linecap="round" opacity="0.35"/>`);
    if (Number.isFinite(r.ci.estimate)) parts.push(`<circle cx="${x(r.ci.estimate)}" cy="${y}" r="6" fill="${r.color}"/>`);
    parts.push(`<text x="${W - right + 10}" y="${y + 5}" font-size="12">${esc(format(r.ci.estimate))} [${esc(format(r.ci.low))}, ${esc(format(r.ci.high))}]</text>`);
  });
  parts.push(`<text x="${left}" y="${H - 4}" font-size="11" fill="#666">${esc(format(lo))}</text><text x="${W - right}" y="${H - 4}" font-size="11" fill="#666" text-anchor="end">${esc(format(hi))}</text></svg>`);
  return parts.join('');
}

/** The HTML page. */
export function renderHtml(r: ExperimentReport, textTable: string): string {
  const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : 'n/a');
  const signed = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%` : 'n/a');
  const money = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
  const color = (i: number): string => COLORS[i % COLORS.length]!;
  const tested = r.arms.filter((a) => a.vsControl);
  const charts = [
    intervalChart('Conversion (visitors with an attributed purchase), 95% CI', r.arms.map((a, i) => ({ label: a.variant, ci: a.conversion, color: color(i) })), pct, false),
    intervalChart(`Revenue per visitor${r.currency ? ` (${r.currency})` : ''}, 95% CI`, r.arms.map((a, i) => ({ label: a.variant, ci: a.revenuePerVisitor, color: color(i) })), money, false),
    intervalChart(`Uplift in conversion over '${r.control}', 95% CI`, tested.map((a) => ({ label: a.variant, ci: a.vsControl!.conversion.uplift, color: color(r.arms.indexOf(a)) })), signed, true),
  ];
  const rows = r.arms.map((a) => `<tr><th scope="row">${esc(a.variant)}</th><td>${a.visitors.toLocaleString('en')}</td><td>${pct(a.ctr.estimate)}</td><td>${pct(a.cartRate.estimate)}</td><td>${esc(rateCi(a.conversion))}</td><td>${money(a.revenuePerVisitor.estimate)} [${money(a.revenuePerVisitor.low)}, ${money(a.revenuePerVisitor.high)}]</td><td>${a.vsControl ? `${signed(a.vsControl.conversion.uplift.estimate)} [${signed(a.vsControl.conversion.uplift.low)}, ${signed(a.vsControl.conversion.uplift.high)}]` : '—'}</td><td>${a.vsControl ? pval(a.vsControl.conversion.p) : '—'}</td><td>${a.vsControl ? pval(a.vsControl.conversion.pAlwaysValid) : '—'}</td><td>${esc(verdict(a))}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Inpage experiment ${esc(r.experiment)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111;max-width:1100px}table{border-collapse:collapse;margin:12px 0}th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:right}th:first-child,td:first-child{text-align:left}.sim{background:#fef3c7;border:1px solid #f59e0b;padding:8px 12px;font-weight:600}pre{font-size:11px;background:#f6f6f6;padding:8px;overflow:auto}svg{display:block;margin:16px 0}</style></head><body>
${r.simulated ? '<p class="sim">SIMULATED DATA — shoppers from the demo simulator (inpage simulate-ab), not real visitors.</p>' : ''}
<h1>Experiment ${esc(r.experiment)}</h1>
<p>Control: <b>${esc(r.control)}</b>. ${Number.isFinite(r.from) ? `${new Date(r.from).toISOString().slice(0, 10)} → ${new Date(r.to).toISOString().slice(0, 10)}.` : ''}</p>
<table><thead><tr><th>variant</th><th>visitors</th><th>CTR</th><th>cart rate</th><th>conversion [95% CI]</th><th>revenue/visitor [95% CI]</th><th>uplift [95% CI]</th><th>p (z)</th><th>p (always valid)</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>
${charts.join('\n')}
<details><summary>Full text report and method</summary><pre>${esc(textTable)}</pre></details>
</body></html>`;
}
