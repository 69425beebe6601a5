/**
 * WebGPU device lost mid-session (test hook `lose-device` destroys the GPUDevice ORT runs on, as
 * a GPU reset or driver crash would). Under 'auto' the request that hit it is retried on WASM,
 * later requests stay on WASM, `info()` records the switch and why; later loads plan without
 * WebGPU (a forced one fails typed, at once); nothing hangs. Without a
 * WebGPU adapter the hook itself rejects with a typed error.
 */
import { test, expect, plain, expectClose } from '../fixtures.ts';
import { getTestModel } from '../../../tools/models/index.ts';
import { report } from './helpers.ts';

const mlp = getTestModel('mlp');
const big = getTestModel('big-mlp');
const emb = getTestModel('embed-topk');

test('device lost: the request that hit it is retried on WASM, later ones run there, info() says why', async ({ openHarness, page, expectedBackend }, info) => {
  if (expectedBackend === 'wasm') {
    // No adapter, so no device to lose: the hook says so with a typed error, and nothing moves.
    await openHarness();
    const r = await page.evaluate(async () => {
      const engine = await window.inpage.createEngine({ testHooks: true, measure: false });
      const m = await engine.load({ url: 'models/mlp.onnx' });
      const hook = await window.harness.settle(() => engine.testHooks!.send({ type: 'lose-device' }));
      const ok = (await m.run({ x: { type: 'float32', dims: [1, 64], data: new Float32Array(64) } }))['probs']?.dims;
      const i = await engine.info();
      await engine.dispose();
      return { hook, ok, switches: i.switches, backend: m.backend };
    });
    expect(r.hook).toMatchObject({ ok: false, error: { isInpageError: true, code: 'OPTION_INVALID' } });
    expect(r.ok).toEqual([1, 8]);
    expect(r.backend).toBe('wasm');
    expect(r.switches).toEqual([]);
    return;
  }
  test.setTimeout(240_000);
  await openHarness();
  const feeds = {
    mlp: [1, 2, 3, 4].map((s) => plain(mlp.inputs(1 + (s % 3), 200 + s))),
    big: plain(big.inputs(2, 210)),
    emb: plain(emb.inputs(2, 220)),
  };
  const r = await page.evaluate(async (feeds) => {
    const { harness } = window;
    const run = (m: { run: (f: never) => Promise<never> }, f: unknown) => harness.settle(async () => harness.fromTensors(await m.run(harness.toTensors(f as never) as never)));
    // measure: false keeps WebGPU (the measured choice would pick WASM for these tiny models).
    const engine = await window.inpage.createEngine({ testHooks: true, measure: false, timeoutMs: 60_000 });
    const a = await engine.load({ url: 'models/mlp.onnx' });
    const b = await engine.load({ url: 'models/big-mlp.onnx' });
    const forced = await engine.load({ url: 'models/mlp.onnx' }, { backend: 'webgpu', cache: false });
    const loadedOn = { a: a.backend, b: b.backend, forced: forced.backend };
    const before = await run(a as never, feeds.mlp[0]);
    const infoBefore = await engine.info();

    await engine.testHooks!.send({ type: 'lose-device' });
    // Several concurrent requests on one model hit the lost device together (one batch).
    const hit = await Promise.all(feeds.mlp.map((f) => run(a as never, f)));
    const aAfter = a.backend;
    const later = await Promise.all(feeds.mlp.map((f) => run(a as never, f)));
    const bHit = await run(b as never, feeds.big);
    // A forced backend never falls back: a typed failure, not a hang.
    const forcedRun = await run(forced as never, feeds.mlp[0]);
    // A model loaded after the loss still loads and answers.
    const c = await harness.settle(async () => {
      const m = await engine.load({ url: 'models/embed-topk.onnx' });
      return { backend: m.backend, out: harness.fromTensors(await m.run(harness.toTensors(feeds.emb))) };
    });
    // The worker saw the device go: a late load forced onto WebGPU fails at once, typed.
    const forcedLate = await harness.settle(async () => (await engine.load({ url: 'models/mlp.onnx' }, { backend: 'webgpu', cache: false })).backend);
    const infoAfter = await engine.info();
    const res = { loadedOn, before, infoBefore, hit, aAfter, later, bHit, bAfter: b.backend, forcedRun, c, forcedLate, infoAfter };
    await engine.dispose();
    return res;
  }, feeds);

  expect(r.loadedOn).toEqual({ a: 'webgpu', b: 'webgpu', forced: 'webgpu' });
  expect(r.infoBefore.backend).toBe('webgpu');
  expect(r.infoBefore.switches).toEqual([]);
  expect(r.before.ok).toBe(true);
  const wants = [1, 2, 3, 4].map((s) => plain(mlp.reference(mlp.inputs(1 + (s % 3), 200 + s))));
  r.hit.forEach((h, i) => {
    expect(h.ok, `request ${i} that hit the lost device: ${JSON.stringify(h).slice(0, 300)}`).toBe(true);
    if (h.ok) expectClose(h.value, wants[i]!, 1e-4);
  });
  expect(r.aAfter).toBe('wasm');
  r.later.forEach((h, i) => {
    expect(h.ok, JSON.stringify(h).slice(0, 300)).toBe(true);
    if (h.ok) expectClose(h.value, wants[i]!, 1e-4);
  });
  expect(r.bHit.ok, JSON.stringify(r.bHit).slice(0, 300)).toBe(true);
  if (r.bHit.ok) expectClose(r.bHit.value, plain(big.reference(big.inputs(2, 210))), 1e-4);
  expect(r.bAfter).toBe('wasm');
  expect(r.forcedRun).toMatchObject({ ok: false, error: { isInpageError: true, code: 'RUN_FAILED' } });
  expect(r.c.ok, JSON.stringify(r.c).slice(0, 300)).toBe(true);
  if (r.c.ok) expectClose(r.c.value.out, plain(emb.reference(emb.inputs(2, 220))), 1e-4);
  // Planned without WebGPU, not built on the dead device and moved at its first run.
  if (r.c.ok) expect(r.c.value.backend).toBe('wasm');
  expect(r.forcedLate).toMatchObject({ ok: false, error: { isInpageError: true, code: 'WEBGPU_UNAVAILABLE' } });
  if (!r.forcedLate.ok) expect(r.forcedLate.error.message).toMatch(/device was lost/);
  expect(r.infoAfter.webgpu).toBe(false);
  expect(r.infoAfter.backend).toBe('wasm');
  expect(r.infoAfter.switches.length).toBeGreaterThanOrEqual(1);
  expect(r.infoAfter.switches[0]).toMatchObject({ from: 'webgpu', to: 'wasm' });
  expect(r.infoAfter.switches[0]!.reason).toMatch(/run failed on webgpu/);
  expect(r.infoAfter.reason).toMatch(/webgpu/i);
  report(info, 'device-lost', {
    switches: r.infoAfter.switches.map((s) => ({ from: s.from, to: s.to, reason: s.reason.slice(0, 160) })),
    lateLoadBackend: r.c.ok ? r.c.value.backend : null,
    forcedError: r.forcedRun.ok ? null : r.forcedRun.error.message.slice(0, 160),
  });
});

test('lose-device on an engine forced to WASM (no WebGPU runtime in the worker) rejects with a typed error and the model keeps working', async ({ openHarness, page, expectedBackend }) => {
  await openHarness();
  const feeds = plain(mlp.inputs(2, 230));
  const r = await page.evaluate(async ({ feeds, backend }) => {
    const { harness } = window;
    // In the webgpu project force WASM, so the WebGPU runtime is never loaded in this worker.
    const engine = await window.inpage.createEngine({ testHooks: true, measure: false, ...(backend === 'webgpu' ? { backend: 'wasm' as const } : {}) });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const hook = await harness.settle(() => engine.testHooks!.send({ type: 'lose-device' }));
    const after = await harness.settle(async () => harness.fromTensors(await m.run(harness.toTensors(feeds))));
    const info = await engine.info();
    await engine.dispose();
    return { hook, after, backend: m.backend, switches: info.switches };
  }, { feeds, backend: expectedBackend });
  expect(r.hook).toMatchObject({ ok: false, error: { isInpageError: true, code: 'OPTION_INVALID' } });
  if (!r.hook.ok) expect(r.hook.error.message).toContain('WebGPU runtime is not loaded');
  expect(r.after.ok).toBe(true);
  if (r.after.ok) expectClose(r.after.value, plain(mlp.reference(mlp.inputs(2, 230))));
  expect(r.backend).toBe('wasm');
  expect(r.switches).toEqual([]);
});
