/**
 * Inputs made from a model's metadata alone, for the warm-up run and the backend measurement:
 * zeros (valid for index inputs too: index 0 always exists), dynamic dims set to 1.
 */
import type { Tensor, TensorInfo, TensorType, Tensors } from './tensor.ts';

const MAKE: Record<TensorType, (n: number) => Tensor['data']> = {
  float32: (n) => new Float32Array(n),
  float16: (n) => new Uint16Array(n),
  int32: (n) => new Int32Array(n),
  int64: (n) => new BigInt64Array(n),
  uint8: (n) => new Uint8Array(n),
  int8: (n) => new Int8Array(n),
  bool: (n) => new Uint8Array(n),
};

/** Synthetic feeds, or undefined when an input's type is unknown (no warm-up then). */
export function syntheticFeeds(inputs: readonly TensorInfo[], rows = 1): Tensors | undefined {
  const feeds: Tensors = {};
  for (const info of inputs) {
    if (info.type === 'unknown') return undefined;
    const dims = info.dims.map((d, i) => (typeof d === 'number' && d >= 0 ? d : i === 0 ? rows : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    feeds[info.name] = { type: info.type, dims, data: MAKE[info.type](n) } as Tensor;
  }
  return feeds;
}
