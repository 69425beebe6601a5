/**
 * Merchandising rules: pin, boost, bury, filter and exclude, global or per list, with start and
 * end dates. Declared in `createRecommender({ rules })`, in the manifest's `rules` field, per
 * experiment variant, per call (`recommend({ rules })`) or, for simple cases, as element attributes.
 *
 * Everything but pins acts on the model's `bias` input before its TopK, so the model returns the
 * best `k` items that pass: a filter never starves a list (no "ask for 8, filter, show 2").
 * Boost and bury add ±strength to the item's score — the model's scores are log-scale (dot
 * products, category boosts of log(share)); 'trending' ranks by log(popularity) + bias, so a
 * strength of 1 counts as multiplying popularity by e. Pins are placed after the TopK at their
 * slot (the pinned item is kept out of the model's pick, so it never appears twice).
 *
 * @example
 * [{ type: 'pin', itemId: 'sku-10042', position: 1, reason: 'Staff pick' },
 *  { type: 'boost', match: { category: 'tents' }, strength: 2, lists: ['for-you'] },
 *  { type: 'bury', match: { maxPrice: 20 }, strength: 3, end: '2026-12-24' },
 *  { type: 'filter', match: { inStock: true } },
 *  { type: 'exclude', ids: ['sku-10001'] }]
 */
import { InpageError } from '../errors.ts';
import { EXCLUDED, type Candidates } from './candidates.ts';
import type { RecommenderItems } from './manifest.ts';

/** Which items a rule is about. All given fields must hold (AND); a list inside a field is OR. */
export interface RuleMatch {
  ids?: readonly string[];
  category?: string | readonly string[];
  /** Needs `createRecommender({ itemFacts })` (the item table has no brands). */
  brand?: string | readonly string[];
  /** Needs `createRecommender({ itemFacts })`. */
  tag?: string | readonly string[];
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
}

/** What every rule may say about when and where it applies. */
interface RuleScope {
  /** Shown in `Recommendation.rule` for items the rule placed. Default `<type>-<index>`. */
  id?: string;
  /** List ids (`recommend({ listId })`, default the strategy name) it applies to. Default: every list. */
  lists?: readonly string[];
  /** Active from (ISO date/time or Unix ms), inclusive. */
  start?: string | number;
  /** Active until (ISO date/time or Unix ms), exclusive. */
  end?: string | number;
}

/** One merchandising rule. */
export type MerchRule = RuleScope & (
  | { type: 'pin'; itemId: string; /** 1-based slot. */ position: number; /** Reason shown on the card. Default 'Featured'. */ reason?: string }
  | { type: 'boost' | 'bury'; match: RuleMatch; /** Added to (boost) or taken from (bury) the score. Default 2. */ strength?: number }
  | { type: 'filter'; match: RuleMatch }
  | { type: 'exclude'; ids: readonly string[] }
);

/** Brand and tags per item id, for rules that match on them. */
export type ItemFacts = Readonly<Record<string, { brand?: string; tags?: readonly string[] }>>;

/** Default boost/bury strength: about a category's lead in the model's log scores. */
export const DEFAULT_STRENGTH = 2;

const TYPES = ['pin', 'boost', 'bury', 'filter', 'exclude'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(where: string, field: string, why: string, got: unknown): never {
  throw new InpageError('OPTION_INVALID', `${where}: ${field} ${why}, got ${JSON.stringify(got) ?? String(got)}. See docs/EXPERIMENTS.md#merchandising-rules.`, { field });
}

function time(where: string, field: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) bad(where, field, 'must be an ISO date/time or Unix milliseconds', v);
  return t;
}

function strings(where: string, field: string, v: unknown, max = 10_000): void {
  if (v === undefined || typeof v === 'string') return;
  if (!Array.isArray(v) || v.length > max || !v.every((x) => typeof x === 'string')) bad(where, field, `must be a string or an array of at most ${max} strings`, v);
}

function parseMatch(where: string, field: string, v: unknown): void {
  if (!isRecord(v)) bad(where, field, 'must be an object like { category: "tents" }', v);
  const known = ['ids', 'category', 'brand', 'tag', 'minPrice', 'maxPrice', 'inStock'];
  const unknown = Object.keys(v).filter((k) => !known.includes(k));
  if (unknown.length > 0) bad(where, `${field}.${unknown[0]}`, `is not a match field (${known.join(', ')})`, v[unknown[0]!]);
  if (Object.keys(v).length === 0) bad(where, field, 'must name at least one field', v);
  for (const k of ['ids', 'category', 'brand', 'tag']) strings(where, `${field}.${k}`, v[k]);
  for (const k of ['minPrice', 'maxPrice']) if (v[k] !== undefined && (typeof v[k] !== 'number' || !Number.isFinite(v[k]))) bad(where, `${field}.${k}`, 'must be a number', v[k]);
  if (v['inStock'] !== undefined && typeof v['inStock'] !== 'boolean') bad(where, `${field}.inStock`, 'must be true or false', v['inStock']);
}

/**
 * Validates rules (from code, a manifest or attributes). Throws `OPTION_INVALID` naming the
 * first bad field. At most 200 rules.
 */
export function parseRules(json: unknown, where = 'rules'): MerchRule[] {
  if (!Array.isArray(json) || json.length > 200) bad(where, '(root)', 'must be an array of at most 200 rules', json);
  return json.map((r: unknown, i) => {
    const f = `[${i}]`;
    if (!isRecord(r)) bad(where, f, 'must be an object like { type: "pin", itemId, position }', r);
    if (!(TYPES as readonly unknown[]).includes(r['type'])) bad(where, `${f}.type`, `must be one of ${TYPES.join(', ')}`, r['type']);
    if (r['id'] !== undefined && (typeof r['id'] !== 'string' || r['id'] === '')) bad(where, `${f}.id`, 'must be a non-empty string', r['id']);
    strings(where, `${f}.lists`, r['lists'], 100);
    const start = time(where, `${f}.start`, r['start']);
    const end = time(where, `${f}.end`, r['end']);
    if (start !== undefined && end !== undefined && end <= start) bad(where, `${f}.end`, 'must be after start', r['end']);
    if (r['type'] === 'pin') {
      if (typeof r['itemId'] !== 'string' || r['itemId'] === '') bad(where, `${f}.itemId`, 'must be an item id', r['itemId']);
      if (!Number.isInteger(r['position']) || (r['position'] as number) < 1 || (r['position'] as number) > 1000) bad(where, `${f}.position`, 'must be an integer slot in 1..1000 (1 is first)', r['position']);
      if (r['reason'] !== undefined && typeof r['reason'] !== 'string') bad(where, `${f}.reason`, 'must be a string', r['reason']);
    } else if (r['type'] === 'exclude') {
      if (!Array.isArray(r['ids'])) bad(where, `${f}.ids`, 'must be an array of item ids', r['ids']);
      strings(where, `${f}.ids`, r['ids']);
    } else {
      parseMatch(where, `${f}.match`, r['match']);
      const s = r['strength'];
      if (r['type'] !== 'filter' && s !== undefined && (typeof s !== 'number' || !Number.isFinite(s) || s <= 0 || s > 1000)) bad(where, `${f}.strength`, 'must be a positive number ≤ 1000', s);
    }
    return r as unknown as MerchRule;
  });
}

/** Rules in force for `listId` at `now`. */
export function activeRules(rules: readonly MerchRule[], listId: string, now: number): MerchRule[] {
  return rules.filter((r) => {
    const start = r.start === undefined ? -Infinity : typeof r.start === 'number' ? r.start : Date.parse(r.start);
    const end = r.end === undefined ? Infinity : typeof r.end === 'number' ? r.end : Date.parse(r.end);
    return now >= start && now < end && (r.lists === undefined || r.lists.includes(listId));
  });
}

const asSet = (v: string | readonly string[] | undefined): Set<string> | undefined => (v === undefined ? undefined : new Set(typeof v === 'string' ? [v] : v));

/** A predicate over item indices for one match. */
function matcher(items: RecommenderItems, match: RuleMatch, facts: ItemFacts | undefined): (j: number) => boolean {
  const ids = asSet(match.ids);
  const cats = asSet(match.category);
  const brands = asSet(match.brand);
  const tags = asSet(match.tag);
  // Brands and tags: the site's own `itemFacts` when given, else the item table's (trained from
  // the catalogue since the table carried them; older packages have none).
  const own = facts === undefined ? items.facts : undefined;
  if ((brands !== undefined || tags !== undefined) && facts === undefined && own === undefined) {
    throw new InpageError('OPTION_INVALID', 'A rule matches on brand or tag, but this package\'s item table has no brands or tags (trained before they were kept, or the catalogue had none): re-run `inpage train`, pass createRecommender({ itemFacts: { [itemId]: { brand, tags } } }), or match on category, price or ids.');
  }
  const brandOf = (j: number, id: string): string | undefined => {
    if (own === undefined) return facts?.[id]?.brand;
    const b = own.brand[j] ?? -1;
    return b < 0 ? undefined : own.brands[b];
  };
  const brandIn = (set: Set<string>, j: number, id: string): boolean => {
    const b = brandOf(j, id);
    return b !== undefined && set.has(b);
  };
  const tagsOf = (j: number, id: string): readonly string[] => (own === undefined ? facts?.[id]?.tags ?? [] : (own.tags[j] ?? []).map((t) => own.tagNames[t] ?? ''));
  return (j) => {
    const id = items.ids[j] ?? '';
    const price = items.price[j] ?? 0;
    return (ids === undefined || ids.has(id)) &&
      (cats === undefined || cats.has(items.categories[items.category[j] ?? -1]?.id ?? '')) &&
      (brands === undefined || brandIn(brands, j, id)) &&
      (tags === undefined || tagsOf(j, id).some((t) => tags.has(t))) &&
      (match.minPrice === undefined || price >= match.minPrice) &&
      (match.maxPrice === undefined || price <= match.maxPrice) &&
      (match.inStock === undefined || (items.inStock[j] === 1) === match.inStock);
  };
}

/** A pin to place after the model's pick. */
export interface Pin {
  index: number;
  /** 0-based slot. */
  slot: number;
  rule: string;
  reason: string;
}

/** What the rules did to the candidates. */
export interface RuledCandidates {
  cand: Candidates;
  /** Pins whose items pass the list's filters, by slot. */
  pins: Pin[];
  /** Item index → id of the boost rule that raised it (for `Recommendation.rule`). */
  boosted: Map<number, string>;
}

const ruleId = (r: MerchRule, i: number): string => r.id ?? `${r.type}-${i + 1}`;

/**
 * Applies the active `rules` to the candidate bias. Filters and excludes remove items; boosts and
 * buries shift them; pinned items are taken out of the model's pick (placed later by
 * {@link placePins}) — only when they pass the list's own filters and exclusions, so a pin never
 * shows an out-of-stock or already-bought item.
 */
export function applyRules(items: RecommenderItems, index: ReadonlyMap<string, number>, base: Candidates, rules: readonly MerchRule[], facts?: ItemFacts): RuledCandidates {
  if (rules.length === 0) return { cand: base, pins: [], boosted: new Map() };
  const bias = base.bias.slice();
  const N = bias.length;
  const boosted = new Map<number, string>();
  const pins: Pin[] = [];
  rules.forEach((r, i) => {
    if (r.type === 'exclude') {
      for (const id of r.ids) {
        const j = index.get(id);
        if (j !== undefined) bias[j] = EXCLUDED;
      }
    } else if (r.type === 'filter') {
      const ok = matcher(items, r.match, facts);
      for (let j = 0; j < N; j++) if (!ok(j)) bias[j] = EXCLUDED;
    } else if (r.type === 'boost' || r.type === 'bury') {
      const ok = matcher(items, r.match, facts);
      const delta = (r.type === 'boost' ? 1 : -1) * (r.strength ?? DEFAULT_STRENGTH);
      for (let j = 0; j < N; j++) {
        if (bias[j] === EXCLUDED || !ok(j)) continue;
        bias[j] = bias[j]! + delta;
        if (delta > 0) boosted.set(j, ruleId(r, i));
      }
    }
  });
  // Pins last: a pinned item must pass every filter and exclusion above.
  const slots = new Set<number>();
  rules.forEach((r, i) => {
    if (r.type !== 'pin') return;
    const j = index.get(r.itemId);
    if (j === undefined || bias[j] === EXCLUDED || slots.has(r.position - 1) || pins.some((p) => p.index === j)) return;
    slots.add(r.position - 1);
    pins.push({ index: j, slot: r.position - 1, rule: ruleId(r, i), reason: r.reason ?? 'Featured' });
  });
  for (const p of pins) bias[p.index] = EXCLUDED;
  let allowed = 0;
  for (let j = 0; j < N; j++) if (bias[j] !== EXCLUDED) allowed++;
  return { cand: { bias, allowed }, pins: pins.sort((a, b) => a.slot - b.slot), boosted };
}

/**
 * Puts pinned items at their slots in the model's list (a slot past the end appends), keeping
 * the list at most `k` long.
 *
 * @example placePins([a, b, c], [{ index: 9, slot: 1, … }], 3, mk) // [a, pin9, b]
 */
export function placePins<T>(ranked: readonly T[], pins: readonly Pin[], k: number, make: (pin: Pin) => T): T[] {
  const out = [...ranked];
  for (const p of pins) out.splice(Math.min(p.slot, out.length), 0, make(p));
  return out.slice(0, k);
}
