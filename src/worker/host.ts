/**
 * The worker side of the engine, assembled from parts that each do one job:
 * - `state.ts`: capabilities, runtime context, the backend in use and why (after `init`);
 * - `models.ts` / `pipelines.ts`: resident ONNX models and transformers.js pipelines, each run
 *   through the one micro-batcher (scheduling/batcher.ts);
 * - `model-bytes.ts`: fetch, cache and integrity of model bytes;
 * - `session-plan.ts`: backend choice (incl. the measured choice) for a new session;
 * - `device-watch.ts`, `test-hooks.ts`, `calls.ts` (replies and cancellation);
 * - `item-table.ts`: a recommender's large items.json parsed off the page's main thread.
 * Every ORT call goes through the runtime's one executor (backends/ort-runtime.ts).
 * Every method answers with a `Reply` (never throws across comlink).
 */
import { OrtRuntime } from '../backends/ort-runtime.ts';
import { BackendRegistry } from '../backends/types.ts';
import { wasmBackend, webgpuBackend } from '../backends/onnx.ts';
import { ModelStore } from '../caches/model-store.ts';
import { chooseThreads, probeCapabilities } from '../capabilities.ts';
import { InpageError } from '../errors.ts';
import type { HostApi } from '../protocol.ts';
import { planBackends } from '../routing/backend-order.ts';
import { VerdictStore } from '../routing/verdict-store.ts';
import { CallRegistry, settle } from './calls.ts';
import { DeviceWatch } from './device-watch.ts';
import { holdLifeLock } from './life-lock.ts';
import { parseItemTable } from './item-table.ts';
import { WorkerModels } from './models.ts';
import { WorkerPipelines } from './pipelines.ts';
import { SessionPlanner } from './session-plan.ts';
import { HostStateImpl, engineInfo, type HostState } from './state.ts';
import { TestLevers } from './test-hooks.ts';

/** Build the host object that `worker/entry.ts` exposes. */
export function createHost(scope: typeof globalThis = globalThis): HostApi {
  const registry = new BackendRegistry().register(webgpuBackend).register(wasmBackend);
  // Warnings about storage fallbacks go to the console once each: a site owner should know the
  // cache is degraded, a visitor should not see a flood.
  const store = new ModelStore({ scope, warn: (msg) => console.warn(msg) });
  const verdicts = new VerdictStore('inpage-verdicts-v1', scope.indexedDB);
  const device = new DeviceWatch();
  const levers = new TestLevers(scope, device);
  const calls = new CallRegistry();
  let state: HostState | undefined;
  const ready = (): HostState => {
    if (!state) throw new InpageError('INTERNAL', 'The worker was used before init().');
    return state;
  };
  const models = new WorkerModels({ ready, store, calls, planner: new SessionPlanner(registry, verdicts, device), levers });
  const pipelines = new WorkerPipelines({ ready, registry, store, calls, levers });

  return {
    init: (opts) => settle('INTERNAL', 'Starting the worker', async () => {
      const caps = await probeCapabilities(scope);
      const threads = chooseThreads(caps, opts.threads);
      const runtime = new OrtRuntime({
        threads,
        ...(opts.assetBase === undefined ? {} : { assetBase: opts.assetBase }),
        ...(opts.assetIntegrity === undefined ? {} : { integrity: opts.assetIntegrity }),
      });
      const plan = planBackends(opts.backend, registry, caps);
      const ctx = { runtime, cpuFlavour: caps.webgpu && opts.backend !== 'wasm' ? 'webgpu' as const : 'wasm' as const };
      state = new HostStateImpl(opts, caps, threads, ctx, plan.order[0]!.name, plan.reason);
      if (opts.lifeLock) await holdLifeLock(opts.lifeLock);
      return { ...engineInfo(state), generation: pipelines.generation.state };
    }),
    info: () => settle('INTERNAL', 'info()', async () => ({ ...engineInfo(ready()), generation: pipelines.generation.state })),
    load: (callId, spec, onProgress) => models.load(callId, spec, onProgress),
    run: (callId, modelId, feeds) => models.run(callId, modelId, feeds),
    runMany: (list) => models.runMany(list),
    abort: (callId) => calls.abort(callId),
    disposeModel: (modelId) => models.dispose(modelId),
    cacheList: () => settle('INTERNAL', 'engine.cache.list()', () => store.list()),
    cacheDelete: (url) => settle('INTERNAL', 'engine.cache.delete()', async () => {
      await store.delete(url);
      return null;
    }),
    cacheClear: () => settle('INTERNAL', 'engine.cache.clear()', async () => {
      await Promise.all([store.clear(), verdicts.clear()]);
      return null;
    }),
    testHook: (hook) => settle('INTERNAL', 'testHook', () => levers.apply(ready(), hook)),
    pipelineLoad: (callId, spec, onProgress) => pipelines.load(callId, spec, onProgress),
    pipelineRun: (callId, pipeId, call, stream) => pipelines.run(callId, pipeId, call, stream),
    pipelineDispose: (pipeId) => pipelines.dispose(pipeId),
    parseItemTable: (table) => parseItemTable(table),
  };
}
