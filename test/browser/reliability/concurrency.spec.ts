/**
 * Work on two models of one engine at the same time: loads that overlap, and runs on one model
 * while another loads. A real page does both (a second model loads while the first serves, and
 * a worker restart reloads every resident model at once). Every call is bounded (timeoutMs) and
 * the worker must still answer `info()` afterwards — a wedged worker is a hang.
 */
import { test, expect, plain, expectClose } from '../fixtures.ts';
import { getTestModel } from '../../../tools/models/index.ts';
import { report } from './helpers.ts';

const NAMES = ['mlp', 'embed-topk', 'multi-io'] as const;

test('three models loaded at the same time all load and answer; the worker stays responsive', async ({ openHarness, page }, info) => {
  test.setTimeout(240_000);
  await openHarness();
  const feeds = Object.fromEntries(NAMES.map((n) => [n, plain(getTestModel(n).inputs(2, 300))]));
  const r = await page.evaluate(async ({ names, feeds }) => {
    const { harness } = window;
    // Bounded, but generously: on the WebGPU build the three loads run one after another (one
    // ORT runtime), each measuring both backends on SwiftShader — tens of seconds on a busy machine.
    const engine = await window.inpage.createEngine({ timeoutMs: 90_000 });
    const t0 = performance.now();
    const doneAt: number[] = [];
    const loads = await Promise.all(names.map((n, i) => harness.settle(() => engine.load({ url: `models/${n}.onnx` })).then((r) => { doneAt[i] = Math.round(performance.now() - t0); return r; })));
    const loadMs = performance.now() - t0;
    const outs: Record<string, unknown> = {};
    for (const [i, n] of names.entries()) {
      const l = loads[i]!;
      outs[n] = l.ok ? await harness.settle(async () => harness.fromTensors(await l.value.run(harness.toTensors(feeds[n]!)))) : 'not loaded';
    }
    const alive = await harness.settle(async () => (await engine.info()).backend);
    await engine.dispose();
    return { loads: loads.map((l, i) => (l.ok ? { ok: true, backend: l.value.backend, doneAtMs: doneAt[i] } : l)), outs, alive, loadMs };
  }, { names: [...NAMES], feeds });
  r.loads.forEach((l, i) => expect(l.ok, `load of ${NAMES[i]}: ${JSON.stringify(l).slice(0, 300)}`).toBe(true));
  for (const n of NAMES) {
    const out = r.outs[n] as { ok: boolean; value: Parameters<typeof expectClose>[0] };
    expect(out.ok, `${n}: ${JSON.stringify(out).slice(0, 300)}`).toBe(true);
    expectClose(out.value, plain(getTestModel(n).reference(getTestModel(n).inputs(2, 300))), 1e-4);
  }
  expect(r.alive.ok, `info() after the loads: ${JSON.stringify(r.alive)}`).toBe(true);
  report(info, 'concurrent-loads', { loadMs: Math.round(r.loadMs), loads: r.loads });
});

test('a model keeps answering correctly while another model loads', async ({ openHarness, page }, info) => {
  test.setTimeout(120_000);
  await openHarness();
  const mlp = getTestModel('mlp');
  const big = getTestModel('big-mlp');
  const feeds = plain(mlp.inputs(1, 310));
  const bigFeeds = plain(big.inputs(1, 311));
  const r = await page.evaluate(async ({ feeds, bigFeeds }) => {
    const { harness } = window;
    // measure: false so the first model stays on the project's preferred backend.
    const engine = await window.inpage.createEngine({ timeoutMs: 60_000, measure: false });
    const a = await engine.load({ url: 'models/mlp.onnx' });
    let stop = false;
    const results: Awaited<ReturnType<typeof harness.settle>>[] = [];
    const loop = (async () => {
      while (!stop && results.length < 2000) {
        const res = await harness.settle(async () => harness.fromTensors(await a.run(harness.toTensors(feeds))));
        results.push(res);
        if (!res.ok) break;
      }
    })();
    const b = await harness.settle(async () => {
      const m = await engine.load({ url: 'models/big-mlp.onnx' });
      return { backend: m.backend, out: harness.fromTensors(await m.run(harness.toTensors(bigFeeds))) };
    });
    stop = true;
    await loop;
    const alive = await harness.settle(async () => (await engine.info()).backend);
    await engine.dispose();
    return { aBackend: a.backend, results, b, alive };
  }, { feeds, bigFeeds });
  const want = plain(mlp.reference(mlp.inputs(1, 310)));
  const failed = r.results.filter((x) => !x.ok);
  expect(failed, 'runs that failed while the other model loaded').toEqual([]);
  for (const x of r.results) if (x.ok) expectClose(x.value as Parameters<typeof expectClose>[0], want, 1e-4);
  expect(r.b.ok, JSON.stringify(r.b).slice(0, 300)).toBe(true);
  if (r.b.ok) expectClose(r.b.value.out, plain(big.reference(big.inputs(1, 311))), 1e-4);
  expect(r.alive.ok, `info() afterwards: ${JSON.stringify(r.alive)}`).toBe(true);
  report(info, 'run-during-load', { runsDuringLoad: r.results.length, aBackend: r.aBackend });
});
