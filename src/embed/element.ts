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
 * State for page CSS: the element sets `data-state` on itself to 'loading', 'ready', 'empty'
 * (nothing to show) or 'error', so a page can collapse or hide it and its surroundings, e.g.
 * `section:has(> inpage-recommendations[data-state="empty"]) { display: none }`.
 *
 * It shows a skeleton at once and asks for data through `options.recommender()` (the script tag
 * makes that wait for idle). Events (bubbling, composed): `inpage:render` {itemIds},
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
import { productCard, skeletonCard, type CardFormat } from './cards.ts';
import { disclosure, disclosureSkeleton, notice, type ForgetControls } from './disclosure.ts';
import { applyListAttributes, LIST_ATTRIBUTES } from './list-attributes.ts';
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
}

const ATTRIBUTES = ['strategy', 'item', 'count', 'category', 'max-price', 'in-stock', 'heading', 'allow-repeats', 'image-template', 'link-template', 'currency', ...LIST_ATTRIBUTES] as const;
const STRATEGIES = ['for-you', 'similar', 'complete-the-look', 'trending'] as const;
/** What the element is doing, as its `data-state` attribute. */
export type RecommendationsState = 'loading' | 'ready' | 'empty' | 'error';
/** Share of a card that must be on screen for an impression. */
const IMPRESSION_SHARE = 0.5;

/** Lists the visitor's history can shape get the "Why these?" disclosure. */
function mayPersonalise(req: RecommendOptions): boolean {
  return req.strategy === 'for-you' || (req.strategy === 'complete-the-look' && req.itemId === undefined);
}

/** `count` clamped to 1..24; anything unparsable is the default 4. */
function countOf(value: string | null): number {
  const n = Number(value ?? '4');
  return Number.isInteger(n) ? Math.min(24, Math.max(1, n)) : 4;
}

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
      return fmt;
    }

    private request(): RecommendOptions {
      const strategy = this.getAttribute('strategy') ?? 'for-you';
      const req: RecommendOptions = {
        strategy: (STRATEGIES as readonly string[]).includes(strategy) ? strategy as RecommendOptions['strategy'] & string : 'for-you',
        k: countOf(this.getAttribute('count')),
      };
      const item = this.getAttribute('item');
      if (item) req.itemId = item;
      const filter: NonNullable<RecommendOptions['filter']> = {};
      const category = this.getAttribute('category');
      if (category) filter.category = category.split(',').map((c) => c.trim()).filter(Boolean);
      const maxPrice = Number(this.getAttribute('max-price') ?? NaN);
      if (Number.isFinite(maxPrice)) filter.maxPrice = maxPrice;
      if (this.hasAttribute('in-stock')) filter.inStock = true;
      if (Object.keys(filter).length > 0) req.filter = filter;
      applyListAttributes(this, req);
      return req;
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
      const req = this.request();
      const list = this.frame(true);
      for (let i = 0; i < (req.k ?? 4); i++) list.append(skeletonCard(this.ownerDocument));
      if (mayPersonalise(req)) list.after(disclosureSkeleton(this.ownerDocument));
      try {
        // Earlier elements first: their products are left out of this list unless repeats are allowed.
        const before = this.hasAttribute('allow-repeats') ? [] : this.earlier();
        await Promise.all(before.map((other) => other.done));
        const exclude = [...new Set(before.flatMap((other) => other.shown))];
        if (exclude.length > 0) req.exclude = [...(req.exclude ?? []), ...exclude];
        const source = await options.recommender();
        const recs = await source.recommend(req);
        if (generation !== this.generation) return;
        this.source = source;
        this.render(recs, source, mayPersonalise(req));
      } catch (e) {
        if (generation !== this.generation) return;
        this.fail(e);
      } finally {
        finished();
      }
    }

    private render(recs: SourceRecommendation[], source: RecommendationsSource, explain: boolean): void {
      const fmt = this.format();
      const cards = recs.flatMap((r, position) => {
        const item = source.item(r.itemId);
        return item ? [{ item, reason: r.reason, position }] : [];
      });
      this.shown = cards.map((c) => c.item.id);
      this.listId = recs[0]?.listId;
      if (cards.length === 0) {
        this.root.replaceChildren();
        this.state('empty');
      } else {
        this.state('ready');
        const list = this.frame(false);
        for (const card of cards) list.append(productCard(this.ownerDocument, card, fmt));
        this.watchImpressions(list, source);
        if (explain) this.explain(list, recs.some((r) => r.personalised === true), source);
      }
      this.emit('inpage:render', { itemIds: cards.map((c) => c.item.id) });
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

    /**
     * One impression per card per rendered list, when at least half of the card is on screen (the
     * share of the IAB/MRC display viewability guideline, without its one-second dwell), not on
     * render: a card below the fold was not seen.
     * Cards that appear together are reported together. A new render starts over.
     */
    private watchImpressions(list: HTMLElement, source: RecommendationsSource): void {
      if (typeof IntersectionObserver !== 'function') return;
      const pending = new Set(list.querySelectorAll<HTMLElement>('[data-item]'));
      const observer = new IntersectionObserver((entries) => {
        const itemIds: string[] = [];
        for (const entry of entries) {
          const link = entry.target as HTMLElement;
          // isIntersecting alone is true for an edge touch; the ratio check is the real threshold.
          if (!entry.isIntersecting || entry.intersectionRatio < IMPRESSION_SHARE || !pending.delete(link)) continue;
          observer.unobserve(link);
          const itemId = link.dataset['item'];
          if (itemId) itemIds.push(itemId);
        }
        if (pending.size === 0) observer.disconnect();
        if (itemIds.length === 0) return;
        for (const itemId of itemIds) {
          try {
            source.track({ type: 'impression', itemId, ...(this.listId === undefined ? {} : { listId: this.listId }) });
          } catch (err) {
            onError(err);
          }
        }
        this.emit('inpage:impression', { itemIds });
        options.onImpression?.(itemIds, this);
      }, { threshold: IMPRESSION_SHARE });
      for (const link of pending) observer.observe(link);
      this.observer = observer;
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
