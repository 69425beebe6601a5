/**
 * The worker side of `engine.pipeline()`: builds transformers.js pipelines on the engine's ORT
 * (backends/transformers.ts), merges concurrent calls into batches where the task allows, and
 * answers every call with a `Reply`. Wired into the host by `createHost` (host.ts).
 */
import { transfer } from 'comlink';
import type { BackendRegistry } from '../backends/types.ts';
import { TransformersRuntime } from '../backends/transformers.ts';
import type { HfPipeline } from '../backends/transformers.ts';
import { PipelineFiles } from '../backends/transformers-files.ts';
import { taskSpec, type TaskSpec } from '../backends/transformers-tasks.ts';
import type {
  PipelineCallToWorker, PipelineFromWorker, PipelineProgressToPage, PipelineRunFromWorker, PipelineToWorker,
} from '../backends/transformers-types.ts';
import type { ModelStore } from '../caches/model-store.ts';
import { InpageError, abortError, toInpageError, type ErrorCode } from '../errors.ts';
import type { HostApi, Reply } from '../protocol.ts';
import { planBackends } from '../routing/backend-order.ts';
import type { RunTiming } from '../scheduling/batcher.ts';
import type { BackendName } from '../types.ts';
import type { HostState } from './state.ts';
import type { SerialQueue } from '../scheduling/serial-queue.ts';

/** The pipeline methods of `HostApi`. */
export type PipelineHostApi = Pick<HostApi, 'pipelineLoad' | 'pipelineRun' | 'pipelineDispose'>;

/** What the pipeline host needs from `createHost`. */
export interface PipelineHostDeps {
  ready(): HostState;
  registry: BackendRegistry;
  store: ModelStore;
  /** Registers `callId` for `abort(callId)` while `work` runs. */
  withCall<T>(callId: number, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Artificial delay per run (test hook). */
  runDelayMs(): number;
  /** The worker's turn-taking for ORT calls (builds, runs, releases; see host.ts). */
  ortLock: SerialQueue;
}

async function settle<T>(fallback: ErrorCode, context: string, work: () => Promise<T>): Promise<Reply<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    return { ok: false, error: toInpageError(e, fallback, context).toWire() };
  }
}

/** One turn of the task queue (a burst of calls from the page arrives as consecutive messages). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
    ch.port2.postMessage(0);
  });
}

interface Job {
  call: PipelineCallToWorker;
  key: string | undefined;
  rows: number;
  enqueuedAt: number;
  signal: AbortSignal;
  settled: boolean;
  resolve(v: { output: unknown; timing: RunTiming }): void;
  reject(e: unknown): void;
}

/**
 * Runs a pipeline's calls one batch at a time. When idle, the first call waits for companions
 * that are already queued (up to `maxWaitMs`/`maxBatch`); while a batch runs, calls pile up and
 * go together next. A queued call can be aborted; a running one finishes (WASM cannot be
 * interrupted) but its caller is answered at once.
 */
class CallQueue {
  private readonly queue: Job[] = [];
  private busy = false;

  constructor(private readonly spec: TaskSpec, private readonly limits: { maxBatch: number; maxWaitMs: number } | false, private readonly run: (calls: PipelineCallToWorker[], one: boolean) => Promise<unknown[]>) {}

  submit(call: PipelineCallToWorker, signal: AbortSignal): Promise<{ output: unknown; timing: RunTiming }> {
    return new Promise((resolve, reject) => {
      const job: Job = {
        call, key: this.limits === false ? undefined : this.spec.batchKey(call), rows: this.spec.rows(call),
        enqueuedAt: performance.now(), signal, settled: false, resolve, reject,
      };
      const onAbort = (): void => {
        if (job.settled) return;
        job.settled = true;
        const i = this.queue.indexOf(job);
        if (i >= 0) this.queue.splice(i, 1);
        reject(abortError('The pipeline call', signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal.removeEventListener('abort', onAbort);
      job.resolve = (v) => { done(); resolve(v); };
      job.reject = (e) => { done(); reject(e); };
      this.queue.push(job);
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0) {
        const first = this.queue[0]!;
        if (first.key !== undefined && this.limits !== false) {
          // Gather: keep waiting turns while companions keep arriving, within the limits.
          const until = first.enqueuedAt + this.limits.maxWaitMs;
          let seen = -1;
          while (this.queue.length !== seen && performance.now() < until && this.rowsOf(first.key) < this.limits.maxBatch) {
            seen = this.queue.length;
            await nextTurn();
          }
        }
        const batch = this.take();
        if (batch.length === 0) continue;
        const started = performance.now();
        let outputs: unknown[] | undefined;
        let error: unknown;
        try {
          outputs = await this.run(batch.map((j) => j.call), batch[0]!.key === undefined);
        } catch (e) {
          error = e;
        }
        const computeMs = performance.now() - started;
        const rows = batch.reduce((a, j) => a + j.rows, 0);
        batch.forEach((j, i) => {
          if (j.settled) return;
          j.settled = true;
          if (outputs) j.resolve({ output: outputs[i], timing: { queuedMs: started - j.enqueuedAt, computeMs, batchSize: batch.length, batchRows: rows } });
          else j.reject(error);
        });
      }
    } finally {
      this.busy = false;
    }
  }

  private rowsOf(key: string): number {
    let n = 0;
    for (const j of this.queue) if (j.key === key) n += j.rows;
    return n;
  }

  /** The first job, plus (when batchable) queued jobs with its key, up to maxBatch rows. */
  private take(): Job[] {
    const first = this.queue.shift();
    if (!first) return [];
    if (first.settled) return [];
    const out = [first];
    if (first.key === undefined || this.limits === false) return out;
    let rows = first.rows;
    for (let i = 0; i < this.queue.length;) {
      const j = this.queue[i]!;
      if (j.key === first.key && !j.settled && rows + j.rows <= this.limits.maxBatch) {
        out.push(j);
        rows += j.rows;
        this.queue.splice(i, 1);
      } else i++;
    }
    return out;
  }
}

interface LoadedPipeline {
  spec: PipelineToWorker;
  pipe: HfPipeline;
  backend: BackendName;
  meta: PipelineFromWorker;
  queue: CallQueue;
  /** Set while a WebGPU → WASM fallback is still possible (device 'auto'). */
  canFallBack: boolean;
}

/** Transferable buffers of the plain tensors inside an output. */
function buffersOf(v: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (ArrayBuffer.isView(v)) {
    const b = v.buffer;
    if (b instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === b.byteLength) out.add(b);
  } else if (Array.isArray(v)) v.forEach((x) => buffersOf(x, out));
  else if (typeof v === 'object' && v !== null) Object.values(v).forEach((x) => buffersOf(x, out));
  return [...out];
}

/**
 * The pipeline half of the worker host.
 *
 * @example const pipes = createPipelineHost({ ready, registry, store, withCall, runDelayMs: () => 0 }); // spread into the host
 */
export function createPipelineHost(deps: PipelineHostDeps): PipelineHostApi {
  const pipelines = new Map<string, LoadedPipeline>();
  const files = new PipelineFiles(deps.store);
  let runtime: TransformersRuntime | undefined;

  const runtimeOf = (): TransformersRuntime => {
    if (!runtime) {
      const s = deps.ready();
      // The engine's ORT, already configured (threads, self-hosted wasmPaths) by OrtRuntime.
      runtime = new TransformersRuntime({ ort: () => s.ctx.runtime.get(s.ctx.cpuFlavour), files, caps: s.caps, serialize: (job) => deps.ortLock.add(job) });
    }
    return runtime;
  };

  /** Backend order for a pipeline: the engine's plan, limited to what this worker's ORT build has. */
  const orderFor = (requested: PipelineToWorker['device']): { order: BackendName[]; reason: string } => {
    const s = deps.ready();
    const device = requested ?? s.opts.backend;
    const plan = planBackends(device, deps.registry, s.caps);
    let order = plan.order.map((f) => f.name);
    if (s.ctx.cpuFlavour === 'wasm' && order.includes('webgpu')) {
      // This worker runs the CPU-only ORT build (engine created with backend 'wasm'): a second,
      // WebGPU runtime just for pipelines is exactly what "one ORT" rules out.
      if (device === 'webgpu') {
        throw new InpageError('WEBGPU_UNAVAILABLE', "engine.pipeline({ device: 'webgpu' }): this engine was created with backend 'wasm', so its worker runs the CPU-only onnxruntime-web build. Create the engine with backend 'auto' or 'webgpu'.", { backend: 'webgpu' });
      }
      order = order.filter((b) => b !== 'webgpu');
    }
    return { order, reason: plan.reason };
  };

  const build = async (spec: PipelineToWorker, signal: AbortSignal, onProgress?: PipelineProgressToPage): Promise<LoadedPipeline> => {
    const progress = (p: Parameters<PipelineProgressToPage>[0]): void => { void Promise.resolve(onProgress?.(p)).catch(() => {}); };
    const { order, reason } = orderFor(spec.device);
    const s = deps.ready();
    const built = await runtimeOf().load(spec, order, signal, progress);
    const why = built.reasons.length === 0 ? reason : `auto: ${built.reasons.join('; ')}; running on ${built.backend}`;
    if (built.backend !== order[0]) s.setBackend(built.backend, why);
    const task = taskSpec(spec.task);
    const bytes = built.files.reduce((a, f) => a + f.bytes, 0);
    const downloadedBytes = built.files.filter((f) => f.source === 'network').reduce((a, f) => a + f.bytes, 0);
    const meta: PipelineFromWorker = {
      pipeId: spec.pipeId, task: spec.task, model: spec.model, backend: built.backend, reason: why, dtype: built.dtype,
      files: built.files, bytes, downloadedBytes,
      batching: spec.batch === false
        ? { enabled: false, reason: 'batching disabled by the caller' }
        : task.unbatchedReason === null
          ? { enabled: true, reason: `concurrent calls with equal options share one run (up to ${spec.batch.maxBatch} texts)` }
          : { enabled: false, reason: task.unbatchedReason },
    };
    const loaded: LoadedPipeline = {
      spec, pipe: built.pipe, backend: built.backend, meta, canFallBack: (spec.device ?? s.opts.backend) === 'auto' && built.backend === 'webgpu',
      queue: undefined as unknown as CallQueue,
    };
    loaded.queue = new CallQueue(task, spec.batch, (calls, one) => runCalls(loaded, calls, one));
    progress({ phase: 'ready', loaded: bytes, total: bytes });
    return loaded;
  };

  /**
   * Runs a batch. Under device 'auto' a run that fails on WebGPU (a kernel the adapter lacks, a
   * lost device) moves the pipeline to WASM and is retried there, as ONNX models do.
   */
  const runCalls = async (p: LoadedPipeline, calls: PipelineCallToWorker[], one: boolean): Promise<unknown[]> => {
    const delay = deps.runDelayMs();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const task = taskSpec(p.spec.task);
    // Each ORT call inside takes its turn (backends/transformers.ts wraps the sessions).
    const go = (): Promise<unknown[]> => (one ? Promise.all(calls.map((c) => task.runOne(p.pipe, c))) : task.runBatch(p.pipe, calls));
    try {
      return await go();
    } catch (e) {
      const err = toInpageError(e, 'RUN_FAILED', 'Running the pipeline');
      if (!p.canFallBack) throw err;
      p.canFallBack = false;
      const old = p.pipe;
      const ctrl = new AbortController();
      const built = await runtimeOf().load({ ...p.spec, device: 'wasm' }, ['wasm'], ctrl.signal, () => {});
      p.pipe = built.pipe;
      p.backend = 'wasm';
      p.meta = { ...p.meta, backend: 'wasm', dtype: built.dtype, reason: `auto: run failed on webgpu: ${err.message}; running on wasm` };
      deps.ready().setBackend('wasm', p.meta.reason);
      await old.dispose().catch(() => {});
      return go();
    }
  };

  return {
    pipelineLoad: (callId, spec, onProgress) => settle('MODEL_INVALID', 'Loading the pipeline', () => deps.withCall(callId, async (signal) => {
      const p = await build(spec, signal, onProgress);
      if (signal.aborted) {
        await p.pipe.dispose().catch(() => {});
        throw new InpageError('ABORTED', 'Loading the pipeline was aborted.');
      }
      const old = pipelines.get(spec.pipeId);
      pipelines.set(spec.pipeId, p);
      if (old) await old.pipe.dispose().catch(() => {});
      return p.meta;
    })),

    pipelineRun: async (callId, pipeId, call) => {
      const reply = await settle<PipelineRunFromWorker>('RUN_FAILED', 'Running the pipeline', () => deps.withCall(callId, async (signal) => {
        const p = pipelines.get(pipeId);
        if (!p) throw new InpageError('DISPOSED', `Pipeline ${pipeId} is not loaded in this worker (disposed, or the worker restarted).`);
        const { output, timing } = await p.queue.submit(call, signal);
        return { output, timing, backend: p.backend };
      }));
      return reply.ok ? transfer(reply, buffersOf(reply.value.output)) : reply;
    },

    pipelineDispose: (pipeId) => settle('INTERNAL', 'Disposing the pipeline', async () => {
      const p = pipelines.get(pipeId);
      pipelines.delete(pipeId);
      if (p) await p.pipe.dispose().catch(() => {});
      return null;
    }),
  };
}
