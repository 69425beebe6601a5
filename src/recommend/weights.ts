/**
 * How a visitor's history becomes the model's two inputs (item indices and per-event weights).
 *
 * This one file is used by the page, the trainer and the offline eval, so the model is trained
 * and evaluated on exactly the weighting the page feeds it. Pure functions, no DOM.
 */

/**
 * Event types the model learns from and weights, in funnel order (their codes are 0..3): what the
 * visitor did. The trainer reads these, and a manifest's `weighting.event` weights each of them.
 */
export type RecEventType = 'view' | 'click' | 'add_to_cart' | 'purchase';

/** Weighted event types in code order: `EVENT_TYPES[code]`. */
export const EVENT_TYPES: readonly RecEventType[] = ['view', 'click', 'add_to_cart', 'purchase'];

/**
 * The numeric code of a weighted event type, or -1 when the string is not one (`'impression'`
 * included: an impression is not something the visitor did, see {@link TrackEventType}).
 */
export function eventCode(type: string): number {
  return EVENT_TYPES.indexOf(type as RecEventType);
}

/**
 * Every event type `track()` accepts: the weighted ones plus `'impression'` (an item was shown to
 * the visitor, e.g. a card of `<inpage-recommendations>` at least half on screen).
 *
 * An impression is stored with the history (capped, survives reloads, erased by `forget()`) so a
 * page can count what it showed, but it is never model input: it takes no history slot, has no
 * weight (manifests weight only {@link EVENT_TYPES}, so trained manifests need no change and the
 * trainer skips impression lines as unknown events), does not count as "seen" for `excludeSeen`,
 * and never becomes a reason ("Because you viewed …"). Seeing a card is not interest in it.
 *
 * @example rec.track({ type: 'impression', itemId: 'sku-10234' });
 */
export type TrackEventType = RecEventType | 'impression';

/** Tracked event types in stored-code order: the weighted codes 0..3, then `'impression'` (4). */
export const TRACK_EVENT_TYPES: readonly TrackEventType[] = [...EVENT_TYPES, 'impression'];

/** The stored code of a tracked event type, or -1 when the string is not one. */
export function trackCode(type: string): number {
  return TRACK_EVENT_TYPES.indexOf(type as TrackEventType);
}

/** True for the event types the model weights (not `'impression'`). */
export function isWeighted(type: TrackEventType): type is RecEventType {
  return eventCode(type) >= 0;
}

/**
 * How strongly each event type and its age count. Written by the trainer into `manifest.json`
 * (`weighting`) and read back by the page.
 *
 * @example
 * const w: Weighting = { event: { view: 1, click: 1.5, add_to_cart: 2.5, purchase: 3 }, stepDecay: 0.5, halfLifeHours: 72 };
 */
export interface Weighting {
  /** Weight per event type. */
  event: Readonly<Record<RecEventType, number>>;
  /** Multiplier per step of age: the newest step gets 1, the one before `stepDecay`, … */
  stepDecay: number;

  /** Time decay on top of step decay: weight halves every `halfLifeHours` of age. */
  halfLifeHours: number;
}

/** Defaults the trainer writes unless told otherwise. */
export const DEFAULT_WEIGHTING: Readonly<Weighting> = Object.freeze({
  event: Object.freeze({ view: 1, click: 1.5, add_to_cart: 2.5, purchase: 3 }),
  stepDecay: 0.5,
  halfLifeHours: 72,
});

/** One step of a history: consecutive events on the same item collapse into one step. */
export interface Step {
  item: number;
  /** Strongest event code seen in the step (0 view … 3 purchase). */
  code: number;
  /** Time of the step's latest event, Unix ms. */
  time: number;
}

/**
 * Collapses consecutive events on the same item into steps (view → click → add_to_cart on one
 * product is one step of strength add_to_cart), keeping order.
 *
 * @example toSteps([{item: 4, code: 0, time: 1}, {item: 4, code: 2, time: 5}]) // [{item: 4, code: 2, time: 5}]
 */
export function toSteps(events: readonly Step[]): Step[] {
  const out: Step[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (last !== undefined && last.item === e.item) {
      last.code = Math.max(last.code, e.code);
      last.time = Math.max(last.time, e.time);
    } else out.push({ item: e.item, code: e.code, time: e.time });
  }
  return out;
}

/**
 * Fills `items`/`weights` (length ≥ `maxLength`) from the newest `maxLength` steps, right-aligned,
 * each weighted `event weight × stepDecay^age × 0.5^(hours before the newest step / halfLifeHours)`:
 * the newest step sits in the last slot, the ones before it to its left, and the slots in front
 * are padding (index 0 with weight 0, which adds nothing to the weighted sum). The model reads its
 * transition component from the last slots, so their place must not depend on the history length.
 * Returns how many slots hold real steps.
 *
 * Ages are measured from the newest step, not from the clock: a history replayed with its original
 * timestamps, or tracked a moment ago, or read back a month later, gives the same inputs (a
 * clock-relative age would shrink every weight towards zero for a visitor returning after weeks,
 * and underflow for old logs replayed today).
 *
 * @example fillWeights(steps, manifest.weighting, 20, new BigInt64Array(20), new Float32Array(20), true)
 */
export function fillWeights(
  steps: readonly Step[],
  weighting: Readonly<Weighting>,
  maxLength: number,
  items: { [i: number]: number | bigint; length: number },
  weights: Float32Array,
  asBigInt = false,
): number {
  const n = Math.min(steps.length, maxLength);
  const first = steps.length - n;
  const pad = maxLength - n;
  const perMs = weighting.halfLifeHours > 0 ? Math.LN2 / (weighting.halfLifeHours * 3_600_000) : 0;
  const newest = n > 0 ? steps[steps.length - 1]!.time : 0;
  for (let slot = 0; slot < maxLength; slot++) {
    const step = slot >= pad ? steps[first + slot - pad] : undefined;
    if (step === undefined) {
      items[slot] = asBigInt ? 0n : 0;
      weights[slot] = 0;
      continue;
    }
    const age = maxLength - 1 - slot;
    const type = EVENT_TYPES[step.code] ?? 'view';
    const ageMs = Math.max(0, newest - step.time);
    items[slot] = asBigInt ? BigInt(step.item) : step.item;
    weights[slot] = weighting.event[type] * Math.pow(weighting.stepDecay, age) * Math.exp(-perMs * ageMs);
  }
  return n;
}
