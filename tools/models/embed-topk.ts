/**
 * `embed-topk`: a bag-of-ids retrieval toy. Averages the embeddings of the ids in each row and
 * scores every vocabulary entry against that mean, returning the top 5.
 *
 * ids int64 [batch, seq] → Gather(table [200, 16]) → ReduceMean(axes=[1]) → MatMul(Transpose(table))
 * → TopK(k=5, largest, sorted) → indices int64 [batch, 5], scores float32 [batch, 5]
 *
 * It exercises int64 in and out, Gather, an attribute-axes ReduceMean (opset 17: `axes` only
 * became an input in opset 18) and TopK, which ORT's WebGPU EP runs on CPU, results unchanged.
 */
import { GraphBuilder } from '../onnx/graph.ts';
import { Prng } from '../onnx/prng.ts';
import { lazy, takeInput, topK } from './ref.ts';
import type { ModelOptions, TensorSpec, TestModel, TestTensors } from './types.ts';

/** Vocabulary size: ids must be in [0, VOCAB). */
export const EMBED_VOCAB = 200;
/** Embedding width. */
export const EMBED_DIM = 16;
/** How many ids TopK returns per row. */
export const EMBED_TOPK = 5;
/** Sequence length of the sample inputs (the graph itself accepts any `seq` ≥ 1). */
export const EMBED_SAMPLE_SEQ = 6;

/**
 * Builds the embed-topk model. The table is N(0, 1) noise: random scores make exact ties (where
 * only the tie-break rule would decide the order) vanishingly unlikely. Default seed 3.
 */
export function createEmbedTopK(opts: ModelOptions = {}): TestModel {
  const seed = opts.seed ?? 3;
  const table = lazy(() => new Prng(seed).normals(EMBED_VOCAB * EMBED_DIM));

  const inputSpecs: TensorSpec[] = [{ name: 'ids', type: 'int64', dims: ['batch', 'seq'] }];
  const outputSpecs: TensorSpec[] = [
    { name: 'indices', type: 'int64', dims: ['batch', EMBED_TOPK] },
    { name: 'scores', type: 'float32', dims: ['batch', EMBED_TOPK] },
  ];

  const bytes = lazy((): Uint8Array => {
    const g = new GraphBuilder('embed-topk');
    for (const s of inputSpecs) g.input(s.name, s.type, s.dims);
    g.initializer('table', 'float32', [EMBED_VOCAB, EMBED_DIM], table())
      .initializer('k', 'int64', [1], new BigInt64Array([BigInt(EMBED_TOPK)]))
      .node('Gather', ['table', 'ids'], ['emb'], { axis: 0 })
      .node('ReduceMean', ['emb'], ['mean'], { axes: [1], keepdims: 0 })
      // Transposing in the graph keeps one copy of the weights; ORT folds it into a constant.
      .node('Transpose', ['table'], ['table_t'], { perm: [1, 0] })
      .node('MatMul', ['mean', 'table_t'], ['logits'])
      // Output order of TopK is (Values, Indices).
      .node('TopK', ['logits', 'k'], ['scores', 'indices'], { axis: -1, largest: 1, sorted: 1 });
    for (const s of outputSpecs) g.output(s.name, s.type, s.dims);
    return g.toBytes({ docString: `embed-topk: vocab ${EMBED_VOCAB}, dim ${EMBED_DIM}, top ${EMBED_TOPK}, weights seed ${seed}`, metadata: { 'inpage.test-model': 'embed-topk' } });
  });

  return {
    name: 'embed-topk',
    description: `mean of ${EMBED_DIM}-d embeddings of int64 ids, scored against all ${EMBED_VOCAB} entries, top ${EMBED_TOPK}`,
    inputSpecs,
    outputSpecs,
    bytes: () => new Uint8Array(bytes()), // a copy: callers may transfer or mutate it
    inputs(batch: number, inputSeed: number): TestTensors {
      const rng = new Prng(inputSeed);
      const ids = new BigInt64Array(batch * EMBED_SAMPLE_SEQ);
      for (let i = 0; i < ids.length; i++) ids[i] = BigInt(rng.int(EMBED_VOCAB));
      return { ids: { type: 'int64', dims: [batch, EMBED_SAMPLE_SEQ], data: ids } };
    },
    reference(inputs: TestTensors): TestTensors {
      const { dims, data } = takeInput(inputs, 'ids', 'int64', 2);
      const [rows = 0, seq = 0] = dims;
      const t = table();
      const indices = new BigInt64Array(rows * EMBED_TOPK);
      const scores = new Float32Array(rows * EMBED_TOPK);
      for (let r = 0; r < rows; r++) {
        const mean = new Float64Array(EMBED_DIM);
        for (let s = 0; s < seq; s++) {
          const id = Number(data[r * seq + s]);
          // Gather rejects out-of-range ids too; say which one here rather than index garbage.
          if (!(id >= 0 && id < EMBED_VOCAB)) throw new Error(`reference: ids[${r}, ${s}] = ${id} is outside [0, ${EMBED_VOCAB})`);
          for (let d = 0; d < EMBED_DIM; d++) mean[d] = (mean[d] ?? 0) + (t[id * EMBED_DIM + d] ?? 0) / seq;
        }
        const logits = new Float64Array(EMBED_VOCAB);
        for (let v = 0; v < EMBED_VOCAB; v++) {
          let acc = 0;
          for (let d = 0; d < EMBED_DIM; d++) acc += (mean[d] ?? 0) * (t[v * EMBED_DIM + d] ?? 0);
          logits[v] = acc;
        }
        topK(logits, EMBED_TOPK).forEach((v, j) => {
          indices[r * EMBED_TOPK + j] = BigInt(v);
          scores[r * EMBED_TOPK + j] = logits[v] ?? 0;
        });
      }
      return {
        indices: { type: 'int64', dims: [rows, EMBED_TOPK], data: indices },
        scores: { type: 'float32', dims: [rows, EMBED_TOPK], data: scores },
      };
    },
  };
}

/** The default `embed-topk` (seed 3). */
export const embedTopK: TestModel = createEmbedTopK();
