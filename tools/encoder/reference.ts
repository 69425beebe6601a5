/**
 * The encoder and the search index in plain JS: what the eval runs and what the tests compare
 * transformers.js + onnxruntime against. Same tokenizer (wordpiece.ts), same table (dequantized
 * for the 'q8' file), mean over every token of the attention mask ([CLS] and [SEP] included, as
 * the pipeline does), L2-normalised.
 */
import { dequantizedTable } from './export.ts';
import type { EncoderWeights } from './train-encoder.ts';
import { encode } from './wordpiece.ts';

/** A reusable encoder over fixed weights. */
export interface ReferenceEncoder {
  dim: number;
  /** Normalised text vector; all zeros when no token of `text` has a vector. */
  encode(text: string): Float32Array;
}

/**
 * Builds the reference for the fp32 file, or for the quantized one.
 *
 * @example const ref = referenceEncoder(fit.weights); ref.encode('waterproof tent')
 */
export function referenceEncoder(w: EncoderWeights, opts: { quantized?: boolean } = {}): ReferenceEncoder {
  const D = w.dim;
  const table = opts.quantized ? dequantizedTable(w.table, D) : w.table;
  return {
    dim: D,
    encode(text) {
      const { ids } = encode(text, w.vocab, { maxLength: w.maxLength });
      const sum = new Float64Array(D);
      for (const t of ids) for (let d = 0; d < D; d++) sum[d] = sum[d]! + table[t * D + d]!;
      let n = 0;
      for (let d = 0; d < D; d++) { sum[d] = sum[d]! / ids.length; n += sum[d]! ** 2; }
      const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
      return Float32Array.from(sum, (x) => x * inv);
    },
  };
}

/** Cosine scores of a normalised query against normalised item vectors ([items, dim]). */
export function searchScores(query: Float32Array, targets: Float32Array, dim: number, out = new Float32Array(targets.length / dim)): Float32Array {
  for (let j = 0; j < out.length; j++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += query[d]! * targets[j * dim + d]!;
    out[j] = s;
  }
  return out;
}
