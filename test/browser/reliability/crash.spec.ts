/**
 * Worker crashes beyond engine.spec.ts's single-model case: with several models resident
 * (from URLs and from bytes) every one is reloaded — once — into the fresh worker; a crash
 * during `engine.load` (download or compile) and during the transparent reload itself rejects
 * with WORKER_CRASHED and leaves the engine usable.
 */
import { test, expect, plain, expectClose } from '../fixtures.ts';
import { getTestModel } from '../../../tools/models/index.ts';
import { countPath, logRequests, report } from './helpers.ts';

const NAMES = ['mlp', 'embed-topk', 'multi-io'] as const;
const byName = Object.fromEntries(NAMES.map((n) => [n, getTestModel(n)]));
const big = getTestModel('big-mlp');

for (const how of ['throw', 'close', 'kill'] as const) {
  test(`crash (${how}) with four models resident: in-flight calls reject, every model is reloaded once and answers correctly`, async ({ openHarness, page }, info) => {
    test.setTimeout(300_000);
    const seen = logRequests(page);
    await openHarness();
    const feeds = Object.fromEntries([...NAMES.map((n) => [n, plain(byName[n]!.inputs(2, 40))]), ['big-mlp', plain(big.inputs(2, 40))]]);
    const r = await page.evaluate(async ({ how, names, feeds }) => {
      const { harness } = window;
      // Bounded: a wedged worker shows up as TIMEOUT, not as a test timeout. Generous: on the
      // WebGPU build the four reloads share one ORT runtime and finish together.
      const engine = await window.inpage.createEngine({ testHooks: true, timeoutMs: 90_000 });
      const hooks = engine.testHooks!;
      const models: Record<string, Awaited<ReturnType<typeof engine.load>>> = {};
      // cache: false, so every reload is a download we can count (the model cache would serve it).
      for (const n of names) models[n] = await engine.load({ url: `models/${n}.onnx` }, { cache: false });
      const bytes = await (await fetch('models/big-mlp.onnx')).arrayBuffer();
      models['big-mlp'] = await engine.load({ bytes });
      const before = hooks.workerId();
      await hooks.send({ type: 'delay-runs', ms: 5000 });
      const inflight = Object.entries(models).map(([n, m]) => harness.settle(() => m.run(harness.toTensors(feeds[n]!))));
      await new Promise((res) => setTimeout(res, 50));
      const t0 = performance.now();
      if (how === 'kill') hooks.killWorker(); else await hooks.send({ type: 'crash', how });
      const crashed = await Promise.all(inflight);
      const rejectMs = performance.now() - t0;
      // Three concurrent callers per model right after the crash: one reload each, all answered.
      const after = await Promise.all(Object.entries(models).flatMap(([n, m]) => [0, 1, 2].map(async () => ({
        n, r: await harness.settle(async () => harness.fromTensors(await m.run(harness.toTensors(feeds[n]!)))),
      }))));
      const res = { crashed, rejectMs, after, before, afterId: hooks.workerId(), backends: Object.fromEntries(Object.entries(models).map(([n, m]) => [n, m.backend])) };
      await engine.dispose();
      return res;
    }, { how, names: [...NAMES], feeds });

    for (const c of r.crashed) expect(c).toMatchObject({ ok: false, error: { code: 'WORKER_CRASHED', isInpageError: true } });
    expect(r.rejectMs, 'in-flight calls settle within a second of the crash').toBeLessThan(1000);
    expect(r.afterId).not.toBe(r.before);
    expect(r.after).toHaveLength(12);
    for (const { n, r: out } of r.after) {
      expect(out.ok, `${n}: ${JSON.stringify(out).slice(0, 300)}`).toBe(true);
      const model = n === 'big-mlp' ? big : byName[n]!;
      if (out.ok) expectClose(out.value, plain(model.reference(model.inputs(2, 40))), 1e-4);
    }
    // Each URL model: fetched at load and once more for the fresh worker, however many callers.
    for (const n of NAMES) expect(countPath(seen, `/models/${n}.onnx`), `${n} downloads`).toBe(2);
    // The bytes model is refilled from the page's copy: only the harness's own fetch of it.
    expect(countPath(seen, '/models/big-mlp.onnx')).toBe(1);
    report(info, `crash-${how}-four-models`, { rejectMs: Math.round(r.rejectMs), backends: r.backends });
  });
}

test('crash while engine.load downloads: the load rejects with WORKER_CRASHED; resident models and later loads work', async ({ openHarness, page }, info) => {
  await openHarness();
  const mlp = byName['mlp']!;
  const emb = byName['embed-topk']!;
  const feeds = { mlp: plain(mlp.inputs(1, 7)), emb: plain(emb.inputs(1, 7)) };
  const r = await page.evaluate(async (feeds) => {
    const { harness } = window;
    const engine = await window.inpage.createEngine({ testHooks: true });
    const hooks = engine.testHooks!;
    const resident = await engine.load({ url: 'models/mlp.onnx' });
    const phases: string[] = [];
    const loading = harness.settle(() => engine.load({ url: '__fault/slow/3000/models/embed-topk.onnx' }, { onProgress: (p) => phases.push(p.phase) }));
    await new Promise((res) => setTimeout(res, 300));
    const t0 = performance.now();
    await hooks.send({ type: 'crash', how: 'throw' });
    const load = await loading;
    const rejectMs = performance.now() - t0;
    const residentOut = await harness.settle(async () => harness.fromTensors(await resident.run(harness.toTensors(feeds.mlp))));
    const again = await harness.settle(async () => {
      const m = await engine.load({ url: 'models/embed-topk.onnx' });
      return harness.fromTensors(await m.run(harness.toTensors(feeds.emb)));
    });
    await engine.dispose();
    return { load, rejectMs, phases, residentOut, again };
  }, feeds);
  expect(r.load).toMatchObject({ ok: false, error: { code: 'WORKER_CRASHED', isInpageError: true } });
  expect(r.phases, 'the crash came before the download finished').not.toContain('ready');
  expect(r.rejectMs).toBeLessThan(1000);
  expect(r.residentOut.ok, JSON.stringify(r.residentOut).slice(0, 300)).toBe(true);
  if (r.residentOut.ok) expectClose(r.residentOut.value, plain(mlp.reference(mlp.inputs(1, 7))));
  expect(r.again.ok, JSON.stringify(r.again).slice(0, 300)).toBe(true);
  if (r.again.ok) expectClose(r.again.value, plain(emb.reference(emb.inputs(1, 7))));
  report(info, 'crash-during-load-download', { rejectMs: Math.round(r.rejectMs) });
});

test('crash while engine.load compiles (first session: ORT runtime import + wasm compile): WORKER_CRASHED, then a fresh load works', async ({ openHarness, page }, info) => {
  await openHarness();
  const mlp = byName['mlp']!;
  const feeds = plain(mlp.inputs(3, 8));
  const r = await page.evaluate(async (feeds) => {
    const { harness } = window;
    const engine = await window.inpage.createEngine({ testHooks: true });
    const hooks = engine.testHooks!;
    let killedAt = -1;
    const load = await harness.settle(() => engine.load({ url: 'models/big-mlp.onnx' }, {
      onProgress: (p) => { if (p.phase === 'compile' && killedAt < 0) { killedAt = performance.now(); hooks.killWorker(); } },
    }));
    const rejectMs = performance.now() - killedAt;
    const next = await harness.settle(async () => {
      const m = await engine.load({ url: 'models/mlp.onnx' });
      return harness.fromTensors(await m.run(harness.toTensors(feeds)));
    });
    await engine.dispose();
    return { load, rejectMs, killed: killedAt >= 0, next };
  }, feeds);
  expect(r.killed, 'the compile phase was reported').toBe(true);
  expect(r.load).toMatchObject({ ok: false, error: { code: 'WORKER_CRASHED', isInpageError: true } });
  expect(r.rejectMs).toBeLessThan(1000);
  expect(r.next.ok, JSON.stringify(r.next).slice(0, 300)).toBe(true);
  if (r.next.ok) expectClose(r.next.value, plain(mlp.reference(mlp.inputs(3, 8))));
  report(info, 'crash-during-load-compile', { rejectMs: Math.round(r.rejectMs) });
});

test('crash during the transparent reload after a crash: the run rejects with WORKER_CRASHED, the next run reloads and answers', async ({ openHarness, page }, info) => {
  const seen = logRequests(page);
  await openHarness();
  const mlp = byName['mlp']!;
  const feeds = plain(mlp.inputs(2, 9));
  const url = '/__fault/slow/3000/models/mlp.onnx';
  await page.evaluate(async (feeds) => {
    const { harness } = window;
    const engine = await window.inpage.createEngine({ testHooks: true });
    // Served slowly every time, so the reload into a fresh worker is still downloading when hit.
    const m = await engine.load({ url: '__fault/slow/3000/models/mlp.onnx' }, { cache: false });
    engine.testHooks!.killWorker();
    const reloadRun = harness.settle(() => m.run(harness.toTensors(feeds)));
    Object.assign(window, { crashTest: { engine, m, reloadRun } });
  }, feeds);
  // Kill the second worker once its reload download has reached the server, not after a fixed
  // timer: on a loaded machine a 500 ms page timer fired after the whole reload had finished.
  await expect.poll(() => countPath(seen, url), { timeout: 30_000 }).toBe(2);
  const r = await page.evaluate(async (feeds) => {
    const { harness } = window;
    const { engine, m, reloadRun } = (window as unknown as { crashTest: {
      engine: Awaited<ReturnType<typeof window.inpage.createEngine>>;
      m: Awaited<ReturnType<Awaited<ReturnType<typeof window.inpage.createEngine>>['load']>>;
      reloadRun: ReturnType<typeof harness.settle>;
    } }).crashTest;
    const t0 = performance.now();
    engine.testHooks!.killWorker();
    const first = await reloadRun;
    const rejectMs = performance.now() - t0;
    const second = await harness.settle(async () => harness.fromTensors(await m.run(harness.toTensors(feeds))));
    await engine.dispose();
    return { first, rejectMs, second };
  }, feeds);
  expect(r.first).toMatchObject({ ok: false, error: { code: 'WORKER_CRASHED', isInpageError: true } });
  expect(r.rejectMs).toBeLessThan(1000);
  expect(r.second.ok, JSON.stringify(r.second).slice(0, 300)).toBe(true);
  if (r.second.ok) expectClose(r.second.value, plain(mlp.reference(mlp.inputs(2, 9))));
  // load + interrupted reload + successful reload
  expect(countPath(seen, url)).toBe(3);
  report(info, 'crash-during-reload', { rejectMs: Math.round(r.rejectMs) });
});
