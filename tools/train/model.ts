/**
 * The recommender's parameters and how they are fitted from training sessions. A score has three
 * parts (reference.ts):
 * - taste: item vectors trained jointly with shared content-feature rows (sgns.ts, content.ts),
 *   read through the visitor's recency-weighted recent steps;
 * - sequence: the followers of the visitor's last few steps (transitions.ts);
 * - prior: log popularity, optionally time-decayed.
 * The vectors need training epochs; everything else is counted, so its settings can be tried on
 * a validation split in milliseconds (select.ts) without retraining.
 */
import { DEFAULT_WEIGHTING, type Weighting } from '../../src/recommend/weights.ts';
import type { TrainCatalog } from './catalog.ts';
import { contentFeatures, featureRows } from './content.ts';
import type { ScorerWeights } from './reference.ts';
import type { Sessions } from './sessions.ts';
import { idRows, SgnsTrainer, type ItemRows } from './sgns.ts';
import { cooccurrence, countTransitions, transitionTable, type Cooccurrence, type TransitionCounts } from './transitions.ts';

/** The sequential component's settings. */
export interface TransitionOptions {
  /** How many of the visitor's last steps add their followers (R). */
  recent: number;
  /** Followers kept per item (M). */
  width: number;
  /** Followers counted per step: the next `window` new items. */
  window: number;
  /** Discount per extra step of distance when counting. */
  gap: number;
  /** Shrinkage κ in count / (total + κ). */
  shrink: number;
  /** Weight of the newest step's followers in the score (0 turns the component off). */
  weight: number;
  /** Each older step's followers count `decay` times the next newer one's. */
  decay: number;
  /** Weight of plain co-occurrence (cosine within {@link CO_WINDOW} steps) blended into the neighbour lists; 0 leaves it out. */
  coWeight: number;
}

/** Steps apart within which two items of a session co-occur, for `transitions.coWeight`. */
export const CO_WINDOW = 5;

/** Every hyper-parameter of the fit; {@link DEFAULT_MODEL_OPTIONS} is where `inpage train` starts. */
export interface ModelOptions {
  seed: number;
  dim: number;
  /** Epochs of the item vectors when validation does not choose them (linear learning-rate decay over them). */
  epochs: number;
  /** With validation on: the most epochs it may train (it usually stops well before). */
  maxEpochs: number;
  negatives: number;
  learningRate: number;
  /** Learning-rate decay per epoch (sgns.ts); undefined decays linearly over `epochs`. */
  decayPerEpoch?: number;
  /** History length L of the model's input. */
  maxHistory: number;
  shrink: number;
  /** Multiplier of log(1 + count) in the item prior. Negatives ∝ count^0.75 remove popularity from the dot product; the prior puts it back. */
  priorWeight: number;
  /** Half-life of the counts in the prior, in days; 0 counts every event alike. */
  priorHalfLifeDays: number;
  /** Scale of the shared content-feature rows in each item's vector; 0 trains plain item2vec. */
  contentScale: number;
  /** How the page weights the history (written to the manifest). */
  weighting: Weighting;
  /** How the trainer weights the context of each training example (fixed, so settings tried on validation need no retraining). */
  trainingWeighting: Weighting;
  transitions: TransitionOptions;
}

/** Defaults; with validation on (the default) select.ts tunes epochs, dim, weighting, prior and transitions from here. */
export const DEFAULT_MODEL_OPTIONS: Readonly<ModelOptions> = Object.freeze({
  seed: 42,
  dim: 32,
  epochs: 5,
  maxEpochs: 30,
  negatives: 5,
  learningRate: 0.05,
  maxHistory: 20,
  shrink: 1,
  contentScale: 0.5,
  priorWeight: 0.75,
  priorHalfLifeDays: 0,
  // A steeper step decay than the page's generic default: the newest step carries most of what
  // comes next (validation chose 0.15–0.3 on both demo datasets, and still tunes it).
  weighting: Object.freeze({ ...DEFAULT_WEIGHTING, stepDecay: 0.3 }),
  trainingWeighting: DEFAULT_WEIGHTING,
  transitions: Object.freeze({ recent: 3, width: 24, window: 2, gap: 0.5, shrink: 2, weight: 4, decay: 0.5, coWeight: 0 }),
});

/** What training produced before the cheap settings are applied. */
export interface FitParts {
  items: number;
  dim: number;
  inVec: Float32Array;
  outVec: Float32Array;
  /** Steps per item in the training sessions. */
  counts: Float64Array;
  transitions: TransitionCounts;
  /** Present when `transitions.coWeight` > 0 (or validation may try it). */
  cooccurrence?: Cooccurrence;
  examples: number;
  epochLoss: number[];
}

/** The fitted model and facts about the fit. */
export interface FittedModel extends FitParts {
  weights: ScorerWeights;
}

/** Parameter rows of each item: its id row plus its content features unless `contentScale` is 0. */
export function itemRows(catalog: TrainCatalog, contentScale: number): ItemRows {
  return contentScale > 0 ? featureRows(contentFeatures(catalog), contentScale) : idRows(catalog.ids.length);
}

/** Per-item step counts, each halved per `halfLifeDays` of age at the newest step (0: plain counts). */
export function decayedCounts(sessions: Sessions, items: number, halfLifeDays: number): Float64Array {
  const counts = new Float64Array(items);
  let newest = -Infinity;
  for (const t of sessions.time) newest = Math.max(newest, t);
  const perMs = halfLifeDays > 0 ? Math.LN2 / (halfLifeDays * 86_400_000) : 0;
  for (let i = 0; i < sessions.item.length; i++) counts[sessions.item[i]!]! += perMs > 0 ? Math.exp(-perMs * (newest - sessions.time[i]!)) : 1;
  return counts;
}

/** Counts transitions with the options' counting settings. */
export function transitionCounts(sessions: Sessions, items: number, t: Readonly<TransitionOptions>): TransitionCounts {
  return countTransitions(sessions, items, { window: t.window, gap: t.gap });
}

/** Scorer weights from trained parts plus the cheap settings (prior, transitions). */
export function assemble(parts: Readonly<FitParts>, sessions: Sessions, options: Readonly<ModelOptions>, prior?: Float64Array): ScorerWeights {
  const counts = prior ?? decayedCounts(sessions, parts.items, options.priorHalfLifeDays);
  const t = options.transitions;
  const w: ScorerWeights = {
    items: parts.items,
    dim: parts.dim,
    inVec: parts.inVec,
    outVec: parts.outVec,
    itemBias: Float32Array.from(counts, (c) => options.priorWeight * Math.log1p(c)),
    shrink: options.shrink,
  };
  if (t.weight > 0 && t.recent > 0) {
    const table = transitionTable(parts.transitions, t.width, t.shrink, parts.cooccurrence, t.coWeight);
    w.transitions = {
      width: t.width,
      index: table.index,
      strength: table.strength,
      recency: Float32Array.from({ length: t.recent }, (_, r) => t.weight * Math.pow(t.decay, t.recent - 1 - r)),
    };
  }
  return w;
}

/** A vector trainer for the options (the caller runs its epochs). */
export function vectorTrainer(sessions: Sessions, catalog: TrainCatalog, options: Readonly<ModelOptions>): SgnsTrainer {
  return new SgnsTrainer(sessions, catalog.ids.length, itemRows(catalog, options.contentScale), {
    dim: options.dim,
    epochs: options.epochs,
    negatives: options.negatives,
    learningRate: options.learningRate,
    ...(options.decayPerEpoch === undefined ? {} : { decayPerEpoch: options.decayPerEpoch }),
    maxHistory: options.maxHistory,
    shrink: options.shrink,
    seed: options.seed,
    weighting: options.trainingWeighting,
  });
}

/**
 * Fits the model: `options.epochs` epochs on the linear schedule, or, given `rates`, one epoch per
 * entry at that multiple of the learning rate (the schedule validation settled on, replayed).
 * Deterministic: the same sessions, catalogue, options and rates give the same floats.
 *
 * @example const { weights } = fitModel(trainSessions, catalog, { ...DEFAULT_MODEL_OPTIONS, epochs: 8 });
 */
export function fitModel(sessions: Sessions, catalog: TrainCatalog, options: Readonly<ModelOptions>, rates?: readonly number[]): FittedModel {
  const N = catalog.ids.length;
  const trainer = vectorTrainer(sessions, catalog, options);
  const epochLoss: number[] = [];
  if (rates === undefined) for (let e = 0; e < options.epochs; e++) epochLoss.push(trainer.epoch());
  else for (const rate of rates) epochLoss.push(trainer.epoch(rate));
  const parts: FitParts = {
    items: N,
    dim: options.dim,
    ...trainer.vectors(),
    counts: trainer.counts,
    transitions: transitionCounts(sessions, N, options.transitions),
    ...(options.transitions.coWeight > 0 ? { cooccurrence: cooccurrence(sessions, N, CO_WINDOW) } : {}),
    examples: trainer.examples,
    epochLoss,
  };
  return { ...parts, weights: assemble(parts, sessions, options) };
}
