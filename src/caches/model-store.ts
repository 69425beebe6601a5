/**
 * Model bytes kept between visits (runs inside the worker). Entries are keyed by URL and
 * SHA-256; bytes read back from a persistent store are hashed again before they are returned,
 * so a corrupt or tampered entry becomes a miss and is deleted. Storage problems (missing API,
 * QuotaExceededError, private modes) never throw: `put` falls back along `preferred`, warning
 * once per store, and reads treat a broken store as empty.
 *
 * @example
 * const store = new ModelStore({ warn: (m) => console.warn(m) });
 * const hit = await store.get(url, sha);
 * const bytes = hit?.bytes ?? await download(url);
 * if (!hit) await store.put(url, await sha256Hex(bytes), bytes); // 'cache-storage' | 'indexeddb' | 'memory' | undefined
 */
import { canHash, sha256Hex } from './hash.ts';
import { IdbDatabase } from './idb.ts';
import type { StoreKind, StoredModelInfo } from '../types.ts';

export type { StoreKind, StoredModelInfo };

/** The globals the store uses; `globalThis` fits. Tests pass fakes (no `caches`, a full disk). */
export interface ModelStoreScope {
  caches?: CacheStorage | undefined;
  indexedDB?: IDBFactory | undefined;
}

/** Options of `new ModelStore()`. */
export interface ModelStoreOptions {
  /** Cache Storage cache name and IndexedDB database name (not the ResultCache's). Default `'inpage-models-v1'`. */
  namespace?: string;
  /** Stores to try, in order. Default `['cache-storage', 'indexeddb', 'memory']`. */
  preferred?: readonly StoreKind[];
  /** Told once per store when `put` cannot use it. Default: silent. */
  warn?: (message: string) => void;
  /** Where `caches` and `indexedDB` come from. Default `globalThis`. */
  scope?: ModelStoreScope;
  /**
   * Size budget per store in bytes: after a `put`, the least recently used entries (by
   * `lastUsed`, else `storedAt`) are evicted until the store fits, never the one just written.
   * Default {@link DEFAULT_BUDGET_BYTES}, or half the origin's quota when that is smaller.
   */
  maxBytes?: number;
}

/** Default size budget of the model cache: 2 GiB. */
export const DEFAULT_BUDGET_BYTES = 2 * 1024 ** 3;

/** One storage mechanism. `find` reads metadata only; bytes are read for the chosen entry. */
interface Backend {
  find(url?: string, sha256?: string): Promise<StoredModelInfo[]>;
  read(info: StoredModelInfo): Promise<Uint8Array | undefined>;
  write(info: StoredModelInfo, bytes: Uint8Array): Promise<void>;
  remove(info: StoredModelInfo): Promise<void>;
  clear(): Promise<void>;
  /** Records a read (for least-recently-used eviction). */
  touch(info: StoredModelInfo, time: number): Promise<void>;
}

const NAMES: Record<StoreKind, string> = { 'cache-storage': 'Cache Storage', indexeddb: 'IndexedDB', memory: 'memory' };
// `.invalid` is reserved (RFC 2606), so a synthetic key can never collide with a real request.
// Fragments are stripped from Cache keys, hence the URL rides in the query.
const KEY_PREFIX = 'https://inpage.invalid/models/';

function matches(info: StoredModelInfo, url?: string, sha256?: string): boolean {
  return (url === undefined || info.url === url) && (sha256 === undefined || info.sha256 === sha256);
}

/** A tight, non-shared copy when needed: structured clone copies a view's whole buffer, and
 *  neither Response nor IndexedDB accepts SharedArrayBuffer-backed bytes. */
function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
}

// Last reads of the Cache Storage entries, as one JSON entry outside KEY_PREFIX (a Cache entry's
// headers cannot change without rewriting its body).
const USAGE_KEY = 'https://inpage.invalid/usage';

function cacheBackend(cache: Cache): Backend {
  const keyOf = (i: { url: string; sha256: string }): string => `${KEY_PREFIX}${i.sha256}?u=${encodeURIComponent(i.url)}`;
  const usage = async (): Promise<Record<string, number>> => {
    try {
      const parsed = (await (await cache.match(USAGE_KEY))?.json()) as unknown;
      return typeof parsed === 'object' && parsed !== null ? Object.assign(Object.create(null) as Record<string, number>, parsed) : Object.create(null) as Record<string, number>;
    } catch {
      return Object.create(null) as Record<string, number>;
    }
  };
  return {
    async touch(info, time) {
      const u = await usage();
      u[keyOf(info)] = time;
      await cache.put(USAGE_KEY, new Response(JSON.stringify(u), { headers: { 'content-type': 'application/json' } }));
    },
    async find(url, sha256) {
      const used = await usage();
      const out: StoredModelInfo[] = [];
      for (const req of await cache.keys()) {
        if (!req.url.startsWith(KEY_PREFIX)) continue;
        const key = new URL(req.url);
        const partial = { url: key.searchParams.get('u') ?? '', sha256: key.pathname.split('/')[2] ?? '' };
        if (!matches({ ...partial, bytes: 0, storedAt: 0, store: 'cache-storage' }, url, sha256)) continue;
        const h = (await cache.match(req))?.headers;
        if (!h) continue;
        const version = h.get('x-inpage-version');
        const last = used[req.url];
        out.push({
          ...partial, bytes: Number(h.get('x-inpage-bytes')), storedAt: Number(h.get('x-inpage-stored-at')), store: 'cache-storage',
          ...(typeof last === 'number' ? { lastUsed: last } : {}), ...(version === null ? {} : { version: decodeURIComponent(version) }),
        });
      }
      return out;
    },
    async read(info) {
      const res = await cache.match(keyOf(info));
      return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
    },
    async write(info, bytes) {
      const headers: Record<string, string> = {
        'content-type': 'application/octet-stream', 'x-inpage-sha256': info.sha256,
        'x-inpage-bytes': String(info.bytes), 'x-inpage-stored-at': String(info.storedAt),
      };
      // Header values must be ByteStrings; a version may not be.
      if (info.version !== undefined) headers['x-inpage-version'] = encodeURIComponent(info.version);
      await cache.put(keyOf(info), new Response(ownBytes(bytes), { headers }));
    },
    async remove(info) { await cache.delete(keyOf(info)); },
    async clear() {
      for (const req of await cache.keys()) if (req.url.startsWith(KEY_PREFIX)) await cache.delete(req);
      await cache.delete(USAGE_KEY);
    },
  };
}

function idbBackend(db: IdbDatabase): Backend {
  const keyOf = (i: { url: string; sha256: string }): string => `${i.sha256} ${i.url}`;
  return {
    async find(url, sha256) {
      const all = await db.entries<StoredModelInfo>('meta');
      return all.map(([, info]) => ({ ...info, store: 'indexeddb' as const })).filter((i) => matches(i, url, sha256));
    },
    async read(info) {
      const bytes = await db.get<unknown>('bytes', keyOf(info));
      return bytes instanceof Uint8Array ? bytes : undefined;
    },
    // One transaction for both stores: metadata never outlives (or precedes) its bytes.
    async write(info, bytes) {
      await db.write([{ op: 'put', store: 'bytes', key: keyOf(info), value: ownBytes(bytes) }, { op: 'put', store: 'meta', key: keyOf(info), value: info }]);
    },
    async remove(info) { await db.write([{ op: 'delete', store: 'bytes', key: keyOf(info) }, { op: 'delete', store: 'meta', key: keyOf(info) }]); },
    async touch(info, time) {
      const { store: _, ...meta } = info;
      await db.write([{ op: 'put', store: 'meta', key: keyOf(info), value: { ...meta, lastUsed: time } }]);
    },
    async clear() { await db.write([{ op: 'clear', store: 'bytes' }, { op: 'clear', store: 'meta' }]); },
  };
}

function memoryBackend(): Backend {
  const entries = new Map<string, { info: StoredModelInfo; bytes: Uint8Array }>();
  const keyOf = (i: { url: string; sha256: string }): string => `${i.sha256} ${i.url}`;
  return {
    async find(url, sha256) { return [...entries.values()].map((e) => e.info).filter((i) => matches(i, url, sha256)); },
    // Copies in and out: callers may transfer or mutate what they hold.
    async read(info) { return entries.get(keyOf(info))?.bytes.slice(); },
    async write(info, bytes) { entries.set(keyOf(info), { info, bytes: bytes.slice() }); },
    async remove(info) { entries.delete(keyOf(info)); },
    async clear() { entries.clear(); },
    async touch(info, time) {
      const e = entries.get(keyOf(info));
      if (e) e.info = { ...e.info, lastUsed: time };
    },
  };
}

/**
 * Model bytes by URL and SHA-256, in Cache Storage, IndexedDB or memory. Per instance: two SDK
 * copies on one page use two namespaces and never see each other's entries.
 *
 * @example
 * const store = new ModelStore({ namespace: 'shop-models-v1', preferred: ['indexeddb', 'memory'] });
 * await store.put('https://cdn.example/m.onnx', sha, bytes, '2024-05'); // 'indexeddb'
 * (await store.list()).map((i) => i.url); // ['https://cdn.example/m.onnx']
 */
export class ModelStore {
  private readonly namespace: string;
  private readonly preferred: readonly StoreKind[];
  private readonly warnFn: ((message: string) => void) | undefined;
  private readonly scope: ModelStoreScope;
  private readonly opened = new Map<StoreKind, Promise<Backend | string>>();
  private readonly warned = new Set<StoreKind>();
  private readonly maxBytes: number | undefined;

  constructor(opts: ModelStoreOptions = {}) {
    this.namespace = opts.namespace ?? 'inpage-models-v1';
    this.preferred = [...new Set<StoreKind>(opts.preferred ?? ['cache-storage', 'indexeddb', 'memory'])];
    this.warnFn = opts.warn;
    this.scope = opts.scope ?? globalThis;
    this.maxBytes = opts.maxBytes;
  }

  /** Bytes for `url` (and `sha256` when given), verified against the SHA-256 recorded at `put`. */
  async get(url: string, sha256?: string): Promise<{ bytes: Uint8Array; info: StoredModelInfo } | undefined> {
    const sha = sha256?.toLowerCase();
    for (const kind of this.preferred) {
      const backend = await this.open(kind);
      if (typeof backend === 'string') continue;
      try {
        const found = (await backend.find(url, sha)).sort((a, b) => b.storedAt - a.storedAt);
        for (const info of found) {
          const bytes = await backend.read(info);
          // Memory holds a private copy nothing else can reach; persistent stores can be edited
          // by anyone with devtools or the Cache API, and disks do fail.
          if (bytes && (kind === 'memory' || await sha256Hex(bytes) === info.sha256)) {
            const lastUsed = Date.now();
            await backend.touch(info, lastUsed).catch(() => {});
            return { bytes, info: { ...info, lastUsed } };
          }
          await backend.remove(info);
        }
      } catch { /* a broken store reads as empty */ }
    }
    return undefined;
  }

  /**
   * Store bytes already verified to hash to `sha256`. Deletes other versions of `url` in every
   * store. Resolves with where the bytes went, or undefined when no store took them.
   */
  async put(url: string, sha256: string, bytes: Uint8Array, version?: string): Promise<StoreKind | undefined> {
    const sha = sha256.toLowerCase();
    const base = { url, sha256: sha, bytes: bytes.byteLength, storedAt: Date.now(), ...(version === undefined ? {} : { version }) };
    for (const [i, kind] of this.preferred.entries()) {
      const backend = await this.open(kind);
      let problem = typeof backend === 'string' ? backend : undefined;
      if (typeof backend !== 'string') {
        try {
          await backend.write({ ...base, store: kind }, bytes);
          await this.evictOthers(url, sha, kind);
          await this.fitBudget(backend, { url, sha256: sha });
          return kind;
        } catch (e) {
          const name = e instanceof Error ? e.name : 'Error';
          problem = name === 'QuotaExceededError' ? 'is full (QuotaExceededError)' : `failed (${name}: ${e instanceof Error ? e.message : String(e)})`;
        }
      }
      this.warnOnce(kind, problem ?? 'failed', this.preferred[i + 1]);
    }
    return undefined;
  }

  /** Every stored model, in `preferred` store order. */
  async list(): Promise<StoredModelInfo[]> {
    const out: StoredModelInfo[] = [];
    await this.eachBackend(async (b) => { out.push(...(await b.find()).sort((x, y) => x.storedAt - y.storedAt)); });
    return out;
  }

  /** Delete every version of `url` from every store. */
  async delete(url: string): Promise<void> {
    await this.eachBackend(async (b) => { for (const info of await b.find(url)) await b.remove(info); });
  }

  /** Delete everything this namespace stored. */
  async clear(): Promise<void> {
    await this.eachBackend((b) => b.clear());
  }

  /** Evicts least recently used entries of `backend` until it fits the budget, never `kept`. */
  private async fitBudget(backend: Backend, kept: { url: string; sha256: string }): Promise<void> {
    try {
      const budget = await this.budget();
      const all = await backend.find();
      let total = all.reduce((n, i) => n + i.bytes, 0);
      const byAge = all.filter((i) => !(i.url === kept.url && i.sha256 === kept.sha256)).sort((a, b) => (a.lastUsed ?? a.storedAt) - (b.lastUsed ?? b.storedAt));
      for (const info of byAge) {
        if (total <= budget) break;
        await backend.remove(info);
        total -= info.bytes;
      }
    } catch { /* best effort: a store that cannot list keeps its entries */ }
  }

  private budgetBytes: Promise<number> | undefined;

  /** The budget: the option, else 2 GiB or half the origin's quota when smaller (read once). */
  private budget(): Promise<number> {
    this.budgetBytes ??= (async () => {
      if (this.maxBytes !== undefined) return this.maxBytes;
      try {
        const quota = (await (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage?.estimate?.())?.quota;
        return typeof quota === 'number' && quota > 0 ? Math.min(DEFAULT_BUDGET_BYTES, quota / 2) : DEFAULT_BUDGET_BYTES;
      } catch {
        return DEFAULT_BUDGET_BYTES;
      }
    })();
    return this.budgetBytes;
  }

  private async evictOthers(url: string, sha256: string, kept: StoreKind): Promise<void> {
    await this.eachBackend(async (b, kind) => {
      for (const info of await b.find(url)) if (kind !== kept || info.sha256 !== sha256) await b.remove(info);
    });
  }

  private async eachBackend(fn: (b: Backend, kind: StoreKind) => Promise<void>): Promise<void> {
    for (const kind of this.preferred) {
      const backend = await this.open(kind);
      if (typeof backend === 'string') continue;
      try { await fn(backend, kind); } catch { /* best effort: a broken store holds nothing usable */ }
    }
  }

  /** The backend, or why it cannot be used; opened once per instance. */
  private open(kind: StoreKind): Promise<Backend | string> {
    let p = this.opened.get(kind);
    if (!p) {
      p = this.connect(kind).catch((e: unknown) => `could not be opened (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`);
      this.opened.set(kind, p);
    }
    return p;
  }

  private async connect(kind: StoreKind): Promise<Backend | string> {
    if (kind === 'memory') return memoryBackend();
    // Without SubtleCrypto a persisted entry could never be verified on the way back.
    if (!canHash()) return 'is not used: SubtleCrypto is unavailable (not a secure context), so stored bytes could not be verified';
    if (kind === 'cache-storage') {
      const caches = this.scope.caches;
      if (typeof caches?.open !== 'function') return 'is unavailable here (no `caches`: not a secure context, or an old browser)';
      return cacheBackend(await caches.open(this.namespace));
    }
    const idb = this.scope.indexedDB;
    if (typeof idb?.open !== 'function') return 'is unavailable here (no `indexedDB`)';
    return idbBackend(await IdbDatabase.open(idb, this.namespace, ['meta', 'bytes']));
  }

  private warnOnce(kind: StoreKind, problem: string, next: StoreKind | undefined): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.warnFn?.(`inpage: the model cache in ${NAMES[kind]} ${problem}; ${next ? `trying ${NAMES[next]} instead` : 'the model will not be cached'}.`);
  }
}
