/**
 * The project's test models, written to `public/models/` by `tools/gen-models.ts`.
 *
 * @example
 * import { getTestModel } from '../tools/models/index.ts';
 * const m = getTestModel('mlp');
 * const feeds = m.inputs(4, 1);
 * const want = m.reference(feeds);
 */
import { embedTopK } from './embed-topk.ts';
import { bigMlp, mlp } from './mlp.ts';
import { multiIo } from './multi-io.ts';
import type { TestModel, TestModelName } from './types.ts';

export type { ModelOptions, TensorSpec, TestModel, TestModelName, TestTensor, TestTensors } from './types.ts';
export { createMlp, mlp, bigMlp, type MlpOptions } from './mlp.ts';
export { createEmbedTopK, embedTopK, EMBED_DIM, EMBED_SAMPLE_SEQ, EMBED_TOPK, EMBED_VOCAB } from './embed-topk.ts';
export { multiIo } from './multi-io.ts';

/** Every test model, in the order index.json lists them. Building bytes is lazy, so importing is cheap. */
export const testModels: readonly TestModel[] = [mlp, embedTopK, multiIo, bigMlp];

/** Every test model by name. */
export const testModelsByName: Readonly<Record<TestModelName, TestModel>> = {
  mlp,
  'embed-topk': embedTopK,
  'multi-io': multiIo,
  'big-mlp': bigMlp,
};

/** True when `name` is a known test model name. */
export function isTestModelName(name: string): name is TestModelName {
  return Object.hasOwn(testModelsByName, name);
}

/**
 * The test model called `name`; throws listing the known names otherwise.
 *
 * @example getTestModel('embed-topk').outputSpecs.map((s) => s.name) // ['indices', 'scores']
 */
export function getTestModel(name: string): TestModel {
  if (!isTestModelName(name)) throw new Error(`unknown test model '${name}'; known: ${Object.keys(testModelsByName).join(', ')}`);
  return testModelsByName[name];
}
