/**
 * Settings chosen on validation, by default inside `inpage train`. The validation split is carved
 * from the training data only (each visitor's last step held out: holdout.ts), never from any
 * test period. On it the trainer picks, and prints with the figures that decided:
 * - the epochs of the item vectors and their learning rates (full rate while validation improves,
 *   halved on each plateau, stopped after the third; the best epoch is kept), and the vector size
 *   among {@link DIMS};
 * - the page's history weighting (step decay, time half-life);
 * - the prior (weight, half-life) and the transition component (weight, decay over the last
 *   steps, count window, shrinkage) by coordinate ascent from the defaults.
 * Deterministic for a seed: the split, the sampling and the training are seeded.
 */
import type { EventLog } from './read-events.ts';
import type { TrainCatalog } from './catalog.ts';
import { leaveLastOut, sampleQueries, type Holdout } from './holdout.ts';
import { assemble, CO_WINDOW, decayedCounts, transitionCounts, vectorTrainer, type FitParts, type ModelOptions } from './model.ts';
import { cooccurrence } from './transitions.ts';
import { buildSessions, type Sessions } from './sessions.ts';
import { tasteCache, validationNdcg, validationSet, type CheapParts, type ValidationSet } from './validation-set.ts';

/** Vector sizes tried (the larger only when the data has enough steps per item to feed it). */
export const DIMS: readonly number[] = [32, 64];
/** Validation queries at most (a seeded sample of the visitors). */
export const MAX_VALIDATION_QUERIES = 4000;
/** Fewer validation queries than this and the defaults are kept (too noisy to choose). */
export const MIN_VALIDATION_QUERIES = 200;
/** Validation plateaus (each halves the learning rate) before training stops. */
const PLATEAUS = 3;

/** One decision and the validation figures behind it. */
export interface Choice {
  setting: string;
  chosen: number;
  /** NDCG@10 on validation for each value tried. */
  tried: [number, number][];
}

/** What validation chose. */
export interface Selection {
  options: ModelOptions;
  /** Learning-rate multiple of each epoch to train (replayed by the final fit). */
  rates: number[];
  choices: Choice[];
  validation: { queries: number; ndcg: number; skipped?: string };
}

/** Where a setting lives in the options, and the values tried. */
interface Knob {
  name: string;
  values: readonly number[];
  get(o: ModelOptions): number;
  set(o: ModelOptions, v: number): ModelOptions;
  /** What changing it invalidates: the taste cache, the transition counts, or nothing. */
  cost: 'taste' | 'counts' | 'cheap';
}

const KNOBS: readonly Knob[] = [
  { name: 'weighting.stepDecay', values: [0.15, 0.3, 0.5, 0.7, 0.85], cost: 'taste', get: (o) => o.weighting.stepDecay, set: (o, v) => ({ ...o, weighting: { ...o.weighting, stepDecay: v } }) },
  { name: 'weighting.halfLifeHours', values: [0, 24, 72, 720], cost: 'taste', get: (o) => o.weighting.halfLifeHours, set: (o, v) => ({ ...o, weighting: { ...o.weighting, halfLifeHours: v } }) },
  { name: 'priorWeight', values: [0, 0.25, 0.5, 0.75, 1, 1.5], cost: 'cheap', get: (o) => o.priorWeight, set: (o, v) => ({ ...o, priorWeight: v }) },
  { name: 'priorHalfLifeDays', values: [0, 30, 7], cost: 'cheap', get: (o) => o.priorHalfLifeDays, set: (o, v) => ({ ...o, priorHalfLifeDays: v }) },
  { name: 'transitions.weight', values: [0, 1, 2, 4, 8, 16, 32], cost: 'cheap', get: (o) => o.transitions.weight, set: (o, v) => ({ ...o, transitions: { ...o.transitions, weight: v } }) },
  { name: 'transitions.recent', values: [1, 3, 6], cost: 'cheap', get: (o) => o.transitions.recent, set: (o, v) => ({ ...o, transitions: { ...o.transitions, recent: v } }) },
  { name: 'transitions.decay', values: [0, 0.25, 0.5, 0.75], cost: 'cheap', get: (o) => o.transitions.decay, set: (o, v) => ({ ...o, transitions: { ...o.transitions, decay: v } }) },
  { name: 'transitions.shrink', values: [0.5, 2, 8], cost: 'cheap', get: (o) => o.transitions.shrink, set: (o, v) => ({ ...o, transitions: { ...o.transitions, shrink: v } }) },
  { name: 'transitions.coWeight', values: [0, 0.5, 1, 2], cost: 'cheap', get: (o) => o.transitions.coWeight, set: (o, v) => ({ ...o, transitions: { ...o.transitions, coWeight: v } }) },
  { name: 'transitions.window', values: [1, 2, 4], cost: 'counts', get: (o) => o.transitions.window, set: (o, v) => ({ ...o, transitions: { ...o.transitions, window: v } }) },
];

/**
 * The validation split of a training log: each visitor's last step held out, a seeded sample of
 * at most {@link MAX_VALIDATION_QUERIES} (fewer on big catalogues: the taste cache holds
 * queries × items floats, kept near 160 MB). The eval tunes its baselines on this same split.
 */
export function validationHoldout(log: EventLog, items: number, seed: number): Holdout {
  return sampleQueries(leaveLastOut(log), Math.max(MIN_VALIDATION_QUERIES, Math.min(MAX_VALIDATION_QUERIES, Math.floor(4e7 / items))), seed);
}

/** Cheap parts for the options (prior and transitions) from trained parts. */
function cheapParts(parts: FitParts, sessions: Sessions, o: ModelOptions, priors: Map<number, Float64Array>): CheapParts {
  let counts = priors.get(o.priorHalfLifeDays);
  if (counts === undefined) {
    counts = decayedCounts(sessions, parts.items, o.priorHalfLifeDays);
    priors.set(o.priorHalfLifeDays, counts);
  }
  const w = assemble(parts, sessions, o, counts);
  return w.transitions === undefined ? { prior: w.itemBias } : { prior: w.itemBias, transitions: w.transitions };
}

/**
 * Chooses settings on a validation split of `log`. `fixedEpochs` (the CLI's `--epochs`) skips
 * early stopping; `fixedDim` (`--dim`) skips the size search.
 *
 * @example const sel = selectModel(log, catalog, DEFAULT_MODEL_OPTIONS, { log: console.log });
 */
export function selectModel(
  log: EventLog,
  catalog: TrainCatalog,
  base: Readonly<ModelOptions>,
  opts: { fixedEpochs?: number; fixedDim?: number; log?: (line: string) => void } = {},
): Selection {
  const say = opts.log ?? (() => {});
  const N = catalog.ids.length;
  const held = validationHoldout(log, N, base.seed);
  if (held.user.length < MIN_VALIDATION_QUERIES) {
    const why = `only ${held.user.length} visitors with a held-out next item (need ${MIN_VALIDATION_QUERIES}): defaults kept`;
    say(`validation: ${why}`);
    const epochs = opts.fixedEpochs ?? base.epochs;
    return { options: { ...base }, rates: Array.from({ length: epochs }, (_, e) => 1 - e / epochs), choices: [], validation: { queries: held.user.length, ndcg: 0, skipped: why } };
  }
  const sessions = buildSessions(held.train);
  const v: ValidationSet = validationSet(held, N, catalog.inStock, base.maxHistory);
  say(`validation: ${v.queries.toLocaleString('en')} visitors' last step held out (${sessions.item.length.toLocaleString('en')} training steps remain)`);
  const choices: Choice[] = [];
  const priors = new Map<number, Float64Array>();
  const countsCache = new Map<number, FitParts['transitions']>();
  const countsFor = (o: ModelOptions): FitParts['transitions'] => {
    let c = countsCache.get(o.transitions.window);
    if (c === undefined) {
      c = transitionCounts(sessions, N, o.transitions);
      countsCache.set(o.transitions.window, c);
    }
    return c;
  };

  // 1. Vectors: for each size, epochs at the full rate while validation improves, then the rate
  // halves on each plateau; after the third the best epoch so far is kept. The rates are recorded
  // so the final fit on all the data replays the same schedule.
  const steps = sessions.item.length;
  const dims = opts.fixedDim !== undefined ? [opts.fixedDim] : DIMS.filter((d) => d === DIMS[0] || steps / Math.max(1, N) >= d);
  let best: { parts: FitParts; ndcg: number; rates: number[]; dim: number } | undefined;
  for (const dim of dims) {
    const o: ModelOptions = { ...base, dim };
    const trainer = vectorTrainer(sessions, catalog, o);
    const curve: [number, number][] = [];
    const rates: number[] = [];
    let mine: typeof best;
    let rate = 1;
    let plateaus = 0;
    const budget = opts.fixedEpochs ?? o.maxEpochs;
    for (let e = 1; e <= budget && plateaus <= PLATEAUS; e++) {
      rates.push(opts.fixedEpochs === undefined ? rate : 1 - (e - 1) / budget);
      const loss = trainer.epoch(rates[rates.length - 1]);
      if (opts.fixedEpochs !== undefined && e < budget) continue;
      const parts: FitParts = { items: N, dim, ...trainer.vectors(), counts: trainer.counts, transitions: countsFor(o), examples: trainer.examples, epochLoss: [loss] };
      const ndcg = validationNdcg(v, tasteCache(v, assemble(parts, sessions, o), o.weighting, o.maxHistory), cheapParts(parts, sessions, o, priors));
      curve.push([e, ndcg]);
      if (mine === undefined || ndcg > mine.ndcg + 2e-4) mine = { parts, ndcg, rates: [...rates], dim };
      else {
        plateaus++;
        rate /= 2;
      }
    }
    say(`  dim ${dim}: NDCG@10 by epoch ${curve.map(([e, n]) => `${e}:${n.toFixed(4)}`).join(' ')} → best at ${mine!.rates.length}`);
    choices.push({ setting: `epochs (dim ${dim})`, chosen: mine!.rates.length, tried: curve });
    if (best === undefined || mine!.ndcg > best.ndcg) best = mine;
  }
  const parts = best!.parts;
  let options: ModelOptions = { ...base, dim: best!.dim };
  if (dims.length > 1) choices.push({ setting: 'dim', chosen: best!.dim, tried: [] });
  say(`  chose dim ${best!.dim}, ${best!.rates.length} epochs at rates ${best!.rates.map((r) => r.toFixed(2)).join(', ')} (NDCG@10 ${best!.ndcg.toFixed(4)})`);

  // 2. Cheap settings and history weighting: coordinate ascent, two rounds.
  let cache = tasteCache(v, assemble(parts, sessions, options), options.weighting, options.maxHistory);
  const co = cooccurrence(sessions, N, CO_WINDOW);
  const score = (o: ModelOptions, c: Float32Array): number => validationNdcg(v, c, cheapParts({ ...parts, transitions: countsFor(o), cooccurrence: co }, sessions, o, priors));
  let current = score(options, cache);
  for (let round = 0; round < 2; round++) {
    let changed = false;
    for (const knob of KNOBS) {
      const tried: [number, number][] = [];
      let bestValue = knob.get(options);
      let bestScore = current;
      let bestCache = cache;
      for (const value of knob.values) {
        const o = knob.set(options, value);
        const c = knob.cost === 'taste' ? tasteCache(v, assemble(parts, sessions, o), o.weighting, o.maxHistory) : cache;
        const s = value === knob.get(options) ? current : score(o, c);
        tried.push([value, s]);
        // A new value must win by a margin: ties keep the default, so noise does not move it.
        if (s > bestScore + 1e-4) {
          bestScore = s;
          bestValue = value;
          bestCache = c;
        }
      }
      if (bestValue !== knob.get(options)) changed = true;
      options = knob.set(options, bestValue);
      cache = bestCache;
      current = bestScore;
      const prev = choices.findIndex((c) => c.setting === knob.name);
      const entry: Choice = { setting: knob.name, chosen: bestValue, tried };
      if (prev >= 0) choices[prev] = entry;
      else choices.push(entry);
      say(`  ${knob.name}: ${tried.map(([x, s]) => `${x}→${s.toFixed(4)}`).join(', ')} → ${bestValue}`);
    }
    if (!changed) break;
  }
  say(`validation NDCG@10 ${current.toFixed(4)} with the chosen settings`);
  return { options, rates: best!.rates, choices, validation: { queries: v.queries, ndcg: current } };
}
