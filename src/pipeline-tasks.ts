/**
 * The pipeline tasks Inpage knows by name, shared by both sides of the worker boundary: the page
 * validates a call by its kind and the worker runs it by the same kind (worker side:
 * backends/transformers-tasks.ts). Any other transformers.js task name is `generic`: its input
 * and options pass through, one call per run.
 */

/** How a task's calls are shaped on the wire and run. */
export type PipelineKind = 'feature-extraction' | 'text-classification' | 'zero-shot-classification' | 'text-generation' | 'generic';

/** Task names (transformers.js' names, aliases included) → kind. */
const KINDS: ReadonlyMap<string, Exclude<PipelineKind, 'generic'>> = new Map([
  ['feature-extraction', 'feature-extraction'],
  ['embeddings', 'feature-extraction'],
  ['text-classification', 'text-classification'],
  ['sentiment-analysis', 'text-classification'],
  ['zero-shot-classification', 'zero-shot-classification'],
  ['text-generation', 'text-generation'],
]);

/**
 * The kind of a task name.
 *
 * @example taskKind('sentiment-analysis') // 'text-classification'
 */
export function taskKind(task: string): PipelineKind {
  return KINDS.get(task) ?? 'generic';
}
