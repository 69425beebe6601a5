/**
 * A visitor's history → the recommender model's input tensors. Pure, no DOM: the page
 * (strategies.ts), the offline eval's model path and a Node batch recommender build inputs with
 * this one function, so all of them feed the model the same numbers.
 *
 * @example
 * const feeds = historyFeeds(manifest, steps, buildCandidates(items, { inStock: true }, seen).bias, 10);
 * const out = await model.run(feeds);
 */
import type { Tensor } from '../tensor.ts';
import type { RecommenderManifest } from './manifest.ts';
import { fillWeights, type Step } from './weights.ts';

/**
 * Feeds for one visitor: the newest `dims.history` steps (right-aligned, weighted as the manifest
 * says), the candidate bias row (0 keeps, `EXCLUDED` removes) and the list length `k`.
 */
export function historyFeeds(manifest: RecommenderManifest, steps: readonly Step[], bias: Float32Array, k: number): Record<string, Tensor> {
  const L = manifest.dims.history;
  const items = new BigInt64Array(L);
  const weights = new Float32Array(L);
  fillWeights(steps, manifest.weighting, L, items, weights, true);
  return {
    [manifest.inputs.items]: { type: 'int64', dims: [1, L], data: items },
    [manifest.inputs.weights]: { type: 'float32', dims: [1, L], data: weights },
    [manifest.inputs.bias]: { type: 'float32', dims: [1, manifest.dims.items], data: bias },
    [manifest.inputs.k]: { type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(k)) },
  };
}
