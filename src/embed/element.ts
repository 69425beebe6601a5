/**
 * `<inpage-recommendations>`: product cards from the on-device recommender.
 *
 * ```html
 * <inpage-recommendations strategy="similar" item="sku-10001" count="4" heading="You may also like"></inpage-recommendations>
 * ```
 *
 * Attributes: `strategy` ('for-you' default, 'similar', 'complete-the-look', 'trending'), `item`,
 * `count` (1–24, default 4), `category`, `max-price`, `in-stock`, `heading`, `layout` ('grid'
 * default: fills its width; 'scroll': one row that scrolls sideways), and per-element
 * `image-template` / `link-template` / `currency` overriding the definition's defaults, and the
 * merchandising attributes of list-attributes.ts (`list-id`, `exclude`, `filter-category`, `pin`, …).
 *
 * Elements on one page do not repeat each other: each asks with `exclude` set to the products
 * the elements before it (in document order) show, after they have rendered. `allow-repeats` on
 * an element lets it show what it likes (its own products still count for the elements after it).
 *
 * State for page CSS: the element sets `data-state` on itself to 'loading', 'cached' (see
 * below), 'ready', 'empty' (nothing to show) or 'error', so a page can collapse or hide it and its
 * surroundings, e.g. `section:has(> inpage-recommendations[data-state="empty"]) { display: none }`.
 *
 * It shows a skeleton at once and asks for data through `options.recommender()` (the script tag
 * makes that wait for idle). With `options.lastLists` (last-list.ts; the script tag sets it) a
 * repeat page view paints, into that skeleton, the list the same question got last time on this
 * device, as `data-state="cached"` (still `aria-busy`), until the model's answer confirms it (the
 * cards stay) or replaces it (same boxes: nothing moves). Events (bubbling, composed): `inpage:render` {itemIds},
 * `inpage:impression` {itemIds} for the cards that just became at least half visible (each card
 * once per rendered list), `inpage:click` {itemId, position, href} (cancelable:
 * `preventDefault()` stops the navigation, for client-side routers) and `inpage:error`
 * {code, message}. Impressions and clicks also go to `rec.track` ('impression', 'click'). On any
 * failure it renders nothing: the page keeps working.
 *
 * Transparency (docs/PRIVACY.md): lists that can be personalised ('for-you', and
 * 'complete-the-look' without `item`) end in a "Why these?" disclosure (disclosure.ts) in the
 * page's language (strings.ts), with a "Forget my history" button on personalised lists; a
 * successful forget fires `inpage:forget` {erased} and re-renders the list.
 */
import type { ItemInfo, Recommendation, RecommendOptions, TrackInput } from '../recommend/index.ts';
import { priceFormatter, productCard, sameCards, skeletonCard, type CardData, type CardFormat } from './cards.ts';
import { disclosure, disclosureSkeleton, notice, type ForgetControls } from './disclosure.ts';
import { watchImpressions } from './impressions.ts';
import type { LastLists, PackageManifest, RememberedCard } from './last-list.ts';
import { ATTRIBUTES, mayPersonalise, requestOf } from './request.ts';
import { stringsFor, type ElementStrings, type StringTable } from './strings.ts';
import { applyStyles } from './styles.ts';

/** One item as the element takes it: a `Recommendation`; `personalised` may be left out (false). */
export type SourceRecommendation = Omit<Recommendation, 'personalised' | 'listId'> & { personalised?: boolean; listId?: string };

/** What the element needs of a recommender (a `Recommender` fits). */
export interface RecommendationsSource {
  recommend(options: RecommendOptions): Promise<SourceRecommendation[]>;
  item(itemId: string): ItemInfo | undefined;
  track(event: TrackInput): void;
  /** Erases the visitor's history (the disclosure's button; `Recommender.forget` fits). */
  forget?(): Promise<unknown>;
  /** The package's manifest (`Recommender.manifest` fits): which package a remembered list came from. */
  readonly manifest?: PackageManifest;
}

/**
 * Options of {@link defineRecommendationsElement}.
 *
 * @example
 * { recommender: () => recPromise, imageTemplate: '/shop/images/{id}.svg', linkTemplate: '/p/{id}', currency: 'EUR' }
 */
export interface RecommendationsElementOptions {
  /** Resolves to the recommender; called once per render. */
  recommender: () => Promise<RecommendationsSource>;
  imageTemplate?: string;
  linkTemplate?: string;
  currency?: string;
  locale?: string;
  /** Told about each failure (the element also fires `inpage:error`). Default: one console warning per page. */
  onError?: (error: unknown) => void;
  /**
   * Impressions go here as well as to `rec.track` and the `inpage:impression` event: the ids of
   * the cards that just became at least half visible. Default: nowhere else.
   */
  onImpression?: (itemIds: string[], element: HTMLElement) => void;
  /** Default 'inpage-recommendations'. */
  tagName?: string;
  /** Extra languages or overrides of the shipped strings (en, de, fr, es), by lower-case language tag. */
  strings?: StringTable;
  /**
   * Instant repeat views: each element's last list, painted at once on the next page view while
   * the model loads (`createLastLists`, from `inpage/embed`). Default none: every view starts
   * from the skeleton.
   */
  lastLists?: LastLists;
}

/**
 * What the element is doing, as its `data-state` attribute. 'cached': showing the list remembered
 * from an earlier page view while the model loads (not yet confirmed, no impressions reported).
 */
export type RecommendationsState = 'loading' | 'cached' | 'ready' | 'empty' | 'error';

function errorFacts(e: unknown): { code: string; message: string } {
  const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'INTERNAL';
  return { code, message: e instanceof Error ? e.message : String(e) };
}

/**
 * Defines the element (once per registry: a second SDK copy on the page reuses the first
 * definition instead of throwing) and returns its constructor.
 *
 * @example
 * import { createEngine, createRecommender } from 'inpage';
 * import { defineRecommendationsElement } from 'inpage/embed';
 * const rec = createEngine().then((engine) => createRecommender({ engine, manifestUrl: '/reco/manifest.json' }));
 * defineRecommendationsElement({ recommender: () => rec, imageTemplate: '/shop/images/{id}.svg', linkTemplate: '/p/{id}' });
 */
export function defineRecommendationsElement(options: RecommendationsElementOptions, registry: CustomElementRegistry = customElements): CustomElementConstructor {
  const tag = options.tagName ?? 'inpage-recommendations';
  const existing = registry.get(tag);
  if (existing) return existing;
  let warned = false;
  // Per definition, not per module: two SDK copies (two registries) share nothing.
  const styles: { sheet?: CSSStyleSheet } = {};
  /** Price formatters by currency and locale, built once per definition. */
  const prices = new Map<string, (price: number) => string>();
  /** The connected elements of this definition, for sharing out products (no repeats). */
  const onPage = new Set<InpageRecommendations>();
  const onError = options.onError ?? ((e: unknown): void => {
    if (warned) return;
    warned = true;
    console.warn(`Inpage: <${tag}> renders nothing: ${errorFacts(e).message}`);
  });

  class InpageRecommendations extends HTMLElement {
    static readonly observedAttributes = ATTRIBUTES;
    private readonly root = this.attachShadow({ mode: 'open' });
    /** Increments per request; a reply for an older request is dropped (attributes changed). */
    private generation = 0;
    private scheduled = false;
    private source: RecommendationsSource | undefined;
    private observer: IntersectionObserver | undefined;
    /** Shown (and focused) after the next render: the outcome of "Forget my history". */
    private pendingNotice: string | undefined;
    /**
     * Settles when the load scheduled last has rendered, come back empty or failed (or was
     * dropped because the element left the page): what the elements after this one wait for.
     */
    private done: Promise<void> = Promise.resolve();
    private finishDone: () => void = () => {};
    /** Item ids on screen now. */
    private shown: readonly string[] = [];
    /** The remembered cards painted while the model loads (state 'cached'). */
    private cached: CardData[] | undefined;
    /** The shown list's id (analytics, KPIs): impressions and clicks carry it. */
    private listId: string | undefined;

    constructor() {
      super();
      applyStyles(this.root, styles);
      this.root.addEventListener('click', (e) => this.onClick(e));
    }

    connectedCallback(): void {
      onPage.add(this);
      if (!this.hasAttribute('data-state')) this.state('loading');
      this.schedule();
    }

    disconnectedCallback(): void {
      onPage.delete(this);
      this.generation++;
      this.observer?.disconnect();
    }

    attributeChangedCallback(): void {
      if (this.isConnected) this.schedule();
    }

    /** Coalesces attribute changes made in one task into one request. */
    private schedule(): void {
      if (this.scheduled) return;
      this.scheduled = true;
      // Opened here, not in load(): an element later in the page may look before this one's load starts.
      this.done = new Promise((resolve) => (this.finishDone = resolve));
      queueMicrotask(() => {
        this.scheduled = false;
        if (this.isConnected) void this.load();
        else this.finishDone();
      });
    }

    private format(): CardFormat {
      const fmt: CardFormat = { base: this.ownerDocument.baseURI };
      const imageTemplate = this.getAttribute('image-template') ?? options.imageTemplate;
      const linkTemplate = this.getAttribute('link-template') ?? options.linkTemplate;
      const currency = this.getAttribute('currency') ?? options.currency;
      if (imageTemplate) fmt.imageTemplate = imageTemplate;
      if (linkTemplate) fmt.linkTemplate = linkTemplate;
      if (currency) fmt.currency = currency;
      if (options.locale) fmt.locale = options.locale;
      const key = `${fmt.currency ?? ''} ${fmt.locale ?? ''}`;
      fmt.prices = prices.get(key) ?? prices.set(key, priceFormatter(fmt)).get(key);
      return fmt;
    }

    /** Heading (when asked for) and list, in the part structure the stylesheet sizes. */
    private frame(busy: boolean): HTMLUListElement {
      const doc = this.ownerDocument;
      const section = doc.createElement('section');
      section.setAttribute('part', 'root');
      section.setAttribute('aria-busy', String(busy));
      const heading = this.getAttribute('heading');
      if (heading) {
        const h = doc.createElement('h2');
        h.setAttribute('part', 'heading');
        h.textContent = heading;
        section.append(h);
        section.setAttribute('aria-label', heading);
      } else {
        section.setAttribute('aria-label', this.strings().strings.listLabel);
      }
      const list = doc.createElement('ul');
      list.setAttribute('part', 'list');
      list.setAttribute('role', 'list');
      section.append(list);
      this.root.replaceChildren(section);
      return list;
    }

    private state(state: RecommendationsState): void {
      this.setAttribute('data-state', state);
    }

    /** Elements of this definition before this one in the document: their products are taken. */
    private earlier(): InpageRecommendations[] {
      return [...onPage].filter((other) => other !== this && (other.compareDocumentPosition(this) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0);
    }

    private async load(): Promise<void> {
      const generation = ++this.generation;
      const finished = this.finishDone;
      this.observer?.disconnect();
      this.state('loading');
      this.cached = undefined;
      const req = requestOf(this);
      const list = this.frame(true);
      for (let i = 0; i < (req.k ?? 4); i++) list.append(skeletonCard(this.ownerDocument));
      if (mayPersonalise(req)) list.after(disclosureSkeleton(this.ownerDocument));
      // Earlier elements first: their products are left out of this list unless repeats are allowed.
      const before = this.hasAttribute('allow-repeats') ? [] : this.earlier();
      if (options.lastLists) void this.recall(options.lastLists, req, generation, before);
      try {
        await Promise.all(before.map((other) => other.done));
        const exclude = [...new Set(before.flatMap((other) => other.shown))];
        if (exclude.length > 0) req.exclude = [...(req.exclude ?? []), ...exclude];
        const source = await options.recommender();
        const recs = await source.recommend(req);
        if (generation !== this.generation) return;
        this.source = source;
        const cards = this.render(recs, source, mayPersonalise(req));
        delete req.exclude;
        options.lastLists?.remember(req, cards, source.manifest);
      } catch (e) {
        if (generation !== this.generation) return;
        this.fail(e);
      } finally {
        finished();
      }
    }

    /**
     * Paints the list this question got last time into the skeleton, unless the answer came
     * first: only cards no element before this one shows; slots left over stay skeletons.
     */
    private async recall(lists: LastLists, req: RecommendOptions, generation: number, before: readonly InpageRecommendations[]): Promise<void> {
      const remembered: RememberedCard[] | undefined = await lists.recall(req).catch(() => undefined);
      if (!remembered || generation !== this.generation || this.getAttribute('data-state') !== 'loading') return;
      const taken = new Set(before.flatMap((other) => other.shown));
      const slots = this.root.querySelectorAll('ul > [part~="skeleton"]');
      const cards = remembered.filter((c) => !taken.has(c.item.id)).slice(0, slots.length).map((c, position) => ({ ...c, position }));
      if (cards.length === 0) return;
      const fmt = this.format();
      cards.forEach((card, i) => slots[i]!.replaceWith(productCard(this.ownerDocument, card, fmt)));
      this.cached = cards;
      this.shown = cards.map((c) => c.item.id);
      this.state('cached');
    }

    /** Shows the answer (keeping a painted remembered list that matches it) and returns its cards. */
    private render(recs: SourceRecommendation[], source: RecommendationsSource, explain: boolean): CardData[] {
      const fmt = this.format();
      const cards = recs.flatMap((r, position) => {
        const item = source.item(r.itemId);
        return item ? [{ item, reason: r.reason, position }] : [];
      });
      const confirmed = this.cached !== undefined && sameCards(this.cached, cards);
      this.cached = undefined;
      this.shown = cards.map((c) => c.item.id);
      this.listId = recs[0]?.listId;
      if (cards.length === 0) {
        this.root.replaceChildren();
        this.state('empty');
      } else {
        this.state('ready');
        let list = this.root.querySelector('ul');
        if (confirmed && list) {
          // Same cards: keep them (no image reloads); drop the placeholders, the list is final.
          list.parentElement?.setAttribute('aria-busy', 'false');
          for (const s of this.root.querySelectorAll('[part~="skeleton"]')) s.remove();
        } else {
          list = this.frame(false);
          for (const card of cards) list.append(productCard(this.ownerDocument, card, fmt));
        }
        this.observer = watchImpressions(list, (itemIds) => this.seen(itemIds, source));
        if (explain) this.explain(list, recs.some((r) => r.personalised === true), source);
      }
      this.emit('inpage:render', { itemIds: cards.map((c) => c.item.id) });
      return cards;
    }

    /** The page's language for this element: its own or an ancestor's `lang`, else the locale option. */
    private strings(): { strings: ElementStrings; lang: string } {
      const lang = this.closest<HTMLElement>('[lang]')?.lang || options.locale;
      return stringsFor(lang, options.strings);
    }

    /** The "Why these?" disclosure under the list, and the notice left by a forget. */
    private explain(list: HTMLElement, personalised: boolean, source: RecommendationsSource): void {
      const { strings, lang } = this.strings();
      const forget = source.forget?.bind(source);
      const onForget = forget && ((c: ForgetControls) => void this.forget(forget, c, strings));
      list.after(disclosure(this.ownerDocument, { personalised, strings, lang, onForget }));
      if (this.pendingNotice === undefined) return;
      const n = notice(this.ownerDocument, this.pendingNotice, lang);
      this.pendingNotice = undefined;
      list.parentElement?.append(n);
      n.focus();
    }

    private async forget(forget: () => Promise<unknown>, c: ForgetControls, strings: ElementStrings): Promise<void> {
      c.button.setAttribute('aria-disabled', 'true');
      c.status.textContent = strings.forgetting;
      try {
        const report = await forget();
        this.emit('inpage:forget', { erased: (report as { erased?: unknown } | undefined)?.erased ?? [] });
        this.pendingNotice = strings.forgotten;
        void this.load();
      } catch (e) {
        // Never a success message for an erasure that was not confirmed.
        c.status.textContent = strings.forgetFailed;
        c.button.removeAttribute('aria-disabled');
        onError(e);
      }
    }

    /** Cards of the rendered list that became visible (impressions.ts; each once per list). */
    private seen(itemIds: string[], source: RecommendationsSource): void {
      for (const itemId of itemIds) {
        try {
          source.track({ type: 'impression', itemId, ...(this.listId === undefined ? {} : { listId: this.listId }) });
        } catch (err) {
          onError(err);
        }
      }
      this.emit('inpage:impression', { itemIds });
      options.onImpression?.(itemIds, this);
    }

    private onClick(e: Event): void {
      const target = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-item]') : null;
      const itemId = target?.dataset['item'];
      if (!target || !itemId) return;
      try {
        this.source?.track({ type: 'click', itemId, ...(this.listId === undefined ? {} : { listId: this.listId }) });
      } catch (err) {
        onError(err);
      }
      const href = target instanceof HTMLAnchorElement ? target.href : undefined;
      const proceed = this.emit('inpage:click', { itemId, position: Number(target.dataset['position']), href }, true);
      if (!proceed) e.preventDefault();
    }

    private fail(e: unknown): void {
      this.shown = [];
      this.root.replaceChildren();
      this.state('error');
      this.emit('inpage:error', errorFacts(e));
      onError(e);
    }

    private emit(type: string, detail: unknown, cancelable = false): boolean {
      return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
    }
  }

  registry.define(tag, InpageRecommendations);
  return InpageRecommendations;
}
