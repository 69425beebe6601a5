/**
 * The panel's controls, kept in the page URL's query (`?backend=wasm&batch=off&cache=off`) so a
 * reload or a shared link keeps them and a fresh visit starts from the defaults. Routes live in
 * the hash, so the two never clash.
 */
import type { BackendPreference } from 'inpage';

export interface Settings {
  /** `createEngine({ backend })`. */
  backend: BackendPreference;
  /** Micro-batching at load; off means `engine.load(..., { batch: false })`. */
  batch: boolean;
  /** Page-side result cache; off means `model.run(..., { cache: false })`. */
  cache: boolean;
}

const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm'];

export function readSettings(search = location.search): Settings {
  const q = new URLSearchParams(search);
  const backend = q.get('backend') as BackendPreference | null;
  return {
    backend: backend !== null && BACKENDS.includes(backend) ? backend : 'auto',
    batch: q.get('batch') !== 'off',
    cache: q.get('cache') !== 'off',
  };
}

/** Writes non-default settings into the URL without a navigation. */
export function writeSettings(s: Settings): void {
  const url = new URL(location.href);
  const set = (k: string, v: string | null): void => { if (v === null) url.searchParams.delete(k); else url.searchParams.set(k, v); };
  set('backend', s.backend === 'auto' ? null : s.backend);
  set('batch', s.batch ? null : 'off');
  set('cache', s.cache ? null : 'off');
  history.replaceState(history.state, '', url);
}
