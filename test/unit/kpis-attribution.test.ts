/**
 * On-device attribution with a controlled clock, consent, retention, and the GA4 shapes of the
 * events handed to the site (checked against GA4's documented schema of recommended e-commerce
 * events: developers.google.com/analytics/devguides/collection/ga4/reference/events).
 */
import { describe, expect, it } from 'vitest';
import { InpageError } from '../../src/errors.ts';
import { checkKpiFields, createKpiTracker, toGa4, type Ga4DataLayerEvent, type InpageEvent } from '../../src/kpis/index.ts';
import type { AssignmentKind } from '../../src/experiments/assign.ts';
import { resolveRetention } from '../../src/privacy/retention.ts';
import { MapStorage } from './helpers/map-storage.ts';

const H = 3_600_000;
const ITEMS: Record<string, { title: string; category: string; price: number }> = {
  'sku-1': { title: 'Dome Tent', category: 'Tents', price: 200 },
  'sku-2': { title: 'Stove', category: 'Stoves', price: 50 },
};

function setup(o: { granted?: boolean; windowHours?: number; model?: 'last-touch' | 'first-touch'; kind?: AssignmentKind } = {}) {
  const clock = { now: 1_750_000_000_000 };
  const consent = { value: o.granted ?? true };
  const events: [InpageEvent, Ga4DataLayerEvent][] = [];
  const storage = new MapStorage();
  const kpi = createKpiTracker({
    storage, key: 'inpage:reco:test:kpi', consent: { granted: () => consent.value }, retention: resolveRetention(), now: () => clock.now,
    describe: (id) => ITEMS[id], assignment: () => o.kind ?? 'random',
    options: { attribution: { ...(o.windowHours === undefined ? {} : { windowHours: o.windowHours }), ...(o.model === undefined ? {} : { model: o.model }) }, eventTarget: null, onEvent: (e, g) => events.push([e, g]), currency: 'EUR' },
  });
  return { clock, consent, events, storage, kpi };
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('attribution', () => {
  it('impression → click → cart → purchase counts for the list and variant that showed the item', async () => {
    const { kpi, clock } = setup();
    kpi.served({ listId: 'home', experiment: 'e1', variant: 'B' });
    kpi.track({ type: 'impression', itemId: 'sku-1', listId: 'home' });
    kpi.track({ type: 'impression', itemId: 'sku-2', listId: 'home' });
    clock.now += 60_000;
    kpi.track({ type: 'click', itemId: 'sku-1', listId: 'home' });
    clock.now += H;
    kpi.track({ type: 'add_to_cart', itemId: 'sku-1' });
    clock.now += H;
    kpi.track({ type: 'purchase', itemId: 'sku-1', value: 189.5, currency: 'EUR' });
    expect(kpi.kpis()).toEqual([{ experiment: 'e1', variant: 'B', impressions: 2, clicks: 1, addToCarts: 1, purchases: 1, revenue: { EUR: 189.5 }, ctr: 0.5, addToCartRate: 1, conversionRate: 1, revenuePerVisitor: { EUR: 189.5 } }]);
  });

  it('does not attribute after the window (default 24 h); a custom window counts', () => {
    for (const [windowHours, after, counted] of [[undefined, 23.9, 1], [undefined, 24.1, 0], [48, 47, 1], [1, 1.5, 0]] as const) {
      const { kpi, clock } = setup(windowHours === undefined ? {} : { windowHours });
      kpi.served({ listId: 'home', experiment: 'e1', variant: 'A' });
      kpi.track({ type: 'impression', itemId: 'sku-1', listId: 'home' });
      clock.now += after * H;
      kpi.track({ type: 'purchase', itemId: 'sku-1', value: 10, currency: 'EUR' });
      expect(kpi.kpis()[0]!.purchases, `window ${windowHours ?? 24} h, purchase after ${after} h`).toBe(counted);
    }
  });

  it('last touch by default; first touch on request', () => {
    for (const [model, list] of [['last-touch', 'pdp'], ['first-touch', 'home']] as const) {
      const { kpi, clock } = setup({ model });
      kpi.served({ listId: 'home', experiment: 'e1', variant: 'A' });
      kpi.served({ listId: 'pdp', experiment: 'e1', variant: 'A' });
      kpi.track({ type: 'impression', itemId: 'sku-1', listId: 'home' });
      clock.now += H;
      kpi.track({ type: 'impression', itemId: 'sku-1', listId: 'pdp' });
      clock.now += H;
      expect(kpi.attribution('sku-1')?.listId).toBe(list);
    }
  });

  it('a purchase of an item no list showed is not attributed and not reported', async () => {
    const { kpi, events } = setup();
    kpi.track({ type: 'purchase', itemId: 'sku-2', value: 50, currency: 'EUR' });
    await flush();
    expect(kpi.kpis()).toEqual([]);
    expect(events).toEqual([]);
  });

  it('without consent nothing is stored or attributed; list events still go out, without the experiment', async () => {
    const { kpi, storage, events } = setup({ granted: false, kind: 'no-consent' });
    kpi.served({ listId: 'home', experiment: 'e1', variant: 'control' });
    kpi.track({ type: 'impression', itemId: 'sku-1', listId: 'home' });
    kpi.track({ type: 'click', itemId: 'sku-1', listId: 'home' });
    kpi.track({ type: 'purchase', itemId: 'sku-1', value: 200, currency: 'EUR' });
    await flush();
    expect(storage.map.size).toBe(0);
    expect(kpi.kpis()).toEqual([]);
    expect(events.map(([e]) => [e.type, e.experiment, e.variant])).toEqual([['select_item', undefined, undefined], ['view_item_list', undefined, undefined]]);
  });

  it('entries expire with retention (30 days)', () => {
    const { kpi, clock, storage } = setup();
    kpi.served({ listId: 'home' });
    kpi.track({ type: 'impression', itemId: 'sku-1', listId: 'home' });
    clock.now += 31 * 24 * H;
    expect(kpi.kpis()).toEqual([]);
    expect(JSON.parse(storage.getItem('inpage:reco:test:kpi')!).e).toEqual([]);
  });

  it('rejects bad fields with INPUT_INVALID', () => {
    for (const bad of [{ value: -1, currency: 'EUR' }, { value: 5 }, { currency: 'euro' }, { quantity: 0 }, { listId: 'a b' }, { transactionId: '' }]) {
      expect(() => checkKpiFields(bad)).toThrow(InpageError);
    }
  });
});

/**
 * GA4's documented schema for the four events, written from the reference: `items` is required
 * (at most 200); each item needs `item_id` or `item_name`; `currency` (3-letter ISO 4217) is
 * required whenever `value` is set; `purchase` requires `transaction_id`; `select_item` expects a
 * single item; `item_list_id` / `item_list_name` are strings; `index`, `price`, `quantity` numbers.
 * Event parameter names: ≤ 40 characters, letters, digits and underscores, starting with a letter;
 * string values ≤ 100 characters.
 */
function ga4Problems(e: Ga4DataLayerEvent): string[] {
  const p: string[] = [];
  const ec = e.ecommerce as Record<string, unknown>;
  const items = ec['items'];
  if (!['view_item_list', 'select_item', 'add_to_cart', 'purchase'].includes(e.event)) p.push('event name');
  for (const [k, v] of Object.entries(e)) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(k)) p.push(`param name ${k}`);
    if (typeof v === 'string' && v.length > 100) p.push(`param ${k} too long`);
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > 200) p.push('items');
  else for (const it of items as Record<string, unknown>[]) {
    if (typeof it['item_id'] !== 'string' && typeof it['item_name'] !== 'string') p.push('item_id or item_name');
    for (const k of ['index', 'price', 'quantity']) if (it[k] !== undefined && typeof it[k] !== 'number') p.push(`item ${k}`);
    for (const k of ['item_list_id', 'item_list_name', 'item_category']) if (it[k] !== undefined && typeof it[k] !== 'string') p.push(`item ${k}`);
  }
  if (ec['value'] !== undefined && (typeof ec['value'] !== 'number' || typeof ec['currency'] !== 'string' || !/^[A-Z]{3}$/.test(ec['currency'] as string))) p.push('value needs currency');
  if (e.event === 'purchase' && typeof ec['transaction_id'] !== 'string') p.push('transaction_id');
  if (e.event === 'select_item' && Array.isArray(items) && items.length !== 1) p.push('select_item single item');
  if ((e.event === 'view_item_list' || e.event === 'select_item') && typeof ec['item_list_id'] !== 'string') p.push('item_list_id');
  return p;
}

describe('GA4 events', () => {
  it('every event the funnel produces passes the schema and carries list, experiment and variant', async () => {
    const { kpi, events } = setup();
    kpi.served({ listId: 'home', experiment: 'e1', variant: 'B' });
    kpi.track({ type: 'impression', itemId: 'sku-1', listId: 'home' });
    kpi.track({ type: 'impression', itemId: 'sku-2', listId: 'home' });
    kpi.track({ type: 'click', itemId: 'sku-2', listId: 'home' });
    kpi.track({ type: 'add_to_cart', itemId: 'sku-2', quantity: 2 });
    kpi.track({ type: 'purchase', itemId: 'sku-2', value: 100, currency: 'EUR', transactionId: 'T-1' });
    await flush();
    expect(events.map(([e]) => e.type)).toEqual(['select_item', 'add_to_cart', 'purchase', 'view_item_list']);
    for (const [, g] of events) {
      expect(ga4Problems(g), JSON.stringify(g)).toEqual([]);
      expect(g).toMatchObject({ inpage_experiment: 'e1', inpage_variant: 'B' });
      for (const it of g.ecommerce.items) expect(it['item_list_id']).toBe('home');
    }
    const [view, , cart, purchase] = [events[3]![1], events[0]![1], events[1]![1], events[2]![1]];
    expect(view.ecommerce.items.map((i) => [i['item_id'], i['index'], i['item_name']])).toEqual([['sku-1', 0, 'Dome Tent'], ['sku-2', 1, 'Stove']]);
    expect(cart.ecommerce).toMatchObject({ value: 100, currency: 'EUR' }); // 2 × 50
    expect(purchase.ecommerce).toMatchObject({ transaction_id: 'T-1', value: 100, currency: 'EUR' });
  });

  it('an exposure per visitor and list, for assigned visitors only (not forced, not without consent)', () => {
    for (const [kind, expected] of [['random', 2], ['holdout', 2], ['forced', 0], ['no-consent', 0]] as const) {
      const exposures: unknown[] = [];
      const kpi = createKpiTracker({
        storage: null, key: 'inpage:k', consent: { granted: () => true }, retention: resolveRetention(), now: () => 0, describe: () => undefined,
        assignment: () => kind, visitor: () => 'v1', options: { eventTarget: null, onExposure: (x) => exposures.push(x) },
      });
      kpi.served({ listId: 'home', experiment: 'e1', variant: 'B' });
      kpi.served({ listId: 'home', experiment: 'e1', variant: 'B' }); // re-rendered: not again
      kpi.served({ listId: 'pdp', experiment: 'e1', variant: 'B' });
      kpi.served({ listId: 'plain' }); // no experiment: none
      expect(exposures, kind).toHaveLength(expected);
      if (expected > 0) {
        expect(exposures[0]).toEqual({ event: 'inpage_exposure', inpage_experiment: 'e1', inpage_variant: 'B', inpage_list_id: 'home' });
        for (const k of Object.keys(exposures[0] as object)) expect(k).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,39}$/);
      }
    }
  });

  it('QA-forced views leave the experiment out of the events', async () => {
    const { kpi, events } = setup({ kind: 'forced' });
    kpi.served({ listId: 'home', experiment: 'e1', variant: 'B' });
    kpi.track({ type: 'click', itemId: 'sku-1', listId: 'home' });
    expect(events[0]![1]).not.toHaveProperty('inpage_variant');
  });

  it('the schema check fails bad shapes (it can fail)', () => {
    const good = toGa4({ type: 'purchase', listId: 'x', items: [{ itemId: 'a' }], time: 0, value: 5, currency: 'EUR', transactionId: 't' });
    expect(ga4Problems(good)).toEqual([]);
    expect(ga4Problems({ ...good, ecommerce: { ...good.ecommerce, transaction_id: undefined } } as unknown as Ga4DataLayerEvent)).toContain('transaction_id');
    expect(ga4Problems({ ...good, ecommerce: { ...good.ecommerce, currency: undefined } } as unknown as Ga4DataLayerEvent)).toContain('value needs currency');
    expect(ga4Problems({ ...good, ecommerce: { ...good.ecommerce, items: [] } })).toContain('items');
  });
});
