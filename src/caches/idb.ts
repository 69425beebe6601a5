/**
 * A tiny promise wrapper over IndexedDB: one database, a fixed set of object stores with
 * out-of-line string keys, and the handful of operations the caches need. No dependency:
 * `idb-keyval` would cover get/put but not atomic writes across two stores, which the model
 * store needs so that metadata never outlives its bytes.
 *
 * @example
 * const db = await IdbDatabase.open(indexedDB, 'inpage-models-v1', ['meta', 'bytes']);
 * await db.write([{ op: 'put', store: 'meta', key: 'k', value: { n: 1 } }]);
 * const meta = await db.get<{ n: number }>('meta', 'k'); // { n: 1 }
 */

/** One write in an atomic batch. */
export type IdbWrite =
  | { op: 'put'; store: string; key: string; value: unknown }
  | { op: 'delete'; store: string; key: string }
  | { op: 'clear'; store: string };

function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new DOMException('IndexedDB request failed', 'UnknownError'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    // A failed request aborts the transaction; the transaction's error (e.g. QuotaExceededError)
    // is the one worth reporting, so callers can tell "disk full" from a bug.
    // (No preventDefault on request errors: that would stop the abort and commit partial writes.)
    tx.onabort = () => reject(tx.error ?? new DOMException('IndexedDB transaction aborted', 'AbortError'));
  });
}

/** An open IndexedDB database with string-keyed object stores. */
export class IdbDatabase {
  private constructor(private readonly db: IDBDatabase) {
    // Another tab upgrading the schema must not be blocked by us forever: close and let it win.
    db.onversionchange = () => db.close();
  }

  /**
   * Open (or create) `name` with exactly `stores`. Bump `version` when the store set changes.
   * Rejects when IndexedDB refuses (private modes, blocked upgrades, storage disabled).
   */
  static open(factory: IDBFactory, name: string, stores: readonly string[], version = 1): Promise<IdbDatabase> {
    return new Promise((resolve, reject) => {
      let request: IDBOpenDBRequest;
      try { request = factory.open(name, version); } catch (e) { reject(e); return; }
      request.onupgradeneeded = () => {
        const db = request.result;
        for (const s of stores) if (!db.objectStoreNames.contains(s)) db.createObjectStore(s);
      };
      request.onsuccess = () => {
        const db = request.result;
        const missing = stores.filter((s) => !db.objectStoreNames.contains(s));
        if (missing.length === 0) { resolve(new IdbDatabase(db)); return; }
        // Another module created this database with other stores (same name reused).
        db.close();
        reject(new DOMException(`IndexedDB ${name} has no store ${missing.join(', ')}: use a namespace of its own`, 'NotFoundError'));
      };
      request.onerror = () => reject(request.error ?? new DOMException(`Could not open IndexedDB ${name}`, 'UnknownError'));
      request.onblocked = () => reject(new DOMException(`IndexedDB ${name} is blocked by another open connection`, 'InvalidStateError'));
    });
  }

  /** The value under `key`, or undefined. */
  async get<V>(store: string, key: string): Promise<V | undefined> {
    const tx = this.db.transaction(store, 'readonly');
    return (await settle(tx.objectStore(store).get(key))) as V | undefined;
  }

  /** Every key of `store`, in key order. */
  async keys(store: string): Promise<string[]> {
    const tx = this.db.transaction(store, 'readonly');
    const keys = await settle(tx.objectStore(store).getAllKeys());
    return keys.filter((k): k is string => typeof k === 'string');
  }

  /** Every `[key, value]` of `store`, read in one transaction so keys and values agree. */
  async entries<V>(store: string): Promise<[string, V][]> {
    const tx = this.db.transaction(store, 'readonly');
    const os = tx.objectStore(store);
    const [keys, values] = await Promise.all([settle(os.getAllKeys()), settle(os.getAll())]);
    const out: [string, V][] = [];
    keys.forEach((k, i) => { if (typeof k === 'string') out.push([k, values[i] as V]); });
    return out;
  }

  /** Put one value. */
  put(store: string, key: string, value: unknown): Promise<void> {
    return this.write([{ op: 'put', store, key, value }]);
  }

  /** Delete one key (a missing key is fine). */
  delete(store: string, key: string): Promise<void> {
    return this.write([{ op: 'delete', store, key }]);
  }

  /** Empty `store`. */
  clear(store: string): Promise<void> {
    return this.write([{ op: 'clear', store }]);
  }

  /** Apply `writes` atomically: all of them, or none when any fails (e.g. QuotaExceededError). */
  write(writes: readonly IdbWrite[]): Promise<void> {
    if (writes.length === 0) return Promise.resolve();
    const names = [...new Set(writes.map((w) => w.store))];
    const tx = this.db.transaction(names, 'readwrite');
    const finished = done(tx);
    try {
      for (const w of writes) {
        const os = tx.objectStore(w.store);
        if (w.op === 'put') os.put(w.value, w.key);
        else if (w.op === 'delete') os.delete(w.key);
        else os.clear();
      }
    } catch (e) {
      // A synchronous throw (DataCloneError) leaves the transaction open: abort it so nothing lands.
      try { tx.abort(); } catch { /* already finished */ }
      finished.catch(() => undefined);
      return Promise.reject(e);
    }
    return finished;
  }

  /** Close the connection. */
  close(): void {
    this.db.close();
  }
}
