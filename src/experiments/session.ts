/**
 * One recommender's experiment: the validated config, the visitor's stored id and the page URL,
 * asked afresh for every list so a consent given or withdrawn mid-visit counts at once.
 *
 * @example
 * const session = createExperimentSession({ config, storage: localStorage, consent, retention, now: Date.now });
 * session.assign(); // { experiment: 'reco-2026-12', variant: 'B', list: 'model', assignment: 'random', rules: [] }
 */
import type { ConsentGate } from '../privacy/gate.ts';
import type { StorageLike } from '../privacy/personal-record.ts';
import type { RetentionPolicy } from '../privacy/retention.ts';
import { assignVariant, type Assignment } from './assign.ts';
import { parseExperiment, type ExperimentConfig, type ResolvedExperiment } from './config.ts';
import { VisitorId } from './visitor-id.ts';

/** What a session needs. */
export interface ExperimentSessionOptions {
  config: ExperimentConfig | unknown;
  /** Names the config's source in errors. */
  where?: string;
  storage: StorageLike | null;
  consent: ConsentGate;
  retention: RetentionPolicy;
  now: () => number;
  /** The page URL, read for the QA parameter. Default `location.href` where there is one. */
  url?: () => string | undefined;
}

/** A running experiment. */
export interface ExperimentSession {
  readonly experiment: ResolvedExperiment;
  /** The visitor's assignment now (creates and stores the id on first use, with consent). */
  assign(): Assignment;
  /** The id's storage key and a way to drop its memory copy, for erase listeners. */
  readonly visitor: VisitorId;
}

function pageUrl(): string | undefined {
  return (globalThis as { location?: { href?: string } }).location?.href;
}

/** Validates the config (`OPTION_INVALID`) and returns a session. */
export function createExperimentSession(options: ExperimentSessionOptions): ExperimentSession {
  const experiment = parseExperiment(options.config, options.where);
  const visitor = new VisitorId(options.storage, options.consent, options.retention, options.now);
  const url = options.url ?? pageUrl;
  return {
    experiment,
    visitor,
    assign: () => assignVariant(experiment, visitor.get(), url()),
  };
}
