/**
 * How each kind of pipeline call runs on a transformers.js pipeline, as a registry keyed by the
 * call's kind (pipeline-tasks.ts), not a `switch`. Each entry says which calls may share a run
 * (equal options), how many rows a call has, how a merged run is split back per call, and turns
 * transformers.js' results into the typed wire output. The micro-batcher (scheduling/batcher.ts)
 * does the merging, windowing and bad-request isolation, as for ONNX models.
 */
import { InpageError } from '../errors.ts';
import type {
  PipelineCallToWorker, PipelineOutput, Texts, WireValue,
} from '../protocol.ts';
import type { ClassificationLabel, ZeroShotClassificationResult } from '../pipeline-types.ts';
import type { PipelineKind } from '../pipeline-tasks.ts';
import type { BatchPolicy } from '../scheduling/batcher.ts';
import type { Tensor, TensorType } from '../tensor.ts';
import { generationParts, runGeneration, type GenerationContext } from './transformers-generation.ts';
import type { HfPipeline } from './transformers.ts';

type CallOf<K extends PipelineKind> = Extract<PipelineCallToWorker, { kind: K }>;

/** One pipeline call as the batcher holds it: the wire call, and for a generation how it streams. */
export interface PipelineJob {
  call: PipelineCallToWorker;
  generation?: GenerationContext;
}

/** How calls of one kind run. */
interface TaskRunner<K extends PipelineKind> {
  /** Calls with the same key may share one run; `undefined` runs the call alone. */
  batchKey(call: CallOf<K>): string | undefined;
  /** Runs calls that share a key in one pipeline call; one output per call, in order. */
  runBatch(pipe: HfPipeline, calls: readonly CallOf<K>[]): Promise<PipelineOutput[]>;
  /** Runs one call on its own. */
  runOne(pipe: HfPipeline, call: CallOf<K>, job?: PipelineJob): Promise<PipelineOutput>;
  /** Why calls of this kind are never merged, or null when some are. */
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

/**
 * Any transformers.js result → a {@link WireValue}: tensors become plain tensors, plain objects
 * and arrays are kept, and what cannot cross as data (functions, class instances) is dropped.
 */
export function toWire(v: unknown): WireValue {
  if (isHfTensor(v)) return plainTensor(v);
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toWire);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function').map(([k, x]) => [k, toWire(x)]));
  }
  return null;
}

const textsOf = (texts: Texts): string[] => (Array.isArray(texts) ? texts : [texts]);

/** Rows `[from, from + n)` of a `[rows, …]` tensor. */
function sliceRows(t: Tensor, from: number, n: number): Tensor {
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  const data = (t.data as unknown as { slice(a: number, b: number): Tensor['data'] }).slice(from * per, (from + n) * per);
  return { type: t.type, dims: [n, ...t.dims.slice(1)], data } as Tensor;
}

function asLabel(v: unknown): ClassificationLabel {
  const o = v as { label?: unknown; score?: unknown } | null;
  return { label: String(o?.label ?? ''), score: Number(o?.score ?? Number.NaN) };
}

/** One text's labels: transformers.js gives the label object itself when top_k is 1. */
const labelsOf = (v: unknown): ClassificationLabel[] => (Array.isArray(v) ? v.map(asLabel) : [asLabel(v)]);

function asZeroShot(v: unknown): ZeroShotClassificationResult {
  const o = v as { sequence?: unknown; labels?: unknown; scores?: unknown } | null;
  return {
    sequence: String(o?.sequence ?? ''),
    labels: Array.isArray(o?.labels) ? o.labels.map(String) : [],
    scores: Array.isArray(o?.scores) ? o.scores.map(Number) : [],
  };
}

const generic: TaskRunner<'generic'> = {
  batchKey: () => undefined,
  runBatch: async (pipe, calls) => Promise.all(calls.map((c) => generic.runOne(pipe, c))),
  runOne: async (pipe, call) => ({ kind: 'generic', value: toWire(await pipe(call.input, call.options)) }),
  unbatchedReason: 'this task is not batched by Inpage (calls run one after another)',
};

const featureExtraction: TaskRunner<'feature-extraction'> = {
  // Without pooling every text keeps its own token axis, which padding in a batch would change.
  batchKey: (call) => ((call.options['pooling'] ?? 'none') === 'none' ? undefined : `fe:${JSON.stringify(call.options)}`),
  async runBatch(pipe, calls) {
    const out = plainTensor(await pipe(calls.flatMap((c) => textsOf(c.texts)), calls[0]!.options) as HfTensor);
    let row = 0;
    return calls.map((c) => {
      const n = textsOf(c.texts).length;
      const part = sliceRows(out, row, n);
      row += n;
      return { kind: 'feature-extraction', value: part };
    });
  },
  runOne: async (pipe, call) => ({ kind: 'feature-extraction', value: plainTensor(await pipe(call.texts, call.options) as HfTensor) }),
  unbatchedReason: null,
};

/**
 * transformers.js' text-classification result for one call, typed: a single text gives its
 * labels (`[{label, score}]` for top_k 1); several texts give one entry per text — the label
 * itself for top_k 1, else an array of labels (pipelines/text-classification.js). Shaped by the
 * data, since top_k may be a number or null (all labels).
 */
function classification(entries: readonly unknown[], single: boolean): ClassificationLabel[] | ClassificationLabel[][] {
  if (single) return Array.isArray(entries[0]) ? labelsOf(entries[0]) : entries.map(asLabel);
  return entries.some(Array.isArray) ? entries.map(labelsOf) : entries.map(asLabel);
}

const textClassification: TaskRunner<'text-classification'> = {
  batchKey: (call) => `tc:${JSON.stringify(call.options)}`,
  async runBatch(pipe, calls) {
    // With several texts transformers.js returns one entry per text; each call takes its own.
    const out = await pipe(calls.flatMap((c) => textsOf(c.texts)), calls[0]!.options) as unknown[];
    let at = 0;
    return calls.map((c) => {
      const n = textsOf(c.texts).length;
      const part = out.slice(at, at + n);
      at += n;
      return { kind: 'text-classification', value: classification(part, !Array.isArray(c.texts)) };
    });
  },
  async runOne(pipe, call) {
    const out = await pipe(call.texts, call.options);
    return { kind: 'text-classification', value: classification(Array.isArray(out) ? out : [out], !Array.isArray(call.texts)) };
  },
  unbatchedReason: null,
};

const zeroShot: TaskRunner<'zero-shot-classification'> = {
  // transformers.js runs one (premise, hypothesis) pair per session run anyway.
  batchKey: () => undefined,
  runBatch: async (pipe, calls) => Promise.all(calls.map((c) => zeroShot.runOne(pipe, c))),
  async runOne(pipe, call) {
    const out = await pipe(call.texts, call.labels, call.options);
    return { kind: 'zero-shot-classification', value: Array.isArray(out) ? out.map(asZeroShot) : asZeroShot(out) };
  },
  unbatchedReason: 'zero-shot-classification runs one (text, label) pair per model run in transformers.js; calls run one after another',
};

const textGeneration: TaskRunner<'text-generation'> = {
  batchKey: () => undefined,
  runBatch: async () => { throw new InpageError('INTERNAL', 'text-generation calls are never merged.'); },
  async runOne(pipe, call, job) {
    if (!job?.generation) throw new InpageError('INTERNAL', 'A text-generation call reached the worker without its stream context.');
    return { kind: 'text-generation', value: await runGeneration(generationParts(pipe), call, job.generation) };
  },
  unbatchedReason: 'text generation runs one answer at a time per pipeline, token by token (other models run between its tokens)',
};

const RUNNERS: { [K in PipelineKind]: TaskRunner<K> } = {
  'feature-extraction': featureExtraction,
  'text-classification': textClassification,
  'zero-shot-classification': zeroShot,
  'text-generation': textGeneration,
  generic,
};

/** Why calls of `kind` are never merged, or null when some are. */
export function unbatchedReason(kind: PipelineKind): string | null {
  return RUNNERS[kind].unbatchedReason;
}

const rowsOf = (call: PipelineCallToWorker): number => (call.kind === 'generic' || call.kind === 'text-generation' ? 1 : textsOf(call.texts).length);

/**
 * The batch policy of a pipeline: calls of its kind with equal options share one run.
 *
 * @param run wraps each pipeline invocation (the worker adds the test delay and the WebGPU → WASM fallback)
 */
export function pipelinePolicy(kind: PipelineKind, run: <T>(go: (pipe: HfPipeline) => Promise<T>) => Promise<T>): BatchPolicy<PipelineJob, PipelineOutput> {
  const runner = RUNNERS[kind] as TaskRunner<PipelineKind>;
  return {
    rows: (job) => rowsOf(job.call),
    joins: (head, job) => {
      const key = runner.batchKey(job.call as never);
      return key !== undefined && key === runner.batchKey(head.call as never);
    },
    run: (jobs) => run((pipe) => (jobs.length === 1
      ? runner.runOne(pipe, jobs[0]!.call as never, jobs[0]!).then((o) => [o])
      : runner.runBatch(pipe, jobs.map((j) => j.call) as never))),
  };
}
