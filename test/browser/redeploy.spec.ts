/**
 * Redeploying a shop's recommender in real Chromium (issue #16), against a server of its own whose
 * files and Cache-Control headers the test switches mid-way:
 * - a visitor on v1 (warm model cache, v1 files in the HTTP cache under `max-age`, a history) gets
 *   v2 on the next visit with zero errors: stale copies are fetched again past the HTTP cache, the
 *   old model entry is evicted, removed items are never returned;
 * - a URL-only model load picks up a changed server file once its cache age has passed;
 * - a body longer than the manifest declares is stopped early (the server sees the socket close).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test, expect } from './fixtures.ts';

const reco = (f: string): string => fileURLToPath(new URL(`../../public/reco/${f}`, import.meta.url));
const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

interface Shop {
  /** path → body and Cache-Control. */
  files: Map<string, { body: Uint8Array; cacheControl: string }>;
  /** Requests per path. */
  hits: Map<string, number>;
  /** Bytes written for the endless body (all requests) before the client went away; closed: a socket closed. */
  endless: { written: number; closed: boolean };
  url: string;
  server: Server;
}

/** A server with CORS (the harness is on another origin), per-file headers and an endless body. */
async function startShop(): Promise<Shop> {
  const shop = { files: new Map(), hits: new Map(), endless: { written: 0, closed: false } } as Omit<Shop, 'url' | 'server'>;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    shop.hits.set(path, (shop.hits.get(path) ?? 0) + 1);
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (path === '/endless.onnx') {
      // Claims nothing, sends forever: only the reader's bound stops it.
      res.writeHead(200, { ...cors, 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' });
      const chunk = new Uint8Array(256 * 1024);
      let closed = false;
      let sent = 0;
      const pump = (): void => {
        while (!closed && sent < 512 * 1024 * 1024) {
          sent += chunk.byteLength;
          shop.endless.written += chunk.byteLength;
          if (!res.write(chunk)) { res.once('drain', pump); return; }
        }
        res.end();
      };
      res.on('close', () => { closed = true; shop.endless.closed = true; });
      pump();
      return;
    }
    const f = shop.files.get(path);
    if (!f) { res.writeHead(404, cors).end(); return; }
    res.writeHead(200, { ...cors, 'Content-Type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'Cache-Control': f.cacheControl, 'Content-Length': String(f.body.byteLength) });
    res.end(f.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(shop, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/** v1 as trained; v2 with two items replaced by new ones, one out of stock, and other model bytes. */
async function packages(): Promise<{ v1: Record<string, Uint8Array>; v2: Record<string, Uint8Array>; removed: string[]; added: string[] }> {
  const manifest = JSON.parse(await readFile(reco('manifest.json'), 'utf8')) as { files: Record<string, { bytes: number; sha256: string }> };
  const itemsText = await readFile(reco('items.json'), 'utf8');
  const model = new Uint8Array(await readFile(reco('recommender.onnx')));
  const items = JSON.parse(itemsText) as { ids: string[]; inStock: number[] };
  const removed = [items.ids[0]!, items.ids[1]!];
  const added = ['sku-new-1', 'sku-new-2'];
  const items2 = { ...items, ids: [...added, ...items.ids.slice(2)] };
  // A ModelProto with producer_version (field 3) set again: the last one wins, the graph is the same.
  const model2 = new Uint8Array([...model, 0x1a, 0x02, 0x76, 0x32]);
  const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
  const items2Bytes = enc(items2);
  const m2 = { ...manifest, files: { 'recommender.onnx': { bytes: model2.byteLength, sha256: sha(model2) }, 'items.json': { bytes: items2Bytes.byteLength, sha256: sha(items2Bytes) } } };
  return {
    v1: { 'manifest.json': enc(manifest), 'items.json': new TextEncoder().encode(itemsText), 'recommender.onnx': model },
    v2: { 'manifest.json': enc(m2), 'items.json': items2Bytes, 'recommender.onnx': model2 },
    removed, added,
  };
}

/** Deploys `files` under /reco/ the old way: mutable names with a long max-age, the manifest no-cache. */
function deploy(shop: Shop, files: Record<string, Uint8Array>): void {
  for (const [name, body] of Object.entries(files)) shop.files.set(`/reco/${name}`, { body, cacheControl: name === 'manifest.json' ? 'no-cache' : 'public, max-age=3600' });
}

// SwiftShader WebGPU on the shared 2-core machine has taken 90 s for the encoder test.
test.describe.configure({ timeout: 240_000 });

test('redeploy: a visitor on v1 gets v2 on the next visit with zero errors, past a stale HTTP cache', async ({ openHarness, expectedBackend }) => {
  const shop = await startShop();
  try {
    const { v1, v2, removed, added } = await packages();
    deploy(shop, v1);
    const manifestUrl = `${shop.url}/reco/manifest.json`;
    let page = await openHarness();
    const first = await page.evaluate(async ({ manifestUrl, backend, removed }) => {
      const engine = await window.inpage.createEngine({ backend });
      const rec = await window.inpage.createRecommender({ engine, manifestUrl });
      for (const id of removed) rec.track({ type: 'view', itemId: id });
      const list = await rec.recommend({ k: 8 });
      await rec.dispose();
      await engine.dispose();
      return { n: list.length };
    }, { manifestUrl, backend: expectedBackend, removed });
    expect(first.n).toBe(8);
    expect(shop.hits.get('/reco/items.json')).toBe(1);
    expect(shop.hits.get('/reco/recommender.onnx')).toBe(1);

    deploy(shop, v2);
    shop.hits.clear();
    page = await openHarness(); // the next visit, same profile: HTTP cache, model cache and history kept
    const second = await page.evaluate(async ({ manifestUrl, backend, added }) => {
      const errors: string[] = [];
      const engine = await window.inpage.createEngine({ backend });
      const r = await window.harness.settle(async () => {
        const rec = await window.inpage.createRecommender({ engine, manifestUrl });
        const lists = [await rec.recommend({ k: 50 }), await rec.recommend({ strategy: 'trending', k: 50 }), await rec.recommend({ strategy: 'similar', itemId: added[0]!, k: 50 })];
        const out = { ids: lists.flatMap((l) => l.map((x) => x.itemId)), history: rec.history().length, added: added.map((id) => rec.item(id)?.id ?? null) };
        await rec.dispose();
        return out;
      });
      const cached = (await engine.cache.list()).filter((e) => e.url.endsWith('/reco/recommender.onnx')).map((e) => e.sha256);
      await engine.dispose();
      return { r, cached, errors };
    }, { manifestUrl, backend: expectedBackend, added });
    expect(second.r.ok, JSON.stringify(second.r)).toBe(true);
    if (!second.r.ok) return;
    expect(second.r.value.ids.length).toBeGreaterThan(100);
    for (const id of removed) expect(second.r.value.ids).not.toContain(id);
    expect(second.r.value.added).toEqual(added);
    expect(second.r.value.history).toBe(2); // the v1 history survives (its items are gone from v2: not model input)
    // The stale copies were refused and fetched again from the server, once each.
    expect(shop.hits.get('/reco/items.json')).toBe(1);
    expect(shop.hits.get('/reco/recommender.onnx')).toBe(1);
    // The old model entry is evicted; only v2's is kept.
    expect(second.cached).toEqual([sha(v2['recommender.onnx']!)]);
  } finally {
    await new Promise((r) => shop.server.close(r));
  }
});

test('a URL-only load picks up a changed server file once its cache age has passed', async ({ openHarness, expectedBackend }) => {
  const shop = await startShop();
  try {
    const { v1, v2 } = await packages();
    const a = v1['recommender.onnx']!;
    const b = v2['recommender.onnx']!;
    shop.files.set('/m.onnx', { body: a, cacheControl: 'no-cache' });
    const page = await openHarness();
    await page.evaluate(async (backend) => { (window as unknown as { e: unknown }).e = await window.inpage.createEngine({ backend }); }, expectedBackend);
    // One engine (one worker, one model cache) for every load: as later visits would see it.
    const load = (maxAge?: number) => page.evaluate(async ({ url, maxAge }) => {
      const engine = (window as unknown as { e: Awaited<ReturnType<typeof window.inpage.createEngine>> }).e;
      const m = await engine.load({ url }, { warmup: false, ...(maxAge === undefined ? {} : { cacheMaxAgeMs: maxAge }) });
      const r = { sha: m.sha256, source: m.source };
      await m.dispose();
      return r;
    }, { url: `${shop.url}/m.onnx`, maxAge });
    expect(await load()).toEqual({ sha: sha(a), source: 'network' });
    // The copy is stored in the background: wait until the cache lists it.
    await page.waitForFunction(async () => (await (window as unknown as { e: { cache: { list(): Promise<unknown[]> } } }).e.cache.list()).length === 1);
    shop.files.set('/m.onnx', { body: b, cacheControl: 'no-cache' });
    // Within its age the cached copy answers (no request); past it, the server is asked again.
    expect(await load()).toMatchObject({ sha: sha(a) });
    expect(await load(0)).toEqual({ sha: sha(b), source: 'network' });
    expect(await load()).toMatchObject({ sha: sha(b) });
  } finally {
    await new Promise((r) => shop.server.close(r));
  }
});

test('a model body longer than the manifest declares is stopped early and named', async ({ openHarness, expectedBackend }) => {
  const shop = await startShop();
  try {
    const { v1 } = await packages();
    const m = JSON.parse(new TextDecoder().decode(v1['manifest.json'])) as { model: string; files: Record<string, unknown> };
    const hostile = { ...m, model: '../endless.onnx', files: { ...m.files, '../endless.onnx': { bytes: 625_000, sha256: 'a'.repeat(64) } } };
    deploy(shop, { ...v1, 'manifest.json': new TextEncoder().encode(JSON.stringify(hostile)) });
    const page = await openHarness();
    const r = await page.evaluate(async ({ manifestUrl, backend }) => {
      const engine = await window.inpage.createEngine({ backend });
      const out = await window.harness.settle(() => window.inpage.createRecommender({ engine, manifestUrl }));
      await engine.dispose();
      return out;
    }, { manifestUrl: `${shop.url}/reco/manifest.json`, backend: expectedBackend });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INTEGRITY_MISMATCH');
    expect(r.error.details).toMatchObject({ declared: 625_000 });
    await expect.poll(() => shop.endless.closed).toBe(true);
    // Two attempts (the second past the HTTP cache), each cut within a few MB of 625 KB — not 512 MB.
    expect(shop.endless.written).toBeLessThan(64 * 1024 * 1024);
  } finally {
    await new Promise((r) => shop.server.close(r));
  }
});

/** Every file of the trained package (search included), by path under /reco/. */
async function wholePackage(): Promise<Record<string, Uint8Array>> {
  const names = ['manifest.json', 'items.json', 'recommender.onnx', 'search.json', 'search.onnx', 'keywords.json', 'encoder/config.json', 'encoder/tokenizer.json', 'encoder/tokenizer_config.json', 'encoder/onnx/model.onnx', 'encoder/onnx/model_quantized.onnx'];
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, new Uint8Array(await readFile(reco(n)))] as const)));
}

test("the search encoder's files are pinned by search.json: a swapped tokenizer is refused, a redeployed one is picked up", async ({ openHarness, expectedBackend }) => {
  const shop = await startShop();
  try {
    const files = await wholePackage();
    const serve = (f: Record<string, Uint8Array>): void => { for (const [n, body] of Object.entries(f)) shop.files.set(`/reco/${n}`, { body, cacheControl: 'no-cache' }); };
    const tokenizer = JSON.parse(new TextDecoder().decode(files['encoder/tokenizer.json'])) as { model: { vocab: Record<string, number> } };
    // Same format, other words: "tent" and "stove" trade ids (search for tents would find stoves).
    const swapped = structuredClone(tokenizer);
    const v = swapped.model.vocab;
    if (v['tent'] !== undefined && v['stove'] !== undefined) [v['tent'], v['stove']] = [v['stove'], v['tent']];
    const search = (page: Awaited<ReturnType<typeof openHarness>>) => page.evaluate(async ({ manifestUrl, backend }) => {
      const engine = await window.inpage.createEngine({ backend });
      const r = await window.harness.settle(async () => {
        const rec = await window.inpage.createRecommender({ engine, manifestUrl });
        const hits = await rec.search('tent', { k: 3 });
        await rec.dispose();
        return hits.length;
      });
      await engine.dispose();
      return r;
    }, { manifestUrl: `${shop.url}/reco/manifest.json`, backend: expectedBackend });

    serve({ ...files, 'encoder/tokenizer.json': new TextEncoder().encode(JSON.stringify(swapped)) });
    const refused = await search(await openHarness());
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code, refused.error.message).toBe('INTEGRITY_MISMATCH');

    serve(files);
    expect(await search(await openHarness())).toEqual({ ok: true, value: 3 });

    // Redeploy: the same words in other bytes, with search.json listing their hash.
    const next = new TextEncoder().encode(JSON.stringify(tokenizer));
    const sj = JSON.parse(new TextDecoder().decode(files['search.json'])) as { files: Record<string, { bytes: number; sha256: string }> };
    sj.files['encoder/tokenizer.json'] = { bytes: next.byteLength, sha256: sha(next) };
    serve({ ...files, 'encoder/tokenizer.json': next, 'search.json': new TextEncoder().encode(JSON.stringify(sj)) });
    shop.hits.clear();
    expect(await search(await openHarness())).toEqual({ ok: true, value: 3 });
    // The old tokenizer in the model cache was not used: the new one came from the server.
    expect(shop.hits.get('/reco/encoder/tokenizer.json')).toBe(1);
    expect(shop.hits.get('/reco/encoder/onnx/model.onnx') ?? 0).toBe(0); // unchanged: from the model cache
  } finally {
    await new Promise((r) => shop.server.close(r));
  }
});

test('content-addressed redeploy: the previous model entry of the package folder is evicted once v2 loads', async ({ openHarness, expectedBackend }) => {
  const shop = await startShop();
  try {
    const { v1, v2 } = await packages();
    /** The package with hashed names, immutable headers, the manifest no-cache. */
    const hashed = (p: Record<string, Uint8Array>): string => {
      const m = JSON.parse(new TextDecoder().decode(p['manifest.json'])) as { model: string; items: string; files: Record<string, unknown> };
      const model = `recommender.${sha(p['recommender.onnx']!).slice(0, 16)}.onnx`;
      const items = `items.${sha(p['items.json']!).slice(0, 16)}.json`;
      shop.files.set(`/reco/${model}`, { body: p['recommender.onnx']!, cacheControl: 'public, max-age=31536000, immutable' });
      shop.files.set(`/reco/${items}`, { body: p['items.json']!, cacheControl: 'public, max-age=31536000, immutable' });
      const m2 = { ...m, model, items, files: { [model]: m.files[m.model], [items]: m.files[m.items] } };
      shop.files.set('/reco/manifest.json', { body: new TextEncoder().encode(JSON.stringify(m2)), cacheControl: 'no-cache' });
      return model;
    };
    const visit = async () => (await openHarness()).evaluate(async ({ manifestUrl, backend }) => {
      const engine = await window.inpage.createEngine({ backend });
      const rec = await window.inpage.createRecommender({ engine, manifestUrl });
      const n = (await rec.recommend({ strategy: 'trending', k: 5 })).length;
      await rec.dispose();
      // Storing and evicting run in the background after the load: wait for one entry.
      let urls: string[] = [];
      for (let i = 0; i < 50; i++) {
        urls = (await engine.cache.list()).map((e) => e.url.slice(e.url.lastIndexOf('/') + 1)).sort();
        if (urls.length === 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await engine.dispose();
      return { n, urls };
    }, { manifestUrl: `${shop.url}/reco/manifest.json`, backend: expectedBackend });
    const m1 = hashed(v1);
    expect(await visit()).toEqual({ n: 5, urls: [m1] });
    const m2 = hashed(v2);
    expect(m2).not.toBe(m1);
    expect(await visit()).toEqual({ n: 5, urls: [m2] });
  } finally {
    await new Promise((r) => shop.server.close(r));
  }
});
