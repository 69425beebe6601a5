/**
 * A snapshot of everything a page can store — localStorage, sessionStorage, IndexedDB (each
 * database's stores and record counts) and Cache Storage (each cache's request URLs) — taken in
 * the page. `snapshotStorage` is passed to `page.evaluate` as is, so it is self-contained.
 */

/** What `snapshotStorage` returns (JSON-safe, sorted, so two snapshots compare with toEqual). */
export interface StorageSnapshot {
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  indexedDB: { name: string; version: number; stores: Record<string, number> }[];
  cacheStorage: { name: string; urls: string[] }[];
}

/** Inpage's traces in a snapshot — `inpage:` keys, `inpage-` databases and caches — as 'area name', sorted. */
export function traces(s: StorageSnapshot): string[] {
  return [
    ...Object.keys(s.localStorage).filter((k) => k.startsWith('inpage:')).map((k) => `localStorage ${k}`),
    ...Object.keys(s.sessionStorage).filter((k) => k.startsWith('inpage:')).map((k) => `sessionStorage ${k}`),
    ...s.indexedDB.filter((d) => d.name.startsWith('inpage-')).map((d) => `indexedDB ${d.name}`),
    ...s.cacheStorage.filter((c) => c.name.startsWith('inpage-')).map((c) => `cacheStorage ${c.name}`),
  ].sort();
}

/** Runs in the page. Opens only databases `indexedDB.databases()` lists, so it creates none. */
export async function snapshotStorage(): Promise<StorageSnapshot> {
  const web = (s: Storage): Record<string, string> => {
    const out: Record<string, string> = {};
    const keys: string[] = [];
    for (let i = 0; i < s.length; i++) keys.push(s.key(i)!);
    for (const k of keys.sort()) out[k] = s.getItem(k) ?? '';
    return out;
  };
  const req = <T>(r: IDBRequest<T>): Promise<T> => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const dbs: StorageSnapshot['indexedDB'] = [];
  for (const info of (await indexedDB.databases()).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))) {
    if (!info.name) continue;
    const open = indexedDB.open(info.name);
    const db = await req(open);
    const stores: Record<string, number> = {};
    for (const store of [...db.objectStoreNames].sort()) stores[store] = await req(db.transaction(store, 'readonly').objectStore(store).count());
    db.close();
    dbs.push({ name: info.name, version: info.version ?? 0, stores });
  }
  const cacheStorage: StorageSnapshot['cacheStorage'] = [];
  if (typeof caches !== 'undefined') {
    for (const name of (await caches.keys()).sort()) {
      const cache = await caches.open(name);
      cacheStorage.push({ name, urls: (await cache.keys()).map((r) => r.url).sort() });
    }
  }
  return { localStorage: web(localStorage), sessionStorage: web(sessionStorage), indexedDB: dbs, cacheStorage };
}

/**
 * A TCF v2.2 CMP stand-in, installed with `page.addInitScript(installTcfStub)`: `__tcfapi` with
 * `addEventListener`/`removeEventListener`/`ping` as the spec defines them, starting with the
 * consent UI shown (no decision); `window.__tcfTest.decide({ 1: true, … })` is the visitor
 * clicking in the banner.
 */
export function installTcfStub(): void {
  type Cb = (data: unknown, success: boolean) => void;
  const listeners = new Map<number, Cb>();
  let next = 1;
  let state: Record<string, unknown> = { tcString: '', gdprApplies: true, eventStatus: 'cmpuishown', cmpStatus: 'loaded', purpose: { consents: {} }, publisher: { consents: {} }, vendor: { consents: {} } };
  const w = window as unknown as { __tcfapi: unknown; __tcfTest: unknown };
  w.__tcfapi = (command: string, version: number, callback: Cb, parameter?: unknown): void => {
    if (version !== 2) { callback(null, false); return; }
    if (command === 'addEventListener') {
      const id = next++;
      listeners.set(id, callback);
      setTimeout(() => callback({ ...state, listenerId: id }, true), 0);
    } else if (command === 'removeEventListener') {
      callback(listeners.delete(parameter as number), true);
    } else if (command === 'ping') {
      callback({ gdprApplies: true, cmpLoaded: true, cmpStatus: 'loaded', apiVersion: '2.2' }, true);
    } else {
      callback(null, false);
    }
  };
  w.__tcfTest = {
    decide(consents: Record<string, boolean>): void {
      state = { ...state, tcString: 'test', eventStatus: 'useractioncomplete', purpose: { consents } };
      for (const [id, cb] of listeners) cb({ ...state, listenerId: id }, true);
    },
    listeners: (): number => listeners.size,
  };
}

/** The IAB purposes Inpage needs, all consented. */
export const TCF_ALL = { 1: true, 5: true, 6: true } as const;
