/**
 * A stand-in for the engine in Node tests of the page-side recommender: its models run the JS
 * reference of the recommender graph (`'reference'`) or the real graph in onnxruntime-node
 * (`'ort'`), over the model bytes `read` returns for the URL the recommender asks for.
 */
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { InpageError } from '../../../src/errors.ts';
import type { EngineLike, ModelLike } from '../../../src/recommend/engine-like.ts';
import type { Tensor } from '../../../src/tensor.ts';
import { referenceRun, type ScorerWeights } from '../../../tools/train/reference.ts';

/**
 * @param weights the package's weights (read when a reference model runs).
 * @param runs counts model runs.
 */
export function recoEngine(kind: 'reference' | 'ort', read: (url: string) => Promise<Uint8Array>, weights: () => ScorerWeights, runs: { count: number } = { count: 0 }): EngineLike {
  return {
    async load(source) {
      const bytes = await read(source.url);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (source.sha256 !== undefined && source.sha256 !== sha) throw new InpageError('INTEGRITY_MISMATCH', 'model sha256');
      const session = kind === 'ort' ? await ort.InferenceSession.create(bytes) : undefined;
      const model: ModelLike = {
        async run(feeds) {
          runs.count++;
          const [it, w, b, k] = [feeds['items']!, feeds['weights']!, feeds['bias']!, feeds['k']!];
          if (session !== undefined) {
            const toOrt = (t: Tensor) => new ort.Tensor(t.type as 'int64' | 'float32', t.data as BigInt64Array | Float32Array, [...t.dims]);
            const out = await session.run({ items: toOrt(it), weights: toOrt(w), bias: toOrt(b), k: toOrt(k) });
            return {
              indices: { type: 'int64', dims: out['indices']!.dims, data: out['indices']!.data as BigInt64Array },
              scores: { type: 'float32', dims: out['scores']!.dims, data: out['scores']!.data as Float32Array },
            };
          }
          const r = referenceRun(weights(), it.dims[0]!, it.dims[1]!, it.data as BigInt64Array, w.data as Float32Array, Number((k.data as BigInt64Array)[0]), b.data as Float32Array);
          return { indices: { type: 'int64', dims: [1, r.k], data: r.indices }, scores: { type: 'float32', dims: [1, r.k], data: r.scores } };
        },
        async dispose() {
          await session?.release();
        },
      };
      return model;
    },
  };
}
