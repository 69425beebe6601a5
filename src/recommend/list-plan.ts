/**
 * The marketer's layer around one `recommend()` call: which list this is (its id), which
 * experiment variant the visitor is in and what that variant shows, which merchandising rules
 * apply — and, once the model has answered, pins at their slots and the experiment, variant and
 * list id on every item.
 *
 * @example
 * const plan = planList('for-you', { listId: 'home' }, { session, rules }, Date.now());
 * if (!plan.show) return []; // a 'none' control
 */
import { InpageError } from '../errors.ts';
import type { Assignment } from '../experiments/assign.ts';
import type { ExperimentSession } from '../experiments/session.ts';
import { activeRules, placePins, type MerchRule, type RuledCandidates } from './rules.ts';
import type { Scored } from './strategies.ts';

/** Strategies, repeated here as a type to keep this file free of recommender.ts. */
type Strategy = 'for-you' | 'similar' | 'complete-the-look' | 'trending';

/** What a list will be. */
export interface ListPlan {
  listId: string;
  strategy: Strategy;
  /** False for a variant that shows nothing. */
  show: boolean;
  rules: MerchRule[];
  assignment: Assignment | undefined;
}

/** The marketer's settings of a recommender. */
export interface MerchSetup {
  session: ExperimentSession | undefined;
  /** Global rules (options and manifest). */
  rules: readonly MerchRule[];
}

/** Validates a list id (what analytics reports as `item_list_id`); `INPUT_INVALID` when malformed. */
export function listIdOf(value: unknown, strategy: Strategy): string {
  if (value === undefined) return strategy;
  if (typeof value !== 'string' || !/^[\w.:-]{1,100}$/.test(value)) throw new InpageError('INPUT_INVALID', `recommend(): listId must be 1–100 letters, digits, _ . : or -, got ${JSON.stringify(value)}.`);
  return value;
}

/** Plans one list. */
export function planList(strategy: Strategy, listId: string, callRules: readonly MerchRule[], setup: MerchSetup, now: number): ListPlan {
  const assignment = setup.session?.assign();
  const all = [...setup.rules, ...(assignment?.rules ?? []), ...callRules];
  return {
    listId,
    strategy: assignment?.list === 'trending' ? 'trending' : strategy,
    show: assignment?.list !== 'none',
    rules: activeRules(all, listId, now),
    assignment,
  };
}

/** Item fields the plan adds to every recommendation. */
export interface ListFields {
  listId: string;
  experiment?: string;
  variant?: string;
  /** Id of the rule that placed (pinned) or raised (boosted) the item. */
  rule?: string;
}

/** Pins placed, rule and experiment fields added. `make` turns a scored item into the result shape. */
export function finishList<T>(scored: readonly Scored[], ruled: RuledCandidates, plan: ListPlan, k: number, make: (s: Scored, fields: ListFields) => T): T[] {
  const fields = (rule: string | undefined): ListFields => ({
    listId: plan.listId,
    ...(plan.assignment === undefined ? {} : { experiment: plan.assignment.experiment, variant: plan.assignment.variant }),
    ...(rule === undefined ? {} : { rule }),
  });
  const base = scored.map((s) => make(s, fields(ruled.boosted.get(s.index))));
  return placePins(base, ruled.pins, k, (p) => make({ index: p.index, score: 0, reason: { text: p.reason, basis: 'rule' } }, fields(p.rule)));
}
