/**
 * The four fields of an event log and the names they go by. Shops export under many names
 * (`user,product,action,when` is as common as `session_id,item_id,event,timestamp`), so a CSV
 * header and JSON keys are matched by name, not position: case, spaces, `_` and `-` do not count
 * ("Session ID" = `session_id` = `sessionId`). Event values have synonyms too (`addtocart`,
 * `transaction`: the names of public e-commerce logs).
 */
import { EVENT_TYPES } from '../../src/recommend/weights.ts';
import { quote } from '../cli/clip.ts';

/** The four fields every event needs. */
export type EventField = 'session' | 'item' | 'event' | 'time';

/**
 * Accepted column names per field, best first: when two columns name one field (`session_id` and
 * `user_id`), the earlier name in this list wins. Documented in README ("Train on your own shop").
 */
export const FIELD_NAMES: Readonly<Record<EventField, readonly string[]>> = {
  session: ['session_id', 'session', 'visit_id', 'visit', 'user_id', 'user', 'visitor_id', 'visitor', 'customer_id', 'customer', 'client_id'],
  item: ['item_id', 'item', 'product_id', 'product', 'sku', 'article_id', 'article', 'offer_id'],
  event: ['event', 'event_type', 'type', 'action', 'interaction', 'event_name'],
  time: ['timestamp', 'time', 'ts', 'when', 'datetime', 'date', 'event_time', 'created_at', 'occurred_at'],
};

export const FIELDS: readonly EventField[] = ['session', 'item', 'event', 'time'];

/** Column name → what it is compared as: lower case, letters and digits only. */
export function normalName(name: string): string {
  return name.replace(/^\uFEFF/, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Normalised name → [field, rank in FIELD_NAMES]. */
const BY_NAME: ReadonlyMap<string, readonly [EventField, number]> = new Map(
  FIELDS.flatMap((f) => FIELD_NAMES[f].map((n, rank) => [normalName(n), [f, rank] as const] as const)),
);

/** Which field a column or key name is, if any. */
export function fieldOf(name: string): EventField | undefined {
  return BY_NAME.get(normalName(name))?.[0];
}

/** The accepted names, one field per line, for error messages. */
export function acceptedNames(): string {
  return FIELDS.map((f) => `  ${f}: ${FIELD_NAMES[f].join(', ')}`).join('\n');
}

/** Column positions of the four fields. */
export type FieldColumns = Record<EventField, number>;

/**
 * Column positions from a header row: undefined when no cell names a field (the row is data or an
 * unknown header; the caller decides), an error naming what is missing when only some do.
 */
export function headerColumns(cells: readonly string[], path: string): FieldColumns | undefined {
  const best = new Map<EventField, { col: number; rank: number }>();
  cells.forEach((cell, col) => {
    const hit = BY_NAME.get(normalName(cell));
    if (hit === undefined) return;
    const [field, rank] = hit;
    const prior = best.get(field);
    if (prior === undefined || rank < prior.rank) best.set(field, { col, rank });
  });
  if (best.size === 0) return undefined;
  const missing = FIELDS.filter((f) => !best.has(f));
  if (missing.length > 0) {
    throw new Error(
      `events ${path}: the header row ${quote(cells.join(','))} has no ${missing.join(' or ')} column.\n` +
        `Accepted column names (case, spaces, _ and - ignored):\n${acceptedNames()}`,
    );
  }
  return { session: best.get('session')!.col, item: best.get('item')!.col, event: best.get('event')!.col, time: best.get('time')!.col };
}

/**
 * Optional visitor column: a visitor's sessions replayed back to back as one history, as their
 * device keeps them (the eval's protocols, newsletter histories). Without one every session is its
 * own visitor. When the same column is the session (a log with only `user_id`), it is both.
 */
const USER_NAMES: ReadonlySet<string> = new Set(['user_id', 'user', 'visitor_id', 'visitor', 'customer_id', 'customer', 'client_id'].map(normalName));

/** Is a column or key name the optional visitor field? */
export function isUserName(name: string): boolean {
  return USER_NAMES.has(normalName(name));
}

/** The header's visitor column (preferring one that is not the session column), or -1. */
export function userColumn(cells: readonly string[], sessionCol: number): number {
  const cols = cells.flatMap((c, i) => (isUserName(c) ? [i] : []));
  return cols.find((i) => i !== sessionCol) ?? cols[0] ?? -1;
}

/** Event value synonyms → the trainer's event types (compared by {@link normalName}). */
const EVENT_SYNONYMS: ReadonlyMap<string, string> = new Map([
  ...EVENT_TYPES.map((t) => [normalName(t), t] as const),
  ['pageview', 'view'], ['detail', 'view'], ['viewitem', 'view'], ['productview', 'view'],
  ['select', 'click'], ['selectitem', 'click'],
  ['cart', 'add_to_cart'], ['addtocart', 'add_to_cart'], ['addtobasket', 'add_to_cart'], ['basket', 'add_to_cart'],
  ['buy', 'purchase'], ['order', 'purchase'], ['transaction', 'purchase'], ['checkout', 'purchase'],
]);

/** The trainer's event type for a value from the log, or undefined (e.g. `impression`, `wishlist`). */
export function eventTypeOf(value: string): string | undefined {
  return EVENT_SYNONYMS.get(normalName(value));
}

/** The accepted event values, for messages and docs. */
export function acceptedEvents(): string {
  const by = new Map<string, string[]>();
  for (const [syn, t] of EVENT_SYNONYMS) if (syn !== normalName(t)) by.set(t, [...(by.get(t) ?? []), syn]);
  return EVENT_TYPES.map((t) => `${t} (also ${(by.get(t) ?? []).join(', ')})`).join('; ');
}
