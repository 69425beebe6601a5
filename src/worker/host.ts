/**
 * The worker side of the engine: owns the capabilities probe, the ORT runtime, the sessions and
 * their queues. Every method answers with a `Reply` (never throws across comlink).
 */
import { transfer } from 'comlink';
import { OrtRuntime } from '../backends/ort-runtime.ts';
import { BackendRegistry, type BackendContext, type SessionHandle } from '../backends/types.ts';
import { wasmBackend, webgpuBackend } from '../backends/onnx.ts';
import { chooseThreads, probeCapabilities, type Capabilities } from '../capabilities.ts';
import { canHash, normaliseSha256, sha256Hex } from '../caches/hash.ts';
import { fetchModel } from '../caches/fetch-model.ts';
import { InpageError, toInpageError, type ErrorCode } from '../errors.ts';
import type { HostApi, InitToWorker, LoadToWorker, ModelFromWorker, ProgressToPage, Reply, TestHookToWorker } from '../protocol.ts';
import { planBackends } from '../routing/backend-order.ts';
import { SerialQueue } from '../scheduling/serial-queue.ts';
import type { Tensors } from '../tensor.ts';
import type { BackendName, EngineInfo } from '../types.ts';
import { validateFeeds } from '../validate.ts';
import { ORT_VERSION } from '../version.ts';
import { holdLifeLock } from './life-lock.ts';
import { transferablesOf } from '../transfer.ts';

interface LoadedModel {
  session: SessionHandle;
  queue: SerialQueue;
  meta: ModelFromWorker;
  /** Kept while a fallback is still possible (auto on WebGPU) to rebuild the session on WASM. */
  bytes: Uint8Array | undefined;
}

interface HostState {
  opts: InitToWorker;
  caps: Capabilities;
  threads: number;
  ctx: BackendContext;
  backend: BackendName;
  reason: string;
  switches: EngineInfo['switches'];
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

  const ready = (): HostState => {
    if (!state) throw new InpageError('INTERNAL', 'The worker was used before init().');
    return state;
  };

  const info = (s: HostState): EngineInfo => {
    const base: EngineInfo = {
      backend: s.backend, reason: s.reason, webgpu: s.caps.webgpu, threads: s.threads,
      crossOriginIsolated: s.caps.crossOriginIsolated, simd: s.caps.simd, ortVersion: ORT_VERSION,
      switches: [...s.switches],
    };
    return s.caps.adapter ? { ...base, adapter: { ...s.caps.adapter, features: [...s.caps.adapter.features] } } : base;
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

  const buildSession = async (s: HostState, bytes: Uint8Array, pref: LoadToWorker['backend']): Promise<SessionHandle> => {
    const plan = planBackends(pref ?? s.opts.backend, registry, s.caps);
    let lastError: InpageError | undefined;
    for (const [i, factory] of plan.order.entries()) {
      try {
        const session = await factory.create(bytes, s.ctx);
        const reason = i === 0 ? plan.reason : `auto: ${lastError?.message ?? 'the preferred backend failed'}; running on ${session.backend}`;
        if (session.backend !== s.backend) s.switches.push({ from: s.backend, to: session.backend, reason, at: Date.now() });
        s.backend = session.backend;
        s.reason = reason;
        return session;
      } catch (e) {
        lastError = toInpageError(e, 'MODEL_INVALID', `session failed on ${factory.name}`);
        if (i < plan.order.length - 1) lastError = new InpageError(lastError.code, `session failed on ${factory.name}: ${lastError.message}`, lastError.details);
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
    const bytes = m.bytes!;
    const old = m.session;
    m.session = await wasmBackend.create(bytes, s.ctx);
    m.bytes = undefined;
    m.meta = { ...m.meta, backend: 'wasm' };
    const reason = `auto: ${why.startsWith('run failed') ? why : `run failed on webgpu: ${why}`}; running on wasm`;
    s.switches.push({ from: 'webgpu', to: 'wasm', reason, at: Date.now() });
    s.backend = 'wasm';
    s.reason = reason;
    await old.release().catch(() => {});
  };

  return {
    init: (opts) => settle('INTERNAL', 'Starting the worker', async () => {
      const caps = await probeCapabilities(scope);
      const threads = chooseThreads(caps, opts.threads);
      const runtime = new OrtRuntime(opts.assetBase === undefined ? { threads } : { threads, assetBase: opts.assetBase });
      const plan = planBackends(opts.backend, registry, caps);
      const first = plan.order[0]!.name;
      state = {
        opts, caps, threads, backend: first, reason: plan.reason, switches: [],
        ctx: { caps, runtime, cpuFlavour: caps.webgpu && opts.backend !== 'wasm' ? 'webgpu' : 'wasm' },
      };
      if (opts.lifeLock) await holdLifeLock(opts.lifeLock);
      return info(state);
    }),

    info: () => settle('INTERNAL', 'info()', async () => info(ready())),

    load: (callId, spec, onProgress) => settle('MODEL_INVALID', 'Loading the model', () => withCall(callId, async (signal) => {
      const s = ready();
      const progress: ProgressToPage = (p) => { void Promise.resolve(onProgress?.(p)).catch(() => {}); };
      let bytes: Uint8Array;
      if (spec.bytes) {
        bytes = spec.bytes;
      } else if (spec.url) {
        bytes = await fetchModel(spec.url, { signal, onProgress: progress });
      } else {
        throw new InpageError('OPTION_INVALID', 'engine.load() needs { url } or { bytes }.');
      }
      if (signal.aborted) throw new InpageError('ABORTED', 'Loading the model was aborted.');
      const expected = spec.sha256 === undefined ? undefined : normaliseSha256(spec.sha256);
      const actual = expected !== undefined || canHash() ? await sha256Hex(bytes) : '';
      if (expected !== undefined && actual !== expected) {
        throw new InpageError('INTEGRITY_MISMATCH', `The model's SHA-256 is ${actual}, expected ${expected}${spec.url ? ` (from ${spec.url})` : ''}. The file changed or is corrupt; it was not used.`, { expected, actual });
      }
      if (bytes.byteLength < 8) {
        throw new InpageError('MODEL_INVALID', `The model is ${bytes.byteLength} bytes long; an ONNX model is a protobuf of at least a graph. Check the URL or bytes.`, { bytes: bytes.byteLength });
      }
      progress({ phase: 'compile', loaded: bytes.byteLength, total: bytes.byteLength });
      const session = await buildSession(s, bytes, spec.backend);
      if (signal.aborted) {
        await session.release();
        throw new InpageError('ABORTED', 'Loading the model was aborted.');
      }
      const meta: ModelFromWorker = { modelId: spec.modelId, inputs: session.inputs, outputs: session.outputs, backend: session.backend, sha256: actual, bytes: bytes.byteLength };
      const old = models.get(spec.modelId);
      const canFallBack = (spec.backend ?? s.opts.backend) === 'auto' && session.backend === 'webgpu';
      models.set(spec.modelId, { session, queue: new SerialQueue(), meta, bytes: canFallBack ? bytes : undefined });
      if (old) await old.session.release();
      progress({ phase: 'ready', loaded: bytes.byteLength, total: bytes.byteLength });
      return meta;
    })),

    run: async (callId, modelId, feeds) => {
      const reply = await settle<Tensors>('RUN_FAILED', 'Running the model', () => withCall(callId, async (signal) => {
        const m = models.get(modelId);
        if (!m) throw new InpageError('DISPOSED', `Model ${modelId} is not loaded in this worker (disposed, or the worker restarted).`);
        validateFeeds(feeds, m.meta.inputs);
        return m.queue.add(async () => {
          if (runDelayMs > 0) await new Promise((r) => setTimeout(r, runDelayMs));
          try {
            return await m.session.run(feeds);
          } catch (e) {
            if (!m.bytes) throw e;
            await fallBackToWasm(m, toInpageError(e, 'RUN_FAILED', 'run failed on webgpu').message);
            return m.session.run(feeds);
          }
        }, signal);
      }));
      return reply.ok ? transfer(reply, transferablesOf(reply.value)) : reply;
    },

    abort: (callId) => {
      calls.get(callId)?.abort(new InpageError('ABORTED', 'Aborted by the caller.'));
    },

    disposeModel: (modelId) => settle('INTERNAL', 'Disposing the model', async () => {
      const m = models.get(modelId);
      models.delete(modelId);
      // Let queued runs finish or fail before the session goes away.
      if (m) await m.queue.add(() => m.session.release());
      return null;
    }),

    testHook: (hook: TestHookToWorker) => settle('INTERNAL', 'testHook', async () => {
      if (!ready().opts.testHooks) throw new InpageError('OPTION_INVALID', 'Test hooks are off; create the engine with { testHooks: true }.');
      if (hook.type === 'delay-runs') runDelayMs = hook.ms;
      else if (hook.type === 'crash') {
        if (hook.how === 'close') setTimeout(() => scope.close(), 0);
        else setTimeout(() => { throw new Error('Inpage test hook: simulated worker crash'); }, 0);
      } else {
        throw new InpageError('OPTION_INVALID', `Test hook ${hook.type} is not supported yet.`);
      }
      return null;
    }),
  };
}
