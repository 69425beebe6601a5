/**
 * Measured backend choice under 'auto' with tier-up: with both WebGPU (SwiftShader) and WASM
 * available a model answers on WASM at once, the engine times it on both in the background once
 * the worker is idle, and switches only when WebGPU is faster — the choice must follow the
 * measurement, whichever way it goes. The verdict is remembered for the next visit, which then
 * imports only the winner's runtime and builds no other session.
 */
import { test, expect } from './fixtures.ts';

test('auto answers on WASM at once, measures WebGPU in the background, keeps the faster, and remembers it', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  const first = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const atLoad = { backend: m.backend, info: await engine.info() };
    // The measurement starts once the worker has been quiet for a second.
    let info = await engine.info();
    for (let i = 0; i < 600 && info.tierUp.pending > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      info = await engine.info();
    }
    const out = await m.run({ x: { type: 'float32', dims: [1, 64], data: new Float32Array(64) } });
    await engine.dispose();
    return { atLoad, backend: m.backend, info, dims: out['probs']!.dims };
  });
  expect(first.atLoad.backend, 'the first answer never waits for a measurement').toBe('wasm');
  expect(first.atLoad.info.runtimes).toEqual(['wasm']);
  if (expectedBackend === 'wasm') {
    // No adapter: nothing to measure, the WebGPU runtime is never imported.
    expect(first.atLoad.info.tierUp).toEqual({ pending: 0, measuring: false });
    expect(first.info.measurements).toEqual([]);
    expect(first.info.runtimes).toEqual(['wasm']);
    expect(first.backend).toBe('wasm');
    return;
  }
  expect(first.atLoad.info.tierUp.pending).toBe(1);
  expect(first.atLoad.info.measurements).toEqual([]);
  expect(first.atLoad.info.reason).toMatch(/answering on wasm at once; WebGPU adapter .* measured in the background/);
  expect(first.info.tierUp).toEqual({ pending: 0, measuring: false });
  expect(first.info.runtimes).toEqual(['wasm', 'webgpu']);
  expect(first.info.measurements).toHaveLength(1);
  const m = first.info.measurements[0]!;
  expect(m.source).toBe('measured');
  expect(m.runs).toBeGreaterThanOrEqual(5);
  const { webgpu, wasm } = m.medians;
  expect(webgpu).toBeGreaterThan(0);
  expect(wasm).toBeGreaterThan(0);
  // A switch must pay: ties within 5 % keep WASM (the incumbent); otherwise the faster one wins.
  expect(m.chosen).toBe(wasm! <= webgpu! * 1.05 ? 'wasm' : 'webgpu');
  expect(first.backend).toBe(m.chosen);
  expect(first.info.backend).toBe(m.chosen);
  expect(first.info.reason).toMatch(/measured, median of \d+ runs/);
  // On SwiftShader a tiny MLP is far faster on WASM (PLATFORM.md: ~0.03 ms vs 3–4 ms).
  expect(m.chosen).toBe('wasm');
  expect(first.info.switches).toEqual([]);
  expect(first.dims).toEqual([1, 8]);

  // Second visit (same profile): the verdict comes from storage, no measurement, and only the
  // winner's runtime is imported.
  await openHarness();
  const second = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    const mm = await engine.load({ url: 'models/mlp.onnx' });
    const info = await engine.info();
    await engine.dispose();
    return { backend: mm.backend, info };
  });
  expect(second.info.measurements).toHaveLength(1);
  expect(second.info.measurements[0]).toMatchObject({ source: 'remembered', chosen: m.chosen, medians: m.medians });
  expect(second.backend).toBe(m.chosen);
  expect(second.info.reason).toContain('remembered from an earlier visit');
  expect(second.info.tierUp.pending).toBe(0);
  expect(second.info.runtimes).toEqual([m.chosen]);
});

test('measure: false keeps the first working backend (WebGPU when present)', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine({ measure: false });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const info = await engine.info();
    await engine.dispose();
    return { backend: m.backend, measurements: info.measurements };
  });
  expect(r.backend).toBe(expectedBackend);
  expect(r.measurements).toEqual([]);
});
