/**
 * engine.pipeline() in real Chromium, on this project's backend (WASM without a WebGPU adapter,
 * WebGPU on SwiftShader in the other project): tiny BERT fixtures in the Hugging Face layout,
 * served by the test server and reached through transformers.js' hub code path (`modelHost`),
 * against the JS reference of their weights; one ORT; lazy import; batching; model cache;
 * progress; typed errors.
 */
import { test, expect } from './fixtures.ts';
import { hfFixture, hfFixtures } from './pipeline-fixtures.ts';
import { meanPool, softmax } from '../../tools/encoder/tiny-bert.ts';

const TEXTS = ['A light dome tent for two people.', 'warm', 'Terrible zip, it broke on the first night!', 'Ünïcode and unknownwords 10°C'];

test.beforeAll(async () => { await hfFixtures(); });
// SwiftShader WebGPU compiles every shader on the CPU, and these machines are shared.
test.beforeEach(() => { test.slow(); });

function close(got: readonly number[], want: readonly number[], tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => { if (Math.abs(g - want[i]!) > tol) throw new Error(`[${i}]: got ${g}, want ${want[i]} (tol ${tol})`); });
}

test('feature-extraction through the hub code path equals the JS reference; one ORT; transformers only on first use', async ({ openHarness, expectedBackend }) => {
  const fe = await hfFixture('feature-extraction');
  const page = await openHarness();
  // Playwright reports the requests of the page's dedicated workers too.
  const requests: string[] = [];
  const hosts = new Set<string>();
  page.on('request', (req) => { requests.push(new URL(req.url()).pathname); hosts.add(new URL(req.url()).host); });
  await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    // An ONNX model first: its ORT is the one transformers.js must reuse.
    const m = await engine.load({ url: 'models/mlp.onnx' });
    await m.run({ x: { type: 'float32', dims: [1, 64], data: new Float32Array(64) } });
    (window as unknown as { engine: typeof engine }).engine = engine;
  });
  // Lazy: nothing of transformers.js before the first pipeline() call.
  expect(requests.filter((u) => /transformers/.test(u))).toEqual([]);
  const r = await page.evaluate(async ({ id, texts }) => {
    const engine = (window as unknown as { engine: Awaited<ReturnType<typeof window.inpage.createEngine>> }).engine;
    const progress: string[] = [];
    const embed = await engine.pipeline('feature-extraction', id, { modelHost: '/hf/', onProgress: (p) => progress.push(p.phase) });
    const mean = await embed(texts, { pooling: 'mean', normalize: true });
    const cls = await embed(texts[0]!, { pooling: 'cls' });
    const none = await embed(texts[1]!);
    const info = { backend: embed.backend, dtype: embed.dtype, task: embed.task, files: embed.files, batching: embed.batching, reason: embed.reason };
    await embed.dispose();
    await engine.dispose();
    const plain = (t: { dims: readonly number[]; data: ArrayLike<number> }) => ({ dims: [...t.dims], data: Array.from(t.data) });
    return { mean: plain(mean as never), cls: plain(cls as never), none: plain(none as never), info, progress };
  }, { id: fe.id, texts: TEXTS });
  expect(requests.filter((u) => /transformers/.test(u))).toHaveLength(1);
  expect(r.info.backend).toBe(expectedBackend);
  expect(r.info.dtype).toBe('fp32'); // from the fixture's transformers.js_config
  expect(r.info.task).toBe('feature-extraction');
  expect(r.info.files.map((f) => f.url.replace(/^https?:\/\/[^/]+/, '')).sort()).toEqual([
    `/hf/${fe.id}/config.json`, `/hf/${fe.id}/onnx/model.onnx`, `/hf/${fe.id}/tokenizer.json`, `/hf/${fe.id}/tokenizer_config.json`,
  ]);
  expect(r.progress[0]).toBe('download');
  expect(r.progress).toContain('compile');
  expect(r.progress.at(-1)).toBe('ready');
  expect(r.mean.dims).toEqual([TEXTS.length, fe.hidden]);
  TEXTS.forEach((t, i) => close(r.mean.data.slice(i * fe.hidden, (i + 1) * fe.hidden), meanPool(fe.reference(t).hidden, true)));
  expect(r.cls.dims).toEqual([1, fe.hidden]);
  close(r.cls.data, fe.reference(TEXTS[0]!).hidden[0]!);
  const tokens = fe.reference(TEXTS[1]!).hidden;
  expect(r.none.dims).toEqual([1, tokens.length, fe.hidden]);
  close(r.none.data, tokens.flat());
  // One ORT: one runtime .wasm, fetched once, for the ONNX model and the pipeline together;
  // never a CDN.
  const wasm = requests.filter((u) => /\.wasm$/.test(u)).map((u) => u.replace(/-[\w-]{8}\.wasm$/, '.wasm'));
  expect(wasm).toEqual([expectedBackend === 'webgpu' ? '/assets/ort-wasm-simd-threaded.asyncify.wasm' : '/assets/ort-wasm-simd-threaded.wasm']);
  expect([...hosts]).toEqual([new URL(page.url()).host]);
});

test('concurrent calls are batched where the task allows; every caller gets its own rows', async ({ openHarness }) => {
  const fe = await hfFixture('feature-extraction');
  const sent = await hfFixture('sentiment');
  const page = await openHarness();
  const texts = Array.from({ length: 24 }, (_, i) => `${TEXTS[i % TEXTS.length]} ${'tent '.repeat(i % 5)}`.trim());
  const r = await page.evaluate(async ({ fe, sent, texts }) => {
    const engine = await window.inpage.createEngine();
    const embed = await engine.pipeline('feature-extraction', fe, { modelHost: '/hf/' });
    const classify = await engine.pipeline('text-classification', sent, { modelHost: '/hf/' });
    const batchSizes: number[] = [];
    engine.on('inference', (e) => batchSizes.push(e.batchSize));
    const vecs = await Promise.all(texts.map((t, i) => embed(i % 6 === 5 ? [t, t] : t, { pooling: 'mean', normalize: true })));
    const labels = await Promise.all(texts.map((t, i) => classify(t, { top_k: i % 2 === 0 ? 1 : 2 })));
    const unbatched = await engine.pipeline('feature-extraction', fe, { modelHost: '/hf/', batch: false });
    const mark = batchSizes.length;
    await Promise.all(texts.slice(0, 4).map((t) => unbatched(t, { pooling: 'mean' })));
    const out = {
      vecs: vecs.map((v) => ({ dims: [...v.dims], data: Array.from(v.data as Float32Array) })), labels, batchSizes: batchSizes.slice(0, mark), solo: batchSizes.slice(mark),
      batching: embed.batching, unbatchedReason: unbatched.batching.reason, stats: engine.stats(),
    };
    await engine.dispose();
    return out;
  }, { fe: fe.id, sent: sent.id, texts });
  expect(r.batching.enabled).toBe(true);
  expect(Math.max(...r.batchSizes)).toBeGreaterThan(1);
  expect(r.stats.meanBatchSize).toBeGreaterThan(1);
  expect(r.solo).toEqual([1, 1, 1, 1]);
  expect(r.unbatchedReason).toBe('batching disabled by the caller');
  texts.forEach((t, i) => {
    const want = meanPool(fe.reference(t).hidden, true);
    const v = r.vecs[i]!;
    expect(v.dims).toEqual([i % 6 === 5 ? 2 : 1, fe.hidden]);
    close(v.data.slice(0, fe.hidden), want);
    const probs = softmax(sent.reference(t).logits);
    const order = probs.map((p, j) => [p, j] as const).sort((a, b) => b[0] - a[0]);
    const got = r.labels[i] as { label: string; score: number }[];
    expect(got.length).toBe(i % 2 === 0 ? 1 : 2);
    got.forEach((g, j) => {
      expect(g.label).toBe(sent.labels[order[j]![1]]);
      expect(Math.abs(g.score - order[j]![0])).toBeLessThan(1e-4);
    });
  });
});

test('text-classification and zero-shot-classification equal the JS reference', async ({ openHarness, expectedBackend }) => {
  const sent = await hfFixture('sentiment');
  const nli = await hfFixture('nli');
  const page = await openHarness();
  const labels = ['camping', 'cooking', 'bad weather'];
  const r = await page.evaluate(async ({ sent, nli, texts, labels }) => {
    const engine = await window.inpage.createEngine();
    const classify = await engine.pipeline('text-classification', sent, { modelHost: '/hf/' });
    const zs = await engine.pipeline('zero-shot-classification', nli, { modelHost: `${location.origin}/hf/{model}/` });
    const out = {
      one: await classify(texts[0]!),
      all: await classify(texts, { top_k: null }),
      zs: await zs(texts[0]!, labels),
      zsMulti: await zs(texts.slice(0, 2), labels, { multi_label: true, hypothesis_template: 'It is about {}.' }),
      zsBatching: zs.batching, backend: zs.backend,
    };
    await engine.dispose();
    return out;
  }, { sent: sent.id, nli: nli.id, texts: TEXTS, labels });
  expect(r.backend).toBe(expectedBackend);
  const probs = (t: string) => softmax(sent.reference(t).logits);
  const p0 = probs(TEXTS[0]!);
  const best = p0[0]! >= p0[1]! ? 0 : 1;
  expect(r.one).toHaveLength(1);
  expect((r.one as { label: string }[])[0]!.label).toBe(sent.labels[best]);
  expect(Math.abs((r.one as { score: number }[])[0]!.score - p0[best]!)).toBeLessThan(1e-4);
  expect(r.all).toHaveLength(TEXTS.length);
  (r.all as { label: string; score: number }[][]).forEach((list, i) => {
    const p = probs(TEXTS[i]!);
    expect(list).toHaveLength(2);
    for (const { label, score } of list) expect(Math.abs(score - p[sent.labels.indexOf(label)]!)).toBeLessThan(1e-4);
  });
  // transformers.js: entailment logit per label, softmax across labels (or per label with multi_label).
  const entail = nli.labels.indexOf('entailment');
  const contra = nli.labels.indexOf('contradiction');
  const single = softmax(labels.map((l) => nli.reference(TEXTS[0]!, `This example is ${l}.`).logits[entail]!));
  const zs = r.zs as { sequence: string; labels: string[]; scores: number[] };
  expect(zs.sequence).toBe(TEXTS[0]);
  expect([...zs.scores]).toEqual([...zs.scores].sort((a, b) => b - a));
  zs.labels.forEach((l, i) => expect(Math.abs(zs.scores[i]! - single[labels.indexOf(l)]!)).toBeLessThan(1e-4));
  const multi = r.zsMulti as { sequence: string; labels: string[]; scores: number[] }[];
  expect(multi).toHaveLength(2);
  multi.forEach((m, t) => m.labels.forEach((l, i) => {
    const lg = nli.reference(TEXTS[t]!, `It is about ${l}.`).logits;
    expect(Math.abs(m.scores[i]! - softmax([lg[contra]!, lg[entail]!])[1]!)).toBeLessThan(1e-4);
  }));
  expect(r.zsBatching.enabled).toBe(false);
});

test('model cache: a second engine builds the pipeline with zero network bytes', async ({ openHarness }) => {
  const fe = await hfFixture('feature-extraction');
  const page = await openHarness();
  const r = await page.evaluate(async (id) => {
    const first = await window.inpage.createEngine();
    await first.cache.clear();
    const a = await first.pipeline('feature-extraction', id, { modelHost: '/hf/' });
    const va = Array.from((await a('warm', { pooling: 'mean' })).data as Float32Array);
    // The cache write runs in the background after the load; wait for it.
    let listed: string[] = [];
    for (let i = 0; i < 100 && listed.length < 4; i++) {
      listed = (await first.cache.list()).map((e) => e.url).filter((u) => u.includes(`/hf/${id}/`));
      if (listed.length < 4) await new Promise((res) => setTimeout(res, 50));
    }
    await first.dispose();
    const second = await window.inpage.createEngine();
    const progress: { phase: string; fromCache?: boolean }[] = [];
    const b = await second.pipeline('feature-extraction', id, { modelHost: '/hf/', onProgress: (p) => progress.push(p) });
    const vb = Array.from((await b('warm', { pooling: 'mean' })).data as Float32Array);
    const out = { listed: listed.sort(), files: b.files, stats: second.stats(), same: JSON.stringify(va) === JSON.stringify(vb), progress };
    const off = await second.pipeline('feature-extraction', id, { modelHost: '/hf/', cache: false });
    const noCache = off.files.map((f) => f.source);
    await second.cache.clear();
    await second.dispose();
    return { ...out, noCache };
  }, fe.id);
  expect(r.listed.map((u) => u.replace(/^https?:\/\/[^/]+/, ''))).toEqual([
    `/hf/${fe.id}/config.json`, `/hf/${fe.id}/onnx/model.onnx`, `/hf/${fe.id}/tokenizer.json`, `/hf/${fe.id}/tokenizer_config.json`,
  ]);
  expect(r.files.every((f) => f.source === 'cache-storage')).toBe(true);
  expect(r.stats.bytesDownloaded).toBe(0);
  expect(r.stats.bytesFromCache).toBeGreaterThan(0);
  expect(r.same).toBe(true);
  expect(r.progress.filter((p) => p.phase === 'download').every((p) => p.fromCache === true)).toBe(true);
  expect(r.noCache.every((s) => s === 'network')).toBe(true);
});

test('typed errors: missing model, unknown task, bad options and input, abort, timeout, dispose', async ({ openHarness, expectedBackend }) => {
  const fe = await hfFixture('feature-extraction');
  const page = await openHarness();
  const r = await page.evaluate(async (id) => {
    const { settle } = window.harness;
    const engine = await window.inpage.createEngine();
    const out: Record<string, unknown> = {};
    const err = async (f: () => Promise<unknown>) => { const s = await settle(f); return s.ok ? 'resolved' : s.error; };
    out['missing'] = await err(() => engine.pipeline('feature-extraction', 'inpage-test/no-such-model', { modelHost: '/hf/' }));
    out['task'] = await err(() => engine.pipeline('no-such-task', id, { modelHost: '/hf/' }));
    out['dtype'] = await err(() => engine.pipeline('feature-extraction', id, { dtype: 'fp64' as never }));
    out['host'] = await err(() => engine.pipeline('feature-extraction', id, { modelHost: 'ftp://x/' }));
    const ctrl = new AbortController();
    const slow = engine.pipeline('feature-extraction', id, { modelHost: '/__fault/slow/3000/hf/', signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 100);
    const t0 = performance.now();
    out['abort'] = await err(() => slow);
    out['abortMs'] = performance.now() - t0;
    out['timeout'] = await err(() => engine.pipeline('feature-extraction', id, { modelHost: '/__fault/slow/3000/hf/', timeoutMs: 200 }));
    // Transient failures are retried: the first request answers 503.
    const flaky = await settle(() => engine.pipeline('feature-extraction', id, { modelHost: `/__fault/flaky/1/${Math.random()}/hf/` }));
    out['flaky'] = flaky.ok;
    const embed = await engine.pipeline('feature-extraction', id, { modelHost: '/hf/' });
    out['input'] = await err(() => embed(42 as never));
    out['empty'] = await err(() => embed([]));
    out['opts'] = await err(() => embed('x', { pooling: 'mean', fn: () => 1 } as never));
    out['forced'] = await err(() => engine.pipeline('feature-extraction', id, { modelHost: '/hf/', device: 'webgpu' }));
    await embed.dispose();
    out['disposed'] = await err(() => embed('x'));
    const other = await engine.pipeline('feature-extraction', id, { modelHost: '/hf/' });
    await engine.dispose();
    out['engineDisposed'] = await err(() => other('x'));
    return out;
  }, fe.id);
  const e = (k: string) => r[k] as { code: string; message: string; isInpageError: boolean; details?: Record<string, unknown> };
  expect(e('missing')).toMatchObject({ code: 'MODEL_FETCH_FAILED', isInpageError: true, details: { status: 404 } });
  expect(e('missing').message).toContain('inpage-test/no-such-model');
  expect(e('task')).toMatchObject({ code: 'OPTION_INVALID' });
  expect(e('task').message).toContain('no-such-task');
  expect(e('dtype')).toMatchObject({ code: 'OPTION_INVALID' });
  expect(e('host')).toMatchObject({ code: 'OPTION_INVALID' });
  expect(e('abort')).toMatchObject({ code: 'ABORTED' });
  expect(r['abortMs']).toBeLessThan(2500);
  expect(e('timeout')).toMatchObject({ code: 'TIMEOUT' });
  expect(r['flaky']).toBe(true);
  expect(e('input')).toMatchObject({ code: 'INPUT_INVALID' });
  expect(e('empty')).toMatchObject({ code: 'INPUT_INVALID' });
  expect(e('opts')).toMatchObject({ code: 'INPUT_INVALID' });
  if (expectedBackend === 'webgpu') expect(r['forced']).toBe('resolved');
  else expect(e('forced')).toMatchObject({ code: 'WEBGPU_UNAVAILABLE' });
  expect(e('disposed')).toMatchObject({ code: 'DISPOSED' });
  expect(e('engineDisposed')).toMatchObject({ code: 'DISPOSED' });
});

test('a crashed worker: the next call rebuilds the pipeline in a fresh worker and answers', async ({ openHarness }) => {
  const fe = await hfFixture('feature-extraction');
  const page = await openHarness();
  const r = await page.evaluate(async (id) => {
    const engine = await window.inpage.createEngine({ testHooks: true, backend: 'wasm' });
    const embed = await engine.pipeline('feature-extraction', id, { modelHost: '/hf/' });
    const before = engine.testHooks!.workerId();
    engine.testHooks!.killWorker();
    const v = await embed('warm', { pooling: 'mean', normalize: true });
    const out = { before, after: engine.testHooks!.workerId(), dims: [...v.dims], data: Array.from(v.data as Float32Array), backend: embed.backend };
    await engine.dispose();
    return out;
  }, fe.id);
  expect(r.after).not.toBe(r.before);
  expect(r.backend).toBe('wasm');
  close(r.data, meanPool(fe.reference('warm').hidden, true));
});

test('an ONNX model and a pipeline built and run at the same time share the one ORT safely', async ({ openHarness, expectedBackend }) => {
  // ORT's WebGPU build builds one session at a time and crashes when a build overlaps a run;
  // the worker takes turns (host.ts), so this must simply work on both backends.
  const fe = await hfFixture('feature-extraction');
  const page = await openHarness();
  const r = await page.evaluate(async ({ id, backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const [m, embed] = await Promise.all([engine.load({ url: 'models/mlp.onnx' }), engine.pipeline('feature-extraction', id, { modelHost: '/hf/' })]);
    const x = () => ({ x: { type: 'float32' as const, dims: [1, 64], data: new Float32Array(64).fill(0.5) } });
    const outs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const [a, b] = await Promise.all([m.run(x()), embed('warm', { pooling: 'mean', normalize: true }), embed(['a tent', 'warm'], { pooling: 'mean' })]);
      outs.push((a['probs']!.data as Float32Array)[0]!, (b.data as Float32Array)[0]!);
    }
    const out = { backends: [m.backend, embed.backend], stable: outs.every((v, i) => v === outs[i % 2]) };
    await engine.dispose();
    return out;
  }, { id: fe.id, backend: expectedBackend });
  expect(r.backends).toEqual([expectedBackend, expectedBackend]);
  expect(r.stable).toBe(true);
});
