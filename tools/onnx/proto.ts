/**
 * The one place that loads onnx-proto (protobufjs static code generated from onnx.proto).
 *
 * onnx-proto is CommonJS ending in `module.exports = $root`, which Node's ESM loader cannot split
 * into named exports: `import { onnx } from 'onnx-proto'` is undefined at runtime under tsx and
 * vitest. The default import works everywhere, so every other file goes through here.
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

/** The generated `onnx` namespace at runtime (ModelProto.encode/decode, enums, ...). */
export const proto: typeof Onnx = onnxProto.onnx;

/** The generated `onnx` namespace for types, e.g. `Onnx.IModelProto`. */
export type { Onnx };
