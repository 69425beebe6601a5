/**
 * Tier-up under 'auto' on a device with a WebGPU adapter (SwiftShader here): a model answers on
 * WASM at once; WebGPU is measured in the background once the worker is idle; the model switches
 * through its batcher only when WebGPU wins. SwiftShader never wins on these models, so the
 * switch is exercised with the `tier-up-verdict` test hook, which forces the verdict of a real
 * measurement (the WebGPU runtime is imported, the session built and timed as always).
 *
 * Two onnxruntime-web builds then live in one worker, each behind its own executor, and they may
 * run at once (ort-runtime.ts): the WASM answers given while the WebGPU session is built and
 * timed must be correct, and so must the WebGPU ones after the switch.
 */
import { test, expect, plain, expectClose } from './fixtures.ts';
import { getTestModel } from '../../tools/models/index.ts';

const mlp = getTestModel('mlp');

test('a forced WebGPU verdict switches the model between two runs: answers stay correct before, during and after, the page learns it', async ({ openHarness, page, expectedBackend }) => {
  test.setTimeout(180_000);
  await openHarness();
  const feeds = [1, 2, 3].map((s) => plain(mlp.inputs(s, 300 + s)));
  const r = await page.evaluate(async (feeds) => {
    const { harness } = window;
    const engine = await window.inpage.createEngine({ testHooks: true, timeoutMs: 120_000 });
    await engine.testHooks!.send({ type: 'tier-up-verdict', backend: 'webgpu' });
    const events: { from: string; to: string; reason: string }[] = [];
    engine.on('backend', (e) => events.push(e));
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const loadedOn = m.backend;
    const atLoad = await engine.info();
    const run = async (i: number) => ({ i, out: harness.fromTensors(await m.run(harness.toTensors(feeds[i % 3]!))), backend: m.backend });
    const before = await run(0);
    // Wait until the background measurement has begun, then keep asking while it runs.
    let info = await engine.info();
    for (let i = 0; i < 600 && info.tierUp.pending > 0 && !info.tierUp.measuring; i++) {
      await new Promise((res) => setTimeout(res, 50));
      info = await engine.info();
    }
    const sawMeasuring = info.tierUp.measuring;
    // A page asking every 20 ms: the measurement's steps take turns between these runs.
    const during: Awaited<ReturnType<typeof run>>[] = [];
    const until = performance.now() + 90_000;
    for (let i = 0; performance.now() < until && info.tierUp.pending > 0; i++) {
      during.push(...await Promise.all([run(i), run(i + 1)]));
      await new Promise((res) => setTimeout(res, 20));
      info = await engine.info();
    }
    const after = await Promise.all([0, 1, 2].map((i) => run(i)));
    const res = { loadedOn, atLoad, before, sawMeasuring, during, after, info, events, backendNow: m.backend };
    await engine.dispose();
    return res;
  }, feeds);
  const want = [0, 1, 2].map((i) => plain(mlp.reference(mlp.inputs(i + 1, 301 + i))));
  expect(r.loadedOn).toBe('wasm');
  expectClose(r.before.out, want[0]!);
  for (const d of [...r.during, ...r.after]) expectClose(d.out, want[d.i % 3]!);
  if (expectedBackend === 'wasm') {
    expect(r.atLoad.tierUp.pending).toBe(0);
    expect(r.after.map((a) => a.backend)).toEqual(['wasm', 'wasm', 'wasm']);
    expect(r.info.runtimes).toEqual(['wasm']);
    expect(r.events).toEqual([]);
    return;
  }
  expect(r.sawMeasuring, 'the measurement began once the worker was quiet').toBe(true);
  expect(r.during.length, 'runs were answered while WebGPU was built and timed').toBeGreaterThan(0);
  // Answers during the measurement came from WASM until the switch, and from WebGPU after it.
  const firstGpu = r.during.findIndex((d) => d.backend === 'webgpu');
  if (firstGpu >= 0) expect(r.during.slice(firstGpu).every((d) => d.backend === 'webgpu')).toBe(true);
  expect(r.during[0]!.backend).toBe('wasm');
  expect(r.after.map((a) => a.backend)).toEqual(['webgpu', 'webgpu', 'webgpu']);
  expect(r.backendNow).toBe('webgpu');
  expect(r.info.backend).toBe('webgpu');
  expect(r.info.runtimes).toEqual(['wasm', 'webgpu']);
  expect(r.info.measurements).toHaveLength(1);
  expect(r.info.measurements[0]).toMatchObject({ source: 'measured', chosen: 'webgpu' });
  expect(r.info.measurements[0]!.runs).toBeGreaterThanOrEqual(5);
  expect(r.info.switches).toHaveLength(1);
  expect(r.info.switches[0]).toMatchObject({ from: 'wasm', to: 'webgpu' });
  expect(r.info.switches[0]!.reason).toMatch(/measured, median of \d+ runs\); switching to webgpu \(tier-up\)/);
  expect(r.events).toHaveLength(1);
  expect(r.events[0]).toMatchObject({ from: 'wasm', to: 'webgpu' });
});

test('a remembered WebGPU verdict imports only the WebGPU runtime and builds no WASM session; a later device loss still falls back', async ({ openHarness, page, expectedBackend }) => {
  test.skip(expectedBackend === 'wasm', 'needs a WebGPU adapter');
  test.setTimeout(180_000);
  await openHarness();
  // First visit: the forced verdict is measured and remembered.
  await page.evaluate(async () => {
    const engine = await window.inpage.createEngine({ testHooks: true });
    await engine.testHooks!.send({ type: 'tier-up-verdict', backend: 'webgpu' });
    await engine.load({ url: 'models/mlp.onnx' });
    for (let i = 0; i < 600 && (await engine.info()).tierUp.pending > 0; i++) await new Promise((res) => setTimeout(res, 100));
    await engine.dispose();
  });
  await openHarness();
  const feeds = plain(mlp.inputs(2, 310));
  const r = await page.evaluate(async (feeds) => {
    const { harness } = window;
    const engine = await window.inpage.createEngine({ testHooks: true });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const atLoad = { backend: m.backend, info: await engine.info() };
    const gpuOut = harness.fromTensors(await m.run(harness.toTensors(feeds)));
    await engine.testHooks!.send({ type: 'lose-device' });
    const lost = await harness.settle(async () => harness.fromTensors(await m.run(harness.toTensors(feeds))));
    const info = await engine.info();
    await engine.dispose();
    return { atLoad, gpuOut, lost, backendAfter: m.backend, info };
  }, feeds);
  const want = plain(mlp.reference(mlp.inputs(2, 310)));
  expect(r.atLoad.backend).toBe('webgpu');
  expect(r.atLoad.info.runtimes, 'only the winner is imported').toEqual(['webgpu']);
  expect(r.atLoad.info.tierUp.pending).toBe(0);
  expect(r.atLoad.info.measurements[0]).toMatchObject({ source: 'remembered', chosen: 'webgpu' });
  expectClose(r.gpuOut, want, 1e-4);
  expect(r.lost.ok, JSON.stringify(r.lost).slice(0, 300)).toBe(true);
  if (r.lost.ok) expectClose(r.lost.value, want, 1e-4);
  expect(r.backendAfter).toBe('wasm');
  // The fallback used the WebGPU build's own CPU provider: still no second runtime.
  expect(r.info.runtimes).toEqual(['webgpu']);
  expect(r.info.switches.at(-1)).toMatchObject({ from: 'webgpu', to: 'wasm' });
});

test('disposing a model (and the engine) while it waits for or undergoes tier-up settles everything', async ({ openHarness, page, expectedBackend }) => {
  test.skip(expectedBackend === 'wasm', 'needs a WebGPU adapter');
  test.setTimeout(120_000);
  await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    const a = await engine.load({ url: 'models/mlp.onnx' });
    const b = await engine.load({ url: 'models/embed-topk.onnx' });
    const pendingAtLoad = (await engine.info()).tierUp.pending;
    await a.dispose();
    let info = await engine.info();
    for (let i = 0; i < 600 && !info.tierUp.measuring && info.tierUp.pending > 0; i++) {
      await new Promise((res) => setTimeout(res, 50));
      info = await engine.info();
    }
    await b.dispose();
    for (let i = 0; i < 600 && info.tierUp.pending > 0; i++) {
      await new Promise((res) => setTimeout(res, 50));
      info = await engine.info();
    }
    await engine.dispose();
    return { pendingAtLoad, after: info.tierUp };
  });
  expect(r.pendingAtLoad).toBe(2);
  expect(r.after).toEqual({ pending: 0, measuring: false });
});
