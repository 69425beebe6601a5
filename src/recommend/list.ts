/**
 * One visitor's list, from their history and seen-set to scored, reasoned items: the body of
 * `recommend()`, shared by the page (recommender.ts) and the batch CLI (`inpage recommend`, one
 * call per subscriber), so a newsletter gets exactly the list the shop's page would show that
 * visitor. Pure apart from the model run; no DOM, no storage.
 *
 * @example
 * const list = await recommendList(pkg, { personal: true, history: stepsOf(events, pkg.index), seen },
 *   { strategy: 'for-you', k: 6, exclude: [] }, Date.now());
 */
import { InpageError } from '../errors.ts';
import { excluding, filterMask, type Candidates, type RecommendFilter } from './candidates.ts';
import type { ModelLike } from './engine-like.ts';
import type { TrackedEvent } from './history.ts';
import type { RecommenderItems, RecommenderManifest } from './manifest.ts';
import { forYouReason } from './reasons.ts';
import type { ReasonBasis } from './reasons.ts';
import { searchReason, type SearchStep } from './search.ts';
import { completeTheLook, forYou, similar, trending, type Scored, type StrategyContext } from './strategies.ts';
import { finishList, type ListPlan } from './list-plan.ts';
import { applyRules, type ItemFacts, type RuledCandidates } from './rules.ts';
import { eventCode, toSteps, type Step } from './weights.ts';

/** Which list to build. */
export type Strategy = 'for-you' | 'similar' | 'complete-the-look' | 'trending';

/** One recommended item. */
export interface Recommendation {
  itemId: string;
  score: number;
  /** Why, in words for the shopper, e.g. "Because you viewed Alpine 2P Dome Tent". */
  reason: string;
  basis: ReasonBasis;
  /** True when the visitor's own history or searches shaped this list ("Why these?" in the element). */
  personalised: boolean;
  /** The list's id (`recommend({ listId })`, default the strategy). */
  listId: string;
  /** The experiment and the visitor's variant, when the recommender runs one. */
  experiment?: string;
  variant?: string;
  /** The merchandising rule that pinned or boosted this item. */
  rule?: string;
}

/** A loaded package with its id → index map. */
export interface ListPackage {
  manifest: RecommenderManifest;
  items: RecommenderItems;
  model: ModelLike;
  index: ReadonlyMap<string, number>;
  /** Filter masks by filter, reused across calls (owned by the caller, e.g. one per recommender). */
  masks?: Map<string, Candidates>;
}

/** The visitor as the list sees them. */
export interface ListVisitor {
  /** False without consent: no history, no seen-set, and 'for-you' is the trending list. */
  personal: boolean;
  /** Their interaction steps (model indices), oldest first ({@link stepsOf}). */
  history: Step[];
  /** Seen item ids to leave out (`lastDistinct` of their interactions), or undefined for none. */
  seen: readonly string[] | undefined;
}

/** What to build (already validated by the caller). */
export interface ListRequest {
  strategy: Strategy;
  k: number;
  itemId?: string | undefined;
  filter?: RecommendFilter | undefined;
  /** Item ids never to return; unknown ids are ignored. */
  exclude: readonly string[];
  /**
   * The list's id, experiment variant and active merchandising rules (list-plan.ts). Default: the
   * strategy as the id, no experiment, no rules.
   */
  plan?: ListPlan | undefined;
  /** Brands and tags for brand/tag rules (items.json has neither). */
  facts?: ItemFacts | undefined;
}

/** Recent searches blended into 'for-you' as steps, given the exclusions (see search.ts). */
export type SearchBlend = (exclude: ReadonlySet<number>) => Promise<SearchStep[]>;

/**
 * A stored history (impressions included, in track order) as the model's steps: events on items
 * the package does not know and impressions are dropped, consecutive events on one item merge.
 */
export function stepsOf(events: readonly TrackedEvent[], index: ReadonlyMap<string, number>): Step[] {
  const kept: Step[] = [];
  for (const e of events) {
    const item = index.get(e.itemId);
    const code = eventCode(e.type); // -1 for impressions: never model input, never "seen"
    if (item !== undefined && code >= 0) kept.push({ item, code, time: e.time });
  }
  return toSteps(kept);
}

/**
 * recommend() never offers what cannot be bought unless asked to: out-of-stock items are left out
 * in every strategy by default, and `filter.includeOutOfStock: true` brings them back.
 */
function stockDefault(filter: RecommendFilter | undefined): RecommendFilter {
  return filter?.includeOutOfStock === true ? filter : { ...filter, inStock: true };
}

/**
 * The mask of `filter` with the stock default applied (out of stock left out unless
 * `filter.includeOutOfStock`), from `pkg.masks` when it holds it (at most 32 filters are kept).
 */
export function listMask(pkg: ListPackage, filter: RecommendFilter | undefined): Candidates {
  return maskFor(pkg, stockDefault(filter));
}

function maskFor(pkg: ListPackage, filter: RecommendFilter): Candidates {
  if (pkg.masks === undefined) return filterMask(pkg.items, filter);
  const key = JSON.stringify(filter);
  let mask = pkg.masks.get(key);
  if (mask === undefined) {
    if (pkg.masks.size >= 32) pkg.masks.clear();
    pkg.masks.set(key, (mask = filterMask(pkg.items, filter)));
  }
  return mask;
}

/** The seen-set plus the model's own history (the same items unless storage lost one of them). */
function seenIndices(index: ReadonlyMap<string, number>, ids: readonly string[], history: readonly Step[]): Set<number> {
  const out = new Set<number>(history.map((st) => st.item));
  for (const id of ids) {
    const j = index.get(id);
    if (j !== undefined) out.add(j);
  }
  return out;
}

function anchorOf(pkg: ListPackage, id: string | undefined, history: readonly Step[], strategy: Strategy): number {
  if (id !== undefined) {
    const j = pkg.index.get(id);
    if (j === undefined) throw new InpageError('NOT_FOUND', `recommend(): itemId '${id}' is not in the recommender's item table (${pkg.manifest.items}); retrain after catalogue changes.`, { itemId: id });
    return j;
  }
  // Strongest recent step: the newest of the highest event type.
  let best = -1;
  for (let i = history.length - 1; i >= 0; i--) if (best < 0 || history[i]!.code > history[best]!.code) best = i;
  if (best < 0 || strategy === 'similar') throw new InpageError('INPUT_INVALID', `recommend({ strategy: '${strategy}' }) needs an itemId${strategy === 'similar' ? '' : ' or a tracked history'}.`);
  return history[best]!.item;
}

/**
 * The list for one visitor: seen items, `exclude` and the anchor masked inside the model with the
 * filters (out of stock left out unless `filter.includeOutOfStock`), then the strategy.
 */
export async function recommendList(pkg: ListPackage, visitor: ListVisitor, req: ListRequest, now: number, signal?: AbortSignal, blend?: SearchBlend): Promise<Recommendation[]> {
  const { manifest, items, model, index } = pkg;
  const { strategy, k } = req;
  const { history, exclude, anchor } = listExclusions(pkg, visitor, req);
  const plan = planOf(req);
  // Merchandising rules act on the bias like the filters (a filtered list is never starved); pins
  // are placed after the model's top-k (finishList).
  const ruled = applyRules(items, index, excluding(listMask(pkg, req.filter), exclude), plan.rules, req.facts);
  const cand = ruled.cand;
  const ctx: StrategyContext = { manifest, items, model, steps: history, now, signal };
  let scored: Scored[];
  let personalised = strategy === 'complete-the-look' && req.itemId === undefined;
  if (strategy === 'trending' || (strategy === 'for-you' && !visitor.personal)) scored = trending(ctx, cand, k);
  else if (strategy === 'similar') scored = await similar(ctx, cand, k, anchor);
  else if (strategy === 'complete-the-look') scored = await completeTheLook(ctx, cand, k, anchor);
  else if (blend === undefined) {
    scored = await forYou(ctx, cand, k);
    personalised = history.length > 0;
  } else {
    const blended = await blend(exclude);
    const all = [...history, ...blended].sort((a, b) => a.time - b.time);
    personalised = all.length > 0;
    scored = await forYou({ ...ctx, steps: all }, cand, k);
    if (blended.length > 0) {
      scored = scored.map((s) => {
        const own = forYouReason(items, history, s.index);
        return own.basis === 'history' ? { ...s, reason: own } : { ...s, reason: searchReason(items, blended, s.index) ?? own };
      });
    }
  }
  return listResult(items, scored, ruled, plan, k, personalised);
}

/** The request's plan; without one, the strategy is the list id and no rules apply. */
export function planOf(req: ListRequest): ListPlan {
  return req.plan ?? { listId: req.strategy, strategy: req.strategy, show: true, rules: [], assignment: undefined };
}

/**
 * What a list leaves out and builds on: the visitor's history (none without consent), the items
 * to exclude (their seen-set and history, `req.exclude`, the anchor) and the anchor item of
 * 'similar' / 'complete-the-look' (-1 for the other strategies).
 */
export function listExclusions(pkg: ListPackage, visitor: ListVisitor, req: ListRequest): { history: Step[]; exclude: Set<number>; anchor: number } {
  const { index } = pkg;
  const history = visitor.personal ? visitor.history : [];
  const exclude = visitor.seen === undefined || !visitor.personal ? new Set<number>() : seenIndices(index, visitor.seen, history);
  for (const id of req.exclude) {
    const j = index.get(id);
    if (j !== undefined) exclude.add(j);
  }
  const needsAnchor = req.strategy === 'similar' || req.strategy === 'complete-the-look';
  const anchor = needsAnchor ? anchorOf(pkg, req.itemId, history, req.strategy) : -1;
  if (anchor >= 0) exclude.add(anchor);
  return { history, exclude, anchor };
}

/** Scored items → the list's recommendations: pins placed, rule and experiment fields added. */
export function listResult(items: RecommenderItems, scored: readonly Scored[], ruled: RuledCandidates, plan: ListPlan, k: number, personalised: boolean): Recommendation[] {
  return finishList(scored, ruled, plan, k, (s, fields) => ({ itemId: items.ids[s.index] ?? '', score: s.score, reason: s.reason.text, basis: s.reason.basis, personalised, ...fields }));
}
