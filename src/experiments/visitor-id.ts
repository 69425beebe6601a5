/**
 * The visitor's experiment id: 128 random bits from `crypto.getRandomValues`, stored on the
 * device through the consent-gated {@link PersonalRecord} (key `inpage:exp:id`). Never derived
 * from the device (no fingerprint): a visitor who clears storage, or says no, gets a new one.
 *
 * Retention (docs/PRIVACY.md): the id expires when it was not used for the retention window
 * (30 days by default) — a sliding window, so an active visitor keeps their variant — and
 * `forget()` erases it with every other `inpage:` key. Without consent nothing is read or written
 * and {@link VisitorId.get} returns undefined.
 */
import type { ConsentGate } from '../privacy/gate.ts';
import { PersonalRecord, type StorageLike } from '../privacy/personal-record.ts';
import { isFresh, type RetentionPolicy } from '../privacy/retention.ts';

/** Storage key of the id (origin-wide: one id for every experiment, hashed per experiment). */
export const VISITOR_ID_KEY = 'inpage:exp:id';
/** Last-use stamps are refreshed at most this often, so a busy page does not write on every list. */
const TOUCH_MS = 60 * 60 * 1000;

/** 32 hex digits from the platform's CSPRNG. */
export function randomId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The stored id and its last use. */
export class VisitorId {
  readonly #record: PersonalRecord;
  readonly #gate: ConsentGate;
  readonly #retention: RetentionPolicy;
  readonly #now: () => number;

  constructor(storage: StorageLike | null, gate: ConsentGate, retention: RetentionPolicy, now: () => number, key = VISITOR_ID_KEY) {
    this.#record = new PersonalRecord(storage, key, gate);
    this.#gate = gate;
    this.#retention = retention;
    this.#now = now;
  }

  /** The storage key (for erase listeners). */
  get key(): string {
    return this.#record.key;
  }

  /** The id, created on first use; undefined without consent. */
  get(): string | undefined {
    if (!this.#gate.granted()) return undefined;
    const now = this.#now();
    const stored = this.#read();
    if (stored !== undefined && isFresh(stored.t, now, this.#retention)) {
      if (now - stored.t > TOUCH_MS) this.#record.write(JSON.stringify({ v: 1, id: stored.id, t: now }));
      return stored.id;
    }
    const id = randomId();
    this.#record.write(JSON.stringify({ v: 1, id, t: now }));
    return id;
  }

  /** Drops the in-memory copy (after an erase); storage is the sweep's job. */
  dropMemory(): void {
    this.#record.dropMemory();
  }

  #read(): { id: string; t: number } | undefined {
    const text = this.#record.read();
    if (text === null) return undefined;
    try {
      const v = JSON.parse(text) as { v?: unknown; id?: unknown; t?: unknown };
      if (v.v === 1 && typeof v.id === 'string' && /^[0-9a-f]{32}$/.test(v.id) && typeof v.t === 'number' && Number.isFinite(v.t)) return { id: v.id, t: v.t };
    } catch {
      // corrupt: a new id below
    }
    return undefined;
  }
}
