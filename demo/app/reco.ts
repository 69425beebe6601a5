/**
 * The shop's recommendation service: owns the current session (engine + recommender), records the
 * visitor's events, answers the rows, and swaps sessions when a control changes. Rows keep their
 * last list while a new answer is computed, so after the first load nothing shows a spinner.
 *
 * A request made while a view is being built takes 20–40 ms page → worker → page here for a model
 * that runs in 0.3–1 ms: the worker answers at once, and its reply waits for the page's main
 * thread, busy laying out and painting the new view and turning its ~20 SVG product images into
 * documents (measured, docs/demo.md). The panel shows that wait apart ("Page busy").
 */
import type { LoadProgress, RecommendOptions, Recommendation, SearchOptions, SearchResult, TrackInput, Engine } from 'inpage';
import { openRecommender, openSession, type Session } from './session.ts';
import type { Settings } from './settings.ts';

/** Something on screen that shows recommendations and re-asks when the visitor does something. */
export interface LiveRow { refresh(): void }

export interface RecoListeners {
  /** A session became current (first load or after a control change). */
  session(s: Session): void;
  /** A control change failed and `s`, the session before it, is current again (nothing was reloaded). */
  restored(s: Session): void;
  /** An engine exists and is about to load the model (subscribe to its events here). */
  engine(e: Engine): void;
  progress(p: LoadProgress): void;
  /** Opening a session failed; `fatal` when there is no working session to fall back on. */
  error(e: unknown, fatal: boolean): void;
  /** The visitor's stored history changed (events tracked or forgotten). */
  history(events: number): void;
  /** The first list of real recommendations is on screen, `ms` after navigation start. */
  first(ms: number): void;
  /** After a model run was asked for: how long the page stayed busy (see page-wait.ts). */
  pageWait(ms: number): void;
  /** A request was answered in this tab: `total` so far this visit, `withoutModel` of them needed no model run. */
  answered(total: number, withoutModel: number): void;
}


export class RecoService {
  private current: Session | undefined;
  private ready: Promise<Session>;
  private readonly rows = new Set<LiveRow>();
  /** Events tracked before the recommender exists; replayed into it once it does. */
  private readonly early: TrackInput[] = [];
  private firstAt: number | undefined;
  private refreshQueued = false;
  /** Requests answered this visit (the panel's "Requests" and the cost card's count). */
  private requests = 0;
  private withoutModel = 0;

  constructor(private settings: Settings, private readonly on: RecoListeners) {
    this.ready = this.open(settings);
    this.ready.catch((e: unknown) => this.on.error(e, true));
  }

  get session(): Session | undefined { return this.current; }
  get firstRecommendationMs(): number | undefined { return this.firstAt; }
  get cacheEnabled(): boolean { return this.settings.cache; }

  private async open(settings: Settings): Promise<Session> {
    const s = await openSession(settings, {
      onProgress: (p) => this.on.progress(p),
      cacheEnabled: () => this.settings.cache,
      onEngine: (e) => this.on.engine(e),
      onPageWait: (ms) => this.on.pageWait(ms),
    });
    for (const e of this.early.splice(0)) s.rec.track(e);
    this.current = s;
    this.on.session(s);
    this.on.history(s.rec.history().length);
    return s;
  }

  /**
   * Applies new settings: a backend change builds a new engine (the old one keeps answering until
   * the new one is ready), a batching change reloads the model on the same engine, the cache
   * switch needs nothing (each run reads it). Rejects, keeping the old session, when the new one
   * cannot start (e.g. WebGPU forced on a device without it).
   */
  async apply(next: Settings): Promise<void> {
    const prev = this.current;
    const prevSettings = this.settings;
    if (prev === undefined) {
      this.settings = next;
      this.ready = this.open(next);
      await this.ready;
      this.refreshAll();
      return;
    }
    if (next.backend === prevSettings.backend && next.batch === prevSettings.batch) {
      this.settings = next;
      this.refreshAll();
      return;
    }
    try {
      let s: Session;
      this.settings = next;
      if (next.backend !== prevSettings.backend) {
        s = await this.open(next);
        await prev.rec.dispose().catch(() => {});
        await prev.engine.dispose().catch(() => {});
      } else {
        this.on.engine(prev.engine);
        const { rec, model } = await openRecommender(prev.engine, next, {
          onProgress: (p) => this.on.progress(p), cacheEnabled: () => this.settings.cache, onEngine: () => {}, onPageWait: (ms) => this.on.pageWait(ms),
        });
        await prev.rec.dispose().catch(() => {});
        s = { ...prev, rec, model, info: await prev.engine.info(), settings: next };
        this.current = s;
        this.on.session(s);
      }
      this.ready = Promise.resolve(s);
      this.refreshAll();
    } catch (e) {
      this.settings = prevSettings;
      this.current = prev;
      this.on.restored(prev); // the panels may have moved to the engine that failed
      this.on.error(e, false);
      throw e;
    }
  }

  /**
   * Records an event and re-ranks the rows on screen, unless `refresh` is false: a click on a card
   * opens another page, whose new rows ask anyway (re-ranking the rows being left would be
   * requests nobody sees).
   */
  track(event: TrackInput, refresh = true): void {
    if (this.current === undefined) this.early.push(event);
    else this.current.rec.track(event);
    this.on.history(this.current?.rec.history().length ?? this.early.length);
    if (refresh) this.refreshAll();
  }

  async forget(): Promise<void> {
    this.early.length = 0;
    await this.current?.rec.forget();
    this.on.history(0);
    this.refreshAll();
  }

  /** Title, category and price of a recommended id, from the recommender's own item table. */
  item(id: string): ReturnType<Session['rec']['item']> {
    return this.current?.rec.item(id);
  }

  /**
   * Recommendations, how long the call took on the page (model run included), and whether the
   * model ran: trending lists (and "For you" before any history) come from packaged popularity.
   */
  async recommend(opts: RecommendOptions): Promise<{ items: Recommendation[]; ms: number; model: boolean }> {
    const s = await this.ready;
    const t0 = performance.now();
    const items = await s.rec.recommend(opts);
    const ms = performance.now() - t0;
    const model = !items.every((r) => r.basis === 'trending');
    this.requests++;
    if (!model) this.withoutModel++;
    this.on.answered(this.requests, this.withoutModel);
    return { items, ms, model };
  }

  /**
   * `rec.search()` over the whole shop (keyword index and encoder, both on this device) and how
   * long it took on the page. Waits for the recommender on a first visit.
   */
  async search(text: string, opts: SearchOptions): Promise<{ items: SearchResult[]; ms: number }> {
    const s = await this.ready;
    const t0 = performance.now();
    const items = await s.rec.search(text, opts);
    return { items, ms: performance.now() - t0 };
  }

  /** Called by a row when it first shows real items. */
  shown(): void {
    if (this.firstAt !== undefined) return;
    this.firstAt = performance.now();
    performance.mark('inpage-demo:first-recommendation');
    this.on.first(this.firstAt);
  }

  /** Shows `row` (it gets its first list with the next refresh, at the end of this task). */
  watch(row: LiveRow): () => void {
    this.rows.add(row);
    this.refreshAll();
    return () => this.rows.delete(row);
  }

  /**
   * One refresh of every row per task, however many events and new rows arrive in it (opening a
   * product adds three rows and tracks a view: three requests, not six).
   */
  private refreshAll(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    queueMicrotask(() => {
      this.refreshQueued = false;
      for (const r of this.rows) r.refresh();
    });
  }
}
