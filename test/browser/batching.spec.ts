/**
 * Micro-batching in real Chromium: concurrent callers of a model with a batch axis share
 * session runs, and each gets exactly its own rows — also when some of them abort.
 */
import { test, expect, plain, expectClose } from './fixtures.ts';
import { getTestModel } from '../../tools/models/index.ts';

const mlp = getTestModel('mlp');

test('256 concurrent calls with random aborts: every survivor gets its own correct rows', async ({ openHarness }) => {
  const page = await openHarness();
  const requests = Array.from({ length: 256 }, (_, i) => ({ rows: 1 + (i % 3), seed: 1000 + i, abort: i % 7 === 3 }));
  const feeds = requests.map((r) => plain(mlp.inputs(r.rows, r.seed)));
  const result = await page.evaluate(async ({ feeds, requests }) => {
    const engine = await window.inpage.createEngine();
    const m = await engine.load({ url: 'models/mlp.onnx' }, { batch: { maxBatch: 64, maxWaitMs: 4 } });
    const settled = await Promise.all(feeds.map((f, i) => {
      const ctrl = new AbortController();
      const p = window.harness.settle(async () => window.harness.fromTensors(await m.run(window.harness.toTensors(f), { signal: ctrl.signal })));
      if (requests[i]!.abort) queueMicrotask(() => ctrl.abort());
      return p;
    }));
    const batching = m.batching;
    await engine.dispose();
    return { settled, batching };
  }, { feeds, requests });
  expect(result.batching.enabled).toBe(true);
  result.settled.forEach((s, i) => {
    const r = requests[i]!;
    if (r.abort) {
      expect(s, `request ${i}`).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
    } else {
      expect(s.ok, `request ${i}: ${JSON.stringify(s).slice(0, 200)}`).toBe(true);
      if (s.ok) expectClose(s.value, plain(mlp.reference(mlp.inputs(r.rows, r.seed))));
    }
  });
});

test('models without a batch axis, or with batching off, still answer every caller', async ({ openHarness }) => {
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    const off = await engine.load({ url: 'models/mlp.onnx' }, { batch: false });
    const x = () => ({ x: { type: 'float32' as const, dims: [1, 64], data: new Float32Array(64).fill(0.5) } });
    const outs = await Promise.all(Array.from({ length: 20 }, () => off.run(x())));
    const same = outs.every((o) => (o['probs']!.data as Float32Array).every((v, i) => v === (outs[0]!['probs']!.data as Float32Array)[i]));
    const res = { batching: off.batching, n: outs.length, same };
    await engine.dispose();
    return res;
  });
  expect(r.batching).toEqual({ enabled: false, reason: 'batching disabled by the caller' });
  expect(r.n).toBe(20);
  expect(r.same).toBe(true);
});

test('bursts in a row reuse the stacked input buffers the worker hands back, and every caller still gets its own rows', async ({ openHarness }) => {
  // big-mlp: 64 rows × 256 floats = 64 KB per stacked input, large enough to be pooled; three
  // bursts of 128, so the second and third stack into buffers that went to the worker and back.
  const big = getTestModel('big-mlp');
  const bursts = [0, 1, 2].map((b) => Array.from({ length: 128 }, (_, i) => 5000 + b * 1000 + i));
  const feeds = bursts.map((seeds) => seeds.map((s) => plain(big.inputs(1, s))));
  const page = await openHarness();
  const r = await page.evaluate(async (feeds) => {
    const engine = await window.inpage.createEngine({ backend: 'wasm', measure: false });
    const m = await engine.load({ url: 'models/big-mlp.onnx' }, { batch: { maxBatch: 64, maxWaitMs: 4 } });
    const out = [];
    for (const burst of feeds) out.push(await Promise.all(burst.map((f) => window.harness.settle(async () => window.harness.fromTensors(await m.run(window.harness.toTensors(f)))))));
    const stats = engine.stats();
    await engine.dispose();
    return { out, meanBatch: stats.meanBatchSize };
  }, feeds);
  expect(r.meanBatch).toBeGreaterThan(1);
  r.out.forEach((burst, b) => burst.forEach((s, i) => {
    expect(s.ok, `burst ${b} call ${i}: ${JSON.stringify(s).slice(0, 200)}`).toBe(true);
    if (s.ok) expectClose(s.value, plain(big.reference(big.inputs(1, bursts[b]![i]!))));
  }));
});
