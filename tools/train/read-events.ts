/**
 * Streams an event log (CSV or JSON Lines with a session, an item, an event type and a timestamp
 * per row; column names in event-fields.ts) into typed columns: 17 bytes per event, so 10 million
 * events take ~170 MB instead of the gigabytes that one object per event would.
 *
 * Lines that cannot be read are skipped and counted, up to `maxBadLines` (default
 * {@link DEFAULT_MAX_BAD_LINES}); one more stops the read with an error, so a wrong file fails
 * after a hundred lines instead of "training" on nothing.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { eventCode } from '../../src/recommend/weights.ts';
import { quote } from '../cli/clip.ts';
import { EVENTS_INPUT, requireInputFile } from '../cli/input-file.ts';
import { acceptedEvents, acceptedNames, eventTypeOf, fieldOf, FIELDS, headerColumns, isUserName, userColumn, type EventField, type FieldColumns } from './event-fields.ts';

/** Events as parallel columns; `session` numbers follow first appearance in the file. */
export interface EventLog {
  length: number;
  sessions: number;
  session: Int32Array;
  /**
   * Distinct visitors. With an optional `user_id` column a visitor's sessions share one number;
   * without it every session is its own visitor (`user` equals `session`).
   */
  users: number;
  user: Int32Array;
  item: Int32Array;
  /** Event code (0 view, 1 click, 2 add_to_cart, 3 purchase). */
  code: Uint8Array;
  /** Unix milliseconds. */
  time: Float64Array;
  stats: ReadStats;
}

/** What the reader kept and skipped, for the CLI to print. */
export interface ReadStats {
  format: 'csv' | 'jsonl';
  lines: number;
  /** Non-empty lines that are not the header: the rows that could have been events. */
  rows: number;
  /** The CSV header's cells, when the file has one. */
  header?: string[];
  kept: number;
  unknownItems: number;
  unknownEvents: number;
  badLines: number;
  /** Up to five examples of skipped lines, with line numbers (values cut, see tools/cli/clip.ts). */
  examples: string[];
}

/** Options of {@link readEvents}. */
export interface ReadEventsOptions {
  /** Unreadable lines tolerated before the read fails. Default {@link DEFAULT_MAX_BAD_LINES}. */
  maxBadLines?: number;
}

/**
 * Unreadable lines (not CSV/JSON, a field missing, a bad timestamp) tolerated by default: enough
 * for a few broken rows in a large export, few enough that a wrong file fails within a second.
 * Unknown event types and items not in the catalogue are not bad lines (they are skipped and
 * counted: impressions and discontinued products are normal in a log).
 */
export const DEFAULT_MAX_BAD_LINES = 100;

/** Growable typed columns (doubling), trimmed by {@link EventColumns.finish}. */
class EventColumns {
  length = 0;
  session = new Int32Array(1 << 16);
  user = new Int32Array(1 << 16);
  item = new Int32Array(1 << 16);
  code = new Uint8Array(1 << 16);
  time = new Float64Array(1 << 16);

  push(session: number, user: number, item: number, code: number, time: number): void {
    if (this.length === this.session.length) this.#grow();
    const i = this.length++;
    this.session[i] = session;
    this.user[i] = user;
    this.item[i] = item;
    this.code[i] = code;
    this.time[i] = time;
  }

  #grow(): void {
    const n = this.session.length * 2;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.session = grow(this.session, (k) => new Int32Array(k));
    this.user = grow(this.user, (k) => new Int32Array(k));
    this.item = grow(this.item, (k) => new Int32Array(k));
    this.code = grow(this.code, (k) => new Uint8Array(k));
    this.time = grow(this.time, (k) => new Float64Array(k));
  }
}

/** ISO 8601 date or date-time (`T` or a space between), with an optional zone. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** `s[from, from + n)` as a decimal number, or -1 unless all n characters are digits. */
function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The common export shape `2026-09-04T17:13:11.607Z` without regular expressions (event logs are
 * millions of lines: `inpage recommend` reads them at tens of thousands of subscribers a second).
 * Only fields that cannot roll over (day ≤ 28, hour ≤ 23, …) and years from 100 (`Date.UTC` reads 0–99
 * as 1900–1999), so the value is `Date.parse`'s;
 * undefined for anything else, which takes the general path.
 */
function utcMillis(s: string): number | undefined {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 /* Z */ || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== '.') return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/**
 * Parses a timestamp: ISO 8601 text, or a number of seconds (< 1e11) or milliseconds; NaN for
 * anything else. (`Date.parse` alone is too lenient: V8 reads 'nope-1' as the year 2001.)
 */
export function parseTime(raw: string): number {
  const s = raw.trim();
  const fast = utcMillis(s);
  if (fast !== undefined) return fast;
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  return ISO_TIME.test(s) ? Date.parse(s.replace(' ', 'T').replace(',', '.')) : NaN;
}

/** Splits one CSV line; handles quoted fields with `""` escapes (RFC 4180, no embedded newlines). */
export function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}


/** JSON key → field, cached: a log repeats the same few keys on every line. */
function jsonFields(obj: Record<string, unknown>, keys: Map<string, EventField | null>): Partial<Record<EventField | 'user', string>> {
  const out: Partial<Record<EventField | 'user', string>> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (out.user === undefined && isUserName(key) && (typeof v === 'string' || typeof v === 'number')) out.user = String(v);
    let field = keys.get(key);
    if (field === undefined) keys.set(key, (field = fieldOf(key) ?? null));
    if (field === null || out[field] !== undefined) continue;
    if (typeof v === 'string') out[field] = v;
    else if (typeof v === 'number') out[field] = String(v);
  }
  return out;
}

/** Does a header-less first row look like an event (four fields, a timestamp fourth)? */
function looksLikeEvent(cells: readonly string[]): boolean {
  return cells.length >= 4 && Number.isFinite(parseTime(cells[3] ?? ''));
}

/** Why a read kept nothing, as one message that says what to do. */
export function noEventsMessage(path: string, stats: ReadStats): string {
  if (stats.rows === 0) {
    return stats.header
      ? `events ${path}: the file has a header row (${quote(stats.header.join(','))}) and no events under it.`
      : `events ${path}: the file is empty.`;
  }
  const parts = [`${stats.badLines} unreadable`, `${stats.unknownEvents} with an unknown event type`, `${stats.unknownItems} with an item not in the catalogue`];
  const hint = stats.unknownItems === stats.rows
    ? ' No item id matches the catalogue: are these the events of that catalogue?'
    : stats.unknownEvents === stats.rows ? ` Accepted event types: ${acceptedEvents()}.` : '';
  return `events ${path}: none of its ${stats.rows.toLocaleString('en')} rows is a usable event (${parts.join(', ')}).${hint} For example:\n  ${stats.examples.join('\n  ')}`;
}

/**
 * Streams `path` and keeps the events whose item is in `itemIndex`. The format comes from the
 * extension (`.csv`, `.jsonl`/`.ndjson`) or, failing that, from the first non-empty line. A CSV
 * header is matched by column name (event-fields.ts); a CSV without one is read in the order
 * session, item, event, timestamp. Rejects when `path` is a folder, when nothing usable is in
 * it, and when more than `maxBadLines` lines cannot be read.
 *
 * @example const log = await readEvents('events.csv', catalog.index, { maxBadLines: 0 });
 */
export async function readEvents(path: string, itemIndex: ReadonlyMap<string, number>, options: ReadEventsOptions = {}): Promise<EventLog> {
  const maxBadLines = options.maxBadLines ?? DEFAULT_MAX_BAD_LINES;
  await requireInputFile(path, { label: 'events', ...EVENTS_INPUT });
  const byExt = /\.(jsonl|ndjson)$/i.test(path) ? 'jsonl' : /\.csv$/i.test(path) ? 'csv' : undefined;
  const stats: ReadStats = { format: byExt ?? 'csv', lines: 0, rows: 0, kept: 0, unknownItems: 0, unknownEvents: 0, badLines: 0, examples: [] };
  const cols = new EventColumns();
  const sessions = new Map<string, number>();
  const users = new Map<string, number>();
  const jsonKeys = new Map<string, EventField | null>();
  let csvCols: FieldColumns | undefined;
  let userCol = -1;
  let width = 4;
  let first = true;
  const skip = (kind: 'unknownItems' | 'unknownEvents' | 'badLines', line: string, why: string): void => {
    stats[kind]++;
    if (stats.examples.length < 5) stats.examples.push(`line ${stats.lines}: ${why}: ${quote(line)}`);
    if (kind === 'badLines' && stats.badLines > maxBadLines) {
      throw new Error(
        `events ${path}: more than ${maxBadLines} lines could not be read (stopped at line ${stats.lines.toLocaleString('en')}). ` +
          `Fix the file, or allow more with --max-bad-lines. For example:\n  ${stats.examples.join('\n  ')}`,
      );
    }
  };

  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) => reject(new Error(`events ${path}: cannot read (${e.message})`)));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const raw of lines) {
      stats.lines++;
      const line = (first ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (line === '') continue;
      if (first) {
        first = false;
        if (byExt === undefined && line.startsWith('{')) stats.format = 'jsonl';
        if (stats.format === 'csv') {
          const cells = splitCsv(line);
          csvCols = headerColumns(cells, path);
          if (csvCols !== undefined) {
            stats.header = cells;
            userCol = userColumn(cells, csvCols.session);
            width = Math.max(...Object.values(csvCols)) + 1;
            continue;
          }
          if (!looksLikeEvent(cells)) {
            throw new Error(
              `events ${path}: the first line ${quote(line)} is neither a header with known column names nor an event ` +
                `(without a header the columns are session, item, event, timestamp, and its fourth field is not a timestamp).\n` +
                `Accepted column names (case, spaces, _ and - ignored):\n${acceptedNames()}`,
            );
          }
          csvCols = { session: 0, item: 1, event: 2, time: 3 };
        }
      }
      stats.rows++;
      let fields: Partial<Record<EventField | 'user', string>>;
      if (stats.format === 'jsonl') {
        let obj: unknown;
        try {
          obj = JSON.parse(line);
        } catch {
          skip('badLines', line, 'not JSON');
          continue;
        }
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
          skip('badLines', line, 'not a JSON object');
          continue;
        }
        fields = jsonFields(obj as Record<string, unknown>, jsonKeys);
      } else {
        const cells = splitCsv(line);
        const c = csvCols!;
        if (cells.length < width) {
          skip('badLines', line, `${cells.length} fields, expected ${width}`);
          continue;
        }
        fields = { session: cells[c.session]!, item: cells[c.item]!, event: cells[c.event]!, time: cells[c.time]! };
        const user = userCol >= 0 ? cells[userCol] : undefined;
        if (user !== undefined) fields.user = user;
      }
      const missing = FIELDS.filter((f) => fields[f] === undefined || fields[f]!.trim() === '');
      if (missing.length > 0) {
        skip('badLines', line, `no ${missing.join(', ')}`);
        continue;
      }
      const { session, item, event, time } = fields as Record<EventField, string>;
      const user = fields.user;
      const t = parseTime(time);
      if (!Number.isFinite(t)) {
        skip('badLines', line, `timestamp ${quote(time)} is not ISO 8601 or epoch seconds/ms`);
        continue;
      }
      const type = eventTypeOf(event);
      const code = type === undefined ? -1 : eventCode(type);
      if (code < 0) {
        skip('unknownEvents', line, `event ${quote(event)} is not view, click, add_to_cart, purchase or a synonym of one`);
        continue;
      }
      const idx = itemIndex.get(item.trim());
      if (idx === undefined) {
        skip('unknownItems', line, `item ${quote(item)} is not in the catalogue`);
        continue;
      }
      let s = sessions.get(session);
      if (s === undefined) {
        s = sessions.size;
        sessions.set(session, s);
      }
      // No user column: each session is its own visitor (a separate key space from real user ids).
      const userKey = user === undefined || user.trim() === '' ? `\u0000${session}` : user.trim();
      let u = users.get(userKey);
      if (u === undefined) {
        u = users.size;
        users.set(userKey, u);
      }
      cols.push(s, u, idx, code, t);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  stats.kept = cols.length;
  if (cols.length === 0) throw new Error(noEventsMessage(path, stats));
  return {
    length: cols.length,
    sessions: sessions.size,
    session: cols.session.slice(0, cols.length),
    users: users.size,
    user: cols.user.slice(0, cols.length),
    item: cols.item.slice(0, cols.length),
    code: cols.code.slice(0, cols.length),
    time: cols.time.slice(0, cols.length),
    stats,
  };
}
