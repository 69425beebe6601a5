/**
 * A large items.json in real Chromium (issue #16: a 300 MB table parsed on the page was a 4.6 s
 * long task). The test writes a seeded package of 100,000 items (a ~30 MB items.json, a model of
 * the same size written by the trainer's exporter) and loads it through createRecommender twice
 * on one page: parsed in the engine's worker (the default for a table this size) and, as the
 * control, on the page (`parseInWorkerAbove: Infinity`, the old path). A PerformanceObserver
 * collects the page's long tasks: the worker path has none over 50 ms, the page path does (so the
 * detector sees what it is meant to catch), and both give the same lists. A malformed large file
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
import { writeFileSync } from 'node:fs';

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


test('diag', async ({ openHarness, expectedBackend, page: p0 }) => {
  const { files, bad } = await bigPackage();
  const { server, url } = await serve({ ok: files, bad });
  const page = await openHarness();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await page.evaluate(async ({ url, backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const warm = await window.inpage.createRecommender({ engine, manifestUrl: `${url}/ok/manifest.json`, storage: null });
    await warm.dispose();
    (window as any).e = engine;
  }, { url, backend: expectedBackend });
  await cdp.send('Profiler.start');
  const r = await page.evaluate(async ({ url }) => {
    const longTasks: { start: number; ms: number }[] = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push({ start: e.startTime, ms: e.duration }); }).observe({ type: 'longtask' });
    const t0 = performance.now();
    const rec = await window.inpage.createRecommender({ engine: (window as any).e, manifestUrl: `${url}/ok/manifest.json`, storage: null });
    const t1 = performance.now();
    await new Promise((res) => setTimeout(res, 300));
    return { ms: t1 - t0, tasks: longTasks.map((t) => [Math.round(t.start - t0), Math.round(t.ms)]) };
  }, { url });
  const { profile } = await cdp.send('Profiler.stop');
  writeFileSync('/tmp/prof16.json', JSON.stringify(profile));
  console.log(JSON.stringify(r));
  server.close();
});
