/**
 * An A/B experiment as declared by the site: in `createRecommender({ experiment })`, in the
 * manifest's `experiment` field, or as `data-experiment` JSON on the script tag. Pure: validation
 * only, every mistake an `OPTION_INVALID` naming the field.
 *
 * @example
 * { id: 'reco-2026-12', holdout: 0.05,
 *   variants: [{ name: 'control', control: true, list: 'trending' }, { name: 'model', weight: 1 }] }
 */
import { InpageError } from '../errors.ts';
import type { MerchRule } from '../recommend/rules.ts';
import { parseRules } from '../recommend/rules.ts';

/**
 * What a variant shows: `'model'` (default) the list the page asked for, built by the model;
 * `'trending'` a plain popularity list; `'none'` nothing (the element renders nothing).
 */
export type VariantList = 'model' | 'trending' | 'none';

/** One arm of an experiment. */
export interface ExperimentVariant {
  /** Name reported with every list and event, e.g. 'control', 'B'. 1–40 characters. */
  name: string;
  /** Relative share of the visitors outside the holdout. Default 1. */
  weight?: number;
  /**
   * The control arm: what visitors without storage consent, the holdout and forced-off QA get.
   * At most one; when none is marked, the first variant is the control.
   */
  control?: boolean;
  /** Default 'model'. */
  list?: VariantList;
  /** Merchandising rules applied only in this arm (after the recommender's global rules). */
  rules?: MerchRule[];
  /**
   * Another model package for this arm: its manifest URL, relative to the recommender's own
   * manifest (e.g. `'../reco-2026-12-08/manifest.json'`, a retrained model). Loaded when a visitor
   * in this arm first needs a list; its own model and item table then build the arm's lists.
   * Default: the recommender's package.
   */
  manifest?: string;
}

/** An experiment. */
export interface ExperimentConfig {
  /** Stable id, also the analytics parameter value, e.g. 'reco-2026-12'. 1–64 characters. */
  id: string;
  variants: ExperimentVariant[];
  /**
   * Share of visitors (0 ≤ h < 1) kept out of the experiment: they see the control list and are
   * reported as variant `'holdout'`, to measure the long-run effect of the whole programme.
   */
  holdout?: number;
  /** URL parameter that forces a variant for QA (`?inpage-variant=B` or `=<id>:B`). Default 'inpage-variant'. */
  param?: string;
}

/** A validated experiment with defaults filled in. */
export interface ResolvedExperiment {
  id: string;
  variants: (Required<Omit<ExperimentVariant, 'rules' | 'control' | 'manifest'>> & { control: boolean; rules: MerchRule[]; manifest?: string })[];
  holdout: number;
  param: string;
  /** Index of the control arm. */
  control: number;
}

const LISTS: readonly VariantList[] = ['model', 'trending', 'none'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(where: string, field: string, why: string, got: unknown): never {
  throw new InpageError('OPTION_INVALID', `${where}: ${field} ${why}, got ${JSON.stringify(got) ?? String(got)}. See docs/EXPERIMENTS.md.`, { field });
}

/**
 * Validates an experiment (from code, a manifest or a script tag's JSON). Throws
 * `OPTION_INVALID` naming the first bad field.
 *
 * @example parseExperiment({ id: 'e1', variants: [{ name: 'A' }, { name: 'B' }] }).control // 0
 */
export function parseExperiment(json: unknown, where = 'experiment'): ResolvedExperiment {
  if (!isRecord(json)) bad(where, '(root)', 'must be an object like { id, variants: [...] }', json);
  const id = json['id'];
  if (typeof id !== 'string' || !/^[\w.:-]{1,64}$/.test(id)) bad(where, 'id', 'must be 1–64 letters, digits, _ . : or -', id);
  const variants = json['variants'];
  if (!Array.isArray(variants) || variants.length < 2 || variants.length > 20) bad(where, 'variants', 'must be an array of 2–20 variants', variants);
  const names = new Set<string>();
  const out: ResolvedExperiment['variants'] = variants.map((v: unknown, i) => {
    const f = `variants[${i}]`;
    if (!isRecord(v)) bad(where, f, 'must be an object like { name: "B" }', v);
    const name = v['name'];
    if (typeof name !== 'string' || !/^[\w.:-]{1,40}$/.test(name) || name === 'holdout') bad(where, `${f}.name`, "must be 1–40 letters, digits, _ . : or - (not 'holdout')", name);
    if (names.has(name)) bad(where, `${f}.name`, 'must be unique', name);
    names.add(name);
    const weight = v['weight'] ?? 1;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) bad(where, `${f}.weight`, 'must be a positive number', weight);
    const list = v['list'] ?? 'model';
    if (!(LISTS as readonly unknown[]).includes(list)) bad(where, `${f}.list`, `must be one of ${LISTS.join(', ')}`, list);
    const control = v['control'] ?? false;
    if (typeof control !== 'boolean') bad(where, `${f}.control`, 'must be true or false', control);
    const rules = v['rules'] === undefined ? [] : parseRules(v['rules'], `${where} ${f}.rules`);
    const manifest = v['manifest'];
    // Resolved against the recommender's manifest URL when loaded (recommend/variant-packages.ts);
    // here only its shape: a relative path or an http(s) URL, never javascript:/data: and the like.
    if (manifest !== undefined && (typeof manifest !== 'string' || manifest.length === 0 || manifest.length > 2048 || /^\s|\s$/.test(manifest) || (/^[a-z][a-z\d+.-]*:/i.test(manifest) && !/^https?:\/\//i.test(manifest)))) {
      bad(where, `${f}.manifest`, "must be a model package's manifest URL, relative (like '../reco-v2/manifest.json') or http(s), at most 2048 characters", manifest);
    }
    if (manifest !== undefined && list === 'none') bad(where, `${f}.manifest`, "has no use in a variant with list: 'none' (it shows nothing); remove one of them", manifest);
    return { name, weight, list: list as VariantList, control, rules, ...(manifest === undefined ? {} : { manifest }) };
  });
  const controls = out.flatMap((v, i) => (v.control ? [i] : []));
  if (controls.length > 1) bad(where, 'variants', 'may mark at most one variant as control', controls.map((i) => out[i]!.name));
  const holdout = json['holdout'] ?? 0;
  if (typeof holdout !== 'number' || !(holdout >= 0 && holdout < 1)) bad(where, 'holdout', 'must be a share in [0, 1)', holdout);
  const param = json['param'] ?? 'inpage-variant';
  if (typeof param !== 'string' || !/^[\w.-]{1,40}$/.test(param)) bad(where, 'param', 'must be a URL parameter name', param);
  const control = controls[0] ?? 0;
  out[control]!.control = true;
  return { id, variants: out, holdout, param, control };
}
