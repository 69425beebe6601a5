/**
 * Page-side LRU of model outputs, so a repeated request never crosses into the worker.
 *
 * Lookup happens BEFORE the feeds are transferred to the worker (transfer detaches their
 * buffers), so `get` does all the work that needs the input bytes: it hashes them (a fast
 * synchronous 53-bit hash, see fast-hash.ts), compares candidates byte for byte (a hash
 * collision can never return a wrong result), and on a miss returns a ticket holding the key
 * and a private copy of the inputs. `set(ticket, outputs)` later needs only the outputs.
 *
 * @example
 * const cache = new ResultCache({ maxEntries: 500 });
 * const found = cache.get(model.sha256, feeds);
 * if (found.hit) return found.outputs;               // fresh copies, safe to mutate
 * const outputs = await worker.run(feeds);            // may detach feeds' buffers
 * cache.set(found.ticket, outputs);                   // copies outputs
 * return outputs;
 */
import { InpageError } from '../errors.ts';
import type { ConsentGate } from '../privacy/gate.ts';
import type { TensorData, TensorType, Tensors } from '../tensor.ts';
import { FastHasher } from './fast-hash.ts';
import { IdbDatabase } from './idb.ts';

/** Options of `new ResultCache()`. */
export interface ResultCacheOptions {
  /** Most entries kept. Default 1000. */
  maxEntries?: number;
  /** Most bytes kept, inputs plus outputs. Default 16 MiB. A larger single entry is not stored. */
  maxBytes?: number;
  /**
   * Entries older than this many ms are misses (and leave IndexedDB on restore). Default 0, no
   * expiry, in memory; 30 days when persisting, the same retention as the visitor's history
   * (a recommender's inputs are that history; docs/PRIVACY.md).
   */
  ttlMs?: number;
  /** Also keep entries in IndexedDB across page loads (call `restore()` once). Default false. */
  persist?: 'indexeddb' | false;
  /** IndexedDB database name when persisting; not the ModelStore's. Default `'inpage-results-v1'`. */
  namespace?: string;
  /** Clock for `ttlMs` (ms). Default `Date.now`, which stays meaningful across reloads. */
  now?: () => number;
  /**
   * Privacy hook (docs/PRIVACY.md): persisted entries are written and restored only while
   * `consent.granted()`; when the gate erases (consent revoked, `forget()`), the cache drops its
   * entries, skips writes still queued, and persists nothing more for the page's lifetime (the
   * sweep deletes the database). Pass the same `Consent` as the recommender's. Default: no gate.
   */
  consent?: ConsentGate;
}

/** Counters of `cache.stats()`. `evictions` counts entries dropped for size, count or age. */
export interface ResultCacheStats { hits: number; misses: number; entries: number; bytes: number; evictions: number }

declare const ticketBrand: unique symbol;
/** Opaque proof of a miss: pass it to `set` of the cache that issued it. Single use. */
export interface MissTicket { readonly [ticketBrand]: true }

/** What `get` answers: the outputs, or a ticket to store them once computed. */
export type ResultLookup = { hit: true; outputs: Tensors } | { hit: false; ticket: MissTicket };

interface Stored { name: string; type: TensorType; dims: readonly number[]; data: TensorData }
interface Pending { hash: number; modelKey: string; optionsKey: string; inputs: Stored[]; bytes: number; generation: number }
interface Entry extends Omit<Pending, 'generation'> { outputs: Stored[]; storedAt: number; prev: Entry | undefined; next: Entry | undefined }
interface PersistedRecord { v: 1; modelKey: string; optionsKey: string; inputs: Stored[]; outputs: Stored[]; storedAt: number }

const STORE = 'results';
/** Default lifetime of a persisted entry: 30 days, as `DEFAULT_RETENTION_DAYS` for history. */
const PERSISTED_TTL_MS = 30 * 24 * 60 * 60 * 1000;

function sizeOk(t: { dims: readonly number[]; data: TensorData }): boolean {
  let n = 1;
  for (const d of t.dims) n *= d;
  return Number.isInteger(n) && t.data.length === n;
}

function copy(name: string, t: { type: TensorType; dims: readonly number[]; data: TensorData }): Stored {
  return { name, type: t.type, dims: [...t.dims], data: t.data.slice() };
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const n = a.byteLength;
  if (n !== b.byteLength) return false;
  if (((a.byteOffset | b.byteOffset | n) & 3) === 0) {
    const x = new Int32Array(a.buffer, a.byteOffset, n >>> 2);
    const y = new Int32Array(b.buffer, b.byteOffset, n >>> 2);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  const x = new Uint8Array(a.buffer, a.byteOffset, n);
  const y = new Uint8Array(b.buffer, b.byteOffset, n);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
  return true;
}

function sameInputs(a: readonly Stored[], b: readonly Stored[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x.name !== y.name || x.type !== y.type || x.dims.length !== y.dims.length) return false;
    for (let d = 0; d < x.dims.length; d++) if (x.dims[d] !== y.dims[d]) return false;
    if (!sameBytes(x.data, y.data)) return false;
  }
  return true;
}

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value >= 0)) throw new InpageError('OPTION_INVALID', `ResultCache ${name} must be a number ≥ 0, got ${String(value)}.`);
  return value;
}

/**
 * LRU result cache keyed by (model key, exact input bytes with names/types/dims, options key).
 * Per instance; no globals. Hits answer synchronously with copies.
 *
 * @example
 * const cache = new ResultCache({ ttlMs: 60_000, persist: 'indexeddb' });
 * await cache.restore();           // entries from earlier visits
 * cache.stats();                   // { hits: 0, misses: 0, entries: 12, bytes: 20480, evictions: 0 }
 */
export class ResultCache {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly persist: boolean;
  private readonly namespace: string;
  private readonly hasher = new FastHasher();
  private readonly buckets = new Map<number, Entry[]>();
  private readonly tickets = new WeakMap<MissTicket, Pending>();
  private head: Entry | undefined;
  private tail: Entry | undefined;
  private count = 0;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  // Tickets issued before clear() must not re-insert results of a cleared generation.
  private generation = 0;
  private db: Promise<IdbDatabase | undefined> | undefined;
  // Writes run in issue order, so an eviction's delete never overtakes its entry's put.
  private writes: Promise<void> = Promise.resolve();
  private readonly consent: ConsentGate | undefined;
  /** Set when the consent gate erased: nothing is persisted again on this page. */
  private erased = false;

  constructor(opts: ResultCacheOptions = {}) {
    this.maxEntries = limit('maxEntries', opts.maxEntries, 1000);
    this.maxBytes = limit('maxBytes', opts.maxBytes, 16 * 1024 * 1024);
    this.ttlMs = limit('ttlMs', opts.ttlMs, opts.persist === 'indexeddb' ? PERSISTED_TTL_MS : 0);
    this.now = opts.now ?? Date.now;
    this.persist = opts.persist === 'indexeddb';
    this.namespace = opts.namespace ?? 'inpage-results-v1';
    this.consent = opts.consent;
    opts.consent?.onErase?.(() => this.onErase());
  }

  /**
   * Look `feeds` up for `modelKey` (a model's sha256 or version) and `optionsKey` (anything else
   * that changes outputs). Synchronous; counts a hit or a miss. Read feeds before transferring.
   */
  get(modelKey: string, feeds: Tensors, optionsKey = ''): ResultLookup {
    const names = Object.keys(feeds);
    if (names.length > 1) names.sort();
    const inputs: Stored[] = [];
    let bytes = 0;
    let valid = true;
    for (const name of names) {
      const t = feeds[name]!;
      // A detached or mis-sized tensor is the engine's error to report; never cache it.
      if (!sizeOk(t)) valid = false;
      inputs.push({ name, type: t.type, dims: t.dims, data: t.data });
      bytes += t.data.byteLength;
    }
    const hash = valid ? this.hashOf(modelKey, optionsKey, inputs) : -1;
    for (const e of (valid && this.buckets.get(hash)) || []) {
      if (e.modelKey !== modelKey || e.optionsKey !== optionsKey || !sameInputs(e.inputs, inputs)) continue;
      if (this.expired(e)) { this.drop(e, true); break; }
      this.unlink(e);
      this.pushFront(e);
      this.hits++;
      const outputs: Tensors = {};
      for (const o of e.outputs) outputs[o.name] = { type: o.type, dims: [...o.dims], data: o.data.slice() };
      return { hit: true, outputs };
    }
    this.misses++;
    const ticket = Object.freeze({}) as MissTicket;
    if (valid && bytes <= this.maxBytes && this.maxEntries > 0) {
      this.tickets.set(ticket, { hash, modelKey, optionsKey, inputs: inputs.map((i) => copy(i.name, i)), bytes, generation: this.generation });
    }
    return { hit: false, ticket };
  }

  /**
   * Store copies of `outputs` for the miss `ticket` stands for; evicts least-recently-used
   * entries beyond the limits. Ignores tickets already used, from another cache, from before
   * `clear()`, and entries too big to keep. Call it before handing `outputs` on (or transferring them).
   */
  set(ticket: MissTicket, outputs: Tensors): void {
    const p = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!p || p.generation !== this.generation) return;
    const stored: Stored[] = [];
    let bytes = p.bytes;
    for (const [name, t] of Object.entries(outputs)) {
      if (!sizeOk(t)) return;
      stored.push(copy(name, t));
      bytes += t.data.byteLength;
    }
    const entry = this.insert({ hash: p.hash, modelKey: p.modelKey, optionsKey: p.optionsKey, inputs: p.inputs, outputs: stored, bytes, storedAt: this.now(), prev: undefined, next: undefined });
    if (entry && this.persisting()) {
      const record: PersistedRecord = { v: 1, modelKey: entry.modelKey, optionsKey: entry.optionsKey, inputs: entry.inputs, outputs: entry.outputs, storedAt: entry.storedAt };
      this.queue((db) => db.put(STORE, this.idOf(entry), record));
    }
  }

  /**
   * Load entries persisted by earlier pages, newest first, behind anything already cached this
   * session and within the limits. Resolves with how many were loaded; never rejects.
   */
  async restore(): Promise<number> {
    if (!this.persisting()) return 0;
    const db = await this.openDb();
    if (!db) return 0;
    let loaded = 0;
    try {
      const records = (await db.entries<unknown>(STORE)).filter((r): r is [string, PersistedRecord] => isRecord(r[1]));
      for (const [, r] of records.sort((a, b) => b[1].storedAt - a[1].storedAt)) {
        const hash = this.hashOf(r.modelKey, r.optionsKey, r.inputs);
        if ((this.buckets.get(hash) ?? []).some((e) => e.modelKey === r.modelKey && e.optionsKey === r.optionsKey && sameInputs(e.inputs, r.inputs))) continue;
        let bytes = 0;
        for (const t of [...r.inputs, ...r.outputs]) bytes += t.data.byteLength;
        const entry: Entry = { hash, modelKey: r.modelKey, optionsKey: r.optionsKey, inputs: r.inputs, outputs: r.outputs, bytes, storedAt: r.storedAt, prev: undefined, next: undefined };
        if (this.expired(entry)) { this.queue((d) => d.delete(STORE, this.idOf(entry))); continue; }
        if (this.insert(entry, true)) loaded++;
      }
    } catch { /* fail soft: a broken store just restores nothing */ }
    return loaded;
  }

  /** Drop every entry (and the persisted ones). Hit/miss counters are kept. */
  async clear(): Promise<void> {
    this.buckets.clear();
    this.head = this.tail = undefined;
    this.count = this.bytes = 0;
    this.generation++;
    if (this.persist) { this.queue((db) => db.clear(STORE)); await this.writes; }
  }

  /** Resolves when every persistence write issued so far has settled (e.g. before a reload). */
  flush(): Promise<void> {
    return this.writes;
  }

  /** Counters since construction; `entries` and `bytes` are current. */
  stats(): ResultCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.count, bytes: this.bytes, evictions: this.evictions };
  }

  private hashOf(modelKey: string, optionsKey: string, inputs: readonly Stored[]): number {
    const h = this.hasher.reset().string(modelKey).string(optionsKey).number(inputs.length);
    for (const t of inputs) {
      h.string(t.name).string(t.type).number(t.dims.length);
      for (const d of t.dims) h.number(d);
      h.bytes(t.data);
    }
    return h.digest();
  }

  /**
   * Insert as most recently used (or least, for restored entries: older than this session's),
   * replacing an equal entry, then evict to the limits. Undefined when it did not stay.
   */
  private insert(entry: Entry, restoring = false): Entry | undefined {
    if (entry.bytes > this.maxBytes || this.maxEntries === 0) return undefined;
    const bucket = this.buckets.get(entry.hash);
    const twin = bucket?.find((e) => e.modelKey === entry.modelKey && e.optionsKey === entry.optionsKey && sameInputs(e.inputs, entry.inputs));
    if (twin) this.drop(twin, false);
    (this.buckets.get(entry.hash) ?? this.buckets.set(entry.hash, []).get(entry.hash)!).push(entry);
    if (restoring) this.pushBack(entry); else this.pushFront(entry);
    this.count++;
    this.bytes += entry.bytes;
    while ((this.count > this.maxEntries || this.bytes > this.maxBytes) && this.tail) this.drop(this.tail, true);
    return entry.prev || this.head === entry ? entry : undefined;
  }

  private drop(e: Entry, evicted: boolean): void {
    const bucket = this.buckets.get(e.hash);
    const at = bucket?.indexOf(e) ?? -1;
    if (bucket && at >= 0) {
      bucket.splice(at, 1);
      if (bucket.length === 0) this.buckets.delete(e.hash);
    }
    this.unlink(e);
    this.count--;
    this.bytes -= e.bytes;
    if (evicted) {
      this.evictions++;
      if (this.persist) this.queue((db) => db.delete(STORE, this.idOf(e)));
    }
  }

  private expired(e: Entry): boolean {
    return this.ttlMs > 0 && this.now() - e.storedAt > this.ttlMs;
  }

  private pushFront(e: Entry): void {
    e.prev = undefined;
    e.next = this.head;
    if (this.head) this.head.prev = e;
    this.head = e;
    this.tail ??= e;
  }

  private pushBack(e: Entry): void {
    e.next = undefined;
    e.prev = this.tail;
    if (this.tail) this.tail.next = e;
    this.tail = e;
    this.head ??= e;
  }

  private unlink(e: Entry): void {
    if (e.prev) e.prev.next = e.next; else if (this.head === e) this.head = e.next;
    if (e.next) e.next.prev = e.prev; else if (this.tail === e) this.tail = e.prev;
    e.prev = e.next = undefined;
  }

  /** Stable IndexedDB key of an entry; collisions only overwrite a persisted copy. */
  private idOf(e: Entry): string {
    return `${e.hash.toString(36)}`;
  }

  /** Persistence is on, consent allows it, and no erase happened on this page. */
  private persisting(): boolean {
    return this.persist && !this.erased && (this.consent?.granted() ?? true);
  }

  /** The gate erased: drop every entry now; queued puts see `erased` and skip (see queue). */
  private onErase(): void {
    this.erased = true;
    this.buckets.clear();
    this.head = this.tail = undefined;
    this.count = this.bytes = 0;
    this.generation++;
  }

  private openDb(): Promise<IdbDatabase | undefined> {
    if (!this.persist) return Promise.resolve(undefined);
    const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    this.db ??= idb ? IdbDatabase.open(idb, this.namespace, [STORE]).catch(() => undefined) : Promise.resolve(undefined);
    return this.db;
  }

  private queue(op: (db: IdbDatabase) => Promise<void>): void {
    this.writes = this.writes.then(async () => {
      // Checked when the write runs, not when it was queued: consent may have gone in between.
      if (!this.persisting()) return;
      const db = await this.openDb();
      if (db) await op(db).catch(() => undefined); // fail soft: persistence is best effort
    });
  }
}

const TYPES: readonly string[] = ['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool'];

/** Shape check of what IndexedDB hands back (an older SDK version may have written it). */
function isRecord(v: unknown): v is PersistedRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<PersistedRecord>;
  const tensors = (ts: unknown): boolean => Array.isArray(ts) && ts.every((t: Partial<Stored>) =>
    typeof t?.name === 'string' && TYPES.includes(t.type ?? '') && Array.isArray(t.dims) && ArrayBuffer.isView(t.data) && sizeOk(t as Stored));
  return r.v === 1 && typeof r.modelKey === 'string' && typeof r.optionsKey === 'string' && typeof r.storedAt === 'number' && tensors(r.inputs) && tensors(r.outputs);
}
