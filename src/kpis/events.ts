/**
 * The analytics events Inpage hands to the site, and their GA4 form. Inpage sends nothing itself:
 * sinks.ts puts these on the page's `window.dataLayer` (GA4's recommended e-commerce events, which
 * Google Tag Manager and gtag read), as DOM `CustomEvent`s and to an `onEvent` callback.
 *
 * GA4 shapes (developers.google.com/analytics/devguides/collection/ga4/reference/events):
 * `view_item_list` and `select_item` carry `item_list_id`, `item_list_name` and `items`;
 * `add_to_cart` carries `currency`, `value` and `items`; `purchase` also `transaction_id`. Every
 * item has `item_id` (one of `item_id`/`item_name` is required). `currency` is required whenever
 * `value` is set. The experiment goes as event parameters `inpage_experiment` and
 * `inpage_variant` (custom parameters: register them as custom dimensions in GA4), only for
 * visitors who are really in the experiment (not forced QA views, not visitors without consent).
 *
 * @example
 * toGa4({ type: 'select_item', listId: 'home', items: [{ itemId: 'sku-1', index: 2 }], time: 0, experiment: 'e1', variant: 'B' })
 * // { event: 'select_item', inpage_experiment: 'e1', inpage_variant: 'B',
 * //   ecommerce: { item_list_id: 'home', item_list_name: 'home', items: [{ item_id: 'sku-1', index: 2, item_list_id: 'home', item_list_name: 'home' }] } }
 */

/** GA4's recommended e-commerce events that Inpage produces. */
export type InpageEventType = 'view_item_list' | 'select_item' | 'add_to_cart' | 'purchase';

/** One item of an event. */
export interface InpageEventItem {
  itemId: string;
  title?: string;
  category?: string;
  price?: number;
  quantity?: number;
  /** 0-based position in the list. */
  index?: number;
}

/** One analytics event, before it takes a sink's form. */
export interface InpageEvent {
  type: InpageEventType;
  /** The list that showed the items (attributed, for carts and purchases). */
  listId: string;
  /** Display name of the list. Default: the list id. */
  listName?: string;
  /** Present only for visitors assigned at random (or held out). */
  experiment?: string;
  variant?: string;
  items: InpageEventItem[];
  value?: number;
  currency?: string;
  transactionId?: string;
  /** Unix ms. */
  time: number;
}

/**
 * Pushed once per list id and page view when a visitor in an experiment (assigned at random or
 * held out) is served a list — in every arm, `'none'` included — so the analysis counts every
 * assigned visitor, whether or not they saw a card (intent to treat). A custom GA4 event.
 */
export interface ExposureEvent {
  event: 'inpage_exposure';
  inpage_experiment: string;
  inpage_variant: string;
  inpage_list_id: string;
}

/** What `window.dataLayer` receives. */
export interface Ga4DataLayerEvent {
  event: InpageEventType;
  inpage_experiment?: string;
  inpage_variant?: string;
  ecommerce: {
    item_list_id?: string;
    item_list_name?: string;
    transaction_id?: string;
    value?: number;
    currency?: string;
    items: Record<string, string | number>[];
  };
}

/** GA4 form of an event. */
export function toGa4(e: InpageEvent): Ga4DataLayerEvent {
  const listName = e.listName ?? e.listId;
  const items = e.items.slice(0, 200).map((it) => {
    const out: Record<string, string | number> = { item_id: it.itemId };
    if (it.title !== undefined) out['item_name'] = it.title;
    if (it.category !== undefined) out['item_category'] = it.category;
    if (it.price !== undefined) out['price'] = it.price;
    if (it.quantity !== undefined) out['quantity'] = it.quantity;
    if (it.index !== undefined) out['index'] = it.index;
    out['item_list_id'] = e.listId;
    out['item_list_name'] = listName;
    return out;
  });
  const ecommerce: Ga4DataLayerEvent['ecommerce'] = { items };
  if (e.type === 'view_item_list' || e.type === 'select_item') {
    ecommerce.item_list_id = e.listId;
    ecommerce.item_list_name = listName;
  }
  if (e.type === 'purchase' && e.transactionId !== undefined) ecommerce.transaction_id = e.transactionId;
  if (e.value !== undefined && e.currency !== undefined) {
    ecommerce.value = e.value;
    ecommerce.currency = e.currency;
  }
  return {
    event: e.type,
    ...(e.experiment === undefined ? {} : { inpage_experiment: e.experiment }),
    ...(e.variant === undefined ? {} : { inpage_variant: e.variant }),
    ecommerce,
  };
}
