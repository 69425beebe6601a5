/**
 * Which variant this visitor sees. Order of precedence:
 * 1. a QA URL parameter (`?inpage-variant=B` or `?inpage-variant=<experiment id>:B`): that variant,
 *    `assignment: 'forced'` (nothing stored; analytics events leave out the experiment, so QA
 *    traffic never pollutes the numbers);
 * 2. no storage consent: the control, `assignment: 'no-consent'`, no id stored (not in the
 *    experiment either: counting them as control would bias the comparison);
 * 3. the holdout share: control behaviour, variant `'holdout'`;
 * 4. the variants by weight, from the hash of the stored random id (sticky across reloads).
 *
 * @example
 * const a = assignVariant(exp, visitorId.get(), 'https://shop.example/?inpage-variant=B');
 * // { experiment: 'reco-2026-12', variant: 'B', list: 'model', assignment: 'forced', rules: [] }
 */
import type { MerchRule } from '../recommend/rules.ts';
import type { ResolvedExperiment, VariantList } from './config.ts';
import { bucket } from './hash.ts';

/** How the visitor came to their variant. Only 'random' and 'holdout' count in analytics. */
export type AssignmentKind = 'random' | 'holdout' | 'forced' | 'no-consent';

/** The outcome of assignment. */
export interface Assignment {
  experiment: string;
  /** A variant's name, or 'holdout'. */
  variant: string;
  list: VariantList;
  assignment: AssignmentKind;
  /** The variant's own rules. */
  rules: readonly MerchRule[];
  /** The variant's own model package (its manifest URL as declared), when it has one. */
  manifest?: string;
}

/** The variant a QA URL forces, if it names one of this experiment's variants. */
function forcedVariant(exp: ResolvedExperiment, url: string | undefined): number | undefined {
  if (url === undefined) return undefined;
  let values: string[];
  try {
    values = new URL(url).searchParams.getAll(exp.param);
  } catch {
    return undefined;
  }
  for (const value of values) {
    const colon = value.lastIndexOf(':');
    const [id, name] = colon < 0 ? [exp.id, value] : [value.slice(0, colon), value.slice(colon + 1)];
    if (id !== exp.id) continue;
    const i = exp.variants.findIndex((v) => v.name === name);
    if (i >= 0) return i;
  }
  return undefined;
}

/**
 * The variant index for a position `u` in [0, 1) outside the holdout: cumulative weights.
 * @example pickByWeight([1, 1, 2], 0.6) // 2
 */
export function pickByWeight(weights: readonly number[], u: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]! / total;
    if (u < acc) return i;
  }
  return weights.length - 1; // u within rounding of 1
}

/**
 * Assigns a visitor. `visitorId` undefined means no consent. `url` is the page's URL (for QA forcing).
 */
export function assignVariant(exp: ResolvedExperiment, visitorId: string | undefined, url: string | undefined): Assignment {
  const at = (i: number, assignment: AssignmentKind, name?: string): Assignment => {
    const v = exp.variants[i]!;
    return { experiment: exp.id, variant: name ?? v.name, list: v.list, assignment, rules: v.rules, ...(v.manifest === undefined ? {} : { manifest: v.manifest }) };
  };
  const forced = forcedVariant(exp, url);
  if (forced !== undefined) return at(forced, 'forced');
  if (visitorId === undefined) return at(exp.control, 'no-consent');
  const u = bucket(exp.id, visitorId);
  if (u < exp.holdout) return at(exp.control, 'holdout', 'holdout');
  return at(pickByWeight(exp.variants.map((v) => v.weight), (u - exp.holdout) / (1 - exp.holdout)), 'random');
}
