/**
 * The real worker host (`createHost`) and the real page client (`WorkerConnection`,
 * `EngineImpl`) over a Node MessageChannel in one process: what init reports, and that every
 * failure arrives on the page as an InpageError with the right code. No ORT session is built
 * here (see core-engine.test.ts for the full round trip).
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chooseThreads, probeCapabilities } from '../../src/capabilities.ts';
import { WorkerConnection } from '../../src/client/connection.ts';
import { EngineImpl } from '../../src/client/engine.ts';
import type { InitToWorker } from '../../src/protocol.ts';
import { ORT_VERSION } from '../../src/version.ts';
import { createHost } from '../../src/worker/host.ts';
import { rejected, settledWithin } from './helpers/catch.ts';
import { portWorker, type PortWorker } from './helpers/port-worker.ts';

const workers: PortWorker[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) w.close();
  vi.unstubAllGlobals();
});

function connect(scope?: typeof globalThis): WorkerConnection {
  const worker = portWorker(createHost(scope));
  workers.push(worker);
  return new WorkerConnection(worker, () => {});
}

const INIT: InitToWorker = { backend: 'auto', testHooks: false, measure: true, validation: {} };

async function started(init: Partial<InitToWorker> = {}, scope?: typeof globalThis): Promise<WorkerConnection> {
  const conn = connect(scope);
  await conn.call((r) => r.init({ ...INIT, ...init }), { what: 'init', timeoutMs: 5_000 });
  return conn;
}

/** A global scope whose navigator has WebGPU that yields `adapter` (null: no adapter). */
function fakeScope(adapter: object | null, extra: { crossOriginIsolated?: boolean; hardwareConcurrency?: number } = {}): typeof globalThis {
  const scope = Object.create(globalThis) as Record<string, unknown>;
  scope['navigator'] = { gpu: { requestAdapter: async () => adapter }, hardwareConcurrency: extra.hardwareConcurrency ?? 8 };
  scope['crossOriginIsolated'] = extra.crossOriginIsolated ?? false;
  return scope as unknown as typeof globalThis;
}

describe('init over the wire (Node: no navigator.gpu)', () => {
  it('returns EngineInfo: wasm, with a reason naming the missing WebGPU', async () => {
    const caps = await probeCapabilities();
    // What Node 20 offers; if this changes, the assertions below need a second look.
    expect(caps.webgpu).toBe(false);
    const conn = connect();
    const info = await conn.call((r) => r.init(INIT), { what: 'init', timeoutMs: 5_000 });
    expect(info).toMatchObject({
      backend: 'wasm',
      reason: `auto: ${caps.webgpuReason}`,
      webgpu: false,
      threads: chooseThreads(caps),
      crossOriginIsolated: caps.crossOriginIsolated,
      simd: caps.simd,
      ortVersion: ORT_VERSION,
      switches: [],
    });
    expect(info.reason).toMatch(/WebGPU/);
    expect(info.threads).toBe(1);
    expect('adapter' in info).toBe(false);
    // info() afterwards says the same.
    expect(await conn.call((r) => r.info(), { what: 'info' })).toEqual(info);
  });

  it('passes requested threads through chooseThreads (not isolated: 1)', async () => {
    const conn = await started({ threads: 8 });
    expect((await conn.call((r) => r.info(), { what: 'info' })).threads).toBe(1);
  });

  it("forced 'webgpu' rejects WEBGPU_UNAVAILABLE with the probe's reason", async () => {
    const caps = await probeCapabilities();
    const conn = connect();
    const e = await rejected(conn.call((r) => r.init({ ...INIT, backend: 'webgpu' }), { what: 'init' }));
    expect(e.code).toBe('WEBGPU_UNAVAILABLE');
    expect(e.message).toContain(caps.webgpuReason);
    expect(e.details).toMatchObject({ backend: 'webgpu', reason: caps.webgpuReason });
  });

  it('a scope with navigator.gpu but no adapter: wasm, the adapter reason, isolated threads', async () => {
    const conn = connect(fakeScope(null, { crossOriginIsolated: true, hardwareConcurrency: 8 }));
    const info = await conn.call((r) => r.init(INIT), { what: 'init' });
    expect(info.backend).toBe('wasm');
    expect(info.reason).toBe('auto: no WebGPU adapter (navigator.gpu.requestAdapter() returned null)');
    expect(info.crossOriginIsolated).toBe(true);
    expect(info.threads).toBe(4);
    const forced = connect(fakeScope(null));
    const e = await rejected(forced.call((r) => r.init({ ...INIT, backend: 'webgpu' }), { what: 'init' }));
    expect(e.code).toBe('WEBGPU_UNAVAILABLE');
    expect(e.message).toContain('requestAdapter() returned null');
  });

  it('a scope with an adapter: webgpu, and the adapter facts cross the wire', async () => {
    const adapter = {
      info: { vendor: 'nvidia', architecture: 'hopper', description: 'H200' },
      features: new Set(['timestamp-query', 'shader-f16']),
      isFallbackAdapter: false,
    };
    const conn = connect(fakeScope(adapter));
    const info = await conn.call((r) => r.init(INIT), { what: 'init' });
    expect(info.backend).toBe('webgpu');
    expect(info.webgpu).toBe(true);
    expect(info.reason).toBe('auto: WebGPU adapter nvidia/hopper');
    expect(info.adapter).toEqual({ vendor: 'nvidia', architecture: 'hopper', description: 'H200', features: ['shader-f16', 'timestamp-query'], isFallbackAdapter: false });
  });

  it('a probe that throws is reported, not fatal', async () => {
    const scope = fakeScope(null);
    (scope as unknown as { navigator: { gpu: { requestAdapter: () => Promise<never> } } }).navigator.gpu.requestAdapter = async () => { throw new Error('GPU process crashed'); };
    const info = await connect(scope).call((r) => r.init(INIT), { what: 'init' });
    expect(info.backend).toBe('wasm');
    expect(info.reason).toContain('GPU process crashed');
  });
});

describe('host errors arrive as InpageErrors with their code', () => {
  it('any call before init: INTERNAL', async () => {
    const conn = connect();
    const e = await rejected(conn.call((r) => r.info(), { what: 'info' }));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toContain('before init()');
  });

  it('run on an unknown model id: DISPOSED naming the id', async () => {
    const conn = await started();
    const e = await rejected(conn.call((r) => r.run(1, 'no-such-model', {}), { what: 'model.run()' }));
    expect(e.code).toBe('DISPOSED');
    expect(e.message).toContain('no-such-model');
  });

  it('load with neither url nor bytes: OPTION_INVALID', async () => {
    const conn = await started();
    const e = await rejected(conn.call((r) => r.load(1, { modelId: 'm1' }), { what: 'engine.load()' }));
    expect(e.code).toBe('OPTION_INVALID');
    expect(e.message).toContain('url');
  });

  it('load with a malformed sha256: OPTION_INVALID quoting it', async () => {
    const conn = await started();
    const e = await rejected(conn.call((r) => r.load(1, { modelId: 'm1', bytes: new Uint8Array(16), sha256: 'abc123' }), { what: 'engine.load()' }));
    expect(e.code).toBe('OPTION_INVALID');
    expect(e.message).toContain('"abc123"');
  });

  it('load with a wrong sha256: INTEGRITY_MISMATCH with both hashes', async () => {
    const conn = await started();
    const bytes = new Uint8Array(32).fill(7);
    const actual = createHash('sha256').update(bytes).digest('hex');
    const expected = 'ab'.repeat(32);
    const e = await rejected(conn.call((r) => r.load(1, { modelId: 'm1', bytes, sha256: expected.toUpperCase() }), { what: 'engine.load()' }));
    expect(e.code).toBe('INTEGRITY_MISMATCH');
    expect(e.details).toEqual({ expected, actual });
    expect(e.message).toContain(actual);
  });

  it('load of a few bytes: MODEL_INVALID', async () => {
    const conn = await started();
    const e = await rejected(conn.call((r) => r.load(1, { modelId: 'm1', bytes: new Uint8Array([1, 2, 3]) }), { what: 'engine.load()' }));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.details).toEqual({ bytes: 3 });
  });

  it('testHook with testHooks off: OPTION_INVALID', async () => {
    const conn = await started({ testHooks: false });
    const e = await rejected(conn.call((r) => r.testHook({ type: 'delay-runs', ms: 10 }), { what: 'testHook' }));
    expect(e.code).toBe('OPTION_INVALID');
    expect(e.message).toContain('testHooks: true');
  });

  it('testHook with testHooks on: delay-runs is accepted, lose-device is OPTION_INVALID', async () => {
    const conn = await started({ testHooks: true });
    expect(await conn.call((r) => r.testHook({ type: 'delay-runs', ms: 0 }), { what: 'testHook' })).toBeNull();
    const e = await rejected(conn.call((r) => r.testHook({ type: 'lose-device' }), { what: 'testHook' }));
    expect(e.code).toBe('OPTION_INVALID');
  });

  it('disposeModel and abort of unknown ids are harmless no-ops', async () => {
    const conn = await started();
    expect(await conn.call((r) => r.disposeModel('nope'), { what: 'dispose' })).toBeNull();
    await conn.remote.abort(12345);
    expect((await conn.call((r) => r.info(), { what: 'info' })).backend).toBe('wasm');
  });
});

describe('cancel reaches the host (EngineImpl → abort(callId) → the download)', () => {
  /** A fetch that never answers until its signal aborts; records the signals it was given. */
  function hangingFetch(): AbortSignal[] {
    const signals: AbortSignal[] = [];
    vi.stubGlobal('fetch', (_url: unknown, init?: RequestInit) => new Promise<Response>((_resolve, reject) => {
      const signal = init?.signal;
      if (!signal) return;
      signals.push(signal);
      signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
    }));
    return signals;
  }

  function engine(opts: ConstructorParameters<typeof EngineImpl>[0] = {}): EngineImpl {
    return new EngineImpl(opts, () => {
      const w = portWorker(createHost());
      workers.push(w);
      return w;
    });
  }

  it('AbortSignal: the page rejects ABORTED at once and the host aborts its fetch', async () => {
    const signals = hangingFetch();
    const e = engine();
    await e.connection();
    const ctrl = new AbortController();
    const load = e.load({ url: 'https://models.example/m.onnx' }, { signal: ctrl.signal });
    await vi.waitFor(() => expect(signals).toHaveLength(1));
    ctrl.abort();
    expect(await settledWithin(load, 50)).toBe('rejected');
    expect((await rejected(load)).code).toBe('ABORTED');
    await vi.waitFor(() => expect(signals[0]?.aborted).toBe(true));
    await e.dispose();
  });

  it('timeoutMs: the page rejects TIMEOUT and the host aborts its fetch', async () => {
    const signals = hangingFetch();
    const e = engine();
    const err = await rejected(e.load({ url: 'https://models.example/m.onnx' }, { timeoutMs: 60 }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toContain('engine.load()');
    await vi.waitFor(() => expect(signals[0]?.aborted).toBe(true));
    await e.dispose();
  });

  it('a failed download arrives as MODEL_FETCH_FAILED with its status', async () => {
    vi.stubGlobal('fetch', async () => new Response('nope', { status: 404, statusText: 'Not Found' }));
    const e = engine();
    const err = await rejected(e.load({ url: 'https://models.example/missing.onnx' }));
    expect(err.code).toBe('MODEL_FETCH_FAILED');
    expect(err.details).toMatchObject({ status: 404, attempts: 1, url: 'https://models.example/missing.onnx' });
    await e.dispose();
  });
});
