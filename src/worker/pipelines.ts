/**
 * The worker side of `engine.pipeline()`: builds transformers.js pipelines on the engine's ORT
 * (backends/transformers.ts), runs their calls through the same micro-batcher as ONNX models
 * (with the task's policy, backends/transformers-tasks.ts), and answers every call with a `Reply`.
 */
import { transfer } from 'comlink';
import type { BackendRegistry } from '../backends/types.ts';
import { TransformersRuntime, type HfPipeline } from '../backends/transformers.ts';
import { PipelineFiles } from '../backends/transformers-files.ts';
import { pipelinePolicy, unbatchedReason, type PipelineJob } from '../backends/transformers-tasks.ts';
import { GenerationMonitor, contextTokensOf, generationParts, type GenerationContext } from '../backends/transformers-generation.ts';
import type { ModelStore } from '../caches/model-store.ts';
import { InpageError, disposedError, toInpageError } from '../errors.ts';
import { taskKind, type PipelineKind } from '../pipeline-tasks.ts';
import type {
  GenerationChunkFromWorker, PipelineCallToWorker, PipelineFromWorker, PipelineOutput, PipelineProgressToPage, PipelineRunFromWorker, PipelineToWorker, Reply,
} from '../protocol.ts';
import { planBackends } from '../routing/backend-order.ts';
import { MicroBatcher } from '../scheduling/batcher.ts';
import type { BackendName } from '../types.ts';
import { settle, type CallRegistry } from './calls.ts';
import type { HostState } from './state.ts';
import type { TestLevers } from './test-hooks.ts';

/** What the pipeline registry needs from the host. */
export interface PipelinesDeps {
  ready(): HostState;
  registry: BackendRegistry;
  store: ModelStore;
  calls: CallRegistry;
  levers: TestLevers;
}

interface LoadedPipeline {
  spec: PipelineToWorker;
  kind: PipelineKind;
  pipe: HfPipeline;
  backend: BackendName;
  meta: PipelineFromWorker;
  batcher: MicroBatcher<PipelineJob, PipelineOutput>;
  /** Set while a WebGPU → WASM fallback is still possible (device 'auto'). */
  canFallBack: boolean;
  /** Generations in progress: disposing the pipeline stops them. */
  generations: Set<AbortController>;
}

/** Failures that say nothing about the backend: never a reason to move a pipeline to WASM. */
const NOT_BACKEND_FAILURES = new Set(['ABORTED', 'TIMEOUT', 'DISPOSED', 'INPUT_INVALID']);

/** Transferable buffers of the plain tensors inside an output. */
function buffersOf(v: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (ArrayBuffer.isView(v)) {
    const b = v.buffer;
    if (b instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === b.byteLength) out.add(b);
  } else if (Array.isArray(v)) v.forEach((x) => buffersOf(x, out));
  else if (typeof v === 'object' && v !== null) Object.values(v).forEach((x) => buffersOf(x, out));
  return [...out];
}

export class WorkerPipelines {
  private readonly pipelines = new Map<string, LoadedPipeline>();
  private readonly files: PipelineFiles;
  private runtime: TransformersRuntime | undefined;
  /** Live generations and their KV cache bytes (engine.info().generation). */
  readonly generation = new GenerationMonitor();

  constructor(private readonly deps: PipelinesDeps) {
    this.files = new PipelineFiles(deps.store);
  }

  private runtimeOf(): TransformersRuntime {
    if (!this.runtime) {
      const s = this.deps.ready();
      // The engine's ORT, already configured (threads, self-hosted wasmPaths) by OrtRuntime.
      this.runtime = new TransformersRuntime({ runtime: s.ctx.runtime, flavour: s.ctx.cpuFlavour, files: this.files, caps: s.caps });
    }
    return this.runtime;
  }

  /** Backend order for a pipeline: the engine's plan, limited to what this worker's ORT build has. */
  private orderFor(requested: PipelineToWorker['device']): { order: BackendName[]; reason: string } {
    const s = this.deps.ready();
    const device = requested ?? s.opts.backend;
    const plan = planBackends(device, this.deps.registry, s.caps);
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
  }

  private async build(spec: PipelineToWorker, signal: AbortSignal, onProgress?: PipelineProgressToPage): Promise<LoadedPipeline> {
    const progress = (p: Parameters<PipelineProgressToPage>[0]): void => { void Promise.resolve(onProgress?.(p)).catch(() => {}); };
    const { order, reason } = this.orderFor(spec.device);
    const s = this.deps.ready();
    const built = await this.runtimeOf().load(spec, order, signal, progress);
    const why = built.reasons.length === 0 ? reason : `auto: ${built.reasons.join('; ')}; running on ${built.backend}`;
    if (built.backend !== order[0]) s.setBackend(built.backend, why);
    const kind = taskKind(spec.task);
    const bytes = built.files.reduce((a, f) => a + f.bytes, 0);
    const downloadedBytes = built.files.filter((f) => f.source === 'network').reduce((a, f) => a + f.bytes, 0);
    const unbatched = unbatchedReason(kind);
    const meta: PipelineFromWorker = {
      pipeId: spec.pipeId, task: spec.task, model: spec.model, backend: built.backend, reason: why, dtype: built.dtype,
      files: built.files, bytes, downloadedBytes,
      batching: spec.batch === false
        ? { enabled: false, reason: 'batching disabled by the caller' }
        : unbatched === null
          ? { enabled: true, reason: `concurrent calls with equal options share one run (up to ${spec.batch.maxBatch} texts)` }
          : { enabled: false, reason: unbatched },
    };
    if (kind === 'text-generation') {
      try {
        meta.contextTokens = contextTokensOf(generationParts(built.pipe));
      } catch (e) {
        await built.pipe.dispose().catch(() => {});
        throw e;
      }
    }
    const p: LoadedPipeline = {
      spec, kind, pipe: built.pipe, backend: built.backend, meta, canFallBack: (spec.device ?? s.opts.backend) === 'auto' && built.backend === 'webgpu',
      batcher: undefined as unknown as LoadedPipeline['batcher'], generations: new Set(),
    };
    const limits = spec.batch === false ? { maxBatch: 1, maxWaitMs: 0 } : spec.batch;
    p.batcher = new MicroBatcher(pipelinePolicy(kind, (go) => this.invoke(p, go)), meta.batching.enabled, { ...limits, window: 'always' });
    progress({ phase: 'ready', loaded: bytes, total: bytes });
    return p;
  }

  /**
   * Runs one invocation of the pipeline. Under device 'auto' one that fails on WebGPU (a kernel
   * the adapter lacks, a lost device) moves the pipeline to WASM and is retried there, as ONNX
   * models do. The pipeline's batcher never runs two invocations at once.
   */
  private async invoke<T>(p: LoadedPipeline, go: (pipe: HfPipeline) => Promise<T>): Promise<T> {
    await this.deps.levers.delay();
    try {
      return await go(p.pipe);
    } catch (e) {
      const err = toInpageError(e, 'RUN_FAILED', 'Running the pipeline');
      if (!p.canFallBack || NOT_BACKEND_FAILURES.has(err.code)) throw err;
      p.canFallBack = false;
      const old = p.pipe;
      const built = await this.runtimeOf().load({ ...p.spec, device: 'wasm' }, ['wasm'], new AbortController().signal, () => {});
      p.pipe = built.pipe;
      p.backend = 'wasm';
      p.meta = { ...p.meta, backend: 'wasm', dtype: built.dtype, reason: `auto: run failed on webgpu: ${err.message}; running on wasm` };
      this.deps.ready().setBackend('wasm', p.meta.reason);
      await old.dispose().catch(() => {});
      return go(p.pipe);
    }
  }

  load(callId: number, spec: PipelineToWorker, onProgress?: PipelineProgressToPage): Promise<Reply<PipelineFromWorker>> {
    return settle('MODEL_INVALID', 'Loading the pipeline', () => this.deps.calls.with(callId, async (signal) => {
      const p = await this.build(spec, signal, onProgress);
      if (signal.aborted) {
        await p.pipe.dispose().catch(() => {});
        throw new InpageError('ABORTED', 'Loading the pipeline was aborted.');
      }
      const old = this.pipelines.get(spec.pipeId);
      this.pipelines.set(spec.pipeId, p);
      if (old) await this.retire(old);
      return p.meta;
    }));
  }

  async run(callId: number, pipeId: string, call: PipelineCallToWorker, stream?: MessagePort): Promise<Reply<PipelineRunFromWorker>> {
    try {
      const reply = await settle<PipelineRunFromWorker>('RUN_FAILED', 'Running the pipeline', () => this.deps.calls.with(callId, async (signal) => {
        const p = this.pipelines.get(pipeId);
        if (!p) throw new InpageError('DISPOSED', `Pipeline ${pipeId} is not loaded in this worker (disposed, or the worker restarted).`);
        if (call.kind !== p.kind) throw new InpageError('INPUT_INVALID', `A '${call.kind}' call reached a '${p.spec.task}' pipeline (kind '${p.kind}').`);
        if (call.kind !== 'text-generation') {
          const { output, timing } = await p.batcher.submit({ call }, signal);
          return { output, timing, backend: p.backend };
        }
        // The call's own controller, so disposing the pipeline can stop it too.
        const ctrl = new AbortController();
        const follow = (): void => ctrl.abort(signal.reason);
        if (signal.aborted) follow(); else signal.addEventListener('abort', follow, { once: true });
        p.generations.add(ctrl);
        try {
          const generation: GenerationContext = {
            signal: ctrl.signal, monitor: this.generation, tf: await this.runtimeOf().module(),
            emit: stream ? (chunk: GenerationChunkFromWorker) => stream.postMessage(chunk) : undefined,
            beforeRun: () => this.deps.levers.delay(),
            progress: { generated: [], printed: '', chunks: 0 },
          };
          const { output, timing } = await p.batcher.submit({ call, generation }, ctrl.signal);
          return { output, timing, backend: p.backend };
        } finally {
          signal.removeEventListener('abort', follow);
          p.generations.delete(ctrl);
        }
      }));
      return reply.ok ? transfer(reply, buffersOf(reply.value.output.value)) : reply;
    } finally {
      stream?.close();
    }
  }

  dispose(pipeId: string): Promise<Reply<null>> {
    return settle('INTERNAL', 'Disposing the pipeline', async () => {
      const p = this.pipelines.get(pipeId);
      this.pipelines.delete(pipeId);
      if (p) await this.retire(p);
      return null;
    });
  }

  /** Refuse new calls, stop generations, let the run in progress finish, then release the sessions. */
  private async retire(p: LoadedPipeline): Promise<void> {
    for (const g of p.generations) g.abort(disposedError('This pipeline'));
    await p.batcher.close(disposedError('This pipeline'));
    await p.pipe.dispose().catch(() => {});
  }
}
