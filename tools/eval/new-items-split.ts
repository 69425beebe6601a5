/**
 * The pure parts of the new-items evaluation (new-items.ts): which items count as launched after
 * the cut, the catalogue and events a model trained at the cut would have had, and the shares and
 * metrics reported for new items.
 *
 * "Launched after the cut" is derived from the events, as a shop without launch dates would:
 * an item is new when it has events in the log but none in the training part (the demo catalogue
 * does not carry the simulator's launch days). The UTC day of an item's first event stands in for
 * its launch day: it can be recommended from that day's start (`availableFrom`; the simulator, like
 * a shop, launches products by the day, and the day's granularity keeps the exact moment of the
 * first event — often the very query being scored — out of every method's reach).
 */
import type { TrainCatalog } from '../train/catalog.ts';
import type { Holdout } from '../train/holdout.ts';
import type { EventLog } from '../train/read-events.ts';
import { addQuery, emptySums, summarize, type Metrics } from './metrics.ts';

/** Which items are new at the cut, and when each was first seen. */
export interface NewItems {
  /** 1 for an item with events in the log but none in the training part. */
  isNew: Uint8Array;
  /** Time of each item's first event in the log (Unix ms); Infinity for an item without events. */
  firstSeen: Float64Array;
  /** Eval item index → index in the catalogue of the cut (old items in catalogue order), -1 for a new item. */
  oldIndex: Int32Array;
  /** The new items' count. */
  count: number;
}

/**
 * The new items of a split: `log` is the whole event log, `train` its training part (same item
 * indices), `items` the catalogue size.
 *
 * @example const n = newItemsAt(log, split.train, catalog.ids.length);
 */
export function newItemsAt(log: EventLog, train: EventLog, items: number): NewItems {
  const firstSeen = new Float64Array(items).fill(Infinity);
  for (let e = 0; e < log.length; e++) firstSeen[log.item[e]!] = Math.min(firstSeen[log.item[e]!]!, log.time[e]!);
  const trained = new Uint8Array(items);
  for (let e = 0; e < train.length; e++) trained[train.item[e]!] = 1;
  const isNew = Uint8Array.from(firstSeen, (t, i) => (Number.isFinite(t) && trained[i] === 0 ? 1 : 0));
  const oldIndex = new Int32Array(items);
  let next = 0;
  let count = 0;
  for (let i = 0; i < items; i++) {
    if (isNew[i] === 1) {
      oldIndex[i] = -1;
      count++;
    } else oldIndex[i] = next++;
  }
  return { isNew, firstSeen, oldIndex, count };
}

const DAY_MS = 86_400_000;

/**
 * When each item can be recommended: the start of its first event's UTC day for a new item (the
 * stand-in for its launch day), always (-Infinity) for the others.
 */
export function availableFrom(n: NewItems): Float64Array {
  return Float64Array.from(n.firstSeen, (t, i) => (n.isNew[i] === 1 ? Math.floor(t / DAY_MS) * DAY_MS : -Infinity));
}

/** The catalogue without the new items (the catalogue of the cut), in the same order. */
export function catalogAtCut(catalog: TrainCatalog, n: NewItems): TrainCatalog {
  const keep = (_: unknown, i: number): boolean => n.isNew[i] !== 1;
  const ids = catalog.ids.filter(keep);
  return {
    ids,
    index: new Map(ids.map((id, i) => [id, i])),
    titles: catalog.titles.filter(keep),
    categories: catalog.categories.filter(keep),
    brands: catalog.brands.filter(keep),
    prices: catalog.prices.filter(keep),
    tags: catalog.tags.filter(keep),
    inStock: catalog.inStock.filter(keep),
    categoryNames: new Map(catalog.categoryNames),
  };
}

/** `train` with its item indices moved to the catalogue of the cut (none of its items is new). */
export function eventsAtCut(train: EventLog, n: NewItems): EventLog {
  const item = Int32Array.from(train.item, (i) => {
    const j = n.oldIndex[i]!;
    if (j < 0) throw new Error(`item ${i} is new at the cut but has a training event`);
    return j;
  });
  return { ...train, item };
}

/** Share of the items in `lists` (every slot of every list) that are new. */
export function newShareOfSlots(lists: readonly (readonly number[])[], isNew: ArrayLike<number>): number {
  let slots = 0;
  let fresh = 0;
  for (const list of lists) {
    for (const i of list) {
      slots++;
      if (isNew[i] === 1) fresh++;
    }
  }
  return slots > 0 ? fresh / slots : 0;
}

/** Share of the events with `inTest[e] === 1` that are on new items. */
export function newShareOfEvents(log: EventLog, inTest: ArrayLike<number>, isNew: ArrayLike<number>): number {
  let all = 0;
  let fresh = 0;
  for (let e = 0; e < log.length; e++) {
    if (inTest[e] !== 1) continue;
    all++;
    if (isNew[log.item[e]!] === 1) fresh++;
  }
  return all > 0 ? fresh / all : 0;
}

/** Per query of `h`, 1 when its target is a new item. */
export function newTargets(h: Holdout, isNew: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(h.step, (t) => (isNew[h.users.item[t]!] === 1 ? 1 : 0));
}

/**
 * Metrics over the queries with `select[q] === pick`, from each query's target rank and top-k list
 * (as `evaluate` records them with `ranks` and `lists`). Coverage is over `items`.
 */
export function metricsOf(ranks: readonly number[], lists: readonly (readonly number[])[], select: ArrayLike<number>, pick: number, k: number, items: number): Metrics {
  const sums = emptySums(k);
  ranks.forEach((rank, q) => {
    if (select[q] === pick) addQuery(sums, rank, lists[q] ?? []);
  });
  return summarize(sums, items);
}
