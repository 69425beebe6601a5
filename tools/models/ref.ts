/** Plain-JS building blocks for the models' reference implementations. */
import { isDataOf, type DType, type DTypeDataMap } from '../onnx/dtype.ts';
import type { TestTensors } from './types.ts';

/**
 * The input `name`, checked to be of `type` with `rank` dims, with its data typed.
 *
 * @example const { dims, data } = takeInput(inputs, 'x', 'float32', 2); // data: Float32Array
 */
export function takeInput<T extends DType>(
  inputs: TestTensors,
  name: string,
  type: T,
  rank: number,
): { dims: number[]; data: DTypeDataMap[T] } {
  const t = inputs[name];
  if (t === undefined) throw new Error(`reference: input '${name}' is missing; got [${Object.keys(inputs).join(', ')}]`);
  if (t.type !== type || !isDataOf(type, t.data)) {
    throw new Error(`reference: input '${name}' must be ${type}, got ${t.type} in ${t.data.constructor.name}`);
  }
  if (t.dims.length !== rank) throw new Error(`reference: input '${name}' must have rank ${rank}, got dims [${t.dims.join(', ')}]`);
  const count = t.dims.reduce((n, d) => n * d, 1);
  if (t.data.length !== count) throw new Error(`reference: input '${name}' has ${t.data.length} elements for dims [${t.dims.join(', ')}]`);
  // isDataOf checked the array class above; TS cannot link that check to the generic T.
  return { dims: [...t.dims], data: t.data as DTypeDataMap[T] };
}

/** `x[rows, inDim] @ w[inDim, outDim] + b[outDim]`, accumulated in float64. */
export function dense(x: ArrayLike<number>, rows: number, w: Float32Array, b: Float32Array, inDim: number, outDim: number): Float64Array {
  const out = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outDim; o++) {
      let acc = b[o] ?? 0;
      for (let i = 0; i < inDim; i++) acc += (x[r * inDim + i] ?? 0) * (w[i * outDim + o] ?? 0);
      out[r * outDim + o] = acc;
    }
  }
  return out;
}

/** Elementwise max(0, v), in place. */
export function reluInPlace(v: Float64Array): Float64Array {
  for (let i = 0; i < v.length; i++) v[i] = Math.max(0, v[i] ?? 0);
  return v;
}

/** Softmax over the last axis of a [rows, cols] matrix, max-subtracted like ORT's kernel. */
export function softmaxRows(v: Float64Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = v.subarray(r * cols, (r + 1) * cols);
    const max = Math.max(...row);
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    for (let c = 0; c < cols; c++) out[r * cols + c] = Math.exp((row[c] ?? 0) - max) / sum;
  }
  return out;
}

/**
 * Indices of the `k` largest values, largest first; equal values keep the lower index first,
 * which is what ORT's TopK (largest=1, sorted=1) returns.
 */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => (values[b] ?? 0) - (values[a] ?? 0) || a - b);
  return idx.slice(0, k);
}

/** Calls `make` once, on first use: models are listed at import time but built only when asked. */
export function lazy<T>(make: () => T): () => T {
  let box: { value: T } | undefined;
  return () => (box ??= { value: make() }).value;
}
