/**
 * One key of personal data in Web Storage, behind the consent gate, safe at quota, and erasable.
 *
 * - Without consent it reads nothing and writes nothing — not even to memory, so nothing can be
 *   written later when consent arrives.
 * - A failed write (quota, private mode) switches to memory for the rest of the page, but keeps
 *   the storage handle: `remove()` still deletes what an earlier write left there. (The first
 *   version dropped the handle on a failed write, so `forget()` erased nothing and the old
 *   events came back on the next load.)
 * - `remove()` checks that the key is really gone and says so.
 *
 * @example
 * const rec = new PersonalRecord(localStorage, 'inpage:reco:…', consent);
 * rec.write('{"v":1,"e":[]}');
 * rec.read();   // '{"v":1,"e":[]}' (null without consent)
 * rec.remove(); // true when the key is gone from storage and memory
 */
import type { ConsentGate } from './gate.ts';
import type { StorageLike } from './storage-like.ts';

export type { StorageLike };

/** A consent-gated, quota-safe text record under one storage key. */
export class PersonalRecord {
  readonly key: string;
  readonly #storage: StorageLike | null;
  readonly #gate: ConsentGate;
  /** Reads and writes go to memory after storage refused one; reset by a successful `remove()`. */
  #inMemory: boolean;
  #memory: string | null = null;

  /**
   * @param storage where to persist; `null` keeps the record in memory only (still gated).
   * @param key the storage key; Inpage's keys start with `inpage:` so `forgetEverything()` finds them.
   */
  constructor(storage: StorageLike | null, key: string, gate: ConsentGate) {
    this.#storage = storage;
    this.key = key;
    this.#gate = gate;
    this.#inMemory = storage === null;
  }

  /** The stored text, or null when there is none or consent is not granted. */
  read(): string | null {
    if (!this.#gate.granted()) return null;
    if (this.#inMemory) return this.#memory;
    try {
      return this.#storage!.getItem(this.key);
    } catch {
      // Storage access throws (blocked, sandboxed): memory for the rest of the page.
      this.#inMemory = true;
      return this.#memory;
    }
  }

  /** Stores `text`. Does nothing without consent; falls back to memory when storage refuses. */
  write(text: string): void {
    if (!this.#gate.granted()) return;
    this.#memory = text;
    if (this.#inMemory) return;
    try {
      this.#storage!.setItem(this.key, text);
    } catch {
      // Quota or access error. What an earlier write stored is still there for remove().
      this.#inMemory = true;
    }
  }

  /** Forgets the in-memory copy (what a failed write left); storage is the sweep's job. */
  dropMemory(): void {
    this.#memory = null;
  }

  /**
   * Deletes the record from memory and storage, with or without consent, then reads the key back.
   * True only when the key is gone (or there never was a storage).
   */
  remove(): boolean {
    this.#memory = null;
    if (this.#storage === null) return true;
    try {
      this.#storage.removeItem(this.key);
      const gone = this.#storage.getItem(this.key) === null;
      // Removing freed space: try storage again for later writes.
      if (gone) this.#inMemory = false;
      return gone;
    } catch {
      return false;
    }
  }
}
