/**
 * Instant repeat views: the list each question (strategy, item, filters, count; request.ts) was
 * last answered with on this device, so that on the next page view `<inpage-recommendations>`
 * paints it the moment it connects instead of a skeleton that waits for the worker, the runtime
 * and the model (≈ 0.6–1.2 s on every navigation). The model's answer then confirms or replaces it.
 *
 * A remembered list is painted only when it is still true:
 * - consent allows it: the record is a `PersonalRecord` (a 'for-you' list is derived from the
 *   visitor's history, and any list names the products of pages they opened), so without consent
 *   nothing is read or written, and `forgetEverything()` erases it (`inpage:` prefix);
 * - it is younger than the retention window (30 days by default; expired lists leave storage on
 *   the next read);
 * - the manifest the site serves now names the same item table and model (their SHA-256s) as the
 *   package the list came from. The same item table means every item is still in the catalogue
 *   with the same title, price and stock; a retrained or re-exported package invalidates every
 *   list. Checking costs one fetch of `manifest.json` per page view, and only when a list is
 *   stored for a question on the page;
 * - only items that were in stock when it was stored are kept.
 *
 * @example
 * const lists = createLastLists({ manifestUrl: '/reco/manifest.json', consent });
 * defineRecommendationsElement({ recommender: () => rec, lastLists: lists });
 */
import type { ItemInfo, RecommendOptions } from '../recommend/index.ts';
import { resolveUrl, type FetchLike } from '../recommend/load.ts';
import { ALWAYS_GRANTED, type ConsentGate } from '../privacy/gate.ts';
import { PersonalRecord, type StorageLike } from '../privacy/personal-record.ts';
import { fitBytes, isFresh, resolveRetention, type RetentionOptions, type RetentionPolicy } from '../privacy/retention.ts';
import { contextKey } from './request.ts';

/** A remembered card: what the card shows, so it can be painted before the catalogue has loaded. */
export interface RememberedCard {
  item: ItemInfo;
  reason: string;
}

/** The part of a recommender manifest that identifies its package (a `RecommenderManifest` fits). */
export interface PackageManifest {
  items: string;
  model: string;
  files: Record<string, { sha256: string }>;
}

/** Options of {@link createLastLists}. */
export interface LastListsOptions {
  /** The recommender's `manifest.json` (relative URLs resolve against the page): the storage key and the version check. */
  manifestUrl: string | URL;
  /** Consent to store; with a `Consent` the first read waits (≤ 1 s) for a returning visitor's stored choice. Default: granted. */
  consent?: ConsentGate & { settled?: () => Promise<unknown> };
  /** Default `localStorage` when usable; `null` keeps the lists in memory only (this page). */
  storage?: StorageLike | null;
  /** How long (default 30 days) and how much (default 32 KiB) is kept. */
  retention?: RetentionOptions;
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Clock (Unix ms). Default `Date.now`. */
  now?: () => number;
  /** How long the manifest check may take before the list is not painted. Default 3000 ms. */
  timeoutMs?: number;
}

/** The lists of one recommender package on this device. */
export interface LastLists {
  /** Storage key: `inpage:reco:<absolute manifest URL>:lists`. */
  readonly key: string;
  /**
   * The cards last shown for this question, if they may be painted (see the module comment);
   * undefined otherwise. Never rejects.
   */
  recall(request: RecommendOptions): Promise<RememberedCard[] | undefined>;
  /**
   * Remembers the cards just shown for this question by a recommender with `manifest` (an empty
   * list forgets the question). Lists of another package are dropped. No-op without consent.
   */
  remember(request: RecommendOptions, cards: readonly RememberedCard[], manifest: PackageManifest | undefined): void;
}

/** Questions remembered per package; the oldest go first (a site has a handful of placements). */
const MAX_LISTS = 24;

/** One list: context key, time stored (Unix ms), cards as [id, title, category, categoryName, price, reason]. */
type StoredList = { k: string; t: number; c: [string, string, string, string, number, string][] };
/** The record: format, package version, lists oldest first. */
type Stored = { v: 1; p: string; l: readonly StoredList[] };

/**
 * The package a manifest describes: the SHA-256s of its item table and model, or undefined
 * when the manifest does not name them.
 *
 * @example packageVersion({ items: 'items.json', model: 'm.onnx', files: { 'items.json': { sha256: 'ab…' }, 'm.onnx': { sha256: 'cd…' } } }) // 'ab…/cd…'
 */
export function packageVersion(manifest: unknown): string | undefined {
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const m = manifest as { items?: unknown; model?: unknown; files?: unknown };
  if (typeof m.items !== 'string' || typeof m.model !== 'string' || typeof m.files !== 'object' || m.files === null) return undefined;
  const files = m.files as Record<string, { sha256?: unknown } | undefined>;
  const a = files[m.items]?.sha256;
  const b = files[m.model]?.sha256;
  return typeof a === 'string' && typeof b === 'string' ? `${a}/${b}` : undefined;
}

function isCard(c: unknown): c is StoredList['c'][number] {
  return Array.isArray(c) && c.length === 6 && typeof c[0] === 'string' && typeof c[1] === 'string' && typeof c[2] === 'string'
    && typeof c[3] === 'string' && typeof c[4] === 'number' && Number.isFinite(c[4]) && typeof c[5] === 'string';
}

/** The stored record, or undefined when there is none or it is not ours (then it is overwritten on the next write). */
function decode(text: string | null): Stored | undefined {
  if (text === null) return undefined;
  try {
    const s = JSON.parse(text) as Partial<Stored>;
    if (s.v !== 1 || typeof s.p !== 'string' || !Array.isArray(s.l)) return undefined;
    const ok = s.l.every((l) => typeof l === 'object' && l !== null && typeof l.k === 'string' && typeof l.t === 'number' && Array.isArray(l.c) && l.c.every(isCard));
    return ok ? s as Stored : undefined;
  } catch {
    return undefined;
  }
}

const encodeWith = (p: string) => (l: readonly StoredList[]): string => JSON.stringify({ v: 1, p, l } satisfies Stored);

function defaultStorage(): StorageLike | null {
  try {
    return (globalThis as { localStorage?: StorageLike }).localStorage ?? null;
  } catch {
    return null; // access itself throws when storage is blocked
  }
}

/** Fetches the manifest and returns its package version; undefined on any failure or after `timeoutMs`. */
async function fetchVersion(fetchFn: FetchLike, url: string, timeoutMs: number): Promise<string | undefined> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await fetchFn(url, { signal: abort.signal });
    return res.ok ? packageVersion(JSON.parse(new TextDecoder().decode(await res.arrayBuffer()))) : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The remembered lists of the package at `manifestUrl` (one per page and package: the script tag
 * makes it from `data-manifest`). Throws `OPTION_INVALID` for a URL that does not parse or bad
 * retention options.
 */
export function createLastLists(options: LastListsOptions): LastLists {
  // Resolved as the recommender resolves it, so both keys name the same package.
  const url = resolveUrl(options.manifestUrl);
  const gate: NonNullable<LastListsOptions['consent']> = options.consent ?? ALWAYS_GRANTED;
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const record = new PersonalRecord(storage, `inpage:reco:${url}:lists`, gate);
  const policy: RetentionPolicy = resolveRetention(options.retention);
  const now = options.now ?? Date.now;
  const fetchFn = options.fetch ?? ((u, init) => globalThis.fetch(u, init));
  const timeoutMs = options.timeoutMs ?? 3000;
  // What the site serves on this page view, asked once; a recommender that answered says it for sure.
  let served: Promise<string | undefined> | undefined;
  gate.onErase?.(() => {
    record.dropMemory();
    return storage === null ? undefined : { storage, keys: [record.key] };
  });

  /** The record with expired lists dropped (and written back when any were). */
  const read = (): Stored | undefined => {
    const s = decode(record.read());
    if (!s) return undefined;
    const t = now();
    const fresh = s.l.filter((l) => isFresh(l.t, t, policy));
    if (fresh.length === s.l.length) return s;
    if (fresh.length === 0) record.remove();
    else record.write(encodeWith(s.p)(fresh));
    return { ...s, l: fresh };
  };

  return {
    key: record.key,

    async recall(request) {
      await gate.settled?.();
      const s = read();
      const key = contextKey(request);
      const list = s?.l.find((l) => l.k === key);
      if (!s || !list) return undefined;
      served ??= fetchVersion(fetchFn, url, timeoutMs);
      if ((await served) !== s.p) return undefined;
      return list.c.map(([id, title, category, categoryName, price, reason]) => ({ item: { id, title, category, categoryName, price, inStock: true }, reason }));
    },

    remember(request, cards, manifest) {
      const p = packageVersion(manifest);
      if (p === undefined || !gate.granted()) return;
      served = Promise.resolve(p);
      const s = read();
      const key = contextKey(request);
      const lists = (s?.p === p ? s.l : []).filter((l) => l.k !== key);
      const c = cards.filter((x) => x.item.inStock).map((x): StoredList['c'][number] => [x.item.id, x.item.title, x.item.category, x.item.categoryName, x.item.price, x.reason]);
      if (c.length > 0) lists.push({ k: key, t: now(), c });
      if (lists.length === 0) {
        if (s) record.remove();
        return;
      }
      record.write(fitBytes(lists.slice(-MAX_LISTS), encodeWith(p), policy.maxBytes).text);
    },
  };
}
