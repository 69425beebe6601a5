/**
 * Erase every trace Inpage left on this origin, and say exactly what was erased.
 *
 * What belongs to Inpage is found by name, not by a list of the keys this page happens to know:
 * every Web Storage key starting with `inpage:` (history and searches of every manifest URL and
 * version, `?v=2` included, and any later Inpage key), every IndexedDB database and Cache Storage
 * cache whose name starts with `inpage-` (persisted result cache, backend verdicts), and — only
 * when asked — the model byte cache (`inpage-models…`). Afterwards everything is listed again:
 * the promise resolves only when nothing of it is left, and otherwise rejects with
 * `FORGET_INCOMPLETE` naming what is left and why. It never reports success it did not check.
 *
 * Removing keys frees space, so it works with storage at quota. IndexedDB databases are deleted,
 * not just emptied: Inpage's own open connections close on `versionchange` (idb.ts); a foreign
 * connection that blocks the deletion is reported after `timeoutMs`.
 *
 * @example
 * const report = await forgetEverything();
 * // { erased: [{ area: 'localStorage', name: 'inpage:reco:https://shop.example/reco/manifest.json' }, …], kept: [] }
 */
import { InpageError } from '../errors.ts';
import type { StorageLike } from './storage-like.ts';

/** Where a piece of data lived. `'storage'` is a storage passed in by the caller. */
export type StorageArea = 'localStorage' | 'sessionStorage' | 'indexedDB' | 'cacheStorage' | 'storage';

/** One erased (or kept) location. */
export interface ErasedLocation {
  area: StorageArea;
  /** The key, database or cache name. */
  name: string;
}

/** What `forgetEverything()` (and `rec.forget()`) did. */
export interface ForgetReport {
  /** Everything erased, each checked to be gone afterwards. */
  erased: ErasedLocation[];
  /** Inpage data left in place on purpose: the model byte cache unless `modelCache: true`. */
  kept: ErasedLocation[];
}

/** Web Storage with enumeration (what `localStorage` is). */
export interface EnumerableStorage extends StorageLike {
  readonly length: number;
  key(index: number): string | null;
}

/** The globals the sweep uses; `globalThis` fits. Tests may pass their own. */
export interface ForgetScope {
  localStorage?: EnumerableStorage | undefined;
  sessionStorage?: EnumerableStorage | undefined;
  indexedDB?: IDBFactory | undefined;
  caches?: CacheStorage | undefined;
}

/** Options of {@link forgetEverything}. */
export interface ForgetOptions {
  /** Also delete the model byte cache (model files are public, not personal data). Default false. */
  modelCache?: boolean;
  /** Keys outside the `inpage:` prefix to remove as well, in these storages (custom `storageKey`s). */
  extra?: readonly { storage: StorageLike; keys: readonly string[] }[];
  /** Default `globalThis`. */
  scope?: ForgetScope;
  /** How long one IndexedDB deletion may stay blocked by another connection. Default 5000 ms. */
  timeoutMs?: number;
}

/** Prefix of every Web Storage key Inpage writes. */
export const STORAGE_KEY_PREFIX = 'inpage:';
/** Prefix of every IndexedDB database and Cache Storage cache Inpage creates. */
export const DATABASE_PREFIX = 'inpage-';
/** Names of the model byte cache (Cache Storage and its IndexedDB fallback), kept unless asked. */
const MODEL_CACHE_PREFIX = 'inpage-models';
/** The default names, deleted even where `indexedDB.databases()` cannot list them. */
const KNOWN_DATABASES = ['inpage-results-v1', 'inpage-verdicts-v1'];
const KNOWN_MODEL_DATABASES = ['inpage-models-v1'];

interface Failure { area: StorageArea; name: string; why: string }

/** A global that may throw on access (`localStorage` with storage blocked). */
function read<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}

function defaultScope(): ForgetScope {
  const g = globalThis as ForgetScope;
  return {
    localStorage: read(() => g.localStorage),
    sessionStorage: read(() => g.sessionStorage),
    indexedDB: read(() => g.indexedDB),
    caches: read(() => g.caches),
  };
}

function why(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function inpageKeys(s: EnumerableStorage): string[] {
  const keys: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const k = s.key(i);
    if (k !== null && k.startsWith(STORAGE_KEY_PREFIX)) keys.push(k);
  }
  return keys;
}

/** Removes every `inpage:` key (plus `extra`), then lists again: what is left failed. */
function sweepWebStorage(area: 'localStorage' | 'sessionStorage', s: EnumerableStorage, extra: readonly string[], erased: ErasedLocation[], failed: Failure[]): void {
  let keys: string[];
  try {
    keys = [...new Set([...inpageKeys(s), ...extra.filter((k) => s.getItem(k) !== null)])];
  } catch (e) {
    failed.push({ area, name: '*', why: `could not be listed (${why(e)})` });
    return;
  }
  for (const k of keys) {
    try { s.removeItem(k); } catch { /* checked below */ }
  }
  let left: Set<string>;
  try {
    left = new Set([...inpageKeys(s), ...extra.filter((k) => s.getItem(k) !== null)]);
  } catch (e) {
    failed.push({ area, name: '*', why: `could not be listed after removal (${why(e)})` });
    return;
  }
  for (const k of keys) {
    if (left.has(k)) failed.push({ area, name: k, why: 'still present after removeItem' });
    else erased.push({ area, name: k });
  }
  // Written by someone else between the two listings: still Inpage data, still not erased.
  for (const k of left) if (!keys.includes(k)) failed.push({ area, name: k, why: 'appeared during the sweep' });
}

async function databaseNames(idb: IDBFactory): Promise<string[] | undefined> {
  if (typeof idb.databases !== 'function') return undefined;
  const list = await idb.databases();
  return list.flatMap((d) => (d.name?.startsWith(DATABASE_PREFIX) ? [d.name] : []));
}

function deleteDatabase(idb: IDBFactory, name: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let blocked = false;
    const timer = setTimeout(() => reject(new Error(blocked ? `blocked by an open connection for ${timeoutMs} ms (another tab or script keeps it open)` : `no answer in ${timeoutMs} ms`)), timeoutMs);
    const req = idb.deleteDatabase(name);
    req.onsuccess = () => { clearTimeout(timer); resolve(); };
    req.onerror = () => { clearTimeout(timer); reject(req.error ?? new Error('deleteDatabase failed')); };
    req.onblocked = () => { blocked = true; };
  });
}

async function sweepIndexedDb(idb: IDBFactory, modelCache: boolean, timeoutMs: number, erased: ErasedLocation[], kept: ErasedLocation[], failed: Failure[]): Promise<void> {
  const isModel = (n: string): boolean => n.startsWith(MODEL_CACHE_PREFIX);
  let listed: string[] | undefined;
  try {
    listed = await databaseNames(idb);
  } catch (e) {
    failed.push({ area: 'indexedDB', name: '*', why: `could not be listed (${why(e)})` });
    return;
  }
  // Without databases() (older Safari, Firefox < 126) the default names are deleted blind; a
  // deletion of a database that does not exist succeeds, so they are not reported as erased.
  const candidates = listed ?? [...KNOWN_DATABASES, ...KNOWN_MODEL_DATABASES];
  for (const name of candidates) {
    if (isModel(name) && !modelCache) {
      if (listed) kept.push({ area: 'indexedDB', name });
      continue;
    }
    try {
      await deleteDatabase(idb, name, timeoutMs);
      if (listed) erased.push({ area: 'indexedDB', name });
    } catch (e) {
      failed.push({ area: 'indexedDB', name, why: why(e) });
    }
  }
  if (!listed) return;
  let after: string[] | undefined;
  try {
    after = await databaseNames(idb);
  } catch (e) {
    failed.push({ area: 'indexedDB', name: '*', why: `could not be listed after deletion (${why(e)})` });
    return;
  }
  for (const name of after ?? []) {
    if (isModel(name) && !modelCache) continue;
    const at = erased.findIndex((x) => x.area === 'indexedDB' && x.name === name);
    if (at >= 0) erased.splice(at, 1);
    if (!failed.some((f) => f.area === 'indexedDB' && f.name === name)) failed.push({ area: 'indexedDB', name, why: 'still listed after deleteDatabase' });
  }
}

async function sweepCaches(caches: CacheStorage, modelCache: boolean, erased: ErasedLocation[], kept: ErasedLocation[], failed: Failure[]): Promise<void> {
  const mine = async (): Promise<string[]> => (await caches.keys()).filter((n) => n.startsWith(DATABASE_PREFIX));
  let names: string[];
  try {
    names = await mine();
  } catch (e) {
    failed.push({ area: 'cacheStorage', name: '*', why: `could not be listed (${why(e)})` });
    return;
  }
  for (const name of names) {
    if (name.startsWith(MODEL_CACHE_PREFIX) && !modelCache) { kept.push({ area: 'cacheStorage', name }); continue; }
    try { await caches.delete(name); } catch { /* checked below */ }
  }
  let left: string[];
  try {
    left = await mine();
  } catch (e) {
    failed.push({ area: 'cacheStorage', name: '*', why: `could not be listed after deletion (${why(e)})` });
    return;
  }
  for (const name of names) {
    if (name.startsWith(MODEL_CACHE_PREFIX) && !modelCache) continue;
    if (left.includes(name)) failed.push({ area: 'cacheStorage', name, why: 'still listed after caches.delete' });
    else erased.push({ area: 'cacheStorage', name });
  }
}

/**
 * Erases all Inpage data on this origin (see the module comment). Resolves with what was erased;
 * rejects with `FORGET_INCOMPLETE` (details: `erased`, `failed`) when anything is left.
 */
export async function forgetEverything(options: ForgetOptions = {}): Promise<ForgetReport> {
  const scope = options.scope ?? defaultScope();
  const modelCache = options.modelCache === true;
  const timeoutMs = options.timeoutMs ?? 5000;
  const erased: ErasedLocation[] = [];
  const kept: ErasedLocation[] = [];
  const failed: Failure[] = [];
  const webStorages: [('localStorage' | 'sessionStorage'), EnumerableStorage | undefined][] = [['localStorage', scope.localStorage], ['sessionStorage', scope.sessionStorage]];
  for (const [area, s] of webStorages) {
    if (s === undefined) continue;
    const extra = (options.extra ?? []).filter((x) => x.storage === s).flatMap((x) => x.keys);
    sweepWebStorage(area, s, extra, erased, failed);
  }
  // Storages the caller injected (not the page's own): only the keys it names can be found.
  for (const x of options.extra ?? []) {
    if (webStorages.some(([, s]) => s === x.storage)) continue;
    for (const k of x.keys) {
      try {
        if (x.storage.getItem(k) === null) continue;
        x.storage.removeItem(k);
        if (x.storage.getItem(k) === null) erased.push({ area: 'storage', name: k });
        else failed.push({ area: 'storage', name: k, why: 'still present after removeItem' });
      } catch (e) {
        failed.push({ area: 'storage', name: k, why: why(e) });
      }
    }
  }
  if (scope.indexedDB) await sweepIndexedDb(scope.indexedDB, modelCache, timeoutMs, erased, kept, failed);
  if (scope.caches) await sweepCaches(scope.caches, modelCache, erased, kept, failed);
  if (failed.length > 0) {
    const list = failed.map((f) => `${f.area} ${f.name}: ${f.why}`);
    throw new InpageError('FORGET_INCOMPLETE',
      `forget() could not erase everything: ${list.join('; ')}. Erased ${erased.length} other location(s). Close other tabs of this site and call forget() again.`,
      { erased: erased.map((e) => `${e.area} ${e.name}`), failed: list });
  }
  return { erased, kept };
}
