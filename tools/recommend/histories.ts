/**
 * Streams a subscribers' event file (CSV with a header, or JSON Lines) one subscriber at a time:
 * the columns of `inpage train` (item, event, timestamp; names in tools/train/event-fields.ts)
 * plus a subscriber id. Memory holds one subscriber's events, whatever the file's size.
 *
 * Rules (docs/NEWSLETTER.md, "Input"):
 * - A subscriber's lines must be contiguous (the file grouped by subscriber, e.g. an export
 *   `ORDER BY subscriber_id, timestamp`); a subscriber is one output row per contiguous run.
 * - A malformed line is skipped and reported with its line number: not CSV with enough fields or
 *   not a JSON object, a subscriber, item, event or timestamp missing, or a timestamp that is not
 *   ISO 8601 or epoch seconds/milliseconds. More than `maxBadLines` of them stop the run.
 * - Event types other than view, click, add_to_cart, purchase (and their synonyms) are ignored
 *   and counted, as the page ignores impressions; items the package does not know are kept (they
 *   count as seen, as on the page, and carry no model input).
 * - Within a subscriber, events are ordered by time (ties keep file order).
 */
import { createReadStream } from 'node:fs';
import { EVENT_TYPES, type RecEventType } from '../../src/recommend/weights.ts';
import { quote } from '../cli/clip.ts';
import { acceptedNames, eventTypeOf, fieldOf, isUserName, normalName } from '../train/event-fields.ts';
import { parseTime, splitCsv } from '../train/read-events.ts';

/** Column names of the subscriber id, besides the visitor names `train` knows (user_id, customer…). */
export const SUBSCRIBER_NAMES: readonly string[] = ['subscriber_id', 'subscriber', 'email', 'contact_id', 'contact'];
const SUBSCRIBER_SET = new Set(SUBSCRIBER_NAMES.map(normalName));
const isSubscriberName = (name: string): boolean => SUBSCRIBER_SET.has(normalName(name)) || isUserName(name);

/** One event: item id, event type, Unix ms. */
export type HistoryEvent = [itemId: string, type: RecEventType, time: number];

/** One subscriber's events, time-ordered. */
export interface SubscriberHistory {
  id: string;
  events: HistoryEvent[];
}

/** What the read skipped, for the summary. */
export interface HistoryStats {
  lines: number;
  /** Malformed lines skipped. */
  badLines: number;
  /** Lines whose event type is not a weighted one (impressions, wishlist…), ignored. */
  ignoredEvents: number;
  /** The first skipped lines, `line N: why: text`. */
  examples: string[];
}

interface Columns { subscriber: number; item: number; event: number; time: number; width: number }

function csvColumns(cells: readonly string[], path: string): Columns {
  const find = (ok: (c: string) => boolean): number => cells.findIndex(ok);
  const explicit = find((c) => SUBSCRIBER_SET.has(normalName(c)));
  const subscriber = explicit >= 0 ? explicit : find(isUserName);
  const item = find((c) => fieldOf(c) === 'item');
  const event = find((c) => fieldOf(c) === 'event');
  const time = find((c) => fieldOf(c) === 'time');
  const missing = [subscriber < 0 ? 'subscriber' : '', item < 0 ? 'item' : '', event < 0 ? 'event' : '', time < 0 ? 'timestamp' : ''].filter((m) => m !== '');
  if (missing.length > 0) {
    throw new Error(
      `histories ${path}: the first line ${quote(cells.join(','))} must be a header naming the subscriber, item, event and timestamp columns; ` +
        `no ${missing.join(', ')} column.\nSubscriber column names: ${SUBSCRIBER_NAMES.join(', ')}, user_id, user, customer_id, customer, visitor_id, client_id.\n` +
        `Other columns (case, spaces, _ and - ignored):\n${acceptedNames()}`,
    );
  }
  return { subscriber, item, event, time, width: Math.max(subscriber, item, event, time) + 1 };
}

type Fields = { subscriber?: string | undefined; item?: string | undefined; event?: string | undefined; time?: string | undefined };

function jsonFields(obj: Record<string, unknown>): Fields {
  const out: Fields = {};
  for (const [key, v] of Object.entries(obj)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    const s = String(v);
    if (out.subscriber === undefined && isSubscriberName(key)) out.subscriber = s;
    else {
      const f = fieldOf(key);
      if (f === 'item' || f === 'event' || f === 'time') out[f] ??= s;
    }
  }
  return out;
}

/** Options of {@link readHistories}. */
export interface ReadHistoriesOptions {
  /** Malformed lines tolerated before the read stops with an error. */
  maxBadLines: number;
  /** Called with each skipped line's report (`line N: why: text`). */
  onBadLine?: (report: string) => void;
}

/**
 * Yields the file's subscribers in file order. `stats` fills in as it goes; `bytesRead()` is for
 * progress.
 */
export function readHistories(path: string, options: ReadHistoriesOptions): { subscribers: AsyncGenerator<SubscriberHistory>; stats: HistoryStats; bytesRead: () => number } {
  const stats: HistoryStats = { lines: 0, badLines: 0, ignoredEvents: 0, examples: [] };
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const jsonl = /\.(jsonl|ndjson)$/i.test(path);

  // Listening from the start: the file may open long before the first subscriber is asked for.
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) => reject(new Error(`histories ${path}: cannot read (${e.message})`)));
  });
  opened.catch(() => {}); // rejected only if never iterated: nothing to report then

  async function* subscribers(): AsyncGenerator<SubscriberHistory> {
    await opened;
    let cols: Columns | undefined;
    let current: SubscriberHistory | undefined;
    const bad = (line: string, why: string): void => {
      stats.badLines++;
      const report = `line ${stats.lines}: ${why}: ${quote(line)}`;
      if (stats.examples.length < 5) stats.examples.push(report);
      options.onBadLine?.(report);
      if (stats.badLines > options.maxBadLines) {
        throw new Error(`histories ${path}: more than ${options.maxBadLines} malformed lines (stopped at line ${stats.lines.toLocaleString('en')}). Fix the file, or allow more with --max-bad-lines. For example:\n  ${stats.examples.join('\n  ')}`);
      }
    };
    // Event types by their raw value: a log repeats the same few, and matching one is regex work.
    const types = new Map<string, RecEventType | undefined>();
    const done: SubscriberHistory[] = [];
    /** Reads one line; a subscriber whose lines ended goes to `done`. */
    const onLine = (raw: string): void => {
      stats.lines++;
      const line = (stats.lines === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (line === '') return;
      let f: Fields;
      if (jsonl || (cols === undefined && line.startsWith('{'))) {
        let obj: unknown;
        try {
          obj = JSON.parse(line);
        } catch {
          return bad(line, 'not JSON');
        }
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return bad(line, 'not a JSON object');
        f = jsonFields(obj as Record<string, unknown>);
      } else {
        const cells = splitCsv(line);
        if (cols === undefined) {
          cols = csvColumns(cells, path);
          return;
        }
        if (cells.length < cols.width) return bad(line, `${cells.length} fields, expected ${cols.width}`);
        f = { subscriber: cells[cols.subscriber], item: cells[cols.item], event: cells[cols.event], time: cells[cols.time] };
      }
      const subscriber = f.subscriber?.trim() ?? '';
      const item = f.item?.trim() ?? '';
      const noEvent = (f.event?.trim() ?? '') === '';
      const noTime = (f.time?.trim() ?? '') === '';
      if (subscriber === '' || item === '' || noEvent || noTime) {
        const missing = [subscriber === '' ? 'subscriber' : '', item === '' ? 'item' : '', noEvent ? 'event' : '', noTime ? 'timestamp' : ''].filter((m) => m !== '');
        return bad(line, `no ${missing.join(', ')}`);
      }
      const time = parseTime(f.time!);
      if (!Number.isFinite(time)) return bad(line, `timestamp ${quote(f.time!)} is not ISO 8601 or epoch seconds/ms`);
      if (current !== undefined && current.id !== subscriber) {
        done.push(finish(current));
        current = undefined;
      }
      current ??= { id: subscriber, events: [] };
      let type = types.get(f.event!);
      if (type === undefined && !types.has(f.event!)) {
        type = eventTypeOf(f.event!) as RecEventType | undefined;
        if (types.size < 1000) types.set(f.event!, type);
      }
      if (type === undefined) stats.ignoredEvents++;
      else current.events.push([item, type, time]);
    };
    try {
      let rest = '';
      for await (const chunk of stream as AsyncIterable<string>) {
        const text = rest + chunk;
        let from = 0;
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', from)) {
          onLine(text.charCodeAt(i - 1) === 13 ? text.slice(from, i - 1) : text.slice(from, i));
          from = i + 1;
        }
        rest = text.slice(from);
        yield* done;
        done.length = 0;
      }
      if (rest !== '') onLine(rest);
      if (current !== undefined) done.push(finish(current));
      yield* done;
    } finally {
      stream.destroy();
    }
  }
  return { subscribers: subscribers(), stats, bytesRead: () => stream.bytesRead };
}

/**
 * A chunk of subscribers as a few flat columns: what crosses to a worker thread (structured
 * cloning one small array per event costs more than building the lists).
 */
export interface PackedChunk {
  ids: string[];
  counts: Uint32Array;
  items: string[];
  /** `EVENT_TYPES` codes. */
  codes: Uint8Array;
  times: Float64Array;
}

/** Packs subscribers into a {@link PackedChunk}. */
export function packChunk(subs: readonly SubscriberHistory[]): PackedChunk {
  const total = subs.reduce((n, s) => n + s.events.length, 0);
  const out: PackedChunk = { ids: subs.map((s) => s.id), counts: new Uint32Array(subs.length), items: new Array<string>(total), codes: new Uint8Array(total), times: new Float64Array(total) };
  let at = 0;
  subs.forEach((s, i) => {
    out.counts[i] = s.events.length;
    for (const [item, type, time] of s.events) {
      out.items[at] = item;
      out.codes[at] = EVENT_TYPES.indexOf(type);
      out.times[at++] = time;
    }
  });
  return out;
}

/** The subscribers of a {@link PackedChunk}. */
export function unpackChunk(c: PackedChunk): SubscriberHistory[] {
  let at = 0;
  return c.ids.map((id, i) => {
    const events: HistoryEvent[] = new Array(c.counts[i]!);
    for (let e = 0; e < events.length; e++, at++) events[e] = [c.items[at]!, EVENT_TYPES[c.codes[at]!]!, c.times[at]!];
    return { id, events };
  });
}

/** Orders a subscriber's events by time (a stable sort: ties keep file order). */
function finish(s: SubscriberHistory): SubscriberHistory {
  for (let i = 1; i < s.events.length; i++) {
    if (s.events[i]![2] < s.events[i - 1]![2]) {
      s.events.sort((a, b) => a[2] - b[2]);
      break;
    }
  }
  return s;
}
