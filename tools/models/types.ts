/**
 * The shape every test model module exports. A model owns its graph, its seeded weights, sample
 * inputs and a plain-JS reference of exactly the same computation, so tests anywhere (Node, the
 * browser, the worker) can check a backend's output without Python or golden files.
 */
import type { DType, Dim, TensorData } from '../onnx/graph.ts';

/** A named tensor as the SDK's wire carries it (float16 as half bits in a Uint16Array). */
export interface TestTensor {
  type: DType;
  dims: number[];
  data: TensorData;
}

/** Tensors by input or output name. */
export type TestTensors = Record<string, TestTensor>;

/** A declared graph input or output; string dims are dynamic axes (e.g. `'batch'`). */
export interface TensorSpec {
  name: string;
  type: DType;
  dims: Dim[];
}

/** Names of the models in {@link testModels} (file stems under `public/models/`). */
export type TestModelName = 'mlp' | 'embed-topk' | 'multi-io' | 'big-mlp';

/**
 * One test model.
 *
 * @example
 * const feeds = mlp.inputs(2, 7);            // { x: float32 [2, 64] }
 * const expected = mlp.reference(feeds);     // { probs: float32 [2, 8] }
 * await ort.InferenceSession.create(mlp.bytes());
 */
export interface TestModel {
  /** File stem, e.g. `'mlp'` → `mlp.onnx`; one of {@link TestModelName} for the built-in models. */
  name: string;
  /** One line on what the graph does and what it is for. */
  description: string;
  /** Graph inputs in declaration order. */
  inputSpecs: readonly TensorSpec[];
  /** Graph outputs in declaration order. */
  outputSpecs: readonly TensorSpec[];
  /** ONNX ModelProto bytes; deterministic: the same weight seed gives identical bytes. */
  bytes(): Uint8Array;
  /** Valid sample inputs for `batch` rows, drawn from `seed`. */
  inputs(batch: number, seed: number): TestTensors;
  /** Outputs of the same graph and weights computed in plain JS; throws on missing or mistyped inputs. */
  reference(inputs: TestTensors): TestTensors;
}

/** Options shared by the model factories. */
export interface ModelOptions {
  /** Seed of the weights. Each factory documents its default; a different seed gives different bytes. */
  seed?: number;
}
