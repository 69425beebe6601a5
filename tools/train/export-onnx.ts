/**
 * Writes the recommender as an ONNX graph (opset 17) that does what `reference.ts` does:
 *
 *   items   int64   [batch, history]   recent item indices, right-aligned: newest in the last slot,
 *                                      padding in front (index 0, weight 0)
 *   weights float32 [batch, history]   event-type × recency weight per slot (fillWeights)
 *   bias    float32 [batch, items]     added to every score: 0 keeps, -1e9 removes (filters,
 *                                      seen items); a [1, items] tensor broadcasts
 *   k       int64   [1]                list length, 1..items
 *   → scores float32 [batch, k], indices int64 [batch, k]   (best first)
 *
 * plus, with transitions, the followers of the last R history slots scattered into the scores.
 *
 * Only ops seen working on ORT web's wasm and WebGPU EPs here (Gather, Mul, ReduceSum, Div,
 * MatMul, Add, TopK, and for transitions Pad, Slice, Greater, Cast, Reshape, ScatterElements with
 * reduction 'add'; TopK and int64 ops fall back to CPU under WebGPU with correct results).
 */
import { GraphBuilder } from '../onnx/graph.ts';
import type { ScorerWeights } from './reference.ts';

/** Tensor names of the exported graph; the manifest repeats them for the page. */
export const GRAPH_NAMES = {
  inputs: { items: 'items', weights: 'weights', bias: 'bias', k: 'k' },
  outputs: { scores: 'scores', indices: 'indices' },
} as const;

/** Initializer names load-model.ts reads back. */
export const INITIALIZERS = {
  itemIn: 'item_in',
  itemOutT: 'item_out_t',
  prior: 'item_prior',
  shrink: 'shrink',
  nextIndex: 'next_index',
  nextStrength: 'next_strength',
  recency: 'recency',
} as const;

const INT64_MAX = 9223372036854775807n;

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
  const T = INITIALIZERS;
  const g = new GraphBuilder('inpage_recommender')
    .input(I.items, 'int64', ['batch', 'history'])
    .input(I.weights, 'float32', ['batch', 'history'])
    .input(I.bias, 'float32', ['batch', N])
    .input(I.k, 'int64', [1])
    .initializer(T.itemIn, 'float32', [N, D], w.inVec)
    .initializer(T.itemOutT, 'float32', [D, N], outT)
    .initializer(T.prior, 'float32', [N], w.itemBias)
    .initializer(T.shrink, 'float32', [1], Float32Array.of(w.shrink))
    .initializer('eps', 'float32', [1], Float32Array.of(1e-6))
    .initializer('axis_1', 'int64', [1], BigInt64Array.of(1n))
    .initializer('axis_2', 'int64', [1], BigInt64Array.of(2n))
    // u = Σ_l w_l · item_in[items_l] / max(Σ_l w_l + shrink, eps)
    .node('Gather', [T.itemIn, I.items], ['ctx'], { axis: 0 })
    .node('Unsqueeze', [I.weights, 'axis_2'], ['w3'])
    .node('Mul', ['ctx', 'w3'], ['ctx_w'])
    .node('ReduceSum', ['ctx_w', 'axis_1'], ['u_sum'], { keepdims: 0 })
    .node('ReduceSum', [I.weights, 'axis_1'], ['w_sum'], { keepdims: 1 })
    .node('Add', ['w_sum', T.shrink], ['w_den'])
    .node('Max', ['w_den', 'eps'], ['w_safe'])
    .node('Div', ['u_sum', 'w_safe'], ['u'])
    // dots = u · item_out[j]
    .node('MatMul', ['u', T.itemOutT], ['dots']);
  let beforePrior = 'dots';
  const t = w.transitions;
  if (t !== undefined) {
    const R = t.recency.length;
    // Transitions: the last R slots (right-aligned history) each add recency[r] · strength to
    // their followers' scores; padding slots (weight 0) are masked out. ScatterElements with
    // reduction 'add' sums followers shared by several recent steps.
    g.initializer(T.nextIndex, 'int32', [N, t.width], t.index)
      .initializer(T.nextStrength, 'float32', [N, t.width], t.strength)
      .initializer(T.recency, 'float32', [R], t.recency)
      .initializer('zero', 'float32', [1], Float32Array.of(0))
      .initializer('recent_start', 'int64', [1], BigInt64Array.of(BigInt(-R)))
      .initializer('recent_end', 'int64', [1], BigInt64Array.of(INT64_MAX))
      .initializer('flat_shape', 'int64', [2], BigInt64Array.of(0n, -1n))
      // R zero slots on the left first: a history input shorter than R (the engine's warm-up and
      // backend measurement feed [1, 1]; a caller may send fewer steps) still yields R slots, the
      // extra ones with weight 0, so masked out like any padding.
      .initializer('left_pad', 'int64', [4], BigInt64Array.of(0n, BigInt(R), 0n, 0n))
      .node('Pad', [I.items, 'left_pad'], ['items_padded'])
      .node('Pad', [I.weights, 'left_pad'], ['weights_padded'])
      .node('Slice', ['items_padded', 'recent_start', 'recent_end', 'axis_1'], ['last_items'])
      .node('Slice', ['weights_padded', 'recent_start', 'recent_end', 'axis_1'], ['last_w'])
      .node('Greater', ['last_w', 'zero'], ['last_real'])
      .node('Cast', ['last_real'], ['last_mask'], { to: 1 }) // 1 = FLOAT
      .node('Mul', ['last_mask', T.recency], ['last_rho'])
      .node('Unsqueeze', ['last_rho', 'axis_2'], ['last_rho3'])
      .node('Gather', [T.nextIndex, 'last_items'], ['next_idx'], { axis: 0 })
      .node('Gather', [T.nextStrength, 'last_items'], ['next_str'], { axis: 0 })
      .node('Mul', ['next_str', 'last_rho3'], ['next_val'])
      .node('Reshape', ['next_idx', 'flat_shape'], ['next_idx_flat'])
      .node('Reshape', ['next_val', 'flat_shape'], ['next_val_flat'])
      .node('ScatterElements', ['dots', 'next_idx_flat', 'next_val_flat'], ['with_next'], { axis: 1, reduction: 'add' });
    beforePrior = 'with_next';
  }
  // score = … + prior[j] + bias[j]
  g.node('Add', [beforePrior, T.prior], ['with_prior'])
    .node('Add', ['with_prior', I.bias], ['total'])
    .node('TopK', ['total', I.k], [O.scores, O.indices], { axis: -1, largest: 1, sorted: 1 })
    .output(O.scores, 'float32', ['batch', 'k'])
    .output(O.indices, 'int64', ['batch', 'k']);
  const transitionMeta = t === undefined ? {} : { recent: String(t.recency.length), followers: String(t.width) };
  return g.toBytes({ producer: 'inpage train', metadata: { format: 'inpage-recommender', items: String(N), dim: String(D), ...transitionMeta, ...meta } });
}
