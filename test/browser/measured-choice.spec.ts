/**
 * Measured backend choice under 'auto': with both WebGPU (SwiftShader) and WASM available the
 * engine times the model on both and keeps the faster — and the choice must follow the
 * measurement, whichever way it goes. The verdict is remembered for the next visit.
 */
import { test, expect } from './fixtures.ts';

test('auto keeps the backend the measurement says is faster, and remembers it', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  const first = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const info = await engine.info();
    await engine.dispose();
    return { backend: m.backend, info };
  });
  if (expectedBackend === 'wasm') {
    // No adapter: nothing to measure.
    expect(first.info.measurements).toEqual([]);
    expect(first.backend).toBe('wasm');
    return;
  }
  expect(first.info.measurements).toHaveLength(1);
  const m = first.info.measurements[0]!;
  expect(m.source).toBe('measured');
  expect(m.runs).toBeGreaterThanOrEqual(5);
  const { webgpu, wasm } = m.medians;
  expect(webgpu).toBeGreaterThan(0);
  expect(wasm).toBeGreaterThan(0);
  const faster = wasm! <= webgpu! * 1.05 ? 'wasm' : 'webgpu';
  // Tie-break prefers webgpu only within 5 %; otherwise the faster one wins.
  expect(m.chosen).toBe(webgpu! <= wasm! * 1.05 ? 'webgpu' : faster);
  expect(first.backend).toBe(m.chosen);
  expect(first.info.backend).toBe(m.chosen);
  expect(first.info.reason).toMatch(/measured, median of \d+ runs/);
  // On SwiftShader a tiny MLP is far faster on WASM (PLATFORM.md: ~0.03 ms vs 3–4 ms).
  expect(m.chosen).toBe('wasm');

  // Second visit (same profile): the verdict comes from storage, no measurement.
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
