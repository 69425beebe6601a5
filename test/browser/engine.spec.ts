/**
 * Engine behaviour users rely on, in real Chromium: forced backends, typed errors for bad input,
 * integrity, abort, timeout, disposal, and crash recovery.
 */
import { createHash } from 'node:crypto';
import { test, expect, plain, expectClose } from './fixtures.ts';
import { getTestModel } from '../../tools/models/index.ts';

const mlp = getTestModel('mlp');

test('forced webgpu: works with an adapter, rejects with WEBGPU_UNAVAILABLE without one', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  const r = await page.evaluate(() => window.harness.settle(async () => {
    const engine = await window.inpage.createEngine({ backend: 'webgpu' });
    const info = await engine.info();
    await engine.dispose();
    return info.backend;
  }));
  if (expectedBackend === 'webgpu') expect(r).toEqual({ ok: true, value: 'webgpu' });
  else {
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.isInpageError).toBe(true);
      expect(r.error.code).toBe('WEBGPU_UNAVAILABLE');
      expect(r.error.message).toContain('no WebGPU adapter');
    }
  }
});

test('forced wasm runs on wasm on every device', async ({ openHarness }) => {
  const page = await openHarness();
  const feeds = plain(mlp.inputs(2, 5));
  const r = await page.evaluate(async (feeds) => {
    const engine = await window.inpage.createEngine({ backend: 'wasm' });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const out = window.harness.fromTensors(await m.run(window.harness.toTensors(feeds)));
    const info = await engine.info();
    await engine.dispose();
    return { out, backend: m.backend, info };
  }, feeds);
  expect(r.backend).toBe('wasm');
  expect(r.info.backend).toBe('wasm');
  expectClose(r.out, plain(mlp.reference(mlp.inputs(2, 5))));
});

test('bad input rejects with INPUT_INVALID and the engine stays healthy', async ({ openHarness }) => {
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    const { createEngine } = window.inpage;
    const engine = await createEngine();
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const f32 = (n: number) => new Float32Array(n);
    const cases = {
      wrongName: { y: { type: 'float32', dims: [1, 64], data: f32(64) } },
      wrongType: { x: { type: 'int32', dims: [1, 64], data: new Int32Array(64) } },
      wrongArray: { x: { type: 'float32', dims: [1, 64], data: new Float64Array(64) } },
      wrongRank: { x: { type: 'float32', dims: [64], data: f32(64) } },
      wrongDim: { x: { type: 'float32', dims: [1, 63], data: f32(63) } },
      wrongLength: { x: { type: 'float32', dims: [2, 64], data: f32(64) } },
      notObject: 42,
    } as const;
    const errors: Record<string, unknown> = {};
    for (const [k, feeds] of Object.entries(cases)) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const res = await window.harness.settle(() => m.run(feeds as any));
      errors[k] = res.ok ? 'resolved' : res.error;
    }
    const ok = await m.run({ x: { type: 'float32', dims: [1, 64], data: f32(64) } });
    await engine.dispose();
    return { errors, healthy: ok['probs']?.dims };
  });
  for (const [k, e] of Object.entries(r.errors)) {
    expect(e, k).toMatchObject({ isInpageError: true, code: 'INPUT_INVALID' });
  }
  expect((r.errors['wrongName'] as { message: string }).message).toContain("'x'");
  expect((r.errors['wrongDim'] as { message: string }).message).toMatch(/dim 1 must be 64.*got 63/);
  expect(r.healthy).toEqual([1, 8]);
});

test('sha256: a match loads, a mismatch rejects with INTEGRITY_MISMATCH', async ({ openHarness }) => {
  const page = await openHarness();
  const good = createHash('sha256').update(mlp.bytes()).digest('hex');
  const r = await page.evaluate(async (good) => {
    const engine = await window.inpage.createEngine();
    const ok = await window.harness.settle(async () => (await engine.load({ url: 'models/mlp.onnx', sha256: good })).sha256);
    const bad = await window.harness.settle(() => engine.load({ url: 'models/mlp.onnx', sha256: '0'.repeat(64) }));
    await engine.dispose();
    return { ok, bad };
  }, good);
  expect(r.ok).toEqual({ ok: true, value: good });
  expect(r.bad).toMatchObject({ ok: false, error: { code: 'INTEGRITY_MISMATCH' } });
});

test('load from bytes, corrupt bytes and HTTP errors give their codes', async ({ openHarness }) => {
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    const bytes = await (await fetch('models/mlp.onnx')).arrayBuffer();
    const fromBytes = await window.harness.settle(async () => (await engine.load({ bytes })).outputs.map((o) => o.name));
    const random = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    const corrupt = await window.harness.settle(() => engine.load({ bytes: random }));
    const truncated = await window.harness.settle(() => engine.load({ bytes: bytes.slice(0, bytes.byteLength >> 1) }));
    const notFound = await window.harness.settle(() => engine.load({ url: 'models/nope.onnx' }));
    const serverError = await window.harness.settle(() => engine.load({ url: '__fault/status/500/models/mlp.onnx' }));
    await engine.dispose();
    return { fromBytes, corrupt, truncated, notFound, serverError };
  });
  expect(r.fromBytes).toEqual({ ok: true, value: ['probs'] });
  expect(r.corrupt).toMatchObject({ ok: false, error: { code: 'MODEL_INVALID' } });
  expect(r.truncated).toMatchObject({ ok: false, error: { code: 'MODEL_INVALID' } });
  expect(r.notFound).toMatchObject({ ok: false, error: { code: 'MODEL_FETCH_FAILED', details: { status: 404 } } });
  expect(r.serverError).toMatchObject({ ok: false, error: { code: 'MODEL_FETCH_FAILED', details: { status: 500, attempts: 3 } } });
});

test('abort and timeout reject with ABORTED and TIMEOUT; later calls still work', async ({ openHarness }) => {
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine({ testHooks: true });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const x = () => ({ x: { type: 'float32' as const, dims: [1, 64], data: new Float32Array(64) } });
    await engine.testHooks!.send({ type: 'delay-runs', ms: 300 });
    const ctrl = new AbortController();
    const t0 = performance.now();
    const running = window.harness.settle(() => m.run(x(), { signal: ctrl.signal }));
    const queued = window.harness.settle(() => m.run(x(), { signal: ctrl.signal }));
    setTimeout(() => ctrl.abort(), 20);
    const aborted = [await running, await queued];
    const abortMs = performance.now() - t0;
    const pre = new AbortController(); pre.abort();
    const preAborted = await window.harness.settle(() => m.run(x(), { signal: pre.signal }));
    const timedOut = await window.harness.settle(() => m.run(x(), { timeoutMs: 50 }));
    const loadAborted = await window.harness.settle(() => engine.load({ url: '__fault/slow/2000/models/mlp.onnx' }, { signal: AbortSignal.timeout(50) }));
    await engine.testHooks!.send({ type: 'delay-runs', ms: 0 });
    const after = await m.run(x());
    await engine.dispose();
    return { aborted, abortMs, preAborted, timedOut, loadAborted, after: after['probs']?.dims };
  });
  for (const a of r.aborted) expect(a).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
  expect(r.abortMs).toBeLessThan(250);
  expect(r.preAborted).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
  expect(r.timedOut).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
  expect(r.loadAborted).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
  expect(r.after).toEqual([1, 8]);
});

test('dispose: pending and later calls reject with DISPOSED', async ({ openHarness }) => {
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine({ testHooks: true });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const x = () => ({ x: { type: 'float32' as const, dims: [1, 64], data: new Float32Array(64) } });
    await engine.testHooks!.send({ type: 'delay-runs', ms: 500 });
    const pending = window.harness.settle(() => m.run(x()));
    await new Promise((r) => setTimeout(r, 20));
    await engine.dispose();
    return {
      pending: await pending,
      run: await window.harness.settle(() => m.run(x())),
      load: await window.harness.settle(() => engine.load({ url: 'models/mlp.onnx' })),
      info: await window.harness.settle(() => engine.info()),
    };
  });
  for (const [k, v] of Object.entries(r)) expect(v, k).toMatchObject({ ok: false, error: { code: 'DISPOSED' } });
});

for (const how of ['throw', 'close', 'kill'] as const) {
  test(`worker crash (${how}) during a run: in-flight calls reject with WORKER_CRASHED, the next call works`, async ({ openHarness }) => {
    const page = await openHarness();
    const feeds = plain(mlp.inputs(1, 9));
    const r = await page.evaluate(async ({ how, feeds }) => {
      const engine = await window.inpage.createEngine({ testHooks: true });
      const m = await engine.load({ url: 'models/mlp.onnx' });
      const hooks = engine.testHooks!;
      const before = hooks.workerId();
      await hooks.send({ type: 'delay-runs', ms: 5000 });
      const inflight = [1, 2, 3].map(() => window.harness.settle(() => m.run(window.harness.toTensors(feeds))));
      await new Promise((r) => setTimeout(r, 50));
      const t0 = performance.now();
      if (how === 'kill') hooks.killWorker(); else await hooks.send({ type: 'crash', how });
      const results = await Promise.all(inflight);
      const rejectMs = performance.now() - t0;
      const next = window.harness.fromTensors(await m.run(window.harness.toTensors(feeds)));
      const after = hooks.workerId();
      await engine.dispose();
      return { results, rejectMs, next, before, after };
    }, { how, feeds });
    for (const res of r.results) expect(res).toMatchObject({ ok: false, error: { code: 'WORKER_CRASHED', isInpageError: true } });
    expect(r.rejectMs).toBeLessThan(1000);
    expect(r.after).not.toBe(r.before);
    expectClose(r.next, plain(mlp.reference(mlp.inputs(1, 9))));
  });
}

test('a run that fails on WebGPU moves the model to WASM, retries, and info() says why', async ({ openHarness, expectedBackend }) => {
  // multi-io casts to float16; SwiftShader has no shader-f16, so the WebGPU kernel fails at run
  // time although the session built. On a device without WebGPU it simply runs on WASM.
  const model = getTestModel('multi-io');
  const page = await openHarness();
  const feeds = plain(model.inputs(2, 3));
  const r = await page.evaluate(async (feeds) => {
    // measure: false, so WebGPU is kept and the failure happens on a real request (warmup: false)
    // rather than while measuring or warming up at load.
    const engine = await window.inpage.createEngine({ measure: false });
    const m = await engine.load({ url: 'models/multi-io.onnx' }, { warmup: false });
    const loadedOn = m.backend;
    const out = window.harness.fromTensors(await m.run(window.harness.toTensors(feeds)));
    const again = window.harness.fromTensors(await m.run(window.harness.toTensors(feeds)));
    const info = await engine.info();
    const warmed = await engine.load({ url: 'models/multi-io.onnx' });
    await engine.dispose();
    return { loadedOn, out, again, info, warmedOn: warmed.backend, runOn: m.backend };
  }, feeds);
  const want = plain(model.reference(model.inputs(2, 3)));
  expectClose(r.out, want);
  expectClose(r.again, want);
  expect(r.loadedOn).toBe(expectedBackend);
  expect(r.runOn).toBe('wasm');
  expect(r.warmedOn, 'with warm-up the move happens at load').toBe('wasm');
  expect(r.info.backend).toBe('wasm');
  if (expectedBackend === 'webgpu') {
    expect(r.info.switches).toHaveLength(1);
    expect(r.info.switches[0]).toMatchObject({ from: 'webgpu', to: 'wasm' });
    expect(r.info.reason).toMatch(/run failed on webgpu: .*f16/);
  } else {
    expect(r.info.switches).toEqual([]);
  }
});

test('a model loaded into a worker of its own answers like the main worker, and survives a main-worker crash', async ({ openHarness }) => {
  const page = await openHarness();
  const a = plain(mlp.inputs(2, 8));
  const b = plain(mlp.inputs(1, 9));
  const r = await page.evaluate(async ({ a, b }) => {
    const engine = await window.inpage.createEngine({ testHooks: true });
    const own = await engine.load({ url: 'models/mlp.onnx' }, { worker: 'side' });
    const main = await engine.load({ url: 'models/mlp.onnx' });
    const first = window.harness.fromTensors(await own.run(window.harness.toTensors(a)));
    const mainId = engine.testHooks!.workerId();
    engine.testHooks!.killWorker();
    // The main worker is gone; the side worker is not: its model answers without a reload.
    const second = window.harness.fromTensors(await own.run(window.harness.toTensors(b)));
    const onMain = window.harness.fromTensors(await main.run(window.harness.toTensors(b)));
    const restarted = engine.testHooks!.workerId() !== mainId;
    const bad = await window.harness.settle(() => engine.load({ url: 'models/mlp.onnx' }, { worker: '' }));
    await own.dispose();
    const afterDispose = await window.harness.settle(() => own.run(window.harness.toTensors(b)));
    await engine.dispose();
    return { first, second, onMain, restarted, bad, afterDispose, backend: own.backend };
  }, { a, b });
  expectClose(r.first, plain(mlp.reference(mlp.inputs(2, 8))));
  expectClose(r.second, plain(mlp.reference(mlp.inputs(1, 9))));
  expectClose(r.onMain, plain(mlp.reference(mlp.inputs(1, 9))));
  expect(r.restarted).toBe(true);
  expect(r.bad).toMatchObject({ ok: false, error: { code: 'OPTION_INVALID' } });
  expect(r.afterDispose).toMatchObject({ ok: false, error: { code: 'DISPOSED' } });
});
