/**
 * JSON-safe tensors for crossing Playwright's evaluate boundary (int64 as decimal strings).
 * Shared by the Node side of the tests and the in-page harness.
 */
export interface PlainTensor {
  type: 'float32' | 'float16' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool';
  dims: number[];
  data: (number | string)[];
}

type AnyTensor = { type: PlainTensor['type']; dims: readonly number[]; data: ArrayLike<number | bigint> };

/** Typed tensor → plain. */
export function decodeTensor(t: AnyTensor): PlainTensor {
  return { type: t.type, dims: [...t.dims], data: Array.from(t.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : v)) };
}

/** Many typed tensors → plain. */
export function decodeTensors(ts: Record<string, AnyTensor>): Record<string, PlainTensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, v]) => [k, decodeTensor(v)]));
}

/** Plain → typed tensor. */
export function encodeTensor(p: PlainTensor): { type: PlainTensor['type']; dims: number[]; data: Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array | Int8Array } {
  const nums = p.data as number[];
  switch (p.type) {
    case 'float32': return { type: p.type, dims: p.dims, data: Float32Array.from(nums) };
    case 'float16': return { type: p.type, dims: p.dims, data: Uint16Array.from(nums) };
    case 'int32': return { type: p.type, dims: p.dims, data: Int32Array.from(nums) };
    case 'int64': return { type: p.type, dims: p.dims, data: BigInt64Array.from(p.data, (v) => BigInt(v)) };
    case 'uint8': case 'bool': return { type: p.type, dims: p.dims, data: Uint8Array.from(nums) };
    case 'int8': return { type: p.type, dims: p.dims, data: Int8Array.from(nums) };
  }
}
