/**
 * The recommender's analytics: remembers which list and variant served each list id, records
 * the funnel in the {@link KpiLedger} (attribution), and hands GA4 e-commerce events to the site —
 * `window.dataLayer` when the page has one, an `inpage:analytics` DOM `CustomEvent` and the
 * `onEvent` callback. Inpage itself sends nothing anywhere.
 *
 * Impressions tracked in one task for one list become one `view_item_list` (the element reports
 * the cards that became visible together). A cart or purchase is reported only when it is
 * attributed to a list: the site's own tagging reports the rest (see docs/EXPERIMENTS.md on
 * double counting).
 *
 * @example
 * const kpi = createKpiTracker({ storage, key: 'inpage:kpi:…', consent, retention, now: Date.now, describe, assignment: () => 'random' });
 * kpi.served({ listId: 'home', experiment: 'e1', variant: 'B' });
 * kpi.track({ type: 'impression', itemId: 'sku-1', listId: 'home' });
 */
import { InpageError } from '../errors.ts';
import type { AssignmentKind } from '../experiments/assign.ts';
import type { ConsentGate } from '../privacy/gate.ts';
import type { StorageLike } from '../privacy/personal-record.ts';
import type { RetentionPolicy } from '../privacy/retention.ts';
import { toGa4, type ExposureEvent, type Ga4DataLayerEvent, type InpageEvent, type InpageEventItem, type InpageEventType } from './events.ts';
import { KpiLedger, type AttributionOptions, type ListContext, type VariantKpis } from './ledger.ts';

/** Options of `createRecommender({ analytics })`. */
export interface AnalyticsOptions {
  /** Window and model of attribution. Default 24 hours, last touch. */
  attribution?: AttributionOptions;
  /**
   * Push GA4 events to `window.dataLayer` when the page has one. Default true; or the event
   * types to push (e.g. without 'purchase' when the shop's checkout already pushes it).
   */
  dataLayer?: boolean | readonly (InpageEventType | 'inpage_exposure')[];
  /** Where `inpage:analytics` CustomEvents are dispatched. Default `window` when there is one; `null`: nowhere. */
  eventTarget?: EventTarget | null;
  /** Told about every event, with its GA4 form. */
  onEvent?: (event: InpageEvent, ga4: Ga4DataLayerEvent) => void;
  /** Told about each exposure (also pushed to `dataLayer` and dispatched as `inpage:exposure`). */
  onExposure?: (exposure: ExposureEvent, time: number) => void;
  /** ISO 4217 of the item table's prices: a cart tracked without `value` is worth price × quantity in it. */
  currency?: string;
  /** `item_list_name` per list id. Default: the list id. */
  listNames?: Readonly<Record<string, string>>;
}

/** The analytics fields of `track()`. */
export interface KpiTrackFields {
  type: 'view' | 'click' | 'add_to_cart' | 'purchase' | 'impression';
  itemId: string;
  time?: number;
  /** The list that showed the item (the element passes it for impressions and clicks). */
  listId?: string;
  /** Money of a cart or purchase line (default price × quantity for carts). */
  value?: number;
  /** ISO 4217, required with `value`. */
  currency?: string;
  quantity?: number;
  /** Purchase only: the order id (GA4 deduplicates purchases by it). Default a random id. */
  transactionId?: string;
}

/** What the tracker knows of an item. */
export type Describe = (itemId: string) => { title: string; category: string; price: number } | undefined;

/** Validates the analytics fields of a tracked event (`INPUT_INVALID`). */
export function checkKpiFields(e: Partial<KpiTrackFields>): void {
  if (e.listId !== undefined && (typeof e.listId !== 'string' || !/^[\w.:-]{1,100}$/.test(e.listId))) throw new InpageError('INPUT_INVALID', `track(): listId must be 1–100 letters, digits, _ . : or -, got ${JSON.stringify(e.listId)}.`);
  if (e.value !== undefined && (typeof e.value !== 'number' || !Number.isFinite(e.value) || e.value < 0)) throw new InpageError('INPUT_INVALID', `track(): value must be a non-negative number, got ${String(e.value)}.`);
  if (e.currency !== undefined && (typeof e.currency !== 'string' || !/^[A-Z]{3}$/.test(e.currency))) throw new InpageError('INPUT_INVALID', `track(): currency must be a three-letter ISO 4217 code like 'EUR', got ${JSON.stringify(e.currency)}.`);
  if (e.value !== undefined && e.currency === undefined) throw new InpageError('INPUT_INVALID', 'track(): value needs a currency (ISO 4217, e.g. { value: 59, currency: \'EUR\' }).');
  if (e.quantity !== undefined && (!Number.isInteger(e.quantity) || e.quantity < 1)) throw new InpageError('INPUT_INVALID', `track(): quantity must be a positive integer, got ${String(e.quantity)}.`);
  if (e.transactionId !== undefined && (typeof e.transactionId !== 'string' || e.transactionId === '' || e.transactionId.length > 100)) throw new InpageError('INPUT_INVALID', `track(): transactionId must be a non-empty string of at most 100 characters, got ${JSON.stringify(e.transactionId)}.`);
}

/** What a tracker needs. */
export interface KpiTrackerOptions {
  storage: StorageLike | null;
  key: string;
  consent: ConsentGate;
  retention: RetentionPolicy;
  now: () => number;
  describe: Describe;
  /** How the visitor is assigned now; events carry the experiment only for 'random' and 'holdout'. */
  assignment: () => AssignmentKind | undefined;
  /** The visitor's experiment id: an exposure is pushed once per visitor and list id for this tracker. */
  visitor?: () => string | undefined;
  options?: AnalyticsOptions;
}

/** A recommender's analytics. */
export interface KpiTracker {
  readonly ledger: KpiLedger;
  /** A list was served: its id, experiment and variant (what impressions of it are counted for). */
  served(list: ListContext): void;
  track(e: KpiTrackFields): void;
  kpis(): VariantKpis[];
  /** The list a cart or purchase of `itemId` now would be attributed to. */
  attribution(itemId: string): ListContext | undefined;
}

function defaultTarget(): EventTarget | null {
  const w = (globalThis as { window?: unknown }).window;
  return typeof w === 'object' && w !== null && typeof (w as EventTarget).dispatchEvent === 'function' ? (w as EventTarget) : null;
}

function randomOrderId(): string {
  const b = new Uint8Array(8);
  globalThis.crypto.getRandomValues(b);
  return `inpage-${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

/** Creates a tracker (validates `options.attribution`: `OPTION_INVALID`). */
export function createKpiTracker(o: KpiTrackerOptions): KpiTracker {
  const opts = o.options ?? {};
  const ledger = new KpiLedger(o.storage, o.key, o.consent, o.retention, o.now, opts.attribution);
  const target = opts.eventTarget === undefined ? defaultTarget() : opts.eventTarget;
  const lists = new Map<string, ListContext>();
  const pending = new Map<string, { ctx: ListContext; items: InpageEventItem[]; time: number }>();

  const item = (itemId: string, extra: Partial<InpageEventItem> = {}): InpageEventItem => {
    const d = o.describe(itemId);
    return { itemId, ...(d === undefined ? {} : { title: d.title, category: d.category, price: d.price }), ...extra };
  };

  const emit = (type: InpageEventType, ctx: ListContext, items: InpageEventItem[], time: number, money: { value?: number; currency?: string; transactionId?: string } = {}): void => {
    const kind = o.assignment();
    const counted = kind === 'random' || kind === 'holdout';
    const event: InpageEvent = {
      type, listId: ctx.listId, items, time,
      ...(opts.listNames?.[ctx.listId] === undefined ? {} : { listName: opts.listNames[ctx.listId]! }),
      ...(counted && ctx.experiment !== undefined ? { experiment: ctx.experiment } : {}),
      ...(counted && ctx.variant !== undefined ? { variant: ctx.variant } : {}),
      ...money,
    };
    const ga4 = toGa4(event);
    const dataLayer = (globalThis as { dataLayer?: unknown }).dataLayer;
    if (Array.isArray(dataLayer) && allowed(type)) {
      // GA4's guidance: clear the previous ecommerce object so fields never leak between events.
      dataLayer.push({ ecommerce: null });
      dataLayer.push(ga4);
    }
    target?.dispatchEvent(new CustomEvent('inpage:analytics', { detail: { event, ga4 } }));
    opts.onEvent?.(event, ga4);
  };

  const allowed = (type: InpageEventType | 'inpage_exposure'): boolean => {
    const push = opts.dataLayer ?? true;
    return push === true || (Array.isArray(push) && push.includes(type));
  };
  const exposed = new Set<string>();

  const flush = (): void => {
    const batches = [...pending.values()];
    pending.clear();
    for (const b of batches) emit('view_item_list', b.ctx, b.items, b.time);
  };

  return {
    ledger,
    served(list) {
      lists.set(list.listId, list);
      const kind = o.assignment();
      const key = `${o.visitor?.() ?? ''}\u0000${list.listId}`;
      if (list.experiment === undefined || list.variant === undefined || (kind !== 'random' && kind !== 'holdout') || exposed.has(key)) return;
      exposed.add(key);
      const exposure: ExposureEvent = { event: 'inpage_exposure', inpage_experiment: list.experiment, inpage_variant: list.variant, inpage_list_id: list.listId };
      const dataLayer = (globalThis as { dataLayer?: unknown }).dataLayer;
      if (Array.isArray(dataLayer) && allowed('inpage_exposure')) dataLayer.push(exposure);
      target?.dispatchEvent(new CustomEvent('inpage:exposure', { detail: exposure }));
      opts.onExposure?.(exposure, o.now());
    },
    track(e) {
      const time = e.time ?? o.now();
      if (e.type === 'view') return; // a product page view: history only, no list step
      const listCtx = e.listId === undefined ? undefined : (lists.get(e.listId) ?? { listId: e.listId });
      if (e.type === 'impression') {
        if (listCtx === undefined) return;
        ledger.record('impression', e.itemId, listCtx, { time });
        let b = pending.get(listCtx.listId);
        if (b === undefined) {
          b = { ctx: listCtx, items: [], time };
          pending.set(listCtx.listId, b);
          if (pending.size === 1) queueMicrotask(flush);
        }
        b.items.push(item(e.itemId, { index: b.items.length }));
        return;
      }
      const attributed = ledger.record(e.type, e.itemId, listCtx, { time, ...(e.value === undefined ? {} : { value: e.value }), ...(e.currency === undefined ? {} : { currency: e.currency }) });
      // Clicks on a list are reported even without consent (nothing stored): the list is known.
      const ctx = attributed ?? (e.type === 'click' ? listCtx : undefined);
      if (ctx === undefined) return;
      const quantity = e.quantity ?? 1;
      if (e.type === 'click') return emit('select_item', ctx, [item(e.itemId)], time);
      const line = item(e.itemId, { quantity });
      const value = e.value ?? (line.price === undefined ? undefined : line.price * quantity);
      const currency = e.currency ?? opts.currency;
      const money = { ...(value !== undefined && currency !== undefined ? { value, currency } : {}), ...(e.type === 'purchase' ? { transactionId: e.transactionId ?? randomOrderId() } : {}) };
      emit(e.type, ctx, [line], time, money);
    },
    kpis: () => ledger.kpis(),
    attribution: (itemId) => ledger.touch(itemId),
  };
}
