/**
 * Element types the builder can write, and how each maps onto ONNX's TensorProto.DataType and
 * onto a JS typed array. Mirrors the SDK's wire tensor types so a test model's tensors can be
 * handed to the engine unchanged.
 */

/** Element type of a tensor. float16 is carried as raw IEEE-754 half bits in a Uint16Array. */
export type DType = 'float32' | 'float16' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool';

/** The typed array that carries each element type (bool is one byte per element, 0 or 1). */
export interface DTypeDataMap {
  float32: Float32Array;
  float16: Uint16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  int8: Int8Array;
  bool: Uint8Array;
}

/** Any typed array a tensor of some {@link DType} may hold. */
export type TensorData = DTypeDataMap[DType];

/** Every supported element type, in a fixed order (handy for tests and loops). */
export const DTYPES: readonly DType[] = ['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool'];

// Numbers from onnx.proto `TensorProto.DataType`; they are frozen by the ONNX spec, so a table is
// clearer than reaching into onnx-proto's generated enum.
const ONNX_DATA_TYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
};

const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  float32: 4,
  float16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  int8: 1,
  bool: 1,
};

/**
 * The ONNX `TensorProto.DataType` number of a dtype, e.g. for a Cast node's `to` attribute.
 *
 * @example
 * g.node('Cast', ['b'], ['bf'], { to: onnxDataType('float32') }); // to = 1
 */
export function onnxDataType(dtype: DType): number {
  return ONNX_DATA_TYPE[dtype];
}

/** Bytes one element of `dtype` takes in ONNX raw_data (bool: 1). */
export function bytesPerElement(dtype: DType): number {
  return BYTES_PER_ELEMENT[dtype];
}

/** True when `data` is the typed array that carries `dtype` (see {@link DTypeDataMap}). */
export function isDataOf(dtype: DType, data: TensorData): boolean {
  switch (dtype) {
    case 'float32':
      return data instanceof Float32Array;
    case 'float16':
      return data instanceof Uint16Array;
    case 'int32':
      return data instanceof Int32Array;
    case 'int64':
      return data instanceof BigInt64Array;
    case 'uint8':
    case 'bool':
      return data instanceof Uint8Array;
    case 'int8':
      return data instanceof Int8Array;
    default:
      return false;
  }
}

/** Product of `dims` (1 for a scalar, `[]`). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

/**
 * Serialises tensor data as ONNX raw_data: little-endian regardless of the host, as onnx.proto
 * requires ("raw_data ... stored in little-endian order").
 */
export function toRawData(dtype: DType, data: TensorData): Uint8Array {
  const out = new Uint8Array(data.length * bytesPerElement(dtype));
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === undefined) continue;
    switch (dtype) {
      case 'float32':
        view.setFloat32(i * 4, Number(v), true);
        break;
      case 'float16':
        view.setUint16(i * 2, Number(v), true);
        break;
      case 'int32':
        view.setInt32(i * 4, Number(v), true);
        break;
      case 'int64':
        view.setBigInt64(i * 8, BigInt(v), true);
        break;
      case 'uint8':
        view.setUint8(i, Number(v));
        break;
      case 'bool':
        view.setUint8(i, v ? 1 : 0);
        break;
      case 'int8':
        view.setInt8(i, Number(v));
        break;
    }
  }
  return out;
}
