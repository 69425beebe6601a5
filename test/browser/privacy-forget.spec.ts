/**
 * `forget()` in real Chromium, on both backends (docs/PRIVACY.md): with localStorage full, after
 * a manifest version bump (`?v=2` keys), with a persisted result cache, backend verdicts and the
 * model cache, it leaves no Inpage data on the origin, leaves the shop's own data alone, returns
 * exactly what it erased, and keeps the model cache unless asked. Retention with a controlled
 * clock against the real localStorage.
 */
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { snapshotStorage, traces } from './storage-snapshot.ts';

test.beforeEach(() => { test.slow(); });

type W = { __t: { rec: import('../../src/index.ts').Recommender; rec2: import('../../src/index.ts').Recommender } };

async function waitFor(page: Page, check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  await page.waitForFunction(check, undefined, { timeout: 20_000, polling: 100 }).catch((e: unknown) => { throw new Error(`waiting for ${what}: ${String(e)}`); });
}

test('forget() with localStorage at quota erases what earlier writes stored, and the events do not come back', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  const r = await page.evaluate(async ({ backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const rec = await window.inpage.createRecommender({ engine, manifestUrl: 'reco/manifest.json' });
    const ids = (await rec.recommend({ strategy: 'trending', k: 12 })).map((x) => x.itemId);
    for (const id of ids.slice(0, 4)) rec.track({ type: 'view', itemId: id });
    // Fill the origin's localStorage to the last character.
    let n = 0;
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 8, 16, 1]) {
      const chunk = 'x'.repeat(size);
      for (;;) {
        try { localStorage.setItem(`shop:fill:${n}`, chunk); n++; } catch { break; }
      }
    }
    let full = false;
    try { localStorage.setItem('shop:probe', 'xxxxxxxxxxxxxxxx'); } catch (e) { full = (e as DOMException).name === 'QuotaExceededError'; }
    // These writes are refused: the events live in memory for the rest of the page.
    for (const id of ids.slice(4, 8)) rec.track({ type: 'click', itemId: id });
    const key = `inpage:reco:${new URL('reco/manifest.json', location.href).href}`;
    const stored = (JSON.parse(localStorage.getItem(key)!) as { e: unknown[] }).e.length;
    const inMemory = rec.history().length;
    const report = await rec.forget();
    const after = { key: localStorage.getItem(key), inpageKeys: Object.keys(localStorage).filter((k) => k.startsWith('inpage:')), fill: Object.keys(localStorage).filter((k) => k.startsWith('shop:fill:')).length, history: rec.history().length };
    await rec.dispose();
    const reloaded = await window.inpage.createRecommender({ engine, manifestUrl: 'reco/manifest.json' });
    const again = reloaded.history().length;
    await engine.dispose();
    return { full, stored, inMemory, report, after, again, key, filled: n };
  }, { backend: expectedBackend });
  expect(r.full).toBe(true);
  expect(r.stored).toBe(4);
  expect(r.inMemory).toBe(8);
  expect(r.report.erased).toContainEqual({ area: 'localStorage', name: r.key });
  expect(r.after).toEqual({ key: null, inpageKeys: [], fill: r.filled, history: 0 });
  // The first version nulled its storage after the refused write and erased nothing: these came back.
  expect(r.again).toBe(0);
});

test('forget() after a manifest version bump, with a persisted result cache and the model cache, leaves no Inpage data and says what it erased', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  await page.evaluate(async ({ backend }) => {
    localStorage.setItem('shop:cart', '{"sku-1":2}');
    sessionStorage.setItem('inpage:tab', 'an Inpage key in sessionStorage (as a later version might write)');
    // 'auto', as on a real site: where WebGPU exists the engine measures it against WASM and
    // stores the verdict (one more thing forget() must erase).
    const engine = await window.inpage.createEngine({ backend: 'auto', resultCache: { persist: 'indexeddb' } });
    if ((await engine.info()).adapter === undefined && backend === 'webgpu') throw new Error('no WebGPU adapter in the webgpu project');
    const withResults = {
      load: (s: { url: string; sha256?: string }, o?: object) => engine.load(s, { ...o, resultCache: true }),
      pipeline: engine.pipeline.bind(engine),
    };
    // The same shop before and after a deploy that bumped the manifest URL.
    const rec = await window.inpage.createRecommender({ engine: withResults, manifestUrl: 'reco/manifest.json' });
    const rec2 = await window.inpage.createRecommender({ engine: withResults, manifestUrl: 'reco/manifest.json?v=2' });
    const ids = (await rec.recommend({ strategy: 'trending', k: 6 })).map((x) => x.itemId);
    for (const id of ids.slice(0, 3)) rec.track({ type: 'view', itemId: id });
    for (const id of ids.slice(3)) rec2.track({ type: 'add_to_cart', itemId: id });
    await rec.search('tent for two', { k: 3 });
    await rec2.search('down jacket', { k: 3 });
    await rec.recommend({ k: 5 });
    await rec2.recommend({ k: 5 });
    (window as unknown as W).__t = { rec, rec2 };
  }, { backend: expectedBackend });
  await waitFor(page, async () => (await indexedDB.databases()).some((d) => d.name === 'inpage-results-v1') && (await caches.keys()).includes('inpage-models-v1'), 'the result cache and the model cache to be written');
  const before = await page.evaluate(snapshotStorage);
  const manifest = new URL('reco/manifest.json', page.url()).href;
  const expected = [
    `localStorage inpage:reco:${manifest}`, `localStorage inpage:reco:${manifest}:searches`, `localStorage inpage:reco:${manifest}:seen`,
    `localStorage inpage:reco:${manifest}?v=2`, `localStorage inpage:reco:${manifest}?v=2:searches`, `localStorage inpage:reco:${manifest}?v=2:seen`,
    'sessionStorage inpage:tab', 'indexedDB inpage-results-v1',
    // The measured WebGPU-vs-WASM verdict exists where there is WebGPU to measure.
    ...(expectedBackend === 'webgpu' ? ['indexedDB inpage-verdicts-v1'] : []),
  ].sort();
  // The model cache: bytes in Cache Storage; the store also opens its IndexedDB fallback to evict
  // other versions, which creates that (empty) database.
  const modelCache = ['cacheStorage inpage-models-v1', 'indexedDB inpage-models-v1'];
  expect(traces(before)).toEqual([...expected, ...modelCache].sort());
  expect(before.indexedDB.find((d) => d.name === 'inpage-results-v1')!.stores['results']).toBeGreaterThan(0);

  const first = await page.evaluate(async () => {
    const { rec, rec2 } = (window as unknown as W).__t;
    const report = await rec.forget();
    return { report, h2: rec2.history().length, s2: rec2.recentSearches().length };
  });
  // Exactly what was there, each checked gone; the model cache kept and reported as kept.
  expect(first.report.erased.map((e) => `${e.area} ${e.name}`).sort()).toEqual(expected);
  expect(first.report.kept.map((e) => `${e.area} ${e.name}`).sort()).toEqual(modelCache);
  expect(first.h2).toBe(0);
  expect(first.s2).toBe(0);
  const middle = await page.evaluate(snapshotStorage);
  expect(traces(middle)).toEqual(modelCache);
  expect(middle.localStorage['shop:cart']).toBe('{"sku-1":2}');

  const second = await page.evaluate(async () => (window as unknown as W).__t.rec2.forget({ modelCache: true }));
  expect(second.erased.map((e) => `${e.area} ${e.name}`).sort()).toEqual(modelCache);
  expect(second.kept).toEqual([]);
  const after = await page.evaluate(snapshotStorage);
  expect(traces(after)).toEqual([]);
  expect(after.localStorage).toEqual({ 'shop:cart': '{"sku-1":2}' });
});

test('retention: events and searches expire after the window (controlled clock), and leave localStorage', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  const r = await page.evaluate(async ({ backend }) => {
    const DAY = 86_400_000;
    let clock = Date.parse('2026-12-01T12:00:00Z');
    const engine = await window.inpage.createEngine({ backend });
    const rec = await window.inpage.createRecommender({ engine, manifestUrl: 'reco/manifest.json', now: () => clock, retention: { days: 30 } });
    const key = `inpage:reco:${new URL('reco/manifest.json', location.href).href}`;
    const ids = (await rec.recommend({ strategy: 'trending', k: 3 })).map((x) => x.itemId);
    rec.track({ type: 'view', itemId: ids[0]! });
    clock += 20 * DAY;
    rec.track({ type: 'view', itemId: ids[1]! });
    await rec.search('tent', { k: 2 });
    const day20 = { history: rec.history().length, searches: rec.recentSearches().length };
    clock += 11 * DAY; // the first view is 31 days old
    const day31 = { history: rec.history().map((e) => e.itemId), stored: (JSON.parse(localStorage.getItem(key)!) as { e: unknown[] }).e.length, personalised: (await rec.recommend({ k: 3 })).every((x) => x.personalised) };
    clock += 20 * DAY;
    // Expiry is checked on every read: the history, the searches, and the seen-set recommend() reads.
    const day51 = { history: rec.history().length, searches: rec.recentSearches().length, personalised: (await rec.recommend({ k: 3 })).some((x) => x.personalised), keys: Object.keys(localStorage).filter((k) => k.startsWith('inpage:')) };
    await engine.dispose();
    return { ids, day20, day31, day51 };
  }, { backend: expectedBackend });
  expect(r.day20).toEqual({ history: 2, searches: 1 });
  expect(r.day31).toEqual({ history: [r.ids[1]], stored: 1, personalised: true });
  expect(r.day51).toEqual({ history: 0, searches: 0, keys: [], personalised: false });
});
