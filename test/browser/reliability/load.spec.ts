/**
 * Load: 10,000 concurrent `run()` calls of 1–3 rows each on one model, a seeded fifth of them
 * aborted at seeded moments (before the call, synchronously after it, in a microtask, after a
 * timer, or only once it has resolved — which must change nothing). Every call settles exactly once; every call that was not aborted before it settled
 * resolves with its own rows, checked against the JS reference computed in Node; nothing is
 * lost. Wall time and throughput are reported (`RELIABILITY {...}`), never asserted.
 */
import { test, expect } from '../fixtures.ts';
import { getTestModel } from '../../../tools/models/index.ts';
import { f32ToBase64, prng, report } from './helpers.ts';

const mlp = getTestModel('mlp');
const CALLS = 10_000;
const SEED = 20_261_128;

type AbortWhen = 'none' | 'before' | 'sync' | 'microtask' | 'timer' | 'after';

test(`${CALLS} concurrent calls with seeded aborts: each survivor gets its own correct result, none twice, none lost`, async ({ openHarness, page, expectedBackend }, info) => {
  test.setTimeout(300_000);
  await openHarness();
  const rnd = prng(SEED);
  const rows: number[] = [];
  const when: AbortWhen[] = [];
  const delay: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    rows.push(1 + Math.floor(rnd() * 3));
    const r = rnd();
    when.push(r < 0.8 ? 'none' : r < 0.84 ? 'before' : r < 0.88 ? 'sync' : r < 0.92 ? 'microtask' : r < 0.96 ? 'timer' : 'after');
    // Timers spread over the first seconds hit calls queued on the page, in the worker and mid-batch.
    delay.push(Math.floor(rnd() * 3000));
  }
  const totalRows = rows.reduce((a, b) => a + b, 0);
  const feeds = mlp.inputs(totalRows, SEED);
  const want = mlp.reference(feeds);
  const x = feeds['x']!.data as Float32Array;
  const probs = want['probs']!.data as Float32Array;

  const r = await page.evaluate(async ({ xB64, probsB64, rows, when, delay, backend, tol }) => {
    const decode = (b64: string): Float32Array => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return new Float32Array(bytes.buffer);
    };
    const X = decode(xB64);
    const P = decode(probsB64);
    const IN = 64;
    const OUT = 8;
    const engine = await window.inpage.createEngine({ backend });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    const n = rows.length;
    const offsets: number[] = [];
    let acc = 0;
    for (const r of rows) { offsets.push(acc); acc += r; }
    // Inputs built before the clock starts: the figure is the engine's, not the harness's.
    const inputs = rows.map((r, i) => new Float32Array(X.subarray(offsets[i]! * IN, (offsets[i]! + r) * IN)));
    const settleCount = new Int32Array(n);
    const settled = new Uint8Array(n);
    const abortedEarly = new Uint8Array(n); // the abort fired while the call was still pending
    const outcome: ('ok' | 'bad' | 'aborted' | 'error')[] = new Array(n);
    const errors: string[] = [];
    const mismatches: string[] = [];
    const timers: ReturnType<typeof setTimeout>[] = [];
    const t0 = performance.now();
    const all = rows.map((r, i) => {
      const ctrl = new AbortController();
      const abort = (): void => { if (!settled[i]) abortedEarly[i] = 1; ctrl.abort(); };
      if (when[i] === 'before') abort();
      const p = m.run({ x: { type: 'float32', dims: [r, IN], data: inputs[i]! } }, { signal: ctrl.signal }).then((out) => {
        settleCount[i]!++;
        settled[i] = 1;
        const got = out['probs'];
        const base = offsets[i]! * OUT;
        let ok = got !== undefined && got.dims[0] === r && got.dims[1] === OUT && got.data.length === r * OUT;
        if (ok) {
          const d = got!.data as Float32Array;
          for (let k = 0; k < d.length; k++) if (!(Math.abs(d[k]! - P[base + k]!) <= tol)) { ok = false; break; }
        }
        outcome[i] = ok ? 'ok' : 'bad';
        if (when[i] === 'after') abort();
        if (!ok && mismatches.length < 5) mismatches.push(`call ${i} (${r} rows): got ${got ? Array.from(got.data as Float32Array).slice(0, 4).join(',') : 'nothing'} want ${Array.from(P.subarray(base, base + 4)).join(',')}`);
      }, (e: unknown) => {
        settleCount[i]!++;
        settled[i] = 1;
        if (when[i] === 'after') abort();
        const code = (e as { code?: string }).code;
        outcome[i] = code === 'ABORTED' ? 'aborted' : 'error';
        if (code !== 'ABORTED' && errors.length < 5) errors.push(`call ${i}: ${String(code)} ${(e as Error).message}`);
      });
      if (when[i] === 'sync') abort();
      else if (when[i] === 'microtask') queueMicrotask(abort);
      else if (when[i] === 'timer') timers.push(setTimeout(abort, delay[i]));
      return p;
    });
    const bound = new Promise<'bounded'>((res) => setTimeout(() => res('bounded'), 120_000));
    const finished = await Promise.race([Promise.all(all).then(() => 'all' as const), bound]);
    const wallMs = performance.now() - t0;
    for (const t of timers) clearTimeout(t);
    // Give late (double) settlements a chance to show before counting.
    await new Promise((res) => setTimeout(res, 250));
    const pending = [...settled.keys()].filter((i) => !settled[i]);
    const twice = [...settleCount.keys()].filter((i) => settleCount[i]! > 1);
    const tally = { ok: 0, bad: 0, aborted: 0, error: 0 };
    const wrongAbort: number[] = [];  // aborted while pending, yet resolved — or never aborted, yet rejected ABORTED
    let abortedLate = 0;
    for (let i = 0; i < n; i++) {
      const o = outcome[i];
      if (o) tally[o]++;
      if (when[i] !== 'none' && !abortedEarly[i]) abortedLate++;
      if (abortedEarly[i] && o !== 'aborted') wrongAbort.push(i);
      if (!abortedEarly[i] && o === 'aborted') wrongAbort.push(i);
    }
    const stats = engine.stats();
    await engine.dispose();
    return {
      finished, wallMs, pending: pending.slice(0, 20), pendingCount: pending.length, twice: twice.slice(0, 20), tally, wrongAbort: wrongAbort.slice(0, 20),
      abortedEarly: abortedEarly.reduce((a, b) => a + b, 0), abortedLate, errors, mismatches, backend: m.backend, batching: m.batching.enabled, stats,
    };
  }, { xB64: f32ToBase64(x), probsB64: f32ToBase64(probs), rows, when, delay, backend: expectedBackend, tol: expectedBackend === 'webgpu' ? 1e-4 : 1e-5 });

  const figures = {
    calls: CALLS, rows: totalRows, backend: r.backend, batching: r.batching,
    abortPlanned: when.filter((w) => w !== 'none').length, abortedWhilePending: r.abortedEarly, abortAfterSettleOrNeverFired: r.abortedLate,
    resolvedCorrect: r.tally.ok, rejectedAborted: r.tally.aborted, wallMs: Math.round(r.wallMs),
    callsPerSec: Math.round(CALLS / (r.wallMs / 1000)), rowsPerSec: Math.round(totalRows / (r.wallMs / 1000)),
    sessionRuns: r.stats.batches, meanBatchSize: Math.round(r.stats.meanBatchSize * 10) / 10, latencyP50Ms: r.stats.latency.p50, latencyP95Ms: r.stats.latency.p95,
  };
  report(info, 'load-10k', figures);
  expect(r.finished, 'all calls settled within the bound').toBe('all');
  expect(r.pendingCount, `calls never settled (first: ${r.pending.join(', ')})`).toBe(0);
  expect(r.twice, 'calls settled more than once').toEqual([]);
  expect(r.errors, 'calls rejected with something other than ABORTED').toEqual([]);
  expect(r.mismatches, 'calls resolved with rows that are not their own').toEqual([]);
  expect(r.wrongAbort, 'abort outcome disagrees with when the abort fired').toEqual([]);
  expect(r.tally.ok + r.tally.aborted).toBe(CALLS);
  expect(r.tally.aborted).toBe(r.abortedEarly);
  // The plan really exercised both kinds of abort.
  expect(r.abortedEarly).toBeGreaterThan(CALLS * 0.1);
});
