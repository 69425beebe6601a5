/**
 * A/B experiments on the device: config, sticky random assignment, QA forcing. Pure on import.
 * See docs/EXPERIMENTS.md.
 */
export { parseExperiment, type ExperimentConfig, type ExperimentVariant, type ResolvedExperiment, type VariantList } from './config.ts';
export { assignVariant, pickByWeight, type Assignment, type AssignmentKind } from './assign.ts';
export { bucket, hash32 } from './hash.ts';
export { createExperimentSession, type ExperimentSession, type ExperimentSessionOptions } from './session.ts';
export { randomId, VisitorId, VISITOR_ID_KEY } from './visitor-id.ts';
