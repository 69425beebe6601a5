/**
 * Writes the trained encoder in the transformers.js layout and the search index:
 *
 *   <dir>/encoder/config.json, tokenizer.json, tokenizer_config.json,
 *                 onnx/model.onnx (fp32), onnx/model_quantized.onnx (int8 rows, the 'q8' file)
 *   <dir>/search.onnx   query [batch, dim] · normalised item vectors + bias → top-k
 *
 * Encoder graph (BertModel-shaped, so `pipeline('feature-extraction')` takes it as is):
 *   input_ids, attention_mask, token_type_ids  int64 [batch, sequence]
 *   → last_hidden_state float32 [batch, sequence, dim] = table[input_ids]
 * Pooling (mean over the attention mask) and normalisation happen in the pipeline, exactly as
 * for any sentence-embedding model. `attention_mask` and `token_type_ids` are declared because
 * transformers.js' tokenizer produces them, and are not read by any node.
 *
 * The quantized file stores each row as int8 with one float scale per row (symmetric):
 *   Gather(int8 table) → Cast → Mul(Gather(row scales)).
 */
import { GraphBuilder } from '../onnx/graph.ts';
import type { HfFiles } from './hf-layout.ts';
import type { EncoderWeights } from './train-encoder.ts';
import { tokenizerConfig, tokenizerJson } from './wordpiece.ts';

/** Per-row symmetric int8 quantization of a [rows, dim] table. */
export function quantizeRows(table: Float32Array, dim: number): { q: Int8Array; scales: Float32Array } {
  const rows = table.length / dim;
  const q = new Int8Array(table.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(table[r * dim + d]!));
    const s = max > 0 ? max / 127 : 1;
    scales[r] = s;
    for (let d = 0; d < dim; d++) q[r * dim + d] = Math.max(-127, Math.min(127, Math.round(table[r * dim + d]! / s)));
  }
  return { q, scales };
}

/** The table the quantized model computes with: int8 × row scale, in float32. */
export function dequantizedTable(table: Float32Array, dim: number): Float32Array {
  const { q, scales } = quantizeRows(table, dim);
  return Float32Array.from(q, (v, i) => Math.fround(v * scales[Math.floor(i / dim)]!));
}

/**
 * The encoder as ONNX bytes. Deterministic.
 *
 * @example const bytes = encoderOnnx(fit.weights, { quantized: true });
 */
export function encoderOnnx(w: EncoderWeights, opts: { quantized?: boolean } = {}): Uint8Array {
  const V = w.vocab.tokens.length;
  const D = w.dim;
  const g = new GraphBuilder('inpage_catalog_encoder')
    .input('input_ids', 'int64', ['batch_size', 'sequence_length'])
    .input('attention_mask', 'int64', ['batch_size', 'sequence_length'])
    .input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);
  if (opts.quantized) {
    const { q, scales } = quantizeRows(w.table, D);
    g.initializer('table_q', 'int8', [V, D], q)
      .initializer('row_scale', 'float32', [V, 1], scales)
      .node('Gather', ['table_q', 'input_ids'], ['rows_q'], { axis: 0 })
      .node('Cast', ['rows_q'], ['rows_f'], { to: 1 })
      .node('Gather', ['row_scale', 'input_ids'], ['rows_s'], { axis: 0 })
      .node('Mul', ['rows_f', 'rows_s'], ['last_hidden_state']);
  } else {
    g.initializer('table', 'float32', [V, D], w.table).node('Gather', ['table', 'input_ids'], ['last_hidden_state'], { axis: 0 });
  }
  g.output('last_hidden_state', 'float32', ['batch_size', 'sequence_length', D]);
  return g.toBytes({ producer: 'inpage train', metadata: { format: 'inpage-catalog-encoder', vocab: String(V), dim: String(D), quantized: String(Boolean(opts.quantized)) } });
}

/** The encoder folder in the Hugging Face layout (paths relative to the folder). */
export function encoderFiles(w: EncoderWeights): HfFiles {
  return {
    'config.json': {
      model_type: 'bert', architectures: ['BertModel'], hidden_size: w.dim, vocab_size: w.vocab.tokens.length,
      max_position_embeddings: w.maxLength, type_vocab_size: 2, num_attention_heads: 1, num_hidden_layers: 0,
      inpage: { format: 'inpage-catalog-encoder', pooling: 'mean', normalize: true },
    },
    'tokenizer.json': tokenizerJson(w.vocab),
    'tokenizer_config.json': tokenizerConfig(w.maxLength),
    'onnx/model.onnx': encoderOnnx(w),
    'onnx/model_quantized.onnx': encoderOnnx(w, { quantized: true }),
  };
}

/** Tensor names of the search index graph. */
export const SEARCH_GRAPH = {
  inputs: { query: 'query', bias: 'bias', k: 'k' },
  outputs: { scores: 'scores', indices: 'indices' },
} as const;

/**
 * The search index: cosine of a normalised query with every (normalised) item vector, plus
 * `bias` (0 keeps an item, -1e9 removes it: filters), top-k.
 *
 *   query float32 [batch, dim], bias float32 [batch, items] (a [1, items] row broadcasts), k int64 [1]
 *   → scores float32 [batch, k], indices int64 [batch, k]
 */
export function searchIndexOnnx(targets: Float32Array, items: number, dim: number): Uint8Array {
  const t = new Float32Array(dim * items);
  for (let j = 0; j < items; j++) for (let d = 0; d < dim; d++) t[d * items + j] = targets[j * dim + d]!;
  const { inputs: I, outputs: O } = SEARCH_GRAPH;
  return new GraphBuilder('inpage_search_index')
    .input(I.query, 'float32', ['batch', dim])
    .input(I.bias, 'float32', ['batch', items])
    .input(I.k, 'int64', [1])
    .initializer('items_t', 'float32', [dim, items], t)
    .node('MatMul', [I.query, 'items_t'], ['cos'])
    .node('Add', ['cos', I.bias], ['total'])
    .node('TopK', ['total', I.k], [O.scores, O.indices], { axis: -1, largest: 1, sorted: 1 })
    .output(O.scores, 'float32', ['batch', 'k'])
    .output(O.indices, 'int64', ['batch', 'k'])
    .toBytes({ producer: 'inpage train', metadata: { format: 'inpage-search-index', items: String(items), dim: String(dim) } });
}
