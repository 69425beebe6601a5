/**
 * The ONNX models of a worker: load (bytes → session plan → batcher → warm-up), run through the
 * model's micro-batcher, fallback to WASM while running, dispose. Every ORT step goes through the
 * executor: a load's steps in its own lane, runs in the run lane, so a model keeps answering
 * while another loads.
 */
import { transfer } from 'comlink';
import { wasmBackend } from '../backends/onnx.ts';
import type { Lane } from '../backends/ort-runtime.ts';
import type { SessionHandle } from '../backends/types.ts';
import type { ModelStore } from '../caches/model-store.ts';
import { InpageError, disposedError, toInpageError } from '../errors.ts';
import type {
  LoadToWorker, ModelFromWorker, PartsFromWorker, ProgressToPage, Reply, RunFromWorker, RunToWorker,
} from '../protocol.ts';
import { batchLayout, describeLayout, type BatchLayout } from '../scheduling/batch-tensors.ts';
import type { GroupAnswer, MicroBatcher } from '../scheduling/batcher.ts';
import { tensorBatcher } from '../scheduling/tensor-policy.ts';
import { syntheticFeeds } from '../synthetic-inputs.ts';
import type { Tensors } from '../tensor.ts';
import { transferablesOf } from '../transfer.ts';
import { validateFeeds } from '../validate.ts';
import { settle, type CallRegistry } from './calls.ts';
import { readModelBytes } from './model-bytes.ts';
import type { SessionPlanner } from './session-plan.ts';
import type { HostState } from './state.ts';
import type { TestLevers } from './test-hooks.ts';

interface LoadedModel {
  session: SessionHandle;
  batcher: MicroBatcher<Tensors, Tensors>;
  meta: ModelFromWorker;
  /** Kept while a fallback is still possible (auto on WebGPU) to rebuild the session on WASM. */
  bytes: Uint8Array | undefined;
}

/** What the model registry needs from the host. */
export interface ModelsDeps {
  ready(): HostState;
  store: ModelStore;
  calls: CallRegistry;
  planner: SessionPlanner;
  levers: TestLevers;
}

export class WorkerModels {
  private readonly models = new Map<string, LoadedModel>();

  constructor(private readonly deps: ModelsDeps) {}

  load(callId: number, spec: LoadToWorker, onProgress?: ProgressToPage): Promise<Reply<ModelFromWorker>> {
    return settle('MODEL_INVALID', 'Loading the model', () => this.deps.calls.with(callId, async (signal) => {
      const s = this.deps.ready();
      const progress: ProgressToPage = (p) => { void Promise.resolve(onProgress?.(p)).catch(() => {}); };
      const got = await readModelBytes(spec, this.deps.store, signal, progress);
      progress({ phase: 'compile', loaded: got.bytes.byteLength, total: got.bytes.byteLength });
      const pref = spec.backend ?? s.opts.backend;
      const lane = s.ctx.runtime.loadLane(signal);
      const session = await this.deps.planner.build(s, got.bytes, got.sha256, pref, lane);
      let layout: BatchLayout | string;
      try {
        layout = spec.batch === false ? 'batching disabled by the caller' : batchLayout(session.inputs, session.outputs, spec.batch?.pad ?? {});
      } catch (e) {
        await session.release();
        throw e;
      }
      const m = this.resident(spec, session, layout, got.bytes, pref === 'auto' && session.backend === 'webgpu');
      m.meta = { ...m.meta, sha256: got.sha256, bytes: got.bytes.byteLength, source: got.source, downloadedBytes: got.downloadedBytes };
      if (spec.warmup !== false) {
        // Pays shader compilation / kernel selection now rather than on the first real request;
        // a failing warm-up is not fatal (the real inputs may be fine) but it may move us to WASM.
        const feeds = syntheticFeeds(session.inputs);
        if (feeds) await this.runOnSession(m, feeds, lane, { ms: 0 }).catch(() => {});
        m.meta.backend = m.session.backend;
      }
      if (signal.aborted) {
        await m.session.release();
        throw new InpageError('ABORTED', 'Loading the model was aborted.');
      }
      const old = this.models.get(spec.modelId);
      this.models.set(spec.modelId, m);
      if (old) await this.retire(old);
      progress({ phase: 'ready', loaded: got.bytes.byteLength, total: got.bytes.byteLength });
      return m.meta;
    }));
  }

  /** A loaded model with its batcher, not yet registered. */
  private resident(spec: LoadToWorker, session: SessionHandle, layout: BatchLayout | string, bytes: Uint8Array, canFallBack: boolean): LoadedModel {
    const opts = spec.batch || {};
    const m: LoadedModel = {
      session, bytes: canFallBack ? bytes : undefined,
      batcher: undefined as unknown as MicroBatcher<Tensors, Tensors>,
      meta: {
        modelId: spec.modelId, inputs: session.inputs, outputs: session.outputs, backend: session.backend, sha256: '', bytes: 0,
        batching: { enabled: false, reason: '' }, source: 'bytes', downloadedBytes: 0,
      },
    };
    const batchable = typeof layout !== 'string';
    m.batcher = tensorBatcher((feeds, timing) => this.runOnSession(m, feeds, 'run', timing), batchable ? layout : undefined, opts);
    m.meta.batching = m.batcher.enabled && batchable
      ? { enabled: true, reason: describeLayout(layout) }
      : { enabled: false, reason: batchable ? 'maxBatch 1 or maxWaitMs 0' : layout };
    return m;
  }

  /**
   * One session run. Under 'auto' a session can build on WebGPU and still fail when it runs (a
   * kernel needs shader-f16 the adapter lacks, the device is lost): the model moves to WASM, the
   * request is retried there, and info() records the switch. The model's batcher never runs two
   * of these at once, so the swap needs no lock of its own.
   */
  private async runOnSession(m: LoadedModel, feeds: Tensors, lane: Lane, timing: { ms: number }): Promise<Tensors> {
    await this.deps.levers.delay();
    try {
      return await m.session.run(feeds, lane, timing);
    } catch (e) {
      if (!m.bytes || toInpageError(e, 'RUN_FAILED').code === 'ABORTED') throw e;
      await this.fallBackToWasm(m, toInpageError(e, 'RUN_FAILED').message, lane);
      return m.session.run(feeds, lane, timing);
    }
  }

  private async fallBackToWasm(m: LoadedModel, why: string, lane: Lane): Promise<void> {
    const s = this.deps.ready();
    const old = m.session;
    m.session = await wasmBackend.create(m.bytes!, s.ctx, lane);
    m.bytes = undefined;
    m.meta = { ...m.meta, backend: 'wasm' };
    s.setBackend('wasm', `auto: run failed on webgpu: ${why}; running on wasm`);
    await old.release().catch(() => {});
  }

  private submit(call: RunToWorker, signal: AbortSignal): Promise<GroupAnswer<Tensors>> {
    const m = this.models.get(call.modelId);
    if (!m) throw new InpageError('DISPOSED', `Model ${call.modelId} is not loaded in this worker (disposed, or the worker restarted).`);
    validateFeeds(call.feeds, m.meta.inputs, this.deps.ready().opts.validation);
    return call.members === undefined ? m.batcher.submit(call.feeds, signal) : m.batcher.submitGroup(call.feeds, call.members, signal);
  }

  private backendOf(modelId: string): ModelFromWorker['backend'] {
    return this.models.get(modelId)?.session.backend ?? 'wasm';
  }

  /** One call, answered as a `Reply` (a group may come back per member). */
  private runOne(call: RunToWorker): Promise<Reply<RunFromWorker | PartsFromWorker>> {
    return settle<RunFromWorker | PartsFromWorker>('RUN_FAILED', 'Running the model', () => this.deps.calls.with(call.callId, async (signal) => {
      const answer = await this.submit(call, signal);
      const backend = this.backendOf(call.modelId);
      if ('output' in answer) return { outputs: answer.output, timing: answer.timing, backend };
      const parts: Reply<Tensors>[] = answer.parts.map((p) => (p.ok ? { ok: true, value: p.output } : { ok: false, error: toInpageError(p.error, 'RUN_FAILED', 'Running the model').toWire() }));
      return { parts, timing: answer.timing, backend };
    }));
  }

  async run(callId: number, modelId: string, feeds: Tensors): Promise<Reply<RunFromWorker>> {
    const reply = await this.runOne({ callId, modelId, feeds }) as Reply<RunFromWorker>;
    return reply.ok ? transfer(reply, transferablesOf(reply.value.outputs)) : reply;
  }

  async runMany(list: RunToWorker[]): Promise<Reply<RunFromWorker | PartsFromWorker>[]> {
    // Every call is submitted before the first await, so the batcher sees the whole burst.
    const replies = await Promise.all(list.map(async (c) => {
      const r = await this.runOne(c);
      // The run is over, so its input buffers are free: back to the page's pool.
      return r.ok && c.returnInputs === true ? { ok: true as const, value: { ...r.value, spent: transferablesOf(c.feeds) } } : r;
    }));
    const buffers = new Set<ArrayBuffer>();
    for (const r of replies) {
      if (!r.ok) continue;
      if ('outputs' in r.value) for (const b of transferablesOf(r.value.outputs)) buffers.add(b);
      else for (const p of r.value.parts) if (p.ok) for (const b of transferablesOf(p.value)) buffers.add(b);
      for (const b of r.value.spent ?? []) buffers.add(b);
    }
    return transfer(replies, [...buffers]);
  }

  dispose(modelId: string): Promise<Reply<null>> {
    return settle('INTERNAL', 'Disposing the model', async () => {
      const m = this.models.get(modelId);
      this.models.delete(modelId);
      if (m) await this.retire(m);
      return null;
    });
  }

  /** Refuse new runs, let the one in progress finish, then release the session. */
  private async retire(m: LoadedModel): Promise<void> {
    await m.batcher.close(disposedError('This model'));
    await m.session.release().catch(() => {});
  }
}
