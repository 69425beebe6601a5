/**
 * On-device attribution: the record of which list (and experiment variant) showed or opened each
 * item, and what followed. A cart or purchase of an item is attributed to the list that touched it
 * (an impression or a click) within the attribution window — by default the last touch within
 * 24 hours. Clicks without a list are attributed the same way.
 *
 * Personal data (docs/PRIVACY.md): stored through the consent-gated {@link PersonalRecord} under
 * `inpage:kpi:<manifest URL>`; without consent nothing is recorded (so nothing is attributed);
 * entries expire after the retention window and the record is capped (500 entries, byte cap);
 * `forget()` erases it with every other `inpage:` key.
 *
 * @example
 * ledger.record('impression', 'sku-1', { listId: 'home', experiment: 'e1', variant: 'B' });
 * ledger.record('purchase', 'sku-1', undefined, { value: 59, currency: 'EUR' }); // → { listId: 'home', … }
 * ledger.kpis(); // [{ experiment: 'e1', variant: 'B', impressions: 1, purchases: 1, revenue: { EUR: 59 }, … }]
 */
import { InpageError } from '../errors.ts';
import type { ConsentGate } from '../privacy/gate.ts';
import { PersonalRecord, type StorageLike } from '../privacy/personal-record.ts';
import { fitBytes, isFresh, type RetentionPolicy } from '../privacy/retention.ts';

/** The funnel steps that count. */
export type KpiKind = 'impression' | 'click' | 'add_to_cart' | 'purchase';
const KINDS: readonly KpiKind[] = ['impression', 'click', 'add_to_cart', 'purchase'];

/** The list (and variant) something is attributed to. */
export interface ListContext {
  listId: string;
  experiment?: string;
  variant?: string;
}

/** How conversions find their list. */
export interface AttributionOptions {
  /** Hours after a touch within which a click, cart or purchase counts for its list. Default 24. */
  windowHours?: number;
  /** Which touch wins when several lists showed the item. Default 'last-touch'. */
  model?: 'last-touch' | 'first-touch';
}

/** KPIs of one variant (or of lists outside any experiment: `variant` 'none') on this device. */
export interface VariantKpis {
  experiment?: string;
  variant: string;
  impressions: number;
  clicks: number;
  addToCarts: number;
  purchases: number;
  /** Attributed revenue per currency. */
  revenue: Record<string, number>;
  /** clicks / impressions (0 without impressions). */
  ctr: number;
  /** add-to-carts / clicks. */
  addToCartRate: number;
  /** purchases / clicks. */
  conversionRate: number;
  /** This device is one visitor: its attributed revenue per currency. */
  revenuePerVisitor: Record<string, number>;
}

/** One stored entry. */
export interface KpiEntry extends ListContext {
  time: number;
  kind: KpiKind;
  itemId: string;
  value?: number;
  currency?: string;
}

/** Stored: `{ v: 1, e: [[time, kindCode, itemId, listId, experiment|0, variant|0, value|0, currency|0]] }`. */
type Row = [number, number, string, string, string | 0, string | 0, number | 0, string | 0];

const MAX_ENTRIES = 500;

/** Validates attribution options (`OPTION_INVALID`) and returns the window in ms and the model. */
export function resolveAttribution(opts: AttributionOptions = {}): { windowMs: number; model: 'last-touch' | 'first-touch' } {
  const hours = opts.windowHours ?? 24;
  if (typeof hours !== 'number' || !(hours > 0) || hours > 24 * 90) throw new InpageError('OPTION_INVALID', `attribution.windowHours must be a number of hours in (0, 2160], got ${String(hours)}. The default is 24.`);
  const model = opts.model ?? 'last-touch';
  if (model !== 'last-touch' && model !== 'first-touch') throw new InpageError('OPTION_INVALID', `attribution.model must be 'last-touch' or 'first-touch', got ${JSON.stringify(model)}.`);
  return { windowMs: hours * 3_600_000, model };
}

function decode(text: string | null): KpiEntry[] {
  if (text === null) return [];
  try {
    const parsed = JSON.parse(text) as { v?: unknown; e?: unknown };
    if (parsed.v !== 1 || !Array.isArray(parsed.e)) return [];
    return (parsed.e as unknown[]).flatMap((r) => {
      if (!Array.isArray(r)) return [];
      const [time, k, itemId, listId, experiment, variant, value, currency] = r as Row;
      const kind = KINDS[k];
      if (typeof time !== 'number' || kind === undefined || typeof itemId !== 'string' || typeof listId !== 'string') return [];
      const e: KpiEntry = { time, kind, itemId, listId };
      if (typeof experiment === 'string') e.experiment = experiment;
      if (typeof variant === 'string') e.variant = variant;
      if (typeof value === 'number' && typeof currency === 'string') { e.value = value; e.currency = currency; }
      return [e];
    });
  } catch {
    return []; // corrupt or foreign data under our key: start over
  }
}

function encode(entries: readonly KpiEntry[]): string {
  return JSON.stringify({ v: 1, e: entries.map((e): Row => [e.time, KINDS.indexOf(e.kind), e.itemId, e.listId, e.experiment ?? 0, e.variant ?? 0, e.value ?? 0, e.currency ?? 0]) });
}

/** The stored funnel of this visitor, with attribution. */
export class KpiLedger {
  readonly #record: PersonalRecord;
  readonly #gate: ConsentGate;
  readonly #retention: RetentionPolicy;
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #model: 'last-touch' | 'first-touch';

  constructor(storage: StorageLike | null, key: string, gate: ConsentGate, retention: RetentionPolicy, now: () => number, attribution?: AttributionOptions) {
    this.#record = new PersonalRecord(storage, key, gate);
    this.#gate = gate;
    this.#retention = retention;
    this.#now = now;
    const a = resolveAttribution(attribution);
    this.#windowMs = a.windowMs;
    this.#model = a.model;
  }

  get key(): string {
    return this.#record.key;
  }

  /** Stored entries within retention, oldest first (expired ones are removed from storage). */
  entries(): KpiEntry[] {
    const text = this.#record.read();
    const all = decode(text);
    const now = this.#now();
    const fresh = all.filter((e) => isFresh(e.time, now, this.#retention));
    if (fresh.length !== all.length) this.#write(fresh);
    return fresh;
  }

  /** The list that touched `itemId` within the window before `at` (per the model), if any. */
  touch(itemId: string, at = this.#now()): ListContext | undefined {
    const touches = this.entries().filter((e) => e.itemId === itemId && (e.kind === 'impression' || e.kind === 'click') && e.time <= at && at - e.time <= this.#windowMs);
    const hit = this.#model === 'last-touch' ? touches[touches.length - 1] : touches[0];
    return hit === undefined ? undefined : context(hit);
  }

  /**
   * Records a funnel step. Impressions and clicks with a list are touches of that list; a click
   * without one, a cart and a purchase are attributed by {@link touch}. Returns the list it was
   * counted for, or undefined when it was not attributed (or there is no consent: nothing stored).
   */
  record(kind: KpiKind, itemId: string, list: ListContext | undefined, extra: { value?: number; currency?: string; time?: number } = {}): ListContext | undefined {
    if (!this.#gate.granted()) return undefined; // nothing recorded, nothing attributed
    const time = extra.time ?? this.#now();
    const ctx = list ?? (kind === 'impression' ? undefined : this.touch(itemId, time));
    if (ctx === undefined) return undefined;
    const entries = this.entries();
    const e: KpiEntry = { time, kind, itemId, ...ctx };
    if (extra.value !== undefined && extra.currency !== undefined) { e.value = extra.value; e.currency = extra.currency; }
    entries.push(e);
    this.#write(entries.slice(-MAX_ENTRIES));
    return ctx;
  }

  /** KPIs per experiment variant, from the stored entries. */
  kpis(): VariantKpis[] {
    const groups = new Map<string, VariantKpis>();
    for (const e of this.entries()) {
      const key = `${e.experiment ?? ''}\u0000${e.variant ?? 'none'}`;
      let g = groups.get(key);
      if (g === undefined) {
        g = { ...(e.experiment === undefined ? {} : { experiment: e.experiment }), variant: e.variant ?? 'none', impressions: 0, clicks: 0, addToCarts: 0, purchases: 0, revenue: {}, ctr: 0, addToCartRate: 0, conversionRate: 0, revenuePerVisitor: {} };
        groups.set(key, g);
      }
      if (e.kind === 'impression') g.impressions++;
      else if (e.kind === 'click') g.clicks++;
      else if (e.kind === 'add_to_cart') g.addToCarts++;
      else {
        g.purchases++;
        if (e.value !== undefined && e.currency !== undefined) g.revenue[e.currency] = (g.revenue[e.currency] ?? 0) + e.value;
      }
    }
    return [...groups.values()].map((g) => ({
      ...g,
      ctr: g.impressions === 0 ? 0 : g.clicks / g.impressions,
      addToCartRate: g.clicks === 0 ? 0 : g.addToCarts / g.clicks,
      conversionRate: g.clicks === 0 ? 0 : g.purchases / g.clicks,
      revenuePerVisitor: { ...g.revenue },
    }));
  }

  dropMemory(): void {
    this.#record.dropMemory();
  }

  #write(entries: readonly KpiEntry[]): void {
    this.#record.write(fitBytes(entries, encode, this.#retention.maxBytes).text);
  }
}

function context(e: KpiEntry): ListContext {
  return { listId: e.listId, ...(e.experiment === undefined ? {} : { experiment: e.experiment }), ...(e.variant === undefined ? {} : { variant: e.variant }) };
}
