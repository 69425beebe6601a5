/**
 * Inpage: run AI models inside the visitor's browser tab.
 *
 * @example
 * import { createEngine, InpageError } from 'inpage';
 * const engine = await createEngine();
 * const model = await engine.load({ url: '/models/mlp.onnx' });
 * const out = await model.run({ x: { type: 'float32', dims: [1, 64], data: new Float32Array(64) } });
 */
export { createEngine } from './client/create-engine.ts';
export type { Engine, EngineTestHooks } from './client/engine.ts';
export type { Model } from './client/model.ts';
export { InpageError, type ErrorCode, type ErrorDetails } from './errors.ts';
export type { Tensor, TensorType, TensorInfo, Tensors, TensorDataMap, TensorData } from './tensor.ts';
export type {
  AdapterInfo, BackendName, BackendPreference, BatchOptions, EngineInfo, EngineOptions, LoadOptions, LoadProgress, ModelInfo, ModelSource, RunOptions,
} from './types.ts';
export { ORT_VERSION, INPAGE_VERSION } from './version.ts';
