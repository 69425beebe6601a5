/**
 * Bad inputs beyond engine.spec.ts's seven cases: missing and extra inputs, every dtype mix-up
 * on a model with seven input dtypes, invalid dims, a feed reused after its buffer was
 * transferred, NaN/±Infinity under `rejectNonFinite` (float32 and float16 bits), the
 * `maxInputElements` cap at and over its edge. All reject with INPUT_INVALID and the same worker
 * then answers correctly. Also: a request the model itself refuses (out-of-range ids) does not
 * sink the requests batched with it.
 */
import { test, expect, plain, expectClose } from '../fixtures.ts';
import { getTestModel } from '../../../tools/models/index.ts';
import { report } from './helpers.ts';

const mlp = getTestModel('mlp');
const multi = getTestModel('multi-io');
const emb = getTestModel('embed-topk');

test('wrong names, dtypes, shapes, non-finite values and oversized inputs reject with INPUT_INVALID; the worker stays healthy', async ({ openHarness, page }, info) => {
  await openHarness();
  const feeds = { mlp: plain(mlp.inputs(3, 500)), multi: plain(multi.inputs(2, 501)) };
  const W = multi.inputSpecs[0]!.dims[1] as number;
  const r = await page.evaluate(async ({ feeds, W }) => {
    const { harness } = window;
    const T = harness.toTensors;
    // Cap: 3 rows of mlp (192 elements) pass, 4 rows do not. multi-io with 2 rows holds 7 × 2 × W.
    const engine = await window.inpage.createEngine({ testHooks: true, rejectNonFinite: true, maxInputElements: 192, backend: 'wasm' });
    const loose = await window.inpage.createEngine({ backend: 'wasm' });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const mLoose = await loose.load({ url: 'models/mlp.onnx' });
    const mm = await loose.load({ url: 'models/multi-io.onnx' });
    const strict = await window.inpage.createEngine({ rejectNonFinite: true, backend: 'wasm' });
    const mmStrict = await strict.load({ url: 'models/multi-io.onnx' });
    const id0 = engine.testHooks!.workerId();
    const f32 = (n: number, v = 0.5) => new Float32Array(n).fill(v);
    const x = (dims: number[], data: unknown = f32(dims.reduce((a, b) => a * b, 1))) => ({ x: { type: 'float32', dims, data } });
    const multiWith = (name: string, patch: Record<string, unknown> | null) => {
      const t = T(feeds.multi) as Record<string, unknown>;
      if (patch === null) delete t[name]; else t[name] = { ...(t[name] as object), ...patch };
      return t;
    };
    const reused = T(feeds.mlp);
    await m.run(reused); // transfers reused.x.data to the worker: its buffer is now detached
    const cases: Record<string, [typeof m, unknown]> = {
      missing: [m, {}],
      extra: [m, { ...x([1, 64]), y: x([1, 64]).x }],
      float64Array: [m, x([1, 64], new Float64Array(64))],
      int32Type: [m, { x: { type: 'int32', dims: [1, 64], data: new Int32Array(64) } }],
      unknownType: [m, { x: { type: 'float64', dims: [1, 64], data: new Float64Array(64) } }],
      plainArray: [m, x([1, 64], Array.from({ length: 64 }, () => 0))],
      rank1: [m, x([64])],
      rank3: [m, x([1, 1, 64])],
      dim65: [m, x([1, 65])],
      negativeDim: [m, x([-1, 64], f32(64))],
      fractionalDim: [m, x([1.5, 64], f32(96))],
      nanDim: [m, x([NaN, 64], f32(64))],
      stringDims: [m, x(['1', '64'] as unknown as number[], f32(64))],
      lengthShort: [m, x([2, 64], f32(64))],
      lengthLong: [m, x([1, 64], f32(65))],
      reusedAfterTransfer: [m, reused],
      nullTensor: [m, { x: null }],
      feedsArray: [m, [x([1, 64]).x]],
      feedsNull: [m, null],
      nan: [m, x([1, 64], f32(64).fill(NaN, 10, 11))],
      posInf: [m, x([1, 64], f32(64).fill(Infinity, 63))],
      negInf: [m, x([1, 64], f32(64).fill(-Infinity, 0, 1))],
      overCap: [m, x([4, 64])],
      multiMissingOne: [mm, multiWith('s', null)],
      multiInt64AsInt32: [mm, multiWith('c', { data: new Int32Array(2 * W) })],
      multiBoolAsInt8: [mm, multiWith('m', { data: new Int8Array(2 * W) })],
      multiFloat16AsFloat32: [mm, multiWith('h', { data: new Float32Array(2 * W) })],
      multiBatchMismatchIsModelError: [mm, multiWith('u', { dims: [3, W], data: new Uint8Array(3 * W) })],
      multiF16NaN: [mmStrict, multiWith('h', { data: new Uint16Array(2 * W).fill(0x7e00) })],
      multiF16Inf: [mmStrict, multiWith('h', { data: new Uint16Array(2 * W).fill(0xfc00, 5, 6) })],
    };
    const out: Record<string, unknown> = {};
    for (const [k, [model, f]] of Object.entries(cases)) out[k] = await harness.settle(() => model.run(f as never));
    // Healthy afterwards: at the cap, and NaN on an engine that allows it.
    const atCap = harness.fromTensors(await m.run(T(feeds.mlp)));
    const nanAllowed = harness.fromTensors(await mLoose.run(x([1, 64], f32(64).fill(NaN, 3, 4)) as never));
    const multiOk = harness.fromTensors(await mm.run(T(feeds.multi)));
    const id1 = engine.testHooks!.workerId();
    for (const e of [engine, loose, strict]) await e.dispose();
    return { out, atCap, nanAllowed, multiOk, sameWorker: id0 === id1 };
  }, { feeds, W });
  const codes: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.out)) {
    const res = v as { ok: boolean; error?: { code: string } };
    codes[k] = res.ok ? 'resolved' : res.error!.code;
    // Batch sizes that disagree between inputs pass the declared shapes ('batch' is symbolic)
    // and are refused by ORT itself: a typed RUN_FAILED.
    const want = k === 'multiBatchMismatchIsModelError' ? 'RUN_FAILED' : 'INPUT_INVALID';
    expect(v, `${k}: ${JSON.stringify(v).slice(0, 300)}`).toMatchObject({ ok: false, error: { isInpageError: true, code: want } });
  }
  expect((r.out['reusedAfterTransfer'] as { error: { message: string } }).error.message).toMatch(/need 192 elements, data has 0/);
  expect((r.out['overCap'] as { error: { message: string } }).error.message).toMatch(/256 elements, over the cap of 192/);
  expect((r.out['nan'] as { error: { message: string } }).error.message).toMatch(/NaN or Infinity/);
  expectClose(r.atCap, plain(mlp.reference(mlp.inputs(3, 500))));
  expect(r.nanAllowed['probs']!.data.every((v) => Number.isNaN(v as number)), 'NaN propagates when allowed').toBe(true);
  expectClose(r.multiOk, plain(multi.reference(multi.inputs(2, 501))));
  expect(r.sameWorker).toBe(true);
  report(info, 'input-faults', { codes });
});

test('input values that are not plain data (BigInt dims, a prototype key as the type) still reject with INPUT_INVALID', async ({ openHarness, page }) => {
  await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine({ backend: 'wasm' });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const data = new Float32Array(64);
    const cases: Record<string, unknown> = {
      // Shapes read from int64 tensors arrive as BigInt; an easy mistake to pass them on.
      bigintDims: { x: { type: 'float32', dims: [1n, 64n], data } },
      bigintType: { x: { type: 1n, dims: [1, 64], data } },
      // Names that exist on every object's prototype.
      typeConstructor: { x: { type: 'constructor', dims: [1, 64], data } },
      typeToString: { x: { type: 'toString', dims: [1, 64], data } },
      typeProto: { x: { type: '__proto__', dims: [1, 64], data } },
    };
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(cases)) out[k] = await window.harness.settle(() => m.run(f as never));
    const ok = (await m.run({ x: { type: 'float32', dims: [1, 64], data: new Float32Array(64) } }))['probs']?.dims;
    await engine.dispose();
    return { out, ok };
  });
  const got = Object.fromEntries(Object.entries(r.out).map(([k, v]) => {
    const res = v as { ok: boolean; error?: { isInpageError: boolean; code?: string; name: string; message: string } };
    return [k, res.ok ? 'resolved' : res.error!.isInpageError ? res.error!.code : `${res.error!.name}: ${res.error!.message}`];
  }));
  expect(got).toEqual(Object.fromEntries(Object.keys(r.out).map((k) => [k, 'INPUT_INVALID'])));
  expect(r.ok).toEqual([1, 8]);
});

test('a request the model refuses (ids out of range) fails alone: the requests batched with it get their own results', async ({ openHarness, page }, info) => {
  await openHarness();
  const good = [0, 1, 2, 3, 4, 5].map((s) => plain(emb.inputs(1 + (s % 2), 510 + s)));
  const r = await page.evaluate(async (good) => {
    const { harness } = window;
    // WASM on both projects: the CPU Gather bounds-checks ids (a GPU gather need not).
    const engine = await window.inpage.createEngine({ backend: 'wasm', testHooks: true });
    const m = await engine.load({ url: 'models/embed-topk.onnx' }, { batch: { maxBatch: 64, maxWaitMs: 20 } });
    const bad = { ids: { type: 'int64' as const, dims: [1, 4], data: new BigInt64Array([1n, 2n, 100000n, 3n]) } };
    const calls = [...good.slice(0, 3).map((g) => ({ g })), { g: null }, ...good.slice(3).map((g) => ({ g }))];
    const results = await Promise.all(calls.map(({ g }) => harness.settle(async () => harness.fromTensors(await m.run(g ? harness.toTensors(g) : bad)))));
    const id = engine.testHooks!.workerId();
    const after = await harness.settle(async () => harness.fromTensors(await m.run(harness.toTensors(good[0]!))));
    const sameWorker = engine.testHooks!.workerId() === id;
    await engine.dispose();
    return { results, after, sameWorker, batching: m.batching.enabled };
  }, good);
  expect(r.batching).toBe(true);
  const refused = r.results[3]!;
  expect(refused, JSON.stringify(refused).slice(0, 300)).toMatchObject({ ok: false, error: { isInpageError: true, code: 'RUN_FAILED' } });
  const goods = [...r.results.slice(0, 3), ...r.results.slice(4)];
  goods.forEach((g, i) => {
    expect(g.ok, `good request ${i}: ${JSON.stringify(g).slice(0, 300)}`).toBe(true);
    if (g.ok) expectClose(g.value, plain(emb.reference(emb.inputs(1 + (i % 2), 510 + i))), 1e-4);
  });
  expect(r.after.ok).toBe(true);
  expect(r.sameWorker).toBe(true);
  report(info, 'poisoned-batch', { refused: refused.ok ? null : refused.error.message.slice(0, 200) });
});
