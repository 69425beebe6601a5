/**
 * A large items.json in real Chromium (issue #16: a 300 MB table parsed on the page was a 4.6 s
 * long task). The test writes a seeded package of 100,000 items (a ~30 MB items.json, a model of
 * the same size written by the trainer's exporter) and loads it through createRecommender twice
 * on one page: parsed in the engine's worker (the default for a table this size) and, as the
 * control, on the page (`parseInWorkerAbove: Infinity`, the old path). A PerformanceObserver
 * collects the page's long tasks: the page path has one of seconds (so the detector sees what it
 * is meant to catch), the worker path none a fifth as long, and both give the same lists. A malformed large file
 * fails in the worker with the same typed error, naming the field.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { exportRecommender } from '../../tools/train/export-onnx.ts';
import { Prng } from '../../tools/onnx/prng.ts';
import { test, expect } from './fixtures.ts';

const N = 100_000;
const D = 8;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/** The seeded package: manifest (from the demo's, resized), items.json, and the model. */
async function bigPackage(): Promise<{ files: Record<string, Uint8Array>; bad: Record<string, Uint8Array> }> {
  const rng = new Prng(16);
  const vec = (): Float32Array => Float32Array.from({ length: N * D }, () => rng.normal() * 0.3);
  const model = exportRecommender({ items: N, dim: D, inVec: vec(), outVec: vec(), itemBias: Float32Array.from({ length: N }, () => rng.normal() * 0.1), shrink: 1 });
  const cats = 40;
  const words = ['alpine', 'trail', 'summit', 'ultralight', 'waterproof', 'insulated', 'ridge', 'canyon', 'storm', 'merino', 'carbon', 'down'];
  const title = (i: number): string => Array.from({ length: 28 }, (_, w) => words[(i * 7 + w * 13) % words.length]).join(' ') + ` ${i} — Größe ${i % 9} ✓`;
  const items = {
    format: 'inpage-recommender-items', version: 1,
    ids: Array.from({ length: N }, (_, i) => `sku-${i}`),
    titles: Array.from({ length: N }, (_, i) => title(i)),
    category: Array.from({ length: N }, (_, i) => i % cats),
    price: Array.from({ length: N }, () => Math.round(rng.nextFloat() * 50000) / 100),
    inStock: Array.from({ length: N }, (_, i) => (i % 11 === 0 ? 0 : 1)),
    categories: Array.from({ length: cats }, (_, c) => ({ id: `c${c}`, name: `Category ${c}`, complements: [[(c + 1) % cats, 0.5]] })),
    trending: { asOf: '2026-12-01T00:00:00Z', halfLifeDays: 7, scores: Array.from({ length: N }, () => rng.nextFloat()) },
    facts: { brands: ['Northpeak', 'Ember', 'Fjell'], brand: Array.from({ length: N }, (_, i) => (i % 4) - 1), tagNames: ['ul', 'winter', 'kids'], tags: Array.from({ length: N }, (_, i) => (i % 3 === 0 ? [0, 2] : [i % 3])) },
  };
  const demo = JSON.parse(await readFile(fileURLToPath(new URL('../../public/reco/manifest.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
  const pack = (itemBytes: Uint8Array): Record<string, Uint8Array> => {
    const manifest = {
      ...demo, model: 'recommender.onnx', items: 'items.json', dims: { items: N, embedding: D, history: 20 }, rules: undefined, experiment: undefined,
      files: { 'recommender.onnx': { bytes: model.byteLength, sha256: sha(model) }, 'items.json': { bytes: itemBytes.byteLength, sha256: sha(itemBytes) } },
    };
    return { 'manifest.json': enc(manifest), 'items.json': itemBytes, 'recommender.onnx': model };
  };
  const prices = [...items.price];
  prices[N - 3] = 'n/a' as unknown as number;
  return { files: pack(enc(items)), bad: pack(enc({ ...items, price: prices })) };
}

async function serve(dirs: Record<string, Record<string, Uint8Array>>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const [, dir, name] = new URL(req.url ?? '/', 'http://x').pathname.split('/');
    const body = dirs[dir ?? '']?.[name ?? ''];
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (!body) { res.writeHead(404, cors).end(); return; }
    res.writeHead(200, { ...cors, 'Content-Type': name?.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'Cache-Control': 'no-store', 'Content-Length': String(body.byteLength) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// Writing the package and two 30 MB loads on SwiftShader WebGPU on a shared 2-core machine.
test.describe.configure({ timeout: 300_000 });

/** A Chrome trace, as `browser.stopTracing()` gives it. */
interface Trace {
  traceEvents: { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string } }[];
}

/**
 * The longest main-thread task by CPU time (ms) between the `load-start-*` and `load-end-*`
 * marks of each load: thread time is what the page's own work cost, however long the OS kept the
 * thread waiting. A task is a `RunTask` plus the microtask checkpoint Blink runs right after it
 * (where promise continuations, e.g. an `await`ed parse, run).
 */
function mainThreadTasks(trace: Trace): { worker: number; page: number } {
  const ev = trace.traceEvents;
  const mark = (name: string) => ev.find((e) => e.name === name);
  const start = mark('load-start-worker');
  if (!start) throw new Error('the trace has no load marks');
  const main = ev.filter((e) => e.pid === start.pid && e.tid === start.tid && e.ph === 'X').sort((x, y) => x.ts - y.ts);
  const cpu = (e: Trace['traceEvents'][number]): number => (e.tdur ?? e.dur ?? 0) / 1000;
  const longest = (from: string, to: string): number => {
    const a = mark(from)!.ts;
    const b = mark(to)!.ts;
    const inWindow = main.filter((e) => e.ts >= a && e.ts <= b);
    const runs = inWindow.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
    const checkpoints = inWindow.filter((e) => e.name === 'BlinkScheduler_PerformMicrotaskCheckpoint');
    if (runs.length === 0) throw new Error('no main-thread tasks in the trace');
    const costs = runs.map((r) => {
      const end = r.ts + (r.dur ?? 0);
      const after = checkpoints.find((c) => c.ts >= end - 1 && c.ts - end < 1000);
      return cpu(r) + (after === undefined ? 0 : cpu(after));
    });
    return Math.max(...costs, ...checkpoints.map(cpu));
  };
  return { worker: longest('load-start-worker', 'load-end-worker'), page: longest('load-start-Infinity', 'load-end-Infinity') };
}

test('a 30 MB items.json is parsed in the worker: no long task on the page from it, the lists of the page parse, the typed error for a bad file', async ({ openHarness, expectedBackend, browser }) => {
  const { files, bad } = await bigPackage();
  expect(files['items.json']!.byteLength).toBeGreaterThan(25e6);
  const { server, url } = await serve({ ok: files, bad });
  try {
    const page = await openHarness();
    await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
    const r = await page.evaluate(async ({ url, backend }) => {
      const longTasks: { start: number; ms: number }[] = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push({ start: e.startTime, ms: e.duration }); }).observe({ type: 'longtask' });
      const engine = await window.inpage.createEngine({ backend });
      // The worker is up before the measured loads (the model is compiled there, off the page).
      await engine.info();
      const load = async (parseInWorkerAbove?: number) => {
        await new Promise((res) => setTimeout(res, 500)); // earlier tasks are reported and out of the window
        const t0 = performance.now();
        performance.mark(`load-start-${parseInWorkerAbove ?? 'worker'}`);
        const rec = await window.inpage.createRecommender({ engine, manifestUrl: `${url}/ok/manifest.json`, storage: null, ...(parseInWorkerAbove === undefined ? {} : { parseInWorkerAbove }) });
        const t1 = performance.now();
        performance.mark(`load-end-${parseInWorkerAbove ?? 'worker'}`);
        await new Promise((res) => setTimeout(res, 300)); // the observer reports after the task
        const tasks = longTasks.filter((t) => t.start >= t0 && t.start < t1).map((t) => Math.round(t.ms));
        for (const id of ['sku-17', 'sku-40017', 'sku-99998']) rec.track({ type: 'view', itemId: id });
        const lists = [
          await rec.recommend({ k: 10 }),
          await rec.recommend({ strategy: 'trending', k: 10, filter: { inStock: true, maxPrice: 200 } }),
          await rec.recommend({ strategy: 'similar', itemId: 'sku-99999', k: 10 }),
        ].map((l) => l.map((x) => `${x.itemId} ${x.reason}`));
        const item = rec.item('sku-99999');
        await rec.dispose();
        return { ms: Math.round(t1 - t0), tasks, lists, item };
      };
      // The worker path first: the page path's garbage (30 MB of parsed JSON) is not collected in its window.
      const worker = await load();
      const onPage = await load(Infinity);
      const failed = await window.harness.settle(() => window.inpage.createRecommender({ engine, manifestUrl: `${url}/bad/manifest.json`, storage: null }));
      await engine.dispose();
      return { worker, onPage, failed };
    }, { url, backend: expectedBackend });
    const cpu = mainThreadTasks(JSON.parse((await browser.stopTracing()).toString('utf8')) as Trace);
    console.log(`[item-table ${expectedBackend}] load ms: worker ${r.worker.ms}, page ${r.onPage.ms}; long tasks (wall ms) during the load: worker [${r.worker.tasks.join(', ')}], page [${r.onPage.tasks.join(', ')}]; longest main-thread task by CPU time: worker ${cpu.worker.toFixed(1)} ms, page ${cpu.page.toFixed(1)} ms`);
    // The observer sees the in-page parse as a long task of seconds (the control: it catches what
    // it is meant to catch). Wall times on this shared 2-core machine (load 8–12) also stretch
    // any 8 ms slice past 50 ms whenever the scheduler parks the page's thread, so the bound on
    // the worker path is on CPU time (the trace's thread time of each main-thread task): none
    // is a long task. On the old path the same file's parse is one task of seconds of CPU.
    expect(Math.max(0, ...r.onPage.tasks)).toBeGreaterThan(500);
    expect(cpu.page).toBeGreaterThan(500);
    expect(cpu.worker).toBeLessThan(50);
    expect(r.worker.lists).toEqual(r.onPage.lists);
    expect(r.worker.lists.every((l) => l.length === 10)).toBe(true);
    expect(r.worker.item).toEqual(r.onPage.item);
    expect(r.worker.item?.title).toContain('Größe');
    expect(r.failed.ok).toBe(false);
    if (r.failed.ok) return;
    expect(r.failed.error.code).toBe('CATALOG_INVALID');
    expect(r.failed.error.details).toEqual({ field: `price[${N - 3}]` });
  } finally {
    await new Promise((res) => server.close(res));
  }
});
