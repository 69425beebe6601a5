/**
 * The visitor's event history, kept on the device only: in `localStorage` (survives reloads) under
 * a key per recommender, capped to the newest `cap` interaction steps (view … purchase) plus the
 * newest `cap` impressions. The caps are separate because a page shows far more cards than a visitor
 * opens: one shared cap would let a few scrolled-past lists push out everything the visitor did.
 * Every read goes back to storage, so two tabs of the same shop see each other's events and
 * `forget()` in one tab holds in all.
 *
 * Storage can be missing or throw (Safari private mode, blocked cookies, sandboxed iframes,
 * quota): then the history lives in memory for the page's lifetime instead of failing the page.
 */
import { TRACK_EVENT_TYPES, isWeighted, trackCode, type TrackEventType } from './weights.ts';

/** The part of the Web Storage API the history uses (injectable for tests). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

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
      const type = TRACK_EVENT_TYPES[code];
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

/** Capped event history over a {@link StorageLike}, falling back to memory. */
export class HistoryStore {
  readonly #key: string;
  readonly #cap: number;
  #storage: StorageLike | null;
  #memory: TrackedEvent[] = [];

  /**
   * @param storage where to persist; `null` keeps history in memory only.
   * @param key the storage key, e.g. `inpage:reco:https://shop.example/reco/manifest.json`.
   * @param cap how many interactions to keep, and separately how many impressions (newest win).
   */
  constructor(storage: StorageLike | null, key: string, cap: number) {
    this.#storage = storage;
    this.#key = key;
    this.#cap = cap;
    this.#memory = this.#read();
  }

  #read(): TrackedEvent[] {
    if (this.#storage === null) return this.#memory;
    try {
      return decode(this.#storage.getItem(this.#key));
    } catch {
      this.#storage = null;
      return this.#memory;
    }
  }

  #write(events: TrackedEvent[]): void {
    this.#memory = events;
    if (this.#storage === null) return;
    try {
      this.#storage.setItem(this.#key, encode(events));
    } catch {
      // Quota or access error: keep going in memory for the rest of the page's life.
      this.#storage = null;
    }
  }

  /** All stored events, oldest first. */
  all(): TrackedEvent[] {
    this.#memory = this.#read();
    return [...this.#memory];
  }

  /** Appends one event, dropping the oldest of its kind (interaction or impression) beyond the cap. */
  add(event: TrackedEvent): void {
    const events = this.#read();
    events.push(event);
    this.#write(capped(events, this.#cap));
  }

  /** Erases the history from storage and memory. */
  clear(): void {
    this.#memory = [];
    if (this.#storage === null) return;
    try {
      this.#storage.removeItem(this.#key);
    } catch {
      this.#storage = null;
    }
  }
}
