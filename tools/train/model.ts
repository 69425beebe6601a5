/**
 * Fits the recommender's parameters from training sessions: item vectors trained jointly with
 * shared content-feature rows (sgns.ts, content.ts), plus a log-popularity prior.
 */
import { DEFAULT_WEIGHTING, type Weighting } from '../../src/recommend/weights.ts';
import type { TrainCatalog } from './catalog.ts';
import { contentFeatures, featureRows } from './content.ts';
import type { ScorerWeights } from './reference.ts';
import type { Sessions } from './sessions.ts';
import { idRows, trainEmbeddings } from './sgns.ts';

/** Every hyper-parameter of the fit; {@link DEFAULT_MODEL_OPTIONS} is what `inpage train` uses. */
export interface ModelOptions {
  seed: number;
  dim: number;
  epochs: number;
  negatives: number;
  learningRate: number;
  /** History length L of the model's input. */
  maxHistory: number;
  shrink: number;
  /** Multiplier of log(1 + count) in the item prior. Negatives ∝ count^0.75 remove popularity from the dot product; 0.75 puts it back. */
  priorWeight: number;
  /** Scale of the shared content-feature rows in each item's vector; 0 trains plain item2vec. */
  contentScale: number;
  weighting: Weighting;
}

/** Defaults chosen on a validation split of the training period (never on the eval's test period). */
export const DEFAULT_MODEL_OPTIONS: Readonly<ModelOptions> = Object.freeze({
  seed: 42,
  dim: 32,
  epochs: 5,
  negatives: 5,
  learningRate: 0.05,
  maxHistory: 20,
  shrink: 1,
  contentScale: 0.5,
  priorWeight: 0.75,
  weighting: DEFAULT_WEIGHTING,
});

/** The fitted model and facts about the fit. */
export interface FittedModel {
  weights: ScorerWeights;
  counts: Float64Array;
  examples: number;
  epochLoss: number[];
}

/**
 * Fits the model. Deterministic: the same sessions, catalogue and options give the same floats.
 *
 * @example const { weights } = fitModel(trainSessions, catalog, DEFAULT_MODEL_OPTIONS);
 */
export function fitModel(sessions: Sessions, catalog: TrainCatalog, options: Readonly<ModelOptions>): FittedModel {
  const N = catalog.ids.length;
  const epochLoss: number[] = [];
  const features = contentFeatures(catalog);
  const rows = options.contentScale > 0 ? featureRows(features, options.contentScale) : idRows(N);
  const emb = trainEmbeddings(sessions, N, rows, {
    dim: options.dim,
    epochs: options.epochs,
    negatives: options.negatives,
    learningRate: options.learningRate,
    maxHistory: options.maxHistory,
    shrink: options.shrink,
    seed: options.seed,
    weighting: options.weighting,
  }, (_, loss) => epochLoss.push(loss));
  const itemBias = Float32Array.from(emb.counts, (c) => options.priorWeight * Math.log1p(c));
  return {
    weights: { items: N, dim: options.dim, inVec: emb.inVec, outVec: emb.outVec, itemBias, shrink: options.shrink },
    counts: emb.counts,
    examples: emb.examples,
    epochLoss,
  };
}
