/**
 * Bad model files and bad networks. engine.spec.ts proves the basic codes (one random-bytes,
 * one truncated, sha mismatch by URL, 404 and 500); here: every kind of corrupt bytes and
 * non-model files a server really sends, integrity on byte sources and hash formats, each HTTP
 * status class with its exact request count and backoff, flaky servers, timeouts that cancel the
 * download, and a connection cut mid-body. After each group the same worker still runs a model.
 */
import { createHash } from 'node:crypto';
import { test, expect, plain, expectClose, serverUrl } from '../fixtures.ts';
import { getTestModel } from '../../../tools/models/index.ts';
import { browserStart, countPath, logRequests, prng, report } from './helpers.ts';

const mlp = getTestModel('mlp');

/** A key no other test (or earlier run against the same server) uses, for the flaky route. */
function uniqueKey(project: string): string {
  return `${project}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

test('corrupt, truncated, random, empty and non-model bytes reject with MODEL_INVALID; the same worker keeps running', async ({ openHarness, page }, info) => {
  await openHarness();
  const bytes = mlp.bytes();
  const rnd = prng(8);
  const random = (n: number): number[] => Array.from({ length: n }, () => Math.floor(rnd() * 256));
  const flipped = Array.from(bytes);
  for (let i = 0; i < 16; i++) flipped[i] = flipped[i]! ^ 0xff; // header (ir_version, producer) garbled
  const cases: Record<string, number[]> = {
    empty: [],
    oneByte: [8],
    sevenZeros: [0, 0, 0, 0, 0, 0, 0],
    random100: random(100),
    random10k: random(10_000),
    cut16: Array.from(bytes.slice(0, 16)),
    cutQuarter: Array.from(bytes.slice(0, bytes.length >> 2)),
    cutMinus1: Array.from(bytes.slice(0, bytes.length - 1)),
    headerFlipped: flipped,
    html: Array.from(Buffer.from('<!doctype html><html><body>Not found</body></html>')),
    json: Array.from(Buffer.from(JSON.stringify({ error: 'not a model' }))),
  };
  const feeds = plain(mlp.inputs(2, 400));
  const r = await page.evaluate(async ({ cases, feeds }) => {
    const { harness } = window;
    const engine = await window.inpage.createEngine({ testHooks: true, timeoutMs: 30_000 });
    const id0 = engine.testHooks!.workerId();
    const out: Record<string, unknown> = {};
    for (const [name, b] of Object.entries(cases)) out[name] = await harness.settle(() => engine.load({ bytes: new Uint8Array(b) }));
    // A server answering 200 with the wrong file (SPA fallback page, a JSON listing).
    out['urlHtml'] = await harness.settle(() => engine.load({ url: 'index.html' }));
    out['urlJson'] = await harness.settle(() => engine.load({ url: 'models/index.json' }));
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const after = harness.fromTensors(await m.run(harness.toTensors(feeds)));
    const id1 = engine.testHooks!.workerId();
    await engine.dispose();
    return { out, after, sameWorker: id0 === id1 };
  }, { cases, feeds });
  const codes = Object.fromEntries(Object.entries(r.out).map(([k, v]) => [k, (v as { ok: boolean; error?: { code: string } }).ok ? 'loaded' : (v as { error: { code: string } }).error.code]));
  for (const [k, v] of Object.entries(r.out)) {
    expect(v, `${k}: ${JSON.stringify(v).slice(0, 300)}`).toMatchObject({ ok: false, error: { isInpageError: true, code: 'MODEL_INVALID' } });
  }
  expectClose(r.after, plain(mlp.reference(mlp.inputs(2, 400))));
  expect(r.sameWorker, 'no bad model cost a worker restart').toBe(true);
  report(info, 'corrupt-models', { codes });
});

test('integrity: sha256 is checked for byte sources too, accepts sha256-/upper-case forms, and a malformed hash is OPTION_INVALID', async ({ openHarness, page }) => {
  await openHarness();
  const good = createHash('sha256').update(mlp.bytes()).digest('hex');
  const r = await page.evaluate(async (good) => {
    const { harness } = window;
    const engine = await window.inpage.createEngine();
    const bytes = new Uint8Array(await (await fetch('models/mlp.onnx')).arrayBuffer());
    const flipped = bytes.slice();
    const mid = flipped.length >> 1;
    flipped[mid] = flipped[mid]! ^ 1; // one bit in the weights: still a loadable model
    const res = {
      bytesGood: await harness.settle(async () => (await engine.load({ bytes, sha256: good })).sha256),
      bytesOneBit: await harness.settle(() => engine.load({ bytes: flipped, sha256: good })),
      prefixedUpper: await harness.settle(async () => (await engine.load({ url: 'models/mlp.onnx', sha256: `sha256-${good.toUpperCase()}` })).sha256),
      wrongUrl: await harness.settle(() => engine.load({ url: 'models/mlp.onnx', sha256: good.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) })),
      malformed: await harness.settle(() => engine.load({ url: 'models/mlp.onnx', sha256: good.slice(1) })),
      notHex: await harness.settle(() => engine.load({ bytes, sha256: 'z'.repeat(64) })),
      // Integrity checks do not hurt the worker: an unpinned load still works.
      after: await harness.settle(async () => (await engine.load({ bytes })).sha256),
    };
    await engine.dispose();
    return res;
  }, good);
  expect(r.bytesGood).toEqual({ ok: true, value: good });
  expect(r.bytesOneBit).toMatchObject({ ok: false, error: { code: 'INTEGRITY_MISMATCH', details: { expected: good } } });
  expect(r.prefixedUpper).toEqual({ ok: true, value: good });
  expect(r.wrongUrl).toMatchObject({ ok: false, error: { code: 'INTEGRITY_MISMATCH', details: { actual: good } } });
  expect(r.malformed).toMatchObject({ ok: false, error: { code: 'OPTION_INVALID', isInpageError: true } });
  expect(r.notHex).toMatchObject({ ok: false, error: { code: 'OPTION_INVALID', isInpageError: true } });
  expect(r.after).toEqual({ ok: true, value: good });
});

test('HTTP errors: permanent statuses fail after exactly one request, transient ones after three with backoff', async ({ openHarness, page }, info) => {
  test.setTimeout(90_000);
  const seen = logRequests(page);
  await openHarness();
  const permanent = [400, 403, 404, 410];
  const transient = [408, 429, 500, 502, 503];
  const r = await page.evaluate(async (statuses) => {
    const out: Record<number, unknown> = {};
    const engine = await window.inpage.createEngine();
    for (const s of statuses) out[s] = await window.harness.settle(() => engine.load({ url: `__fault/status/${s}/models/mlp.onnx` }));
    const healthy = await window.harness.settle(async () => (await engine.load({ url: 'models/mlp.onnx' })).backend);
    await engine.dispose();
    return { out, healthy };
  }, [...permanent, ...transient]);
  const figures: Record<number, { requests: number; gapsMs: number[] }> = {};
  for (const s of [...permanent, ...transient]) {
    const path = `/__fault/status/${s}/models/mlp.onnx`;
    const times = seen.filter((q) => new URL(q.url).pathname === path).map(browserStart);
    const isTransient = transient.includes(s);
    expect(r.out[s], `HTTP ${s}`).toMatchObject({ ok: false, error: { isInpageError: true, code: 'MODEL_FETCH_FAILED', details: { status: s, attempts: isTransient ? 3 : 1 } } });
    expect(times.length, `requests for HTTP ${s}`).toBe(isTransient ? 3 : 1);
    const gaps = times.slice(1).map((t, i) => Math.round(t - times[i]!));
    // Backoff is 250 ms then 500 ms: a floor, never a ceiling (slow machines only add to it).
    if (isTransient) {
      expect(gaps[0]!, `first backoff for ${s}`).toBeGreaterThanOrEqual(200);
      expect(gaps[1]!, `second backoff for ${s}`).toBeGreaterThanOrEqual(450);
    }
    figures[s] = { requests: times.length, gapsMs: gaps };
  }
  expect(r.healthy.ok).toBe(true);
  report(info, 'http-errors', { figures });
});

test('flaky server: two 503s then the file loads; three 503s exhaust the retries', async ({ openHarness, page }, info) => {
  const seen = logRequests(page);
  await openHarness();
  const ok = uniqueKey(info.project.name);
  const bad = uniqueKey(info.project.name);
  const feeds = plain(mlp.inputs(1, 410));
  const r = await page.evaluate(async ({ ok, bad, feeds }) => {
    const engine = await window.inpage.createEngine();
    const good = await window.harness.settle(async () => {
      const m = await engine.load({ url: `__fault/flaky/2/${ok}/models/mlp.onnx` });
      return window.harness.fromTensors(await m.run(window.harness.toTensors(feeds)));
    });
    const exhausted = await window.harness.settle(() => engine.load({ url: `__fault/flaky/3/${bad}/models/mlp.onnx` }));
    await engine.dispose();
    return { good, exhausted };
  }, { ok, bad, feeds });
  expect(r.good.ok, JSON.stringify(r.good).slice(0, 300)).toBe(true);
  if (r.good.ok) expectClose(r.good.value, plain(mlp.reference(mlp.inputs(1, 410))));
  expect(countPath(seen, `/__fault/flaky/2/${ok}/models/mlp.onnx`)).toBe(3);
  expect(r.exhausted).toMatchObject({ ok: false, error: { code: 'MODEL_FETCH_FAILED', details: { status: 503, attempts: 3 } } });
  expect(countPath(seen, `/__fault/flaky/3/${bad}/models/mlp.onnx`)).toBe(3);
  // The server served the file once (it counts only what it served, by full URL).
  const stats = await (await fetch(`${serverUrl()}/__stats`)).json() as Record<string, { count: number }>;
  expect(stats[`/__fault/flaky/2/${ok}/models/mlp.onnx`]?.count).toBe(1);
  expect(stats[`/__fault/flaky/3/${bad}/models/mlp.onnx`]).toBeUndefined();
});

test('a load slower than its timeoutMs rejects with TIMEOUT, the download is cancelled, and the worker loads the next model', async ({ openHarness, page }, info) => {
  const failed: { url: string; error: string }[] = [];
  page.on('requestfailed', (q) => failed.push({ url: q.url(), error: q.failure()?.errorText ?? '' }));
  await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine({ testHooks: true });
    const id0 = engine.testHooks!.workerId();
    const t0 = performance.now();
    const slow = await window.harness.settle(() => engine.load({ url: '__fault/slow/8000/models/mlp.onnx' }, { timeoutMs: 400 }));
    const settleMs = performance.now() - t0;
    // The engine-wide default applies too.
    const engine2 = await window.inpage.createEngine({ timeoutMs: 400 });
    const slow2 = await window.harness.settle(() => engine2.load({ url: '__fault/slow/8000/models/embed-topk.onnx' }));
    await engine2.dispose();
    const next = await window.harness.settle(async () => (await engine.load({ url: 'models/mlp.onnx' })).outputs.map((o) => o.name));
    const id1 = engine.testHooks!.workerId();
    await engine.dispose();
    return { slow, slow2, settleMs, next, sameWorker: id0 === id1 };
  });
  expect(r.slow).toMatchObject({ ok: false, error: { code: 'TIMEOUT', isInpageError: true, details: { timeoutMs: 400 } } });
  expect(r.slow2).toMatchObject({ ok: false, error: { code: 'TIMEOUT', isInpageError: true, details: { timeoutMs: 400 } } });
  expect(r.next).toEqual({ ok: true, value: ['probs'] });
  expect(r.sameWorker).toBe(true);
  // The worker was told to stop: the slow download was aborted, not left running for 8 s.
  await expect.poll(() => failed.filter((f) => f.url.includes('/__fault/slow/8000/models/mlp.onnx')).length).toBe(1);
  report(info, 'load-timeout', { settleMs: Math.round(r.settleMs), cancelled: failed.map((f) => `${new URL(f.url).pathname} ${f.error}`) });
});

test('a download cut mid-body is a transient network failure: MODEL_FETCH_FAILED after the same retries as a network error', async ({ openHarness, page }, info) => {
  const seen = logRequests(page);
  await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    const cut = await window.harness.settle(() => engine.load({ url: '__fault/truncate/models/mlp.onnx' }));
    const next = await window.harness.settle(async () => (await engine.load({ url: 'models/mlp.onnx' })).backend);
    await engine.dispose();
    return { cut, next };
  });
  expect(r.cut).toMatchObject({ ok: false, error: { code: 'MODEL_FETCH_FAILED', isInpageError: true } });
  expect(r.next.ok).toBe(true);
  const requests = countPath(seen, '/__fault/truncate/models/mlp.onnx');
  report(info, 'truncated-download', { requests, message: r.cut.ok ? null : r.cut.error.message });
  // fetch-model.ts retries "network errors" before the body starts (2 retries), but not a
  // connection that breaks while the body streams — the same fault, seconds later.
  expect(requests, 'attempts for a connection cut mid-body').toBe(3);
});
