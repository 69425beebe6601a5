/**
 * The worker side of the engine: owns the capabilities probe, the ORT runtime, the sessions and
 * their batchers. Every method answers with a `Reply` (never throws across comlink).
 */
import { transfer } from 'comlink';
import { OrtRuntime } from '../backends/ort-runtime.ts';
import { BackendRegistry, type SessionHandle } from '../backends/types.ts';
import { wasmBackend, webgpuBackend } from '../backends/onnx.ts';
import { chooseThreads, probeCapabilities } from '../capabilities.ts';
import { canHash, normaliseSha256, sha256Hex } from '../caches/hash.ts';
import { fetchModel } from '../caches/fetch-model.ts';
import { InpageError, toInpageError, type ErrorCode } from '../errors.ts';
import type { HostApi, ModelFromWorker, ProgressToPage, Reply, RunFromWorker, TestHookToWorker } from '../protocol.ts';
import { planBackends } from '../routing/backend-order.ts';
import { batchLayout, describeLayout } from '../scheduling/batch-tensors.ts';
import { Batcher } from '../scheduling/batcher.ts';
import { SerialQueue } from '../scheduling/serial-queue.ts';
import { transferablesOf } from '../transfer.ts';
import { validateFeeds } from '../validate.ts';
import type { Tensors } from '../tensor.ts';
import { holdLifeLock } from './life-lock.ts';
import { HostStateImpl, engineInfo, type HostState } from './state.ts';
import { syntheticFeeds } from '../synthetic-inputs.ts';
import { applyRemembered, chooseMeasured, rememberedWasm } from './measured-choice.ts';
import { VerdictStore } from '../routing/verdict-store.ts';
import { ModelStore } from '../caches/model-store.ts';
import { createPipelineHost } from './pipelines.ts';

interface LoadedModel {
  session: SessionHandle;
  /** Serialises everything that touches the session: runs, fallback rebuilds, release. */
  lock: SerialQueue;
  batcher: Batcher;
  meta: ModelFromWorker;
  /** Kept while a fallback is still possible (auto on WebGPU) to rebuild the session on WASM. */
  bytes: Uint8Array | undefined;
}

async function settle<T>(fallback: ErrorCode, context: string, work: () => Promise<T>): Promise<Reply<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    return { ok: false, error: toInpageError(e, fallback, context).toWire() };
  }
}

/** Build the host object that `worker/entry.ts` exposes. */
export function createHost(scope: typeof globalThis = globalThis): HostApi {
  const registry = new BackendRegistry().register(webgpuBackend).register(wasmBackend);
  const models = new Map<string, LoadedModel>();
  const calls = new Map<number, AbortController>();
  let state: HostState | undefined;
  let runDelayMs = 0;
  let verdicts: VerdictStore;
  // Warnings about storage fallbacks go to the console once each: a site owner should know the
  // cache is degraded, a visitor should not see a flood.
  const store = new ModelStore({ scope, warn: (msg) => console.warn(msg) });
  // One ORT serves ONNX models and transformers.js pipelines. Its WebGPU build refuses to build
  // two sessions at once ("another WebGPU EP inference session is being created") and, being an
  // asyncify build, crashes ("memory access out of bounds") when a build overlaps a run of
  // another session; so builds, runs and releases in this worker take turns (per-model queues
  // and batching still decide what runs next).
  const ortLock = new SerialQueue();

  const ready = (): HostState => {
    if (!state) throw new InpageError('INTERNAL', 'The worker was used before init().');
    return state;
  };

  const withCall = async <T>(callId: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const ctrl = new AbortController();
    calls.set(callId, ctrl);
    try {
      return await work(ctrl.signal);
    } finally {
      calls.delete(callId);
    }
  };

  /**
   * Once ORT's GPUDevice is lost (a GPU reset, a driver crash), every WebGPU session on it is
   * dead. Watched from each WebGPU session build on, so later loads plan without WebGPU and say
   * why, instead of building on a dead device and falling back at their first run (and a forced
   * 'webgpu' load fails typed, at once). A 'destroyed' device is not a loss: ORT destroys its
   * device itself when the last WebGPU session goes (the next session gets a new one), and a
   * page has no way to lose a device but destroy(), so the lose-device test hook marks its
   * destroy() as the simulated loss it is.
   */
  let watchedDevice: unknown;
  let simulatedLoss = false;
  const watchDevice = (s: HostState): void => {
    void s.ctx.runtime.get('webgpu')
      .then((ort) => ort.env.webgpu.device)
      .then(async (device) => {
        if (watchedDevice === device) return;
        watchedDevice = device;
        const info = await device.lost;
        if (watchedDevice === device) watchedDevice = undefined;
        if (info.reason === 'destroyed' && !simulatedLoss) return;
        s.webgpuLost(`the WebGPU device was lost${info.message ? ` (${info.message})` : ''}, so this worker no longer uses WebGPU`);
      })
      .catch(() => {});
  };

  /** Try the planned backends in order; a failure on one is the reason for the next. */
  const buildSession = async (s: HostState, bytes: Uint8Array, pref: 'auto' | 'webgpu' | 'wasm'): Promise<SessionHandle> => {
    const plan = planBackends(pref, registry, s.caps);
    let lastError: InpageError | undefined;
    for (const [i, factory] of plan.order.entries()) {
      try {
        const session = await ortLock.add(() => factory.create(bytes, s.ctx));
        if (session.backend === 'webgpu') watchDevice(s);
        const reason = i === 0 ? plan.reason : `auto: ${lastError?.message ?? 'the preferred backend failed'}; running on ${session.backend}`;
        s.setBackend(session.backend, reason);
        return session;
      } catch (e) {
        const err = toInpageError(e, 'MODEL_INVALID', `session failed on ${factory.name}`);
        lastError = i < plan.order.length - 1 ? new InpageError(err.code, `session failed on ${factory.name}: ${err.message}`, err.details) : err;
      }
    }
    throw lastError ?? new InpageError('BACKEND_UNAVAILABLE', 'No backend could build the model.');
  };

  /**
   * A session can build on WebGPU and still fail when it runs (a kernel needs shader-f16 the
   * adapter lacks, the device is lost). Under 'auto' the model moves to WASM, the failed request
   * is retried there, and info() records the switch.
   */
  const fallBackToWasm = async (m: LoadedModel, why: string): Promise<void> => {
    const s = ready();
    const old = m.session;
    m.session = await wasmBackend.create(m.bytes!, s.ctx);
    m.bytes = undefined;
    m.meta = { ...m.meta, backend: 'wasm' };
    s.setBackend('wasm', `auto: run failed on webgpu: ${why}; running on wasm`);
    await old.release().catch(() => {});
  };

  const runOnSession = async (m: LoadedModel, feeds: Parameters<SessionHandle['run']>[0]): ReturnType<SessionHandle['run']> => {
    if (runDelayMs > 0) await new Promise((r) => setTimeout(r, runDelayMs));
    try {
      return await ortLock.add(() => m.session.run(feeds));
    } catch (e) {
      if (!m.bytes) throw e;
      await ortLock.add(() => fallBackToWasm(m, toInpageError(e, 'RUN_FAILED').message));
      return ortLock.add(() => m.session.run(feeds));
    }
  };

  const runOne = (callId: number, modelId: string, feeds: Tensors): Promise<Reply<RunFromWorker>> =>
    settle<RunFromWorker>('RUN_FAILED', 'Running the model', () => withCall(callId, async (signal) => {
      const m = models.get(modelId);
      if (!m) throw new InpageError('DISPOSED', `Model ${modelId} is not loaded in this worker (disposed, or the worker restarted).`);
      validateFeeds(feeds, m.meta.inputs, ready().opts.validation);
      const { outputs, timing } = await m.batcher.submit(feeds, signal);
      return { outputs, timing, backend: m.session.backend };
    }));

  // transformers.js pipelines share the registry, model cache, call registry and test hooks.
  const pipelines = createPipelineHost({ ready, registry, store, withCall, runDelayMs: () => runDelayMs, ortLock });

  return {
    ...pipelines,
    init: (opts) => settle('INTERNAL', 'Starting the worker', async () => {
      const caps = await probeCapabilities(scope);
      const threads = chooseThreads(caps, opts.threads);
      const runtime = new OrtRuntime(opts.assetBase === undefined ? { threads } : { threads, assetBase: opts.assetBase });
      const plan = planBackends(opts.backend, registry, caps);
      const ctx = { runtime, cpuFlavour: caps.webgpu && opts.backend !== 'wasm' ? 'webgpu' as const : 'wasm' as const };
      verdicts = new VerdictStore('inpage-verdicts-v1', scope.indexedDB);
      state = new HostStateImpl(opts, caps, threads, ctx, plan.order[0]!.name, plan.reason);
      if (opts.lifeLock) await holdLifeLock(opts.lifeLock);
      return engineInfo(state);
    }),

    info: () => settle('INTERNAL', 'info()', async () => engineInfo(ready())),

    load: (callId, spec, onProgress) => settle('MODEL_INVALID', 'Loading the model', () => withCall(callId, async (signal) => {
      const s = ready();
      const progress: ProgressToPage = (p) => { void Promise.resolve(onProgress?.(p)).catch(() => {}); };
      const expected = spec.sha256 === undefined ? undefined : normaliseSha256(spec.sha256);
      const useCache = spec.url !== undefined && spec.cache !== false;
      let bytes: Uint8Array;
      let source: ModelFromWorker['source'] = 'bytes';
      let downloadedBytes = 0;
      const cached = useCache ? await store.get(spec.url!, expected) : undefined;
      if (spec.bytes) {
        bytes = spec.bytes;
      } else if (cached) {
        bytes = cached.bytes;
        source = cached.info.store;
        progress({ phase: 'download', loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true });
      } else if (spec.url) {
        bytes = await fetchModel(spec.url, { signal, onProgress: progress });
        source = 'network';
        downloadedBytes = bytes.byteLength;
      } else {
        throw new InpageError('OPTION_INVALID', 'engine.load() needs { url } or { bytes }.');
      }
      if (signal.aborted) throw new InpageError('ABORTED', 'Loading the model was aborted.');
      const actual = cached ? cached.info.sha256 : expected !== undefined || canHash() ? await sha256Hex(bytes) : '';
      if (expected !== undefined && actual !== expected) {
        throw new InpageError('INTEGRITY_MISMATCH', `The model's SHA-256 is ${actual}, expected ${expected}${spec.url ? ` (from ${spec.url})` : ''}. The file changed or is corrupt; it was not used and not cached.`, { expected, actual });
      }
      // Only verified (or unpinned) bytes reach the cache; a copy, since ORT may hold the original.
      if (useCache && !cached && actual) void store.put(spec.url!, actual, bytes.slice());
      if (bytes.byteLength < 8) {
        throw new InpageError('MODEL_INVALID', `The model is ${bytes.byteLength} bytes long; an ONNX model is a protobuf of at least a graph. Check the URL or bytes.`, { bytes: bytes.byteLength });
      }
      progress({ phase: 'compile', loaded: bytes.byteLength, total: bytes.byteLength });
      const pref = spec.backend ?? s.opts.backend;
      const measuring = pref === 'auto' && s.caps.webgpu && s.opts.measure;
      const wasmWins = measuring ? await rememberedWasm(s, actual, verdicts) : undefined;
      let session: SessionHandle;
      if (wasmWins) {
        session = await ortLock.add(() => wasmBackend.create(bytes, s.ctx));
        applyRemembered(s, wasmWins);
      } else {
        session = await buildSession(s, bytes, pref);
      }
      if (measuring && session.backend === 'webgpu') {
        const first = session;
        session = await ortLock.add(() => chooseMeasured(s, first, bytes, actual, verdicts));
      }
      let layout: ReturnType<typeof batchLayout>;
      try {
        layout = spec.batch === false ? 'batching disabled by the caller' : batchLayout(session.inputs, session.outputs, spec.batch?.pad ?? {});
      } catch (e) {
        await session.release();
        throw e;
      }
      const m: LoadedModel = {
        session, lock: new SerialQueue(), bytes: pref === 'auto' && session.backend === 'webgpu' ? bytes : undefined,
        batcher: undefined as unknown as Batcher,
        meta: {
          modelId: spec.modelId, inputs: session.inputs, outputs: session.outputs, backend: session.backend, sha256: actual, bytes: bytes.byteLength,
          batching: { enabled: false, reason: '' }, source, downloadedBytes,
        },
      };
      m.batcher = new Batcher((feeds) => m.lock.add(() => runOnSession(m, feeds)), typeof layout === 'string' ? undefined : layout, spec.batch || {});
      m.meta.batching = m.batcher.enabled && typeof layout !== 'string'
        ? { enabled: true, reason: describeLayout(layout) }
        : { enabled: false, reason: typeof layout === 'string' ? layout : 'maxBatch 1 or maxWaitMs 0' };
      if (spec.warmup !== false) {
        // Pays shader compilation / kernel selection now rather than on the first real request;
        // a failing warm-up is not fatal (the real inputs may be fine) but it may move us to WASM.
        const feeds = syntheticFeeds(session.inputs);
        if (feeds) await m.lock.add(() => runOnSession(m, feeds)).catch(() => {});
        m.meta.backend = m.session.backend;
      }
      if (signal.aborted) {
        await m.session.release();
        throw new InpageError('ABORTED', 'Loading the model was aborted.');
      }
      const old = models.get(spec.modelId);
      models.set(spec.modelId, m);
      if (old) await old.lock.add(() => ortLock.add(() => old.session.release()));
      progress({ phase: 'ready', loaded: bytes.byteLength, total: bytes.byteLength });
      return m.meta;
    })),

    run: async (callId, modelId, feeds) => {
      const reply = await runOne(callId, modelId, feeds);
      return reply.ok ? transfer(reply, transferablesOf(reply.value.outputs)) : reply;
    },

    runMany: async (list) => {
      // Every call is submitted before the first await, so the batcher sees the whole burst.
      const replies = await Promise.all(list.map(async (c): Promise<Reply<RunFromWorker>> => {
        const r = await runOne(c.callId, c.modelId, c.feeds);
        // The run is over, so its input buffers are free: back to the page's pool.
        return r.ok && c.returnInputs === true ? { ok: true, value: { ...r.value, spent: transferablesOf(c.feeds) } } : r;
      }));
      return transfer(replies, [...new Set(replies.flatMap((r) => (r.ok ? [...transferablesOf(r.value.outputs), ...(r.value.spent ?? [])] : [])))]);
    },

    abort: (callId) => {
      calls.get(callId)?.abort(new InpageError('ABORTED', 'Aborted by the caller.'));
    },

    disposeModel: (modelId) => settle('INTERNAL', 'Disposing the model', async () => {
      const m = models.get(modelId);
      models.delete(modelId);
      if (m) await m.lock.add(() => ortLock.add(() => m.session.release()));
      return null;
    }),

    cacheList: () => settle('INTERNAL', 'engine.cache.list()', () => store.list()),

    cacheClear: () => settle('INTERNAL', 'engine.cache.clear()', async () => {
      await Promise.all([store.clear(), verdicts?.clear()]);
      return null;
    }),

    testHook: (hook: TestHookToWorker) => settle('INTERNAL', 'testHook', async () => {
      if (!ready().opts.testHooks) throw new InpageError('OPTION_INVALID', 'Test hooks are off; create the engine with { testHooks: true }.');
      if (hook.type === 'delay-runs') runDelayMs = hook.ms;
      else if (hook.type === 'crash') {
        if (hook.how === 'close') setTimeout(() => scope.close(), 0);
        else setTimeout(() => { throw new Error('Inpage test hook: simulated worker crash'); }, 0);
      } else {
        // Simulates a GPU reset / driver crash: destroying the device ORT runs on makes every
        // later WebGPU run fail exactly as a real device loss does.
        const s = ready();
        if (!s.ctx.runtime.has('webgpu')) throw new InpageError('OPTION_INVALID', 'lose-device: the WebGPU runtime is not loaded in this worker.');
        const ort = await s.ctx.runtime.get('webgpu');
        simulatedLoss = true;
        (await ort.env.webgpu.device).destroy();
      }
      return null;
    }),
  };
}
