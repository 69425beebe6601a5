/**
 * `mlp` and `big-mlp`: dense layers with Relu between them and Softmax at the end.
 *
 * mlp:     x float32 [batch, 64]  → 64→32 Relu → 32→8 Softmax → probs float32 [batch, 8]
 * big-mlp: x float32 [batch, 256] → 256→256 Relu → 256→256 Relu → 256→16 Softmax → probs [batch, 16]
 */
import { GraphBuilder } from '../onnx/graph.ts';
import { Prng } from '../onnx/prng.ts';
import { dense, lazy, reluInPlace, softmaxRows, takeInput } from './ref.ts';
import type { ModelOptions, TensorSpec, TestModel, TestModelName, TestTensors } from './types.ts';

/** Options of {@link createMlp}. */
export interface MlpOptions extends ModelOptions {
  /** File stem. Default `'mlp'`. */
  name?: Extract<TestModelName, 'mlp' | 'big-mlp'>;
  /** Layer widths from input to output, at least two. Default `[64, 32, 8]`. */
  sizes?: readonly number[];
}

interface Layer {
  w: Float32Array;
  b: Float32Array;
  inDim: number;
  outDim: number;
}

/**
 * Builds an MLP test model. Weights are He-scaled normals so activations stay O(1) at any depth
 * and the softmax is not saturated (a saturated one would hide wrong weights). Default seed 1.
 *
 * @example createMlp({ name: 'big-mlp', sizes: [256, 256, 256, 16], seed: 2 })
 */
export function createMlp(opts: MlpOptions = {}): TestModel {
  const name = opts.name ?? 'mlp';
  const sizes = opts.sizes ?? [64, 32, 8];
  const seed = opts.seed ?? 1;
  const inDim = sizes[0];
  const outDim = sizes[sizes.length - 1];
  if (sizes.length < 2 || inDim === undefined || outDim === undefined) throw new Error(`createMlp: need at least two sizes, got [${sizes.join(', ')}]`);

  const layers = lazy((): Layer[] => {
    const rng = new Prng(seed);
    return sizes.slice(1).map((o, i) => {
      const n = sizes[i] ?? 0;
      return { w: rng.normals(n * o, Math.sqrt(2 / n)), b: rng.normals(o, 0.1), inDim: n, outDim: o };
    });
  });

  const inputSpecs: TensorSpec[] = [{ name: 'x', type: 'float32', dims: ['batch', inDim] }];
  const outputSpecs: TensorSpec[] = [{ name: 'probs', type: 'float32', dims: ['batch', outDim] }];

  const bytes = lazy((): Uint8Array => {
    const g = new GraphBuilder(name);
    for (const s of inputSpecs) g.input(s.name, s.type, s.dims);
    let h = 'x';
    layers().forEach((l, i) => {
      g.initializer(`w${i}`, 'float32', [l.inDim, l.outDim], l.w).initializer(`b${i}`, 'float32', [l.outDim], l.b);
      g.node('MatMul', [h, `w${i}`], [`mm${i}`]).node('Add', [`mm${i}`, `b${i}`], [`z${i}`]);
      h = `z${i}`;
      if (i < sizes.length - 2) {
        g.node('Relu', [h], [`a${i}`]);
        h = `a${i}`;
      }
    });
    g.node('Softmax', [h], ['probs'], { axis: -1 });
    for (const s of outputSpecs) g.output(s.name, s.type, s.dims);
    return g.toBytes({ docString: `${name}: MLP ${sizes.join('→')}, weights seed ${seed}`, metadata: { 'inpage.test-model': name } });
  });

  return {
    name,
    description: `MLP ${sizes.join('→')} with Relu and a final Softmax; float32 in, probabilities out`,
    inputSpecs,
    outputSpecs,
    bytes: () => new Uint8Array(bytes()), // a copy: callers may transfer or mutate it
    inputs(batch: number, inputSeed: number): TestTensors {
      return { x: { type: 'float32', dims: [batch, inDim], data: new Prng(inputSeed).normals(batch * inDim) } };
    },
    reference(inputs: TestTensors): TestTensors {
      const { dims, data } = takeInput(inputs, 'x', 'float32', 2);
      const rows = dims[0] ?? 0;
      if (dims[1] !== inDim) throw new Error(`reference: input 'x' must be [batch, ${inDim}], got [${dims.join(', ')}]`);
      const ls = layers();
      let h: ArrayLike<number> = data;
      let logits: Float64Array = new Float64Array(0);
      ls.forEach((l, i) => {
        logits = dense(h, rows, l.w, l.b, l.inDim, l.outDim);
        h = i < ls.length - 1 ? reluInPlace(logits) : logits;
      });
      return { probs: { type: 'float32', dims: [rows, outDim], data: softmaxRows(logits, rows, outDim) } };
    },
  };
}

/** The default `mlp` (64→32→8, seed 1). */
export const mlp: TestModel = createMlp();

/** `big-mlp` (256→256→256→16, seed 2): for benchmarks, ~330k parameters. */
export const bigMlp: TestModel = createMlp({ name: 'big-mlp', sizes: [256, 256, 256, 16], seed: 2 });
