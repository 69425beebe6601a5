/**
 * The ONNX models of a worker: load (bytes → session plan → batcher → warm-up), run through the
 * model's micro-batcher, swap the session under a live model (fallback to WASM while running,
 * tier-up to WebGPU in the background), dispose. Every ORT step goes through the executor: a
 * load's steps in its own lane, runs in the run lane, so a model keeps answering while another
 * loads.
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
import type { TierUp, TierUpTarget } from './tier-up.ts';

interface LoadedModel {
  session: SessionHandle;
  batcher: MicroBatcher<Tensors, Tensors>;
  meta: ModelFromWorker;
  /**
   * Kept while the session may still be rebuilt: a fallback is possible (auto on WebGPU) or the
   * background tier-up has yet to build the WebGPU session.
   */
  bytes: Uint8Array | undefined;
  /** Whether a run that fails may move the model to WASM (auto, on WebGPU). */
  canFallBack: boolean;
  /** Aborted when the model is disposed. */
  gone: AbortController;
}

/** What the model registry needs from the host. */
export interface ModelsDeps {
  ready(): HostState;
  store: ModelStore;
  calls: CallRegistry;
  planner: SessionPlanner;
  levers: TestLevers;
  tierUp: TierUp;
}

export class WorkerModels {
  private readonly models = new Map<string, LoadedModel>();
  private loads = 0;

  constructor(private readonly deps: ModelsDeps) {}

  /** Loads in progress (tier-up waits for none). */
  get loading(): number {
    return this.loads;
  }

  load(callId: number, spec: LoadToWorker, onProgress?: ProgressToPage): Promise<Reply<ModelFromWorker>> {
    return settle('MODEL_INVALID', 'Loading the model', () => this.deps.calls.with(callId, async (signal) => {
      this.loads++;
      try {
        return await this.loadNow(spec, signal, onProgress);
      } finally {
        this.loads--;
      }
    }));
  }

  private async loadNow(spec: LoadToWorker, signal: AbortSignal, onProgress?: ProgressToPage): Promise<ModelFromWorker> {
    const s = this.deps.ready();
    const progress: ProgressToPage = (p) => { void Promise.resolve(onProgress?.(p)).catch(() => {}); };
    const got = await readModelBytes(spec, this.deps.store, signal, progress);
    progress({ phase: 'compile', loaded: got.bytes.byteLength, total: got.bytes.byteLength });
    const pref = spec.backend ?? s.opts.backend;
    const lane = s.ctx.runtime.loadLane(signal);
    const { session, tierUp } = await this.deps.planner.build(s, got.bytes, got.sha256, pref, lane);
    let layout: BatchLayout | string;
    try {
      layout = spec.batch === false ? 'batching disabled by the caller' : batchLayout(session.inputs, session.outputs, spec.batch?.pad ?? {});
    } catch (e) {
      await session.release();
      throw e;
    }
    const canFallBack = pref === 'auto' && session.backend === 'webgpu';
    const m = this.resident(spec, session, layout, canFallBack || tierUp ? got.bytes : undefined, canFallBack);
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
    if (tierUp && m.session.backend === 'wasm') this.deps.tierUp.add(this.tierUpTarget(m, got.sha256));
    progress({ phase: 'ready', loaded: got.bytes.byteLength, total: got.bytes.byteLength });
    return m.meta;
  }

  /** A loaded model with its batcher, not yet registered. */
  private resident(spec: LoadToWorker, session: SessionHandle, layout: BatchLayout | string, bytes: Uint8Array | undefined, canFallBack: boolean): LoadedModel {
    const opts = spec.batch || {};
    const m: LoadedModel = {
      session, bytes, canFallBack, gone: new AbortController(),
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
      if (!m.canFallBack || !m.bytes || toInpageError(e, 'RUN_FAILED').code === 'ABORTED') throw e;
      const next = await wasmBackend.create(m.bytes, this.deps.ready().ctx, lane);
      await this.swapSession(m, next, `auto: run failed on webgpu: ${toInpageError(e, 'RUN_FAILED').message}; running on wasm`);
      return m.session.run(feeds, lane, timing);
    }
  }

  /**
   * Put `next` in place of the model's session and release the old one. Called only where no
   * run of the model can overlap: inside one of its batcher's runs (the fallback above) or as
   * batcher-exclusive work (tier-up).
   */
  private async swapSession(m: LoadedModel, next: SessionHandle, reason: string): Promise<void> {
    const old = m.session;
    m.session = next;
    // Swaps happen only under 'auto': onto WebGPU (tier-up) a fallback stays possible, onto
    // WASM (the fallback) there is nothing left to rebuild.
    m.canFallBack = next.backend === 'webgpu';
    if (next.backend === 'wasm') m.bytes = undefined;
    m.meta = { ...m.meta, backend: next.backend };
    this.deps.ready().setBackend(next.backend, reason);
    await old.release().catch(() => {});
  }

  /** The model as the background tier-up sees it (tier-up.ts). */
  private tierUpTarget(m: LoadedModel, sha256: string): TierUpTarget {
    return {
      sha256, bytes: m.bytes!, gone: m.gone.signal,
      current: () => m.session,
      adopt: (next, reason) => m.batcher.exclusive(async () => {
        if (m.gone.signal.aborted) return false;
        await this.swapSession(m, next, reason);
        return true;
      }).catch(() => false),
      done: () => { if (m.session.backend === 'wasm') m.bytes = undefined; },
    };
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
    m.gone.abort();
    await m.batcher.close(disposedError('This model'));
    await m.session.release().catch(() => {});
  }
}
