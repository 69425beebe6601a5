/**
 * The cost and latency levers in real Chromium: model cache (second visit: zero model bytes),
 * result cache (hits answered on the page), stats and events, variant routing, remote fallback,
 * preload.
 */
import { createHash } from 'node:crypto';
import { test, expect, plain, expectClose, serverUrl } from './fixtures.ts';
import { getTestModel } from '../../tools/models/index.ts';

const mlp = getTestModel('mlp');

async function modelRequests(path: string): Promise<number> {
  const stats = (await (await fetch(`${serverUrl()}/__stats`)).json()) as Record<string, { count: number }>;
  return stats[path]?.count ?? 0;
}

test('model cache: a second visit loads the model with zero network bytes; list and clear', async ({ openHarness }) => {
  // A unique URL per project so the two projects' counts don't mix.
  const name = `models/mlp.onnx`;
  const page = await openHarness();
  const query = `?visit=${test.info().project.name}-${Date.now()}`;
  const first = await page.evaluate(async (url) => {
    const engine = await window.inpage.createEngine();
    const progress: unknown[] = [];
    const m = await engine.load({ url }, { onProgress: (p) => progress.push(p) });
    const r = { source: m.source, stats: engine.stats(), list: await engine.cache.list(), progress };
    await engine.dispose();
    return r;
  }, name + query);
  expect(first.source).toBe('network');
  expect(first.stats.bytesDownloaded).toBe(mlp.bytes().byteLength);
  expect(first.list.map((e) => [e.url.endsWith(name + query), e.store])).toEqual([[true, 'cache-storage']]);

  await openHarness(); // the next visit, same browser profile
  const before = await modelRequests(`/${name}${query}`);
  expect(before).toBe(1);
  const second = await page.evaluate(async (url) => {
    const engine = await window.inpage.createEngine();
    const progress: { phase: string; fromCache?: boolean }[] = [];
    const m = await engine.load({ url }, { onProgress: (p) => progress.push(p) });
    const out = await m.run({ x: { type: 'float32', dims: [1, 64], data: new Float32Array(64) } });
    const r = { source: m.source, stats: engine.stats(), progress, ok: out['probs']?.dims };
    await engine.cache.clear();
    const after = await engine.cache.list();
    await engine.dispose();
    return { ...r, after };
  }, name + query);
  expect(await modelRequests(`/${name}${query}`)).toBe(before);
  expect(second.source).toBe('cache-storage');
  expect(second.stats.bytesDownloaded).toBe(0);
  expect(second.stats.bytesFromCache).toBe(mlp.bytes().byteLength);
  expect(second.progress[0]).toMatchObject({ phase: 'download', fromCache: true });
  expect(second.ok).toEqual([1, 8]);
  expect(second.after).toEqual([]);
});

test('model cache: a sha256 mismatch is rejected and never stored', async ({ openHarness }) => {
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    const bad = await window.harness.settle(() => engine.load({ url: 'models/mlp.onnx?pin', sha256: 'f'.repeat(64) }));
    const list = await engine.cache.list();
    await engine.dispose();
    return { bad, list };
  });
  expect(r.bad).toMatchObject({ ok: false, error: { code: 'INTEGRITY_MISMATCH' } });
  expect(r.list).toEqual([]);
});

test('result cache: a repeated input is answered on the page with the same result; stats count hits', async ({ openHarness }) => {
  const page = await openHarness();
  const feeds = plain(mlp.inputs(1, 42));
  const r = await page.evaluate(async (feeds) => {
    const engine = await window.inpage.createEngine();
    const events: { cached: boolean; ms: number }[] = [];
    engine.on('inference', (e) => events.push({ cached: e.cached, ms: e.ms }));
    const m = await engine.load({ url: 'models/mlp.onnx' }, { resultCache: true });
    const a = window.harness.fromTensors(await m.run(window.harness.toTensors(feeds)));
    const b = window.harness.fromTensors(await m.run(window.harness.toTensors(feeds)));
    const bypass = window.harness.fromTensors(await m.run(window.harness.toTensors(feeds), { cache: false }));
    const stats = engine.stats();
    await engine.dispose();
    return { a, b, bypass, stats, events };
  }, feeds);
  const want = plain(mlp.reference(mlp.inputs(1, 42)));
  expectClose(r.a, want);
  expectClose(r.b, want);
  expectClose(r.bypass, want);
  expect(r.events.map((e) => e.cached)).toEqual([false, true, false]);
  expect(r.stats).toMatchObject({ cacheHits: 1, cacheMisses: 1, inferences: 2, cacheHitRate: 0.5 });
});

test('stats: concurrent calls are counted as batches with a mean batch size above 1', async ({ openHarness }) => {
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine({ backend: 'wasm' });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const x = () => ({ x: { type: 'float32' as const, dims: [1, 64], data: new Float32Array(64).fill(Math.random()) } });
    await Promise.all(Array.from({ length: 128 }, () => m.run(x())));
    const s = engine.stats();
    await engine.dispose();
    return s;
  });
  expect(r.inferences).toBe(128);
  expect(r.items).toBe(128);
  expect(r.batches).toBeLessThan(128);
  expect(r.meanBatchSize).toBeGreaterThan(1);
  expect(r.localRuns).toBe(128);
  expect(r.remoteRuns).toBe(0);
  expect(r.latency.count).toBe(128);
});

test('variants: the router picks by device requirements and latency budget, and says why', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    const variants = [
      { label: 'f16-gpu', url: 'models/mlp.onnx?v=f16', requires: { shaderF16: true } },
      { label: 'gpu', url: 'models/mlp.onnx?v=gpu', requires: { webgpu: true } },
      { label: 'huge', url: 'models/big-mlp.onnx', requires: { minMemoryGB: 100000 } },
      { label: 'too-slow', url: 'models/big-mlp.onnx', latencyBudgetMs: 0.000001 },
      { label: 'cpu', url: 'models/mlp.onnx?v=cpu' },
    ];
    const m = await engine.load({ variants });
    const res = { route: m.route, backend: m.backend };
    await engine.dispose();
    return res;
  });
  if (expectedBackend === 'webgpu') {
    expect(r.route?.variant).toBe('gpu');
    expect(r.backend).toBe('webgpu');
    expect(r.route?.reason).toContain("skipped 'f16-gpu' (needs the adapter feature 'shader-f16'");
  } else {
    expect(r.route?.variant).toBe('cpu');
    expect(r.route?.reason).toContain("skipped 'gpu' (needs WebGPU, this device has no adapter)");
    expect(r.route?.reason).toMatch(/skipped 'too-slow' \(median [\d.]+ ms over its 0.000001 ms budget\)/);
  }
});

test('remote fallback: used only when no local backend can run the model, counted separately', async ({ openHarness }) => {
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    let calls = 0;
    const engine = await window.inpage.createEngine({
      remoteFallback: async ({ feeds }) => { calls++; return { echo: feeds['x']! }; },
    });
    const local = await engine.load({ url: 'models/mlp.onnx' });
    await local.run({ x: { type: 'float32', dims: [1, 64], data: new Float32Array(64) } });
    const remote = await engine.load({ variants: [{ label: 'f16-only', url: 'models/mlp.onnx', requires: { shaderF16: true, minMemoryGB: 1e9 } }] });
    const out = await remote.run({ x: { type: 'float32', dims: [1, 2], data: new Float32Array([1, 2]) } });
    const res = { backend: remote.backend, reason: remote.route?.reason, out: Array.from(out['echo']!.data as Float32Array), calls, stats: engine.stats() };
    await engine.dispose();
    return res;
  });
  expect(r.calls).toBe(1);
  expect(r.backend).toBe('remote');
  expect(r.reason).toContain('no local backend');
  expect(r.out).toEqual([1, 2]);
  expect(r.stats).toMatchObject({ localRuns: 1, remoteRuns: 1 });
});

test('preload fetches and compiles on idle; the later load is a cache hit', async ({ openHarness }) => {
  const page = await openHarness();
  const sha = createHash('sha256').update(mlp.bytes()).digest('hex');
  const r = await page.evaluate(async (sha) => {
    const engine = await window.inpage.createEngine();
    const pre = await engine.preload({ url: 'models/mlp.onnx?pre', sha256: sha });
    const later = await engine.load({ url: 'models/mlp.onnx?pre', sha256: sha });
    const res = { pre: pre?.source, later: later.source };
    await engine.dispose();
    return res;
  }, sha);
  expect(r).toEqual({ pre: 'network', later: 'cache-storage' });
});
