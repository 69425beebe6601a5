/**
 * `inpage report --events export.(jsonl|csv) [--experiment id] [--control name] [--mde 0.1] [--html report.html]`:
 * per-variant KPIs of an A/B experiment with 95% intervals, uplift over the control, a
 * fixed-horizon and an always-valid p-value, and the sample size still needed (tools/report/).
 */
import { writeFile } from 'node:fs/promises';
import { analyse } from '../report/analyse.ts';
import { readExport } from '../report/read-export.ts';
import { renderHtml } from '../report/render-html.ts';
import { renderText } from '../report/render-text.ts';
import { numberFlag, optional, parseFlags, required } from './args.ts';
import type { Command } from './commands.ts';

/** The `report` command. */
export const reportCommand: Command = {
  summary: 'per-variant KPIs of an A/B experiment from an analytics export (dataLayer JSONL or GA4/BigQuery CSV)',
  usage: 'inpage report --events <export.jsonl|export.csv> [--experiment <id>] [--control <variant>] [--mde <0.1>] [--html <report.html>]\n' +
    '  --mde   relative change in conversion the sample size is computed for (default 0.1 = 10 %)',
  async run(argv, io) {
    const v = parseFlags(argv, { events: { type: 'string' }, experiment: { type: 'string' }, control: { type: 'string' }, mde: { type: 'string' }, html: { type: 'string' } });
    const path = required(v, 'events');
    const parsed = await readExport(path);
    if (parsed.bad.length > 0) io.err(`${path}: ${parsed.bad.length} unreadable lines skipped (first: line ${parsed.bad[0]!.line}, ${parsed.bad[0]!.why}).`);
    const experiment = optional(v, 'experiment');
    const control = optional(v, 'control');
    const mde = numberFlag(v, 'mde', 0.001, 10);
    const report = analyse(parsed, { ...(experiment === undefined ? {} : { experiment }), ...(control === undefined ? {} : { control }), ...(mde === undefined ? {} : { mde }) });
    const text = renderText(report);
    io.out(text);
    const html = optional(v, 'html');
    if (html !== undefined) {
      await writeFile(html, renderHtml(report, text));
      io.out(`\nwrote ${html}`);
    }
    return 0;
  },
};
