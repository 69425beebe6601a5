/**
 * "Seen means seen": the items a visitor has interacted with, kept apart from the model's short
 * history so `excludeSeen` covers every item within the window, however few steps the model reads.
 * A compact, bounded set: the newest {@link SEEN_CAP} distinct items by their latest interaction
 * (an item seen again moves to the front), stored as `[itemId, timeMs]` pairs next to the history.
 *
 * The same rule ({@link lastDistinct}) is what the offline eval applies, so the eval excludes
 * exactly what the page excludes. Pure on import, no DOM: Node code (eval, batch CLI) uses it too.
 */
import type { StorageLike, TrackedEvent } from './history.ts';

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

function decode(text: string | null): [string, number][] | undefined {
  if (text === null) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Stored>;
    if (parsed.v !== 1 || !Array.isArray(parsed.s)) return [];
    return parsed.s.filter((r): r is [string, number] => Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'number' && Number.isFinite(r[1]));
  } catch {
    return []; // corrupt or foreign data under our key: start over rather than break the page
  }
}

/** The visitor's seen items over a {@link StorageLike}, falling back to memory like the history. */
export class SeenItems {
  readonly #key: string;
  readonly #cap: number;
  #storage: StorageLike | null;
  #memory: [string, number][] = [];
  /** Set once we stored the set: a missing key after that means another tab called forget(). */
  #written = false;

  /**
   * @param storage where to persist; `null` keeps the set in memory only.
   * @param key the storage key, e.g. `inpage:reco:https://shop.example/reco/manifest.json:seen`.
   * @param seed when nothing is stored yet: the stored history to start from (a visitor from
   *   before the seen-set existed keeps their exclusions).
   * @param cap distinct items kept. Default {@link SEEN_CAP}.
   */
  constructor(storage: StorageLike | null, key: string, seed: readonly TrackedEvent[] = [], cap = SEEN_CAP) {
    this.#storage = storage;
    this.#key = key;
    this.#cap = cap;
    const stored = this.#read();
    if (stored === undefined) {
      for (const e of seed) if (e.type !== 'impression') this.#memory = this.#with(this.#memory, e.itemId, e.time);
    } else this.#memory = stored;
  }

  #read(): [string, number][] | undefined {
    if (this.#storage === null) return this.#memory;
    try {
      return decode(this.#storage.getItem(this.#key));
    } catch {
      this.#storage = null;
      return this.#memory;
    }
  }

  #with(list: [string, number][], itemId: string, time: number): [string, number][] {
    const next = list.filter(([id]) => id !== itemId);
    next.push([itemId, time]);
    return next.length > this.#cap ? next.slice(next.length - this.#cap) : next;
  }

  /** Records an interaction with `itemId` (impressions are not interactions: do not add them). */
  add(itemId: string, time: number): void {
    const next = this.#with(this.#read() ?? this.#memory, itemId, time);
    this.#memory = next;
    if (this.#storage === null) return;
    try {
      this.#storage.setItem(this.#key, JSON.stringify({ v: 1, s: next } satisfies Stored));
      this.#written = true;
    } catch {
      this.#storage = null; // quota or access error: memory for the rest of the page's life
    }
  }

  /** The seen item ids, oldest first. */
  ids(): string[] {
    const stored = this.#read();
    if (stored !== undefined) this.#memory = stored;
    else if (this.#written) this.#memory = [];
    return this.#memory.map(([id]) => id);
  }

  /** Erases the set from storage and memory. */
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
