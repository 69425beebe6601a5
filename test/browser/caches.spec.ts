/**
 * ModelStore and ResultCache against real Chromium storage: Cache Storage round trips, versioned
 * eviction, fallback to IndexedDB (no `caches`, QuotaExceededError) with one warning, tampered
 * entries in either store become misses and are deleted, and persisted results survive a reload.
 */
import { test as base, expect, serverUrl } from './fixtures.ts';

/** `page` already on caches.html (the harness for non-public cache modules), failing on page errors. */
const test = base.extend<{ cachesPage: void }>({
  cachesPage: [async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${serverUrl()}/caches.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'harness ready');
    await use();
    expect(errors, 'uncaught errors in the page').toEqual([]);
  }, { auto: true }],
});

test('Cache Storage: put/get round trip, list, versioned eviction, delete, clear', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { ModelStore, sha256Hex } = window.inpageCaches;
    const warnings: string[] = [];
    const store = new ModelStore({ namespace: 'rt', warn: (m) => warnings.push(m) });
    const v1 = Uint8Array.from({ length: 4096 }, (_, i) => i & 255);
    const v2 = Uint8Array.from({ length: 2048 }, (_, i) => (i * 7) & 255);
    const sha1 = await sha256Hex(v1);
    const sha2 = await sha256Hex(v2);
    const url = new URL('models/mlp.onnx', location.href).href;
    const where1 = await store.put(url, sha1, v1, '1');
    const hit1 = await store.get(url, sha1);
    const cacheKeys1 = (await (await caches.open('rt')).keys()).map((k) => k.url);
    const where2 = await store.put(url, sha2, v2, '2');
    await store.put('other.onnx', sha1, v1);
    const afterV2 = { old: await store.get(url, sha1), latest: await store.get(url) };
    const listed = (await store.list()).map((i) => ({ url: i.url, sha: i.sha256, store: i.store, version: i.version ?? null, bytes: i.bytes }));
    await store.delete('other.onnx');
    const afterDelete = (await store.list()).length;
    await store.clear();
    const afterClear = { list: await store.list(), keys: (await (await caches.open('rt')).keys()).length, get: await store.get(url) };
    return {
      where1, where2, warnings, cacheKeys1, sha1, sha2, url, listed, afterDelete,
      hit1: hit1 && { same: hit1.bytes.every((b, i) => b === v1[i]) && hit1.bytes.length === v1.length, store: hit1.info.store, version: hit1.info.version ?? null },
      oldGone: afterV2.old === undefined,
      latest: afterV2.latest && { sha: afterV2.latest.info.sha256, len: afterV2.latest.bytes.length },
      afterClear: { list: afterClear.list.length, keys: afterClear.keys, get: afterClear.get === undefined },
    };
  });
  expect(r.where1).toBe('cache-storage');
  expect(r.where2).toBe('cache-storage');
  expect(r.warnings).toEqual([]);
  // The entry, and the record of last reads (least-recently-used eviction).
  expect(r.cacheKeys1).toEqual([`https://inpage.invalid/models/${r.sha1}?u=${encodeURIComponent(r.url)}`, 'https://inpage.invalid/usage']);
  expect(r.hit1).toEqual({ same: true, store: 'cache-storage', version: '1' });
  expect(r.oldGone).toBe(true);
  expect(r.latest).toEqual({ sha: r.sha2, len: 2048 });
  expect(r.listed).toHaveLength(2);
  expect(r.listed).toContainEqual({ url: r.url, sha: r.sha2, store: 'cache-storage', version: '2', bytes: 2048 });
  expect(r.listed).toContainEqual({ url: 'other.onnx', sha: r.sha1, store: 'cache-storage', version: null, bytes: 4096 });
  expect(r.afterDelete).toBe(1);
  expect(r.afterClear).toEqual({ list: 0, keys: 0, get: true });
});

test('no `caches` in scope: falls back to IndexedDB with exactly one warning', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { ModelStore, sha256Hex } = window.inpageCaches;
    const warnings: string[] = [];
    const store = new ModelStore({ namespace: 'nocaches', scope: { caches: undefined, indexedDB }, warn: (m) => warnings.push(m) });
    const a = Uint8Array.from([1, 2, 3, 4, 5]);
    const b = Uint8Array.from([6, 7, 8]);
    const where = [await store.put('a.onnx', await sha256Hex(a), a), await store.put('b.onnx', await sha256Hex(b), b)];
    const got = await store.get('a.onnx');
    // A second instance (a later page, or the worker) sees the persisted entry.
    const again = await new ModelStore({ namespace: 'nocaches', scope: { indexedDB } }).get('b.onnx');
    return { where, warnings, got: got && { store: got.info.store, bytes: Array.from(got.bytes) }, again: again && Array.from(again.bytes) };
  });
  expect(r.where).toEqual(['indexeddb', 'indexeddb']);
  expect(r.warnings).toHaveLength(1);
  expect(r.warnings[0]).toMatch(/Cache Storage is unavailable.*trying IndexedDB/);
  expect(r.got).toEqual({ store: 'indexeddb', bytes: [1, 2, 3, 4, 5] });
  expect(r.again).toEqual([6, 7, 8]);
});

test('QuotaExceededError from Cache Storage: falls back to IndexedDB, warns once', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { ModelStore, sha256Hex } = window.inpageCaches;
    // Real caches, except that every put reports a full disk.
    const fullCaches = {
      open: async (name: string) => {
        const real = await caches.open(name);
        return new Proxy(real, {
          get: (target, prop) => {
            if (prop === 'put') return () => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
            const v: unknown = Reflect.get(target, prop);
            return typeof v === 'function' ? v.bind(target) : v; // `then` is undefined: not a thenable
          },
        });
      },
    } as unknown as CacheStorage;
    const warnings: string[] = [];
    const store = new ModelStore({ namespace: 'full', scope: { caches: fullCaches, indexedDB }, warn: (m) => warnings.push(m) });
    const x = Uint8Array.from({ length: 100 }, (_, i) => i);
    const sha = await sha256Hex(x);
    const where = [await store.put('x.onnx', sha, x, 'a'), await store.put('x.onnx', sha, x, 'b')];
    const list = (await store.list()).map((i) => `${i.store}:${i.url}:${i.version ?? ''}`);
    const inCache = (await (await caches.open('full')).keys()).length;
    return { where, warnings, list, inCache, hit: (await store.get('x.onnx', sha))?.info.store };
  });
  expect(r.where).toEqual(['indexeddb', 'indexeddb']);
  expect(r.warnings).toHaveLength(1);
  expect(r.warnings[0]).toMatch(/Cache Storage is full \(QuotaExceededError\); trying IndexedDB/);
  expect(r.list).toEqual(['indexeddb:x.onnx:b']);
  expect(r.inCache).toBe(0);
  expect(r.hit).toBe('indexeddb');
});

test('a tampered Cache Storage entry is a miss and is deleted', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { ModelStore, sha256Hex } = window.inpageCaches;
    const store = new ModelStore({ namespace: 'tamper' });
    const x = Uint8Array.from({ length: 256 }, (_, i) => i);
    const sha = await sha256Hex(x);
    await store.put('t.onnx', sha, x);
    const cache = await caches.open('tamper');
    const [key] = await cache.keys();
    const original = (await cache.match(key!))!;
    const evil = x.slice();
    evil[10] = 0;
    await cache.put(key!, new Response(evil, { headers: original.headers }));
    const listedBefore = (await store.list()).length;
    const got = await store.get('t.onnx', sha);
    return { listedBefore, got: got === undefined, keysAfter: (await cache.keys()).length, listedAfter: (await store.list()).length };
  });
  expect(r).toEqual({ listedBefore: 1, got: true, keysAfter: 0, listedAfter: 0 });
});

test('a tampered IndexedDB entry is a miss and is deleted', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { ModelStore, sha256Hex } = window.inpageCaches;
    const store = new ModelStore({ namespace: 'tamper-idb', preferred: ['indexeddb'] });
    const x = Uint8Array.from({ length: 64 }, (_, i) => i);
    const sha = await sha256Hex(x);
    await store.put('t.onnx', sha, x);
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open('tamper-idb');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const tx = open.result.transaction('bytes', 'readwrite');
        tx.objectStore('bytes').put(Uint8Array.from({ length: 64 }, () => 7), `${sha} t.onnx`);
        tx.oncomplete = () => { open.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    });
    return { got: (await store.get('t.onnx')) === undefined, listedAfter: (await store.list()).length };
  });
  expect(r).toEqual({ got: true, listedAfter: 0 });
});

test('ResultCache with persist: indexeddb survives a page reload', async ({ page }) => {
  const first = await page.evaluate(async () => {
    const { ResultCache } = window.inpageCaches;
    const cache = new ResultCache({ persist: 'indexeddb', namespace: 'results-reload', maxEntries: 2 });
    const feeds = (v: number) => ({ x: { type: 'float32' as const, dims: [1, 3], data: Float32Array.from([v, v + 1, v + 2]) } });
    for (const v of [1, 2, 3]) { // 3 entries into 2 slots: v=1 is evicted, here and on disk
      const r = cache.get('model-sha', feeds(v));
      if (!r.hit) cache.set(r.ticket, { y: { type: 'int64', dims: [1], data: BigInt64Array.from([BigInt(v * 10)]) } });
    }
    await cache.flush();
    return cache.stats();
  });
  expect(first).toMatchObject({ entries: 2, evictions: 1, misses: 3 });

  await page.reload();
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'harness ready');
  const second = await page.evaluate(async () => {
    const { ResultCache } = window.inpageCaches;
    const cache = new ResultCache({ persist: 'indexeddb', namespace: 'results-reload' });
    const restored = await cache.restore();
    const feeds = (v: number) => ({ x: { type: 'float32' as const, dims: [1, 3], data: Float32Array.from([v, v + 1, v + 2]) } });
    const look = (v: number) => { const r = cache.get('model-sha', feeds(v)); return r.hit ? String((r.outputs['y']!.data as BigInt64Array)[0]) : null; };
    const hits = [look(1), look(2), look(3)];
    const other = new ResultCache({ persist: 'indexeddb', namespace: 'another-copy-of-the-sdk' });
    const otherRestored = await other.restore();
    await cache.clear();
    const afterClear = await new ResultCache({ persist: 'indexeddb', namespace: 'results-reload' }).restore();
    return { restored, hits, otherRestored, afterClear };
  });
  expect(second).toEqual({ restored: 2, hits: [null, '20', '30'], otherRestored: 0, afterClear: 0 });
});

test('ResultCache answers a small hit fast in Chromium (target p50 ≤ 0.05 ms; measured mean ~0.005 ms idle)', async ({ page }) => {
  const meanMs = await page.evaluate(() => {
    const { ResultCache } = window.inpageCaches;
    const cache = new ResultCache();
    const feeds = { x: { type: 'float32' as const, dims: [1, 64], data: Float32Array.from({ length: 64 }, (_, i) => i / 7) } };
    const r = cache.get('model-sha', feeds);
    if (!r.hit) cache.set(r.ticket, { y: { type: 'float32', dims: [1, 8], data: new Float32Array(8) } });
    // performance.now() is clamped to 0.1 ms without cross-origin isolation: time many hits.
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) if (!cache.get('model-sha', feeds).hit) throw new Error('miss');
    return (performance.now() - t0) / n;
  });
  test.info().annotations.push({ type: 'mean hit ms', description: meanMs.toFixed(5) });
  // The bench holds the 0.05 ms target; a mean on a shared 2-core machine also carries GC and
  // preemption, so this only catches order-of-magnitude regressions (e.g. a scan per lookup).
  expect(meanMs).toBeLessThan(0.25);
});

test('a size budget evicts the least recently used models in Cache Storage and IndexedDB; list shows last use', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { ModelStore, sha256Hex } = window.inpageCaches;
    const out: Record<string, { urls: string[]; lastUsedShown: boolean }> = {};
    for (const kind of ['cache-storage', 'indexeddb'] as const) {
      const store = new ModelStore({ namespace: `budget-${kind}-${Date.now()}`, preferred: [kind], maxBytes: 5000 });
      const put = async (name: string, seed: number) => {
        const b = Uint8Array.from({ length: 2048 }, (_, i) => (i * seed) & 255);
        await store.put(name, await sha256Hex(b), b);
        await new Promise((res) => setTimeout(res, 5));
      };
      await put('a.onnx', 3);
      await put('b.onnx', 5);
      await store.get('a.onnx');
      await put('c.onnx', 7); // 3 × 2048 > 5000: b, the least recently used, goes
      const listed = await store.list();
      out[kind] = { urls: listed.map((i) => i.url).sort(), lastUsedShown: typeof listed.find((i) => i.url === 'a.onnx')?.lastUsed === 'number' };
      await store.clear();
    }
    return out;
  });
  expect(r).toEqual({
    'cache-storage': { urls: ['a.onnx', 'c.onnx'], lastUsedShown: true },
    indexeddb: { urls: ['a.onnx', 'c.onnx'], lastUsedShown: true },
  });
});
