/**
 * Tiny BERT-shaped fixture models in the Hugging Face layout, with a plain-JS reference of the
 * same graph: token + position + token-type embeddings, one single-head self-attention block
 * (masked by `attention_mask`, so padding in a batch must not change any real token's output),
 * a residual and tanh. `BertModel` gives `last_hidden_state`; `BertForSequenceClassification`
 * adds a linear head on the [CLS] token (`logits`). Seeded weights, so the bytes and the
 * reference are the same on every machine.
 *
 * The browser tests load these through transformers.js' hub code path from the test server
 * (`public/hf/<id>/…`) and compare what `engine.pipeline()` returns with {@link TinyBert.reference}.
 */
import { GraphBuilder } from '../onnx/graph.ts';
import { Prng } from '../onnx/prng.ts';
import type { HfFiles } from './hf-layout.ts';
import { encode, learnVocab, tokenizerConfig, tokenizerJson, type Vocab } from './wordpiece.ts';

/** Which head the fixture has. */
export type TinyBertKind = 'feature-extraction' | 'sentiment' | 'nli';

/** A generated fixture model. */
export interface TinyBert {
  /** Hugging Face model id, e.g. `'inpage-test/tiny-bert'`. */
  id: string;
  kind: TinyBertKind;
  vocab: Vocab;
  hidden: number;
  labels: string[];
  files: HfFiles;
  /** Per-token hidden states ([seq][hidden]) and, for classifiers, logits, of `text` (and `pair`). */
  reference(text: string, pair?: string): { hidden: number[][]; logits: number[] };
}

/** Sentences the fixture vocabulary is learned from (outdoor shop and sentiment words). */
export const FIXTURE_CORPUS: readonly string[] = [
  'A light dome tent for two people with a waterproof rainfly.',
  'This sleeping bag is warm, packable and comfortable down to minus five degrees.',
  'The stove boils water in three minutes and the piezo igniter works every time.',
  'Terrible zip, it broke on the first night. I want a refund.',
  'Great boots! Waterproof, grippy and comfortable on long hikes.',
  'The headlamp is bright and the battery lasts a whole weekend.',
  'Awful customer service and the jacket leaks in the rain.',
  'I love this backpack: the hip belt pockets are perfect for snacks.',
  'Merino socks that stay fresh for days, no blisters at all.',
  'The trekking poles feel cheap and one of them bent.',
  'This example is about camping, hiking, cooking, sleeping or weather.',
  'Is it good or bad? Positive or negative? I am happy, sad, angry.',
  'Fast delivery, friendly staff, excellent quality, would buy again.',
  'Broken, useless, disappointing, never again.',
];

const SIZES: Record<TinyBertKind, { hidden: number; labels: string[]; seed: number }> = {
  'feature-extraction': { hidden: 16, labels: [], seed: 7001 },
  sentiment: { hidden: 16, labels: ['NEGATIVE', 'POSITIVE'], seed: 7002 },
  nli: { hidden: 16, labels: ['contradiction', 'neutral', 'entailment'], seed: 7003 },
};

/** Longest sequence the fixtures accept (position table rows; the tokenizer truncates to it). */
export const FIXTURE_MAX_LENGTH = 64;

interface Weights {
  tok: Float32Array; pos: Float32Array; type: Float32Array;
  wq: Float32Array; wk: Float32Array; wv: Float32Array; wo: Float32Array; bo: Float32Array;
  wc: Float32Array; bc: Float32Array;
}

/** Row-major [rows, cols] × vector helpers in float64 over float32 weights. */
function row(m: Float32Array, r: number, cols: number): number[] {
  return Array.from(m.subarray(r * cols, (r + 1) * cols));
}
function vecMat(v: readonly number[], m: Float32Array, cols: number): number[] {
  const out = new Array<number>(cols).fill(0);
  v.forEach((x, i) => {
    for (let j = 0; j < cols; j++) out[j]! += x * m[i * cols + j]!;
  });
  return out;
}

/**
 * Builds one fixture. Deterministic: the same kind gives the same bytes.
 *
 * @example const fe = tinyBert('feature-extraction'); await writeHfFolder(`public/hf/${fe.id}`, fe.files);
 */
export function tinyBert(kind: TinyBertKind): TinyBert {
  const { hidden: H, labels, seed } = SIZES[kind];
  const vocab = learnVocab(FIXTURE_CORPUS, { maxSize: 400, minFrequency: 2 });
  const V = vocab.tokens.length;
  const P = FIXTURE_MAX_LENGTH;
  const L = labels.length;
  const rng = new Prng(seed);
  const w: Weights = {
    tok: rng.normals(V * H, 0.5), pos: rng.normals(P * H, 0.1), type: rng.normals(2 * H, 0.1),
    wq: rng.normals(H * H, 1 / Math.sqrt(H)), wk: rng.normals(H * H, 1 / Math.sqrt(H)), wv: rng.normals(H * H, 1 / Math.sqrt(H)),
    wo: rng.normals(H * H, 1 / Math.sqrt(H)), bo: rng.normals(H, 0.1),
    wc: rng.normals(Math.max(1, H * L), 1 / Math.sqrt(H)), bc: rng.normals(Math.max(1, L), 0.1),
  };
  const scale = 1 / Math.sqrt(H);
  const g = new GraphBuilder(`tiny_bert_${kind.replace(/-/g, '_')}`)
    .input('input_ids', 'int64', ['batch_size', 'sequence_length'])
    .input('attention_mask', 'int64', ['batch_size', 'sequence_length'])
    .input('token_type_ids', 'int64', ['batch_size', 'sequence_length'])
    .initializer('tok_table', 'float32', [V, H], w.tok)
    .initializer('pos_table', 'float32', [P, H], w.pos)
    .initializer('type_table', 'float32', [2, H], w.type)
    .initializer('wq', 'float32', [H, H], w.wq).initializer('wk', 'float32', [H, H], w.wk).initializer('wv', 'float32', [H, H], w.wv)
    .initializer('wo', 'float32', [H, H], w.wo).initializer('bo', 'float32', [H], w.bo)
    .initializer('i0', 'int64', [1], BigInt64Array.of(0n)).initializer('i1', 'int64', [1], BigInt64Array.of(1n)).initializer('i2', 'int64', [1], BigInt64Array.of(2n))
    .initializer('scale', 'float32', [1], Float32Array.of(scale))
    .initializer('one_f', 'float32', [1], Float32Array.of(1))
    .initializer('neg_big', 'float32', [1], Float32Array.of(-10000))
    .node('Gather', ['tok_table', 'input_ids'], ['tok_e'], { axis: 0 })
    .node('Shape', ['input_ids'], ['ids_shape'])
    .node('Slice', ['ids_shape', 'i1', 'i2', 'i0'], ['seq_len'])
    .node('Slice', ['pos_table', 'i0', 'seq_len', 'i0'], ['pos_e'])
    .node('Gather', ['type_table', 'token_type_ids'], ['type_e'], { axis: 0 })
    .node('Add', ['tok_e', 'pos_e'], ['x0'])
    .node('Add', ['x0', 'type_e'], ['x'])
    .node('MatMul', ['x', 'wq'], ['q']).node('MatMul', ['x', 'wk'], ['k']).node('MatMul', ['x', 'wv'], ['v'])
    .node('Transpose', ['k'], ['kt'], { perm: [0, 2, 1] })
    .node('MatMul', ['q', 'kt'], ['scores_raw'])
    .node('Mul', ['scores_raw', 'scale'], ['scores'])
    .node('Cast', ['attention_mask'], ['mask_f'], { to: 1 })
    .node('Unsqueeze', ['mask_f', 'i1'], ['mask_3'])
    .node('Sub', ['one_f', 'mask_3'], ['mask_inv'])
    .node('Mul', ['mask_inv', 'neg_big'], ['mask_bias'])
    .node('Add', ['scores', 'mask_bias'], ['scores_masked'])
    .node('Softmax', ['scores_masked'], ['attn'], { axis: -1 })
    .node('MatMul', ['attn', 'v'], ['ctx'])
    .node('MatMul', ['ctx', 'wo'], ['o'])
    .node('Add', ['o', 'bo'], ['o_b'])
    .node('Add', ['o_b', 'x'], ['o_res'])
    .node('Tanh', ['o_res'], ['last_hidden_state'])
    .output('last_hidden_state', 'float32', ['batch_size', 'sequence_length', H]);
  if (L > 0) {
    g.initializer('wc', 'float32', [H, L], w.wc).initializer('bc', 'float32', [L], w.bc)
      .initializer('first', 'int64', [], BigInt64Array.of(0n))
      .node('Gather', ['last_hidden_state', 'first'], ['cls_h'], { axis: 1 })
      .node('MatMul', ['cls_h', 'wc'], ['logits_raw'])
      .node('Add', ['logits_raw', 'bc'], ['logits'])
      .output('logits', 'float32', ['batch_size', L]);
  }
  const onnx = g.toBytes({ producer: 'inpage tools/encoder', metadata: { fixture: kind } });
  const id = kind === 'feature-extraction' ? 'inpage-test/tiny-bert' : `inpage-test/tiny-bert-${kind}`;
  const config: Record<string, unknown> = {
    model_type: 'bert',
    architectures: [L > 0 ? 'BertForSequenceClassification' : 'BertModel'],
    hidden_size: H, num_attention_heads: 1, num_hidden_layers: 1, intermediate_size: H,
    vocab_size: V, max_position_embeddings: P, type_vocab_size: 2,
    // Only fp32 weights exist: say so, so the browser default (q8 on wasm) does not look for
    // onnx/model_quantized.onnx.
    'transformers.js_config': { dtype: 'fp32' },
  };
  if (L > 0) {
    config['id2label'] = Object.fromEntries(labels.map((l, i) => [String(i), l]));
    config['label2id'] = Object.fromEntries(labels.map((l, i) => [l, i]));
  }
  const files: HfFiles = {
    'config.json': config,
    'tokenizer.json': tokenizerJson(vocab),
    'tokenizer_config.json': tokenizerConfig(P),
    'onnx/model.onnx': onnx,
  };

  const reference = (text: string, pair?: string): { hidden: number[][]; logits: number[] } => {
    const { ids, typeIds } = encode(text, vocab, pair === undefined ? { maxLength: P } : { pair, maxLength: P });
    const x = ids.map((t, i) => row(w.tok, t, H).map((v, d) => v + w.pos[i * H + d]! + w.type[typeIds[i]! * H + d]!));
    const q = x.map((r) => vecMat(r, w.wq, H));
    const k = x.map((r) => vecMat(r, w.wk, H));
    const v = x.map((r) => vecMat(r, w.wv, H));
    const hiddenStates = x.map((xi, i) => {
      const sc = k.map((kj) => scale * q[i]!.reduce((s, qv, d) => s + qv * kj[d]!, 0));
      const m = Math.max(...sc);
      const e = sc.map((s) => Math.exp(s - m));
      const z = e.reduce((a, b) => a + b, 0);
      const ctx = new Array<number>(H).fill(0);
      e.forEach((ej, j) => { for (let d = 0; d < H; d++) ctx[d]! += (ej / z) * v[j]![d]!; });
      const o = vecMat(ctx, w.wo, H);
      return o.map((ov, d) => Math.tanh(ov + w.bo[d]! + xi[d]!));
    });
    const logits = L > 0 ? vecMat(hiddenStates[0]!, w.wc, L).map((lv, j) => lv + w.bc[j]!) : [];
    return { hidden: hiddenStates, logits };
  };
  return { id, kind, vocab, hidden: H, labels, files, reference };
}

/** All fixtures the browser tests serve. */
export function tinyBertFixtures(): TinyBert[] {
  return (['feature-extraction', 'sentiment', 'nli'] as const).map((k) => tinyBert(k));
}

/** Mean pooling over the real tokens, then optional L2 normalisation (what the pipeline does). */
export function meanPool(hidden: readonly (readonly number[])[], normalizeOut: boolean): number[] {
  const D = hidden[0]?.length ?? 0;
  const sum = new Array<number>(D).fill(0);
  for (const h of hidden) for (let d = 0; d < D; d++) sum[d]! += h[d]!;
  const mean = sum.map((s) => s / Math.max(1, hidden.length));
  if (!normalizeOut) return mean;
  const n = Math.hypot(...mean);
  return mean.map((m) => m / Math.max(n, 1e-12));
}

/** Softmax of a logit vector. */
export function softmax(xs: readonly number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}
