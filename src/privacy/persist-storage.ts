/**
 * `navigator.storage.persist()` behind consent (docs/DEPLOY.md, Storage that lasts): asks the
 * browser to keep this origin's storage (the model cache above all) under storage pressure, but
 * only once the visitor has agreed to storage, never before. The browser decides (Chromium by
 * site engagement, bookmarks, installation; Firefox asks the user); the answer is reported.
 */
import type { Consent } from './consent.ts';

/**
 * Where the request stands:
 * - `'awaiting-consent'`: opted in, but no storage consent yet, so not asked;
 * - `'granted'` / `'denied'`: the browser's answer to `persist()` (or `persisted()` already true);
 * - `'unsupported'`: no `navigator.storage.persist` here (or it threw);
 * - `'off'`: not opted in.
 */
export type PersistStatus = 'off' | 'awaiting-consent' | 'granted' | 'denied' | 'unsupported';

/** The request's state and its changes. */
export interface StoragePersistence {
  /** Where it stands now. */
  status(): PersistStatus;
  /** Resolves once the current step is answered (the status then, `'awaiting-consent'` while waiting). */
  settled(): Promise<PersistStatus>;
  /** `listener` runs on every change of `status()`. Returns an unsubscribe. */
  onChange(listener: (status: PersistStatus) => void): () => void;
  /** Stops listening to consent. */
  dispose(): void;
}

/** The part of `navigator.storage` used here. */
export interface PersistApi {
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
}

/**
 * Requests persistent storage when `enabled` and as soon as `consent` is granted (at once when it
 * already is). Asked at most once per call: the browser remembers its answer per origin.
 *
 * @example
 * const p = requestPersistence(true, consent, navigator.storage);
 * p.onChange((s) => console.log('storage', s)); // 'granted' | 'denied' | …
 */
export function requestPersistence(enabled: boolean, consent: Consent, api: PersistApi | undefined = globalThis.navigator?.storage): StoragePersistence {
  let status: PersistStatus = enabled ? 'awaiting-consent' : 'off';
  const listeners = new Set<(s: PersistStatus) => void>();
  const set = (s: PersistStatus): void => {
    if (s === status) return;
    status = s;
    for (const l of [...listeners]) l(s);
  };
  let asked: Promise<PersistStatus> | undefined;
  const ask = (): Promise<PersistStatus> => (asked ??= (async () => {
    if (typeof api?.persist !== 'function') {
      set('unsupported');
      return status;
    }
    try {
      const already = typeof api.persisted === 'function' && await api.persisted();
      set(already || await api.persist() ? 'granted' : 'denied');
    } catch {
      set('unsupported');
    }
    return status;
  })());
  let off = (): void => {};
  if (enabled) {
    if (consent.granted()) void ask();
    else off = consent.onChange(() => { if (consent.granted()) { off(); void ask(); } });
  }
  return {
    status: () => status,
    settled: () => asked ?? Promise.resolve(status),
    onChange(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    dispose: () => off(),
  };
}
