/**
 * Pipeline tasks as a registry (name → how calls batch and how outputs come back), not a
 * `switch`: a task without an entry runs through {@link genericTask} (one call per run, tensors
 * converted). Batching merges the texts of concurrent calls with equal options into one
 * transformers.js call, which pads them into one session run, and splits the result per caller.
 */
import type { Tensor, TensorType } from '../tensor.ts';
import type { HfPipeline } from './transformers.ts';
import type { PipelineCallToWorker } from './transformers-types.ts';

/** How one task runs. */
export interface TaskSpec {
  /**
   * Calls with the same key may share one run; `undefined` runs the call alone (with why, for
   * `batching.reason`, from {@link TaskSpec.unbatchedReason}).
   */
  batchKey(call: PipelineCallToWorker): string | undefined;
  /** Number of texts in a call (rows for `maxBatch`). */
  rows(call: PipelineCallToWorker): number;
  /** Runs calls that share a key in one pipeline call; one output per call, in order. */
  runBatch(pipe: HfPipeline, calls: readonly PipelineCallToWorker[]): Promise<unknown[]>;
  /** Runs one call on its own. */
  runOne(pipe: HfPipeline, call: PipelineCallToWorker): Promise<unknown>;
  /** Why calls of this task are never batched, or null when some are. */
  unbatchedReason: string | null;
}

const TENSOR_TYPES = new Set<string>(['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool']);

/** A transformers.js Tensor (duck-typed: its class belongs to the lazily loaded module). */
interface HfTensor { type: string; dims: number[]; data: ArrayLike<number | bigint> & { buffer?: ArrayBufferLike } }

function isHfTensor(v: unknown): v is HfTensor {
  return typeof v === 'object' && v !== null && 'ort_tensor' in v && 'dims' in v && 'data' in v && 'type' in v;
}

/** transformers.js Tensor → the SDK's plain {@link Tensor} (float16 as raw bits, like the engine). */
export function plainTensor(t: HfTensor): Tensor {
  if (!TENSOR_TYPES.has(t.type)) {
    // float64, string, … have no TensorType: hand back numbers as float32 rather than fail.
    return { type: 'float32', dims: [...t.dims], data: Float32Array.from(t.data as ArrayLike<number>) };
  }
  const type = t.type as TensorType;
  const data = t.data;
  if (type === 'float16' && !(data instanceof Uint16Array)) {
    return { type, dims: [...t.dims], data: new Uint16Array((data as unknown as { buffer: ArrayBuffer; byteOffset: number; length: number }).buffer, (data as unknown as { byteOffset: number }).byteOffset, data.length).slice() };
  }
  return { type, dims: [...t.dims], data: data as Tensor['data'] } as Tensor;
}

/** Replaces every transformers.js Tensor inside `v` by a plain {@link Tensor}. */
export function toWire(v: unknown): unknown {
  if (isHfTensor(v)) return plainTensor(v);
  if (Array.isArray(v)) return v.map(toWire);
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
  }
  return v;
}

const textsOf = (call: PipelineCallToWorker): string[] => (Array.isArray(call.input) ? call.input as string[] : [call.input as string]);

/** Rows `[from, from + n)` of a `[rows, …]` tensor. */
function sliceRows(t: Tensor, from: number, n: number): Tensor {
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  const data = (t.data as unknown as { slice(a: number, b: number): Tensor['data'] }).slice(from * per, (from + n) * per);
  return { type: t.type, dims: [n, ...t.dims.slice(1)], data } as Tensor;
}

/** Any task: input and options pass through, one call per run. */
export const genericTask: TaskSpec = {
  batchKey: () => undefined,
  rows: () => 1,
  runBatch: async (pipe, calls) => Promise.all(calls.map((c) => genericTask.runOne(pipe, c))),
  runOne: async (pipe, call) => toWire(await (call.labels === undefined ? pipe(call.input, call.options) : pipe(call.input, call.labels, call.options))),
  unbatchedReason: 'this task is not batched by Inpage (calls run one after another)',
};

const featureExtraction: TaskSpec = {
  // Without pooling every text keeps its own token axis, which padding in a batch would change.
  batchKey: (call) => ((call.options['pooling'] ?? 'none') === 'none' ? undefined : `fe:${JSON.stringify(call.options)}`),
  rows: (call) => textsOf(call).length,
  async runBatch(pipe, calls) {
    const out = plainTensor(await pipe(calls.flatMap(textsOf), calls[0]!.options) as HfTensor);
    let row = 0;
    return calls.map((c) => {
      const n = textsOf(c).length;
      const part = sliceRows(out, row, n);
      row += n;
      return part;
    });
  },
  runOne: async (pipe, call) => toWire(await pipe(call.input, call.options)),
  unbatchedReason: null,
};

const textClassification: TaskSpec = {
  batchKey: (call) => `tc:${JSON.stringify(call.options)}`,
  rows: (call) => textsOf(call).length,
  async runBatch(pipe, calls) {
    // With several texts transformers.js returns one entry per text: the label object itself
    // when top_k is 1, else an array of them (pipelines/text-classification.js).
    const out = await pipe(calls.flatMap(textsOf), calls[0]!.options) as unknown[];
    const topK = calls[0]!.options['top_k'] ?? 1;
    let at = 0;
    return calls.map((c) => {
      const n = textsOf(c).length;
      const part = out.slice(at, at + n);
      at += n;
      // A single text: [{label, score}] for top_k 1, else its array of labels.
      if (!Array.isArray(c.input)) return topK === 1 ? part : part[0];
      return part;
    });
  },
  runOne: async (pipe, call) => toWire(await pipe(call.input, call.options)),
  unbatchedReason: null,
};

const zeroShot: TaskSpec = {
  // transformers.js runs one (premise, hypothesis) pair per session run anyway.
  batchKey: () => undefined,
  rows: (call) => textsOf(call).length,
  runBatch: async (pipe, calls) => Promise.all(calls.map((c) => zeroShot.runOne(pipe, c))),
  runOne: async (pipe, call) => toWire(await pipe(call.input, call.labels ?? [], call.options)),
  unbatchedReason: 'zero-shot-classification runs one (text, label) pair per model run in transformers.js; calls run one after another',
};

/** The tasks with their own entry. */
export const TASKS: ReadonlyMap<string, TaskSpec> = new Map([
  ['feature-extraction', featureExtraction],
  ['embeddings', featureExtraction],
  ['text-classification', textClassification],
  ['sentiment-analysis', textClassification],
  ['zero-shot-classification', zeroShot],
]);

/** The spec of `task` (the generic one for tasks without an entry). */
export function taskSpec(task: string): TaskSpec {
  return TASKS.get(task) ?? genericTask;
}
