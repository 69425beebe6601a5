/**
 * Memory: 20,000 runs must not grow the page's JS heap (back to baseline ± 10 % after a forced
 * GC) nor the worker's JS heap, and `dispose()` must free everything — the worker target is
 * gone. Heaps are read over CDP after `HeapProfiler.collectGarbage` (page session, and the
 * worker target through the page session's auto-attach); ORT's WebAssembly.Memory lives outside
 * the JS heap and is read from a heap snapshot of the worker (its array-buffer backing stores). Figures are reported in a
 * `RELIABILITY {...}` line.
 */
import { test, expect } from '../fixtures.ts';
import { DebugTargets, report, topGrowth, type HeapUsage, type WorkerSnapshot } from './helpers.ts';

const RUNS = 20_000;
const CHUNK = 200;

declare global {
  interface Window { __rel?: { engine: { dispose(): Promise<void> }; runChunks(n: number, seed: number): Promise<number> } | undefined }
}

test(`${RUNS} runs: page and worker heaps return to baseline; dispose() ends the worker`, async ({ openHarness, page, expectedBackend }, info) => {
  test.setTimeout(300_000);
  await openHarness();
  const dbg = await DebugTargets.attach(page);
  await page.evaluate(async ({ backend, chunk }) => {
    const engine = await window.inpage.createEngine({ backend });
    const m = await engine.load({ url: 'models/mlp.onnx' });
    let lcg = 1;
    const runChunks = async (n: number, seed: number): Promise<number> => {
      lcg = seed;
      let bad = 0;
      for (let c = 0; c < n; c++) {
        const calls = Array.from({ length: chunk }, () => {
          const rows = 1 + (lcg % 3);
          const data = new Float32Array(rows * 64);
          for (let i = 0; i < data.length; i++) { lcg = (Math.imul(lcg, 1664525) + 1013904223) >>> 0; data[i] = lcg / 2 ** 31 - 1; }
          return m.run({ x: { type: 'float32', dims: [rows, 64], data } });
        });
        for (const out of await Promise.all(calls)) {
          // Each softmax row sums to 1: the runs did real work.
          const p = out['probs']!.data as Float32Array;
          for (let r = 0; r < p.length; r += 8) { let s = 0; for (let k = 0; k < 8; k++) s += p[r + k]!; if (Math.abs(s - 1) > 1e-3) bad++; }
        }
      }
      return bad;
    };
    window.__rel = { engine, runChunks };
  }, { backend: expectedBackend, chunk: CHUNK });

  const measure = async (): Promise<{ page: HeapUsage; perfMemory: number; worker: HeapUsage; snap: WorkerSnapshot }> => {
    await page.requestGC();
    const perfMemory = await page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize);
    return { page: await dbg.pageHeap(), perfMemory, worker: await dbg.workerHeap(), snap: await dbg.workerSnapshot() };
  };

  // Warm-up (JIT, ORT's arena, comlink's and the batcher's steady state), then the baseline.
  expect(await page.evaluate(() => window.__rel!.runChunks(10, 7))).toBe(0);
  const base = await measure();
  const t0 = Date.now();
  expect(await page.evaluate(({ n }) => window.__rel!.runChunks(n, 11), { n: RUNS / CHUNK / 2 })).toBe(0);
  const mid = await measure();
  expect(await page.evaluate(({ n }) => window.__rel!.runChunks(n, 13), { n: RUNS / CHUNK / 2 })).toBe(0);
  const runMs = Date.now() - t0;
  const after = await measure();
  expect(dbg.workers.size, 'one worker throughout').toBe(1);

  // dispose(): the worker ends (its target detaches) and the page drops everything it held.
  await page.evaluate(async () => { await window.__rel!.engine.dispose(); window.__rel = undefined; });
  await expect.poll(() => dbg.workers.size, { message: 'worker target detached after dispose()' }).toBe(0);
  await expect.poll(() => dbg.liveWorkerTargets()).toEqual([]);
  expect(page.workers()).toEqual([]);
  await page.requestGC();
  const disposedPage = await dbg.pageHeap();

  const kb = (n: number): number => Math.round(n / 1024);
  const pct = (a: number, b: number): number => Math.round(((a - b) / b) * 1000) / 10;
  report(info, 'memory-20k', {
    runs: RUNS, backend: expectedBackend, runMs,
    pageHeapKB: { baseline: kb(base.page.usedSize), mid: kb(mid.page.usedSize), after: kb(after.page.usedSize), deltaPct: pct(after.page.usedSize, base.page.usedSize), afterDispose: kb(disposedPage.usedSize) },
    pagePerfMemoryKB: { baseline: kb(base.perfMemory), after: kb(after.perfMemory) },
    workerObjectsKB: { baseline: kb(base.snap.objectBytes), mid: kb(mid.snap.objectBytes), after: kb(after.snap.objectBytes), deltaPct: pct(after.snap.objectBytes, base.snap.objectBytes) },
    workerHeapKB: { baseline: kb(base.worker.usedSize), mid: kb(mid.worker.usedSize), after: kb(after.worker.usedSize), deltaPct: pct(after.worker.usedSize, base.worker.usedSize) },
    workerArrayBuffersKB: { largestIsWasmMemory: { baseline: kb(base.snap.arrayBuffers.largestBytes), after: kb(after.snap.arrayBuffers.largestBytes) }, total: { baseline: kb(base.snap.arrayBuffers.totalBytes), after: kb(after.snap.arrayBuffers.totalBytes) }, count: { baseline: base.snap.arrayBuffers.count, after: after.snap.arrayBuffers.count } },
    workerBackingStoreKB: { baseline: kb(base.worker.backingStorageSize ?? 0), after: kb(after.worker.backingStorageSize ?? 0) },
  });

  expect(Math.abs(after.page.usedSize - base.page.usedSize), 'page heap back to baseline ± 10 %').toBeLessThanOrEqual(base.page.usedSize * 0.1);
  // The worker's usedSize also counts code that keeps tiering up for thousands of runs (reported
  // above); the leak criterion is its JS objects, from the heap snapshot.
  expect(Math.abs(after.snap.objectBytes - base.snap.objectBytes), `worker JS objects back to baseline ± 10 % (grew most: ${topGrowth(base.snap, after.snap).join('; ')})`).toBeLessThanOrEqual(base.snap.objectBytes * 0.1);
  expect(after.snap.arrayBuffers.largestBytes, 'ORT WebAssembly memory did not grow after warm-up').toBeLessThanOrEqual(base.snap.arrayBuffers.largestBytes);
  expect(after.snap.arrayBuffers.totalBytes, 'worker array buffers back to baseline ± 10 %').toBeLessThanOrEqual(base.snap.arrayBuffers.totalBytes * 1.1);
  expect(disposedPage.usedSize, 'page heap after dispose() no larger than with the engine live').toBeLessThanOrEqual(base.page.usedSize * 1.1);
});
