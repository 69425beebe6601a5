/**
 * The one question every piece of code that stores personal data asks before it writes or reads:
 * "may I?" — and the one thing it must do when the answer turns to no: drop what it holds.
 * Types only, so the caches and the recommender can depend on it without pulling in the
 * consent readers.
 *
 * @example
 * if (gate.granted()) storage.setItem(key, value);
 * const off = gate.onErase?.(() => memory.clear());
 */

import type { StorageLike } from './storage-like.ts';

/**
 * What an erase listener may hand back: keys it owns outside the `inpage:` prefix (a custom
 * `storageKey`, an injected storage), for the sweep to remove and report too.
 */
export interface ErasableKeys {
  storage: StorageLike;
  keys: readonly string[];
}

/** Whether personal data may be stored and used on this device, and who to tell when it is erased. */
export interface ConsentGate {
  /** True while personal data may be stored, read back and used to personalise. */
  granted(): boolean;
  /**
   * `listener` runs after consent was revoked or everything was forgotten: drop in-memory copies
   * and anything queued to write (before the sweep runs). Returns a function that unsubscribes.
   */
  onErase?(listener: () => ErasableKeys | void): () => void;
}

/** A gate that is always open: personal data may be stored (the SDK's behaviour without a consent option). */
export const ALWAYS_GRANTED: ConsentGate = Object.freeze({ granted: () => true });
