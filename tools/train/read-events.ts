/**
 * Streams an event log (CSV or JSON Lines with `session_id,item_id,event,timestamp`) into typed
 * columns: 17 bytes per event, so 10 million events take ~170 MB instead of the gigabytes that
 * one object per event would.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { eventCode } from '../../src/recommend/weights.ts';

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
  kept: number;
  unknownItems: number;
  unknownEvents: number;
  badLines: number;
  /** Up to five examples of skipped lines, with line numbers. */
  examples: string[];
}

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

/** Parses a timestamp: ISO 8601 text, or a number of seconds (< 1e11) or milliseconds. */
export function parseTime(raw: string): number {
  const s = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  return Date.parse(s);
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

const ALIASES: Readonly<Record<'session' | 'item' | 'event' | 'time' | 'user', readonly string[]>> = {
  session: ['session_id', 'sessionid', 'session'],
  /** Optional: the visitor, so the eval can replay a visitor's sessions as one history. */
  user: ['user_id', 'userid', 'visitor_id', 'visitorid'],
  item: ['item_id', 'itemid', 'item', 'product_id', 'sku'],
  event: ['event', 'event_type', 'type'],
  time: ['timestamp', 'time', 'ts'],
};

/** Column positions from a header row, or undefined when the row is data, not a header. */
function headerColumns(cells: string[]): Record<keyof typeof ALIASES, number> | undefined {
  const names = cells.map((c) => c.trim().toLowerCase());
  const find = (k: keyof typeof ALIASES): number => names.findIndex((n) => ALIASES[k].includes(n));
  const cols = { session: find('session'), item: find('item'), event: find('event'), time: find('time'), user: find('user') };
  if (Object.values(cols).every((c) => c < 0)) return undefined;
  for (const [k, v] of Object.entries(cols)) {
    if (k === 'user') continue;
    if (v < 0) throw new Error(`events: the header row has no ${k} column (expected one of ${ALIASES[k as keyof typeof ALIASES].join(', ')}); got: ${cells.join(',')}`);
  }
  return cols;
}

function jsonField(obj: Record<string, unknown>, key: keyof typeof ALIASES): string | undefined {
  for (const alias of ALIASES[key]) {
    const v = obj[alias];
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/**
 * Streams `path` and keeps the events whose item is in `itemIndex`. The format comes from the
 * extension (`.csv`, `.jsonl`/`.ndjson`) or, failing that, from the first non-empty line.
 *
 * @example const log = await readEvents('events.csv', catalog.index);
 */
export async function readEvents(path: string, itemIndex: ReadonlyMap<string, number>): Promise<EventLog> {
  const byExt = /\.(jsonl|ndjson)$/i.test(path) ? 'jsonl' : /\.csv$/i.test(path) ? 'csv' : undefined;
  const stats: ReadStats = { format: byExt ?? 'csv', lines: 0, kept: 0, unknownItems: 0, unknownEvents: 0, badLines: 0, examples: [] };
  const cols = new EventColumns();
  const sessions = new Map<string, number>();
  const users = new Map<string, number>();
  let csvCols: Record<keyof typeof ALIASES, number> | undefined;
  let first = true;
  const skip = (kind: 'unknownItems' | 'unknownEvents' | 'badLines', line: string, why: string): void => {
    stats[kind]++;
    if (stats.examples.length < 5) stats.examples.push(`line ${stats.lines}: ${why}: ${line.slice(0, 120)}`);
  };

  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) => reject(new Error(`events ${path}: cannot read (${e.message})`)));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const raw of lines) {
    stats.lines++;
    const line = raw.trim();
    if (line === '') continue;
    if (first) {
      first = false;
      if (byExt === undefined && line.startsWith('{')) stats.format = 'jsonl';
      if (stats.format === 'csv') {
        csvCols = headerColumns(splitCsv(line));
        if (csvCols !== undefined) continue;
        csvCols = { session: 0, item: 1, event: 2, time: 3, user: -1 };
      }
    }
    let session: string | undefined;
    let item: string | undefined;
    let event: string | undefined;
    let time: string | undefined;
    let user: string | undefined;
    if (stats.format === 'jsonl') {
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        skip('badLines', line, 'not JSON');
        continue;
      }
      if (typeof obj !== 'object' || obj === null) {
        skip('badLines', line, 'not a JSON object');
        continue;
      }
      const rec = obj as Record<string, unknown>;
      [session, item, event, time, user] = [jsonField(rec, 'session'), jsonField(rec, 'item'), jsonField(rec, 'event'), jsonField(rec, 'time'), jsonField(rec, 'user')];
    } else if (csvCols !== undefined) {
      const cells = splitCsv(line);
      [session, item, event, time] = [cells[csvCols.session], cells[csvCols.item], cells[csvCols.event], cells[csvCols.time]];
      user = csvCols.user < 0 ? undefined : cells[csvCols.user];
    }
    if (session === undefined || item === undefined || event === undefined || time === undefined) {
      skip('badLines', line, 'missing session_id, item_id, event or timestamp');
      continue;
    }
    const t = parseTime(time);
    if (!Number.isFinite(t)) {
      skip('badLines', line, `timestamp '${time}' is not ISO 8601 or epoch seconds/ms`);
      continue;
    }
    const code = eventCode(event.trim());
    if (code < 0) {
      skip('unknownEvents', line, `event '${event}' is not view, click, add_to_cart or purchase`);
      continue;
    }
    const idx = itemIndex.get(item.trim());
    if (idx === undefined) {
      skip('unknownItems', line, `item '${item}' is not in the catalogue`);
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
  stats.kept = cols.length;
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
