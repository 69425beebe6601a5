/**
 * Reads an analytics export for `inpage report`, in one of two formats (docs/EXPERIMENTS.md):
 *
 * - **dataLayer log (JSONL)**: one dataLayer event per line as Inpage pushed it, plus who and
 *   when: `{"visitor":"v1","time":"2026-11-02T10:00:00Z","event":"purchase","inpage_experiment":"e1",
 *   "inpage_variant":"B","ecommerce":{"transaction_id":"T1","value":59,"currency":"EUR","items":[…]}}`.
 *   `user_pseudo_id` / `event_timestamp` are accepted for `visitor` / `time`. A first line
 *   `{"meta":{"simulated":true,…}}` marks simulated data (`inpage simulate-ab` writes it).
 * - **GA4 / BigQuery CSV**: one row per event and item (what `UNNEST(items)` gives), header
 *   `event_timestamp,event_name,user_pseudo_id,inpage_experiment,inpage_variant,item_list_id,item_id,price,quantity,value,currency,transaction_id`
 *   (order free; `event_timestamp` in µs, ms, s or ISO). Event-level `value` repeats on each
 *   item row; purchases are counted once per `transaction_id`.
 *
 * Events other than `inpage_exposure` and the four e-commerce ones Inpage produces are skipped and counted.
 * An exposure (a visitor in the experiment was served a list) makes the visitor count even
 * without any other event: the analysis is by assignment (intent to treat).
 */
import { readFile } from 'node:fs/promises';
import { splitCsv } from '../train/read-events.ts';

/** The events the report reads. */
export type ExportEventName = 'inpage_exposure' | 'view_item_list' | 'select_item' | 'add_to_cart' | 'purchase';
const NAMES: readonly string[] = ['inpage_exposure', 'view_item_list', 'select_item', 'add_to_cart', 'purchase'];

/** One event, normalised. */
export interface ExportEvent {
  visitor: string;
  time: number;
  event: ExportEventName;
  experiment?: string;
  variant?: string;
  listId?: string;
  /** Item ids (one per row in CSV; the `items` array in JSONL). */
  items: string[];
  value?: number;
  currency?: string;
  transactionId?: string;
}

/** The parsed export. */
export interface ParsedExport {
  events: ExportEvent[];
  simulated: boolean;
  meta: Record<string, unknown>;
  skipped: number;
  bad: { line: number; why: string }[];
}

/** Timestamps: ISO text, or a number in s, ms or µs (BigQuery's `event_timestamp`). */
export function exportTime(raw: unknown): number {
  if (typeof raw === 'number' || (typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim()))) {
    const n = Number(raw);
    return n > 1e14 ? n / 1000 : n < 1e11 ? n * 1000 : n;
  }
  return typeof raw === 'string' ? Date.parse(raw) : NaN;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Builds an event, dropping absent fields (exactOptionalPropertyTypes). */
function event(e: { visitor: string; time: number; event: ExportEventName; items: string[]; experiment?: string | undefined; variant?: string | undefined; listId?: string | undefined; value?: number | undefined; currency?: string | undefined; transactionId?: string | undefined }): ExportEvent {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as ExportEvent;
}

/** Parses JSONL text. */
export function parseJsonl(text: string): ParsedExport {
  const out: ParsedExport = { events: [], simulated: false, meta: {}, skipped: 0, bad: [] };
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      out.bad.push({ line: i + 1, why: 'not JSON' });
      return;
    }
    if (typeof o['meta'] === 'object' && o['meta'] !== null && o['event'] === undefined) {
      out.meta = o['meta'] as Record<string, unknown>;
      out.simulated = out.meta['simulated'] === true;
      return;
    }
    const name = o['event'];
    if (typeof name !== 'string' || !NAMES.includes(name)) { out.skipped++; return; }
    const visitor = str(o['visitor']) ?? str(o['user_pseudo_id']);
    const time = exportTime(o['time'] ?? o['event_timestamp']);
    if (visitor === undefined || !Number.isFinite(time)) { out.bad.push({ line: i + 1, why: 'no visitor or time' }); return; }
    const ec = (typeof o['ecommerce'] === 'object' && o['ecommerce'] !== null ? o['ecommerce'] : {}) as Record<string, unknown>;
    const items = Array.isArray(ec['items']) ? (ec['items'] as Record<string, unknown>[]) : [];
    out.events.push(event({
      visitor, time, event: name as ExportEventName,
      experiment: str(o['inpage_experiment']), variant: str(o['inpage_variant']),
      listId: str(ec['item_list_id']) ?? str(items[0]?.['item_list_id']) ?? str(o['inpage_list_id']),
      items: items.flatMap((it) => (str(it['item_id']) === undefined ? [] : [it['item_id'] as string])),
      value: num(ec['value']), currency: str(ec['currency']), transactionId: str(ec['transaction_id']),
    }));
  });
  return out;
}

/** Parses GA4/BigQuery-style CSV text (one row per event and item). */
export function parseCsv(text: string): ParsedExport {
  const out: ParsedExport = { events: [], simulated: false, meta: {}, skipped: 0, bad: [] };
  const lines = text.split(/\r?\n/);
  const header = splitCsv(lines[0] ?? '').map((h) => h.trim());
  const col = (name: string): number => header.indexOf(name);
  const need = ['event_timestamp', 'event_name', 'user_pseudo_id'];
  const missing = need.filter((n) => col(n) < 0);
  if (missing.length > 0) throw new Error(`the CSV header has no ${missing.join(', ')} column (got ${header.join(',')}); see docs/EXPERIMENTS.md for the export's columns.`);
  const cell = (cells: string[], name: string): string | undefined => { const i = col(name); return i < 0 ? undefined : str(cells[i]?.trim()); };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      if (/simulated/i.test(line)) out.simulated = true;
      continue;
    }
    const cells = splitCsv(line);
    const name = cell(cells, 'event_name');
    if (name === undefined || !NAMES.includes(name)) { out.skipped++; continue; }
    const visitor = cell(cells, 'user_pseudo_id');
    const time = exportTime(cell(cells, 'event_timestamp'));
    if (visitor === undefined || !Number.isFinite(time)) { out.bad.push({ line: i + 1, why: 'no visitor or time' }); continue; }
    const item = cell(cells, 'item_id');
    out.events.push(event({
      visitor, time, event: name as ExportEventName,
      experiment: cell(cells, 'inpage_experiment'), variant: cell(cells, 'inpage_variant'), listId: cell(cells, 'item_list_id'),
      items: item === undefined ? [] : [item], value: num(cell(cells, 'value')), currency: cell(cells, 'currency'), transactionId: cell(cells, 'transaction_id'),
    }));
  }
  return out;
}

/** Reads a file; the format from its extension (`.jsonl`/`.ndjson` or `.csv`). */
export async function readExport(path: string): Promise<ParsedExport> {
  const text = await readFile(path, 'utf8');
  if (/\.(jsonl|ndjson|json)$/i.test(path)) return parseJsonl(text);
  if (/\.csv$/i.test(path)) return parseCsv(text);
  throw new Error(`${path}: unknown export format; name it .jsonl (dataLayer log) or .csv (GA4/BigQuery rows).`);
}
