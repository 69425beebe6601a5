/**
 * Plain tensors as they cross the page/worker boundary: no onnxruntime types ever reach the page.
 *
 * @example
 * const x: Tensor = { type: 'float32', dims: [1, 64], data: new Float32Array(64) };
 */
export type TensorType = 'float32' | 'float16' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool';

/** The typed array that carries each tensor type (float16 travels as raw bits in a Uint16Array). */
export interface TensorDataMap {
  float32: Float32Array;
  float16: Uint16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  int8: Int8Array;
  bool: Uint8Array;
}

export type TensorData = TensorDataMap[TensorType];

/** A tensor of one type; `data.length` equals the product of `dims`. */
export interface Tensor<T extends TensorType = TensorType> {
  type: T;
  dims: readonly number[];
  data: TensorDataMap[T];
}

/** Named tensors: model inputs (feeds) or outputs. */
export type Tensors = Record<string, Tensor>;

/** What the model declares for one input or output; dynamic dims are strings (e.g. `'batch'`). */
export interface TensorInfo {
  name: string;
  type: TensorType | 'unknown';
  dims: readonly (number | string)[];
}
