/**
 * The visitor's event history, kept on the device only: in `localStorage` (survives reloads) under
 * a key per recommender, capped to the newest `cap` interaction steps (view … purchase) plus the
 * newest `cap` impressions. The caps are separate because a page shows far more cards than a visitor
 * opens: one shared cap would let a few scrolled-past lists push out everything the visitor did.
 * Every read goes back to storage, so two tabs of the same shop see each other's events and
 * `forget()` in one tab holds in all; an unchanged record is not parsed again (text-memo.ts).
 *
 * Privacy (docs/PRIVACY.md): the record sits behind the consent gate (no reads, no writes, nothing
 * held for later without consent); events older than the retention window are dropped on every
 * read and the shorter record written back; a record over the byte cap loses its oldest events.
 *
 * Storage can be missing or throw (Safari private mode, blocked cookies, sandboxed iframes,
 * quota): then the history lives in memory for the page's lifetime instead of failing the page,
 * and `clear()` still removes what an earlier write left in storage.
 */
import { ALWAYS_GRANTED, type ConsentGate } from '../privacy/gate.ts';
import { PersonalRecord, type StorageLike } from '../privacy/personal-record.ts';
import { fitBytes, isFresh, type RetentionPolicy } from '../privacy/retention.ts';
import { TextMemo } from './text-memo.ts';
import { TRACK_EVENT_TYPES, isWeighted, trackCode, type TrackEventType } from './weights.ts';

export type { StorageLike };

/** One stored event. */
export interface TrackedEvent {
  /** `'impression'` events are stored but never model input (see `TrackEventType`). */
  type: TrackEventType;
  itemId: string;
  /** Unix ms. */
  time: number;
}

/**
 * Stored form: `{ v: 1, e: [[itemId, code, timeMs], ...] }`, oldest first (compact JSON), `code`
 * indexing `TRACK_EVENT_TYPES` (0..3 view … purchase, 4 impression). Still version 1: a reader
 * that predates impressions skips code 4 as unknown and keeps every other event.
 */
type Stored = { v: 1; e: [string, number, number][] };

function decode(text: string | null): TrackedEvent[] {
  if (text === null) return [];
  try {
    const parsed = JSON.parse(text) as Partial<Stored>;
    if (parsed.v !== 1 || !Array.isArray(parsed.e)) return [];
    const out: TrackedEvent[] = [];
    for (const row of parsed.e) {
      if (!Array.isArray(row)) continue;
      const [itemId, code, time] = row;
      // An integer code only: a string such as "length" would index the array's own properties.
      const type = Number.isInteger(code) ? TRACK_EVENT_TYPES[code] : undefined;
      if (typeof itemId === 'string' && type !== undefined && typeof time === 'number' && Number.isFinite(time)) out.push({ type, itemId, time });
    }
    return out;
  } catch {
    // Corrupt or foreign data under our key: start over rather than break the page.
    return [];
  }
}

function encode(events: readonly TrackedEvent[]): string {
  const stored: Stored = { v: 1, e: events.map((e) => [e.itemId, trackCode(e.type), e.time]) };
  return JSON.stringify(stored);
}

/**
 * Keeps the interactions of the newest `cap` steps (consecutive interactions on one item are one
 * step, as the model reads them: see `toSteps`) and the newest `cap` impressions, in their original
 * order. Counting steps, not events, means a cap of at least the model's history length always
 * leaves the model its full history, however many events each step took.
 *
 * @example capped([v1, i1, v2, i2, i3], 2) // [v1, v2, i2, i3]
 */
export function capped(events: readonly TrackedEvent[], cap: number): TrackedEvent[] {
  let steps = 0;
  let stepItem: string | undefined;
  let impressions = 0;
  const keep: TrackedEvent[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (isWeighted(e.type)) {
      if (e.itemId !== stepItem) {
        steps++;
        stepItem = e.itemId;
      }
      if (steps <= cap) keep.push(e);
    } else if (impressions++ < cap) keep.push(e);
  }
  return keep.length === events.length ? [...events] : keep.reverse();
}

/** Privacy settings of a {@link HistoryStore}. */
export interface HistoryPrivacy {
  /** Default: always granted. */
  consent?: ConsentGate;
  /** Without one, nothing expires and there is no byte cap. */
  retention?: RetentionPolicy;
  /** Clock for retention (Unix ms). Default `Date.now`. */
  now?: () => number;
}

/** Capped event history over a {@link StorageLike}, falling back to memory. */
export class HistoryStore {
  readonly #record: PersonalRecord;
  readonly #cap: number;
  readonly #consent: ConsentGate;
  readonly #retention: RetentionPolicy | undefined;
  readonly #now: () => number;
  /** The stored text last parsed (shared, read-only events). */
  readonly #parsed = new TextMemo(decode);

  /**
   * @param storage where to persist; `null` keeps history in memory only.
   * @param key the storage key, e.g. `inpage:reco:https://shop.example/reco/manifest.json`.
   * @param cap how many interactions to keep, and separately how many impressions (newest win).
   */
  constructor(storage: StorageLike | null, key: string, cap: number, privacy: HistoryPrivacy = {}) {
    this.#consent = privacy.consent ?? ALWAYS_GRANTED;
    this.#record = new PersonalRecord(storage, key, this.#consent);
    this.#cap = cap;
    this.#retention = privacy.retention;
    this.#now = privacy.now ?? Date.now;
  }

  /** The storage key. */
  get key(): string {
    return this.#record.key;
  }

  /** Drops the in-memory copy (before an origin-wide sweep removes the stored one). */
  dropMemory(): void {
    this.#record.dropMemory();
    this.#parsed.clear();
  }

  /**
   * Reads the record, applying retention: expired events leave storage, not just the result.
   * Read-only: the events may be the memo's, shared with the next read.
   */
  #read(): readonly TrackedEvent[] {
    const text = this.#record.read();
    const events = this.#parsed.get(text);
    if (this.#retention === undefined) return events;
    const now = this.#now();
    const fresh = events.filter((e) => isFresh(e.time, now, this.#retention!));
    if (fresh.length === 0 && text !== null) this.#record.remove();
    else if (fresh.length < events.length) this.#write(fresh);
    return fresh;
  }

  #write(events: readonly TrackedEvent[]): void {
    const limited = capped(events, this.#cap);
    this.#record.write(this.#retention === undefined ? encode(limited) : fitBytes(limited, encode, this.#retention.maxBytes).text);
  }

  /** All stored events, oldest first (none without consent): the caller's own copies. */
  all(): TrackedEvent[] {
    return this.#read().map((e) => ({ ...e }));
  }

  /**
   * Appends one event, dropping the oldest of its kind (interaction or impression) beyond the cap.
   * Without consent the event is dropped: nothing is kept to be written later.
   */
  add(event: TrackedEvent): void {
    if (!this.#consent.granted()) return;
    this.#write([...this.#read(), event]);
  }

  /** Erases the history from storage and memory, with or without consent. True when it is gone. */
  clear(): boolean {
    this.#parsed.clear();
    return this.#record.remove();
  }
}
