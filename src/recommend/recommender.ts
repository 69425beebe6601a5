/**
 * In-page recommendations on the engine: track the visitor's events on the device, recommend with
 * the packaged model, forget on request.
 *
 * @example
 * const rec = await createRecommender({ engine, manifestUrl: '/reco/manifest.json' });
 * rec.track({ type: 'view', itemId: 'sku-10234' });
 * const items = await rec.recommend({ strategy: 'for-you', k: 8, filter: { maxPrice: 200, inStock: true } });
 * // → [{ itemId: 'sku-11872', score: 7.1, reason: 'Because you viewed Northpeak Summit 2P Dome Tent', basis: 'history' }, …]
 * await rec.forget();
 *
 * Privacy (docs/PRIVACY.md): with `consent: 'required'` nothing is stored, read back or
 * personalised until consent is given; history and searches expire after the retention window;
 * `forget()` erases every Inpage trace on the origin and says what it erased.
 */
import { disposedError, InpageError } from '../errors.ts';
import { isConsent, type Consent, type ConsentMode } from '../privacy/consent.ts';
import { createConsent } from '../privacy/create-consent.ts';
import { requestPersistence, type StoragePersistence } from '../privacy/persist-storage.ts';
import type { ForgetReport } from '../privacy/forget.ts';
import { resolveRetention, type RetentionOptions } from '../privacy/retention.ts';
import { buildCandidates, checkFilter, type RecommendFilter } from './candidates.ts';
import type { EngineLike } from './engine-like.ts';
import { HistoryStore, type StorageLike, type TrackedEvent } from './history.ts';
import { SEEN_CAP, SeenItems } from './seen.ts';
import { loadRecommender, type FetchLike } from './load.ts';
import { ITEMS_OFF_THREAD_BYTES } from './item-table.ts';
import type { RecommenderItems, RecommenderManifest } from './manifest.ts';
import { runSearch } from './search-run.ts';
import { loadSearch, RecentSearches, searchSteps, type LoadedSearch, type RecentSearch, type SearchOptions, type SearchResult } from './search.ts';
import { trackCode, type Step, type TrackEventType } from './weights.ts';
import { forYou } from './strategies.ts';
import { recommendList, stepsOf, type Recommendation, type SearchBlend, type Strategy } from './list.ts';
import { createExperimentSession, type Assignment, type ExperimentConfig } from '../experiments/index.ts';
import { variantPackages, withIndex } from './variant-packages.ts';
import { listIdOf, planList, type MerchSetup } from './list-plan.ts';
import { parseRules, type ItemFacts, type MerchRule } from './rules.ts';
import { checkKpiFields, createKpiTracker, type AnalyticsOptions, type KpiTrackFields } from '../kpis/tracker.ts';
import type { ListContext, VariantKpis } from '../kpis/ledger.ts';

export type { Recommendation, Strategy };

const STRATEGIES: readonly Strategy[] = ['for-you', 'similar', 'complete-the-look', 'trending'];

/** Options of {@link createRecommender}. */
export interface RecommenderOptions {
  engine: EngineLike;
  /** URL of `manifest.json`; relative URLs resolve against the page. */
  manifestUrl: string | URL;
  /** Where history persists. Default `localStorage` when usable; `null` keeps it in memory only. */
  storage?: StorageLike | null;
  /**
   * Interaction steps kept as the model's history (newest win), and separately as many
   * impressions. Default 50, or the model's history length when that is longer. Independent of
   * it, `excludeSeen` remembers the last 1,000 distinct items the visitor interacted with.
   */
  historyCap?: number;
  /** Storage key. Default `inpage:reco:<absolute manifest URL>`, so two shops on one origin don't mix. */
  storageKey?: string;
  /** Aborts loading. */
  signal?: AbortSignal;
  /**
   * Size in bytes of `items.json` from which it is parsed and validated in the engine's worker
   * rather than on the page (a large table parsed on the page is a long task). Default 1 MiB;
   * `Infinity` always parses on the page, `0` always in the worker.
   */
  parseInWorkerAbove?: number;
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Clock (Unix ms). Default `Date.now`. */
  now?: () => number;
  /** URL of the package's `search.json` (for `search()`). Default: `search.json` next to the manifest. */
  searchUrl?: string | URL;
  /**
   * Engine worker of the search encoder and index. Default `'search'`: a worker of their own, so
   * loading search never freezes recommendations (one more onnxruntime-web instance in memory);
   * `'main'` shares the engine's worker.
   */
  searchWorker?: string;
  /**
   * Consent to store and use the visitor's history. `'granted'` (default): the site has its basis.
   * `'required'`: nothing is stored, read back or personalised — and the model is not put in the
   * model cache — until the page's consent tool (IAB TCF v2.2, Google Consent Mode v2) or
   * `rec.consent.set(true)` grants; revoking erases everything. Or a `Consent` from
   * `createConsent()` shared with the rest of the page.
   */
  consent?: ConsentMode | Consent;
  /**
   * Ask the browser to keep this origin's storage (the model cache) under storage pressure:
   * `navigator.storage.persist()`, only once storage consent is given. The answer is in
   * `rec.storage.status()` and `rec.storage.onChange`. Default false (docs/DEPLOY.md).
   */
  persistStorage?: boolean;
  /** How long (default 30 days) and how much (default 32 KiB per key) history and searches are kept. */
  retention?: RetentionOptions;
  /**
   * An A/B experiment (docs/EXPERIMENTS.md); overrides the manifest's `experiment`. Every list
   * then carries its `experiment` and `variant`.
   */
  experiment?: ExperimentConfig;
  /** Merchandising rules for every list, after the manifest's `rules` (docs/EXPERIMENTS.md). */
  rules?: MerchRule[];
  /** Brand and tags per item id, for rules that match on them. */
  itemFacts?: ItemFacts;
  /** The page URL, read for the QA parameter that forces a variant. Default `location.href`. */
  pageUrl?: () => string | undefined;
  /** Attribution window and where analytics events go (default: `window.dataLayer` when present). */
  analytics?: AnalyticsOptions;
}

/**
 * One tracked event. `time` defaults to now. `'impression'` (the item was shown) is stored but is
 * not model input and does not count as seen for `excludeSeen`.
 */
export interface TrackInput extends Omit<KpiTrackFields, 'type'> {
  type: TrackEventType;
  itemId: string;
  time?: number;
}

/** Options of `recommend()`. */
export interface RecommendOptions {
  /** Default 'for-you'. */
  strategy?: Strategy;
  /** Anchor item for 'similar' (required) and 'complete-the-look' (default: the visitor's strongest recent item). */
  itemId?: string;
  /** List length. Default the manifest's `k` (10). */
  k?: number;
  filter?: RecommendFilter;
  /**
   * Leave out items the visitor already interacted with: every item among their last 1,000
   * distinct ones, however short the model's history. Default true.
   */
  excludeSeen?: boolean;
  /**
   * Item ids never to return, e.g. what another widget on the page already shows, so 'for-you'
   * does not repeat the 'similar' list. Applied inside the model like the filters, so the list
   * still holds `k` items whenever `k` others pass. Ids the model does not know are ignored
   * (catalogues change). At most 10,000 ids.
   *
   * @example rec.recommend({ strategy: 'for-you', exclude: similarList.map((r) => r.itemId) })
   */
  exclude?: readonly string[];
  /**
   * 'for-you' only: count the visitor's recent searches (`search()`) as if they had viewed each
   * search's top 3 items then. Default true; a no-op without recent searches.
   */
  blendSearches?: boolean;
  /**
   * Names this list for analytics (`item_list_id`), per-list rules and KPIs, e.g. 'pdp-similar'.
   * 1–100 letters, digits, `_ . : -`. Default the strategy name.
   */
  listId?: string;
  /** Rules for this call only, after the global and the variant's rules. */
  rules?: MerchRule[];
  signal?: AbortSignal;
}

/** What the page needs to show an item (from the packaged item table). */
export interface ItemInfo {
  id: string;
  title: string;
  category: string;
  categoryName: string;
  price: number;
  inStock: boolean;
}

/** A loaded recommender. */
export interface Recommender {
  readonly manifest: RecommenderManifest;
  /** Records an event on this device (capped, survives reloads; dropped without consent). Throws `INPUT_INVALID` on a bad event. */
  track(event: TrackInput): void;
  recommend(options?: RecommendOptions): Promise<Recommendation[]>;
  /** The consent controller: `rec.consent.set(true)`, `rec.consent.granted()`, `rec.consent.status()`. */
  readonly consent: Consent;
  /** The `persistStorage` request: `rec.storage.status()` is 'off' without it, else 'awaiting-consent', 'granted', 'denied' or 'unsupported'. */
  readonly storage: StoragePersistence;
  /**
   * Erases every Inpage trace on this origin: history and searches of every manifest version,
   * persisted result-cache entries, backend verdicts, and with `{ modelCache: true }` the model
   * cache. Resolves with what it erased (each checked gone); rejects with `FORGET_INCOMPLETE`
   * naming what is left. Consent stays as it is.
   */
  forget(options?: { modelCache?: boolean }): Promise<ForgetReport>;
  /** The stored events, oldest first, impressions included. */
  history(): TrackedEvent[];
  /**
   * KPIs per experiment variant on this device: impressions, clicks, carts and purchases
   * attributed to the lists that showed the items (docs/EXPERIMENTS.md). Empty without consent.
   */
  kpis(): VariantKpis[];
  /** The list (and variant) a cart or purchase of `itemId` now would be attributed to. */
  attribution(itemId: string): ListContext | undefined;
  /**
   * The visitor's experiment assignment now (undefined without an experiment), e.g. to add the
   * variant to the shop's own analytics events. Only `assignment: 'random' | 'holdout'` counts.
   *
   * @example rec.assignment() // { experiment: 'reco-2026-12', variant: 'model', list: 'model', assignment: 'random', rules: [] }
   */
  assignment(): Assignment | undefined;
  /** Item details by id, or undefined when the model does not know the id. */
  item(itemId: string): ItemInfo | undefined;
  /** Categories with their display names. */
  categories(): { id: string; name: string }[];
  /**
   * Semantic search over the catalogue, on the device: the package's text encoder (a
   * transformers.js pipeline in the engine's worker) and its search index, loaded on first use.
   * Remembers the text for 'for-you' unless `remember: false`. Rejects with `NOT_FOUND` for a
   * package without `search.json`.
   *
   * @example await rec.search('warm sleeping bag', { k: 8, filter: { inStock: true } }) // [{ itemId, score }, …]
   */
  search(text: string, options?: SearchOptions): Promise<SearchResult[]>;
  /** The visitor's recent searches, oldest first. */
  recentSearches(): RecentSearch[];
  /** Releases the model. */
  dispose(): Promise<void>;
}

function defaultStorage(): StorageLike | null {
  try {
    return (globalThis as { localStorage?: StorageLike }).localStorage ?? null;
  } catch {
    return null; // access itself throws when storage is blocked
  }
}

/** Validates `recommend({ exclude })`: an array of at most 10,000 strings. */
function excludeOption(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InpageError('INPUT_INVALID', `recommend(): exclude must be an array of item ids, got ${value === null ? 'null' : typeof value}.`);
  if (value.length > 10_000) throw new InpageError('INPUT_INVALID', `recommend(): exclude holds ${value.length} ids; at most 10000 are accepted. Filter by category or price instead.`);
  const bad = value.findIndex((id) => typeof id !== 'string');
  if (bad >= 0) throw new InpageError('INPUT_INVALID', `recommend(): exclude[${bad}] must be an item id string, got ${JSON.stringify(value[bad]) ?? String(value[bad])}.`);
  return value as string[];
}

function itemInfo(items: RecommenderItems, j: number): ItemInfo {
  const cat = items.categories[items.category[j] ?? -1];
  return { id: items.ids[j] ?? '', title: items.titles[j] ?? '', category: cat?.id ?? '', categoryName: cat?.name ?? '', price: items.price[j] ?? 0, inStock: items.inStock[j] === 1 };
}

/**
 * Loads the package at `manifestUrl` and returns a {@link Recommender}.
 * Rejects with `MANIFEST_INVALID`/`CATALOG_INVALID` naming the bad field, `MODEL_FETCH_FAILED`,
 * `INTEGRITY_MISMATCH` or `OPTION_INVALID`.
 */
export async function createRecommender(options: RecommenderOptions): Promise<Recommender> {
  const capOption = options.historyCap;
  if (capOption !== undefined && (!Number.isInteger(capOption) || capOption < 1 || capOption > 10_000)) throw new InpageError('OPTION_INVALID', `historyCap must be an integer in 1..10000, got ${String(capOption)}.`);
  const fetchFn = options.fetch ?? (globalThis.fetch === undefined ? undefined : globalThis.fetch.bind(globalThis));
  if (options.persistStorage !== undefined && typeof options.persistStorage !== 'boolean') throw new InpageError('OPTION_INVALID', `persistStorage must be true or false, got ${JSON.stringify(options.persistStorage)}.`);
  if (fetchFn === undefined) throw new InpageError('OPTION_INVALID', 'No fetch in this environment: pass options.fetch.');
  const offThreadAbove = options.parseInWorkerAbove ?? ITEMS_OFF_THREAD_BYTES;
  if (typeof offThreadAbove !== 'number' || !(offThreadAbove >= 0)) throw new InpageError('OPTION_INVALID', `parseInWorkerAbove must be a number of bytes ≥ 0 (Infinity: never), got ${String(options.parseInWorkerAbove)}.`);
  const now = options.now ?? Date.now;
  const retention = resolveRetention(options.retention);
  const given = options.consent ?? 'granted';
  if (!isConsent(given) && given !== 'granted' && given !== 'required') throw new InpageError('OPTION_INVALID', `consent must be 'granted', 'required' or a Consent from createConsent(), got ${JSON.stringify(given)}.`);
  const consent = isConsent(given) ? given : createConsent({ mode: given });
  const ownsConsent = consent !== given;
  // A returning visitor's stored choice arrives within moments; waiting (bounded) lets the model
  // cache work for them, while nothing touches it before consent.
  await consent.settled();
  let pkg: Awaited<ReturnType<typeof loadRecommender>>;
  try {
    pkg = await loadRecommender(options.engine, options.manifestUrl, fetchFn, options.signal, consent.granted(), offThreadAbove);
  } catch (e) {
    if (ownsConsent) consent.dispose();
    throw e;
  }
  const { manifest, items, model } = pkg;
  // Experiment arms with a model package of their own load it on first use.
  const armBase = withIndex(pkg);
  const { index } = armBase;
  const arms = variantPackages(armBase, (url, signal) => loadRecommender(options.engine, url, fetchFn, signal, consent.granted(), offThreadAbove));
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const experimentConfig = options.experiment ?? manifest.experiment;
  const merch: MerchSetup = {
    rules: [...(manifest.rules === undefined ? [] : parseRules(manifest.rules, `${pkg.manifestUrl} rules`)), ...(options.rules === undefined ? [] : parseRules(options.rules, 'createRecommender({ rules })'))],
    session: experimentConfig === undefined ? undefined : createExperimentSession({
      config: experimentConfig, where: options.experiment === undefined ? `${pkg.manifestUrl} experiment` : 'createRecommender({ experiment })',
      storage, consent, retention, now, ...(options.pageUrl === undefined ? {} : { url: options.pageUrl }),
    }),
  };
  const storageKey = options.storageKey ?? `inpage:reco:${pkg.manifestUrl}`;
  const privacy = { consent, retention, now };
  const store = new HistoryStore(storage, storageKey, capOption ?? Math.max(50, manifest.dims.history), privacy);
  const seen = new SeenItems(storage, `${storageKey}:seen`, store.all(), SEEN_CAP, privacy);
  const searches = new RecentSearches(storage, `${storageKey}:searches`, 10, privacy);
  // Revoked or forgotten anywhere on the page: drop memory, and hand the sweep our keys (a custom
  // storageKey or an injected storage is outside what it finds by prefix).
  const kpi = createKpiTracker({
    storage, key: `${storageKey}:kpi`, consent, retention, now, options: options.analytics ?? {},
    describe: (id) => {
      const at = arms.find(id);
      if (at === undefined) return undefined;
      const t = at.pkg.items;
      return { title: t.titles[at.index] ?? '', category: t.categories[t.category[at.index] ?? -1]?.name ?? '', price: t.price[at.index] ?? 0 };
    },
    assignment: () => merch.session?.assign().assignment,
    visitor: () => merch.session?.visitor.get(),
  });
  const offErase = consent.onErase(() => {
    kpi.ledger.dropMemory();
    store.dropMemory();
    seen.dropMemory();
    searches.dropMemory();
    seen.dropMemory();
    merch.session?.visitor.dropMemory();
    return storage === null ? undefined : { storage, keys: [store.key, seen.key, searches.key, kpi.ledger.key, ...(merch.session === undefined ? [] : [merch.session.visitor.key])] };
  });
  const searchUrl = new URL(options.searchUrl ?? 'search.json', pkg.manifestUrl).href;
  let searchIndex: Promise<LoadedSearch> | undefined;
  const loadedSearch = (signal?: AbortSignal): Promise<LoadedSearch> => {
    searchIndex ??= loadSearch(options.engine, searchUrl, fetchFn, items, signal, consent.granted(), options.searchWorker);
    // A failed load (offline, aborted) is retried on the next call.
    searchIndex.catch(() => { searchIndex = undefined; });
    return searchIndex;
  };
  let disposed = false;

  const steps = (): Step[] => stepsOf(store.all(), index);
  // A visitor already in an arm with its own package: start loading it now, not at the first list.
  const first = merch.session?.assign();
  if (first?.manifest !== undefined && first.list !== 'none') arms.get(first.manifest).catch(() => { /* reported by the list that needs it */ });

  const persistence = requestPersistence(options.persistStorage === true, consent);
  return {
    manifest,
    consent,
    storage: persistence,
    track(event) {
      if (disposed) throw disposedError('Recommender');
      const e = event as Partial<TrackInput> | null;
      if (e === null || typeof e !== 'object') throw new InpageError('INPUT_INVALID', 'track() needs an event object like { type: "view", itemId: "sku-123" }.');
      if (trackCode(String(e.type)) < 0) throw new InpageError('INPUT_INVALID', `track(): type must be 'view', 'click', 'add_to_cart', 'purchase' or 'impression', got ${JSON.stringify(e.type)}.`);
      if (typeof e.itemId !== 'string' || e.itemId === '' || e.itemId.length > 256) throw new InpageError('INPUT_INVALID', `track(): itemId must be a non-empty string (≤ 256 chars), got ${JSON.stringify(e.itemId)}.`);
      if (e.time !== undefined && !Number.isFinite(e.time)) throw new InpageError('INPUT_INVALID', `track(): time must be Unix milliseconds, got ${String(e.time)}.`);
      checkKpiFields(e);
      const time = e.time ?? now();
      store.add({ type: e.type as TrackEventType, itemId: e.itemId, time });
      if (e.type !== 'impression') seen.add(e.itemId, time);
      kpi.track({ ...(e as TrackInput), time }); // attribution and analytics events (kpis/)
    },

    async recommend(opts = {}) {
      if (disposed) throw disposedError('Recommender');
      const asked = opts.strategy ?? 'for-you';
      if (!STRATEGIES.includes(asked)) throw new InpageError('INPUT_INVALID', `recommend(): strategy must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(asked)}.`);
      // Experiment variant and merchandising rules (list-plan.ts): a 'none' arm shows nothing.
      const plan = planList(asked, listIdOf(opts.listId, asked), opts.rules === undefined ? [] : parseRules(opts.rules, 'recommend({ rules })'), merch, now());
      kpi.served({ listId: plan.listId, ...(plan.assignment === undefined ? {} : { experiment: plan.assignment.experiment, variant: plan.assignment.variant }) });
      if (!plan.show) return [];
      const strategy = plan.strategy;
      const k = opts.k ?? manifest.k;
      if (!Number.isInteger(k) || k < 1 || k > 1000) throw new InpageError('INPUT_INVALID', `recommend(): k must be an integer in 1..1000, got ${String(k)}.`);
      const excludeIds = excludeOption(opts.exclude);
      const filter = checkFilter(opts.filter, 'recommend()');
      // The arm's own package, when its variant brings one (variant-packages.ts).
      const arm = await arms.get(plan.assignment?.manifest, opts.signal);
      if (disposed) throw disposedError('Recommender');
      // Without consent: no history and no seen-set (nothing is read), and 'for-you' is the trending list.
      const personal = consent.granted();
      const history = personal ? stepsOf(store.all(), arm.index) : [];
      // Recent searches count as views of their top items (see search.ts); without a search
      // index (an older package) for-you simply goes on without them.
      const blend: SearchBlend | undefined = opts.blendSearches === false || searches.all().length === 0 ? undefined : async (exclude) => {
        try {
          // Search runs on the recommender's own package; its steps are that package's indices.
          if (arm !== armBase) return [];
          return await searchSteps(await loadedSearch(opts.signal), searches.all(), buildCandidates(items, undefined, exclude), { signal: opts.signal });
        } catch (e) {
          if (!(e instanceof InpageError) || e.code !== 'NOT_FOUND') throw e;
          return [];
        }
      };
      return recommendList(
        arm,
        { personal, history, seen: opts.excludeSeen === false ? undefined : seen.ids() },
        { strategy, k, itemId: opts.itemId, filter, exclude: excludeIds, plan, facts: options.itemFacts },
        now(), opts.signal, blend,
      );
    },

    forget(opts = {}) {
      return consent.forget({ modelCache: opts.modelCache === true });
    },

    history() {
      return store.all();
    },

    kpis: () => kpi.kpis(),
    attribution: (itemId) => kpi.attribution(itemId),
    assignment: () => merch.session?.assign(),

    item(itemId) {
      // An arm's package may list items the recommender's own catalogue does not (yet).
      const at = arms.find(itemId);
      return at === undefined ? undefined : itemInfo(at.pkg.items, at.index);
    },

    categories() {
      return items.categories.map((c) => ({ id: c.id, name: c.name }));
    },

    async search(text, opts = {}) {
      if (disposed) throw disposedError('Recommender');
      if (typeof text !== 'string' || text.length > 1000) throw new InpageError('INPUT_INVALID', `search(): text must be a string of at most 1000 characters, got ${typeof text === 'string' ? `${text.length} characters` : JSON.stringify(text)}.`);
      const k = opts.k ?? 10;
      if (!Number.isInteger(k) || k < 1 || k > 1000) throw new InpageError('INPUT_INVALID', `search(): k must be an integer in 1..1000, got ${String(k)}.`);
      const filter = checkFilter(opts.filter, 'search()');
      const query = text.trim();
      if (query === '') return [];
      const s = await loadedSearch(opts.signal);
      if (opts.remember !== false) searches.add(query, now());
      // Taste: the for-you model over the search's own candidates (history only, no searches).
      const taste = opts.personalize === true && store.all().length > 0
        ? async (bias: Float32Array, depth: number) => (await forYou({ manifest, items, model, steps: steps(), now: now(), signal: opts.signal }, { bias, allowed: bias.reduce((n, b) => n + (b === 0 ? 1 : 0), 0) }, depth)).map((x) => ({ index: x.index, score: x.score }))
        : undefined;
      const hits = await runSearch(s, items, { text: query, k, filter, signal: opts.signal, taste });
      return hits.map((h) => ({ itemId: items.ids[h.index] ?? '', score: h.score }));
    },

    recentSearches() {
      return searches.all();
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      offErase();
      persistence.dispose();
      if (ownsConsent) consent.dispose();
      const s = searchIndex;
      searchIndex = undefined;
      await Promise.all([model.dispose(), arms.dispose(), s?.then((x) => x.dispose(), () => {})]);
    },
  };
}
