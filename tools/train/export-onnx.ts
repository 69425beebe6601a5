/**
 * Writes the recommender as an ONNX graph (opset 17) that does what `reference.ts` does:
 *
 *   items   int64   [batch, history]   recent item indices, newest last (pad: index 0, weight 0)
 *   weights float32 [batch, history]   event-type × recency weight per slot (fillWeights)
 *   bias    float32 [batch, items]     added to every score: 0 keeps, -1e9 removes (filters,
 *                                      seen items); a [1, items] tensor broadcasts
 *   k       int64   [1]                list length, 1..items
 *   → scores float32 [batch, k], indices int64 [batch, k]   (best first)
 *
 * Only ops seen working on ORT web's wasm and WebGPU EPs here (Gather, Mul, ReduceSum, Div,
 * MatMul, Add, TopK; TopK and int64 ops fall back to CPU under WebGPU with correct results).
 */
import { GraphBuilder } from '../onnx/graph.ts';
import type { ScorerWeights } from './reference.ts';

/** Tensor names of the exported graph; the manifest repeats them for the page. */
export const GRAPH_NAMES = {
  inputs: { items: 'items', weights: 'weights', bias: 'bias', k: 'k' },
  outputs: { scores: 'scores', indices: 'indices' },
} as const;

/**
 * Encodes the model. Deterministic: the same weights give identical bytes.
 *
 * @example const bytes = exportRecommender(fit.weights, { producer: 'inpage train' });
 */
export function exportRecommender(w: ScorerWeights, meta: Record<string, string> = {}): Uint8Array {
  const N = w.items;
  const D = w.dim;
  // MatMul wants [D, N]; transposing once here saves a Transpose node per run.
  const outT = new Float32Array(D * N);
  for (let j = 0; j < N; j++) for (let d = 0; d < D; d++) outT[d * N + j] = w.outVec[j * D + d]!;
  const { inputs: I, outputs: O } = GRAPH_NAMES;
  const g = new GraphBuilder('inpage_recommender')
    .input(I.items, 'int64', ['batch', 'history'])
    .input(I.weights, 'float32', ['batch', 'history'])
    .input(I.bias, 'float32', ['batch', N])
    .input(I.k, 'int64', [1])
    .initializer('item_in', 'float32', [N, D], w.inVec)
    .initializer('item_out_t', 'float32', [D, N], outT)
    .initializer('item_prior', 'float32', [N], w.itemBias)
    .initializer('shrink', 'float32', [1], Float32Array.of(w.shrink))
    .initializer('eps', 'float32', [1], Float32Array.of(1e-6))
    .initializer('axis_1', 'int64', [1], BigInt64Array.of(1n))
    .initializer('axis_2', 'int64', [1], BigInt64Array.of(2n))
    // u = Σ_l w_l · item_in[items_l] / max(Σ_l w_l + shrink, eps)
    .node('Gather', ['item_in', I.items], ['ctx'], { axis: 0 })
    .node('Unsqueeze', [I.weights, 'axis_2'], ['w3'])
    .node('Mul', ['ctx', 'w3'], ['ctx_w'])
    .node('ReduceSum', ['ctx_w', 'axis_1'], ['u_sum'], { keepdims: 0 })
    .node('ReduceSum', [I.weights, 'axis_1'], ['w_sum'], { keepdims: 1 })
    .node('Add', ['w_sum', 'shrink'], ['w_den'])
    .node('Max', ['w_den', 'eps'], ['w_safe'])
    .node('Div', ['u_sum', 'w_safe'], ['u'])
    // score = u · item_out[j] + prior[j] + bias[j]
    .node('MatMul', ['u', 'item_out_t'], ['dots'])
    .node('Add', ['dots', 'item_prior'], ['with_prior'])
    .node('Add', ['with_prior', I.bias], ['total'])
    .node('TopK', ['total', I.k], [O.scores, O.indices], { axis: -1, largest: 1, sorted: 1 })
    .output(O.scores, 'float32', ['batch', 'k'])
    .output(O.indices, 'int64', ['batch', 'k']);
  return g.toBytes({ producer: 'inpage train', metadata: { format: 'inpage-recommender', items: String(N), dim: String(D), ...meta } });
}
