/**
 * "Seen means seen": the items a visitor has interacted with, kept apart from the model's short
 * history so `excludeSeen` covers every item within the window, however few steps the model reads.
 * A compact, bounded set: the newest {@link SEEN_CAP} distinct items by their latest interaction
 * (an item seen again moves to the front), stored as `[itemId, timeMs]` pairs next to the history.
 *
 * The same rule ({@link lastDistinct}) is what the offline eval applies, so the eval excludes
 * exactly what the page excludes. Pure on import, no DOM: Node code (eval, batch CLI) uses it too.
 *
 * It is personal data like the history (docs/PRIVACY.md): behind the consent gate (nothing read,
 * written or held in memory without consent), entries older than the retention window dropped on
 * every read, the record kept under the byte cap, and erased by forget().
 */
import { ALWAYS_GRANTED } from '../privacy/gate.ts';
import { PersonalRecord } from '../privacy/personal-record.ts';
import { fitBytes, isFresh } from '../privacy/retention.ts';
import type { HistoryPrivacy, StorageLike, TrackedEvent } from './history.ts';
import { TextMemo } from './text-memo.ts';

/** Distinct items remembered as seen. Bounded so a visitor of years never fills their storage. */
export const SEEN_CAP = 1000;

/**
 * The newest `cap` distinct values of `sequence` (oldest first), each at its latest position.
 *
 * @example lastDistinct(['a', 'b', 'a', 'c'], 2) // ['a', 'c']
 */
export function lastDistinct<T>(sequence: readonly T[], cap: number = SEEN_CAP): T[] {
  const out: T[] = [];
  const taken = new Set<T>();
  for (let i = sequence.length - 1; i >= 0 && out.length < cap; i--) {
    const v = sequence[i]!;
    if (taken.has(v)) continue;
    taken.add(v);
    out.push(v);
  }
  return out.reverse();
}

/** Stored form: `{ v: 1, s: [[itemId, timeMs], ...] }`, oldest first, distinct ids. */
type Stored = { v: 1; s: [string, number][] };

function decode(text: string | null): readonly [string, number][] | undefined {
  if (text === null) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Stored>;
    if (parsed.v !== 1 || !Array.isArray(parsed.s)) return [];
    return parsed.s.filter((r): r is [string, number] => Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'number' && Number.isFinite(r[1]));
  } catch {
    return []; // corrupt or foreign data under our key: start over rather than break the page
  }
}

const encode = (list: readonly [string, number][]): string => JSON.stringify({ v: 1, s: [...list] } satisfies Stored);

/** The visitor's seen items in a consent-gated {@link PersonalRecord}, falling back to memory. */
export class SeenItems {
  readonly #record: PersonalRecord;
  readonly #cap: number;
  readonly #privacy: HistoryPrivacy;
  /**
   * What a visitor from before the seen-set existed starts from, until the first write; after it a
   * missing key means another tab called forget().
   */
  #seed: [string, number][];
  /** The stored text last parsed (shared, read-only). */
  readonly #parsed = new TextMemo(decode);

  /**
   * @param storage where to persist; `null` keeps the set in memory only (still consent-gated).
   * @param key the storage key, e.g. `inpage:reco:https://shop.example/reco/manifest.json:seen`.
   * @param seed when nothing is stored yet: the stored history to start from (a visitor from
   *   before the seen-set existed keeps their exclusions).
   * @param cap distinct items kept. Default {@link SEEN_CAP}.
   * @param privacy consent gate, retention and clock, as the history's.
   */
  constructor(storage: StorageLike | null, key: string, seed: readonly TrackedEvent[] = [], cap = SEEN_CAP, privacy: HistoryPrivacy = {}) {
    this.#record = new PersonalRecord(storage, key, privacy.consent ?? ALWAYS_GRANTED);
    this.#cap = cap;
    this.#privacy = privacy;
    let start: [string, number][] = [];
    for (const e of seed) if (e.type !== 'impression') start = this.#with(start, e.itemId, e.time);
    this.#seed = start;
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
   * Fresh entries: stored (or the seed while nothing is), older than the retention window dropped.
   * Read-only: the list may be the memo's, shared with the next read.
   */
  #read(): readonly [string, number][] {
    const stored = this.#parsed.get(this.#record.read());
    const list = stored ?? (this.#privacy.consent?.granted() === false ? [] : this.#seed);
    const retention = this.#privacy.retention;
    if (retention === undefined) return list;
    const now = (this.#privacy.now ?? Date.now)();
    const fresh = list.filter(([, t]) => isFresh(t, now, retention));
    if (stored !== undefined && fresh.length === 0) this.#record.remove(); // nothing left: no key either
    else if (stored !== undefined && fresh.length < stored.length) this.#write(fresh);
    return fresh;
  }

  #write(list: readonly [string, number][]): void {
    const retention = this.#privacy.retention;
    this.#record.write(retention === undefined ? encode(list) : fitBytes(list, encode, retention.maxBytes).text);
    this.#seed = [];
  }

  #with(list: readonly [string, number][], itemId: string, time: number): [string, number][] {
    const next = list.filter(([id]) => id !== itemId);
    next.push([itemId, time]);
    return next.length > this.#cap ? next.slice(next.length - this.#cap) : next;
  }

  /** Records an interaction with `itemId` (impressions are not interactions: do not add them). */
  add(itemId: string, time: number): void {
    if (this.#privacy.consent?.granted() === false) return; // nothing kept, not even in memory
    this.#write(this.#with(this.#read(), itemId, time));
  }

  /** The seen item ids, oldest first (none without consent). */
  ids(): string[] {
    return this.#read().map(([id]) => id);
  }

  /** Erases the set from storage and memory. True when it is gone. */
  clear(): boolean {
    this.#seed = [];
    this.#parsed.clear();
    return this.#record.remove();
  }
}
