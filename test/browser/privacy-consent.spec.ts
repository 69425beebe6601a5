/**
 * Consent in real Chromium, on both backends (docs/PRIVACY.md): with consent required and not
 * given, a full visit — tracking of every kind, a search, every strategy, with the result cache
 * set to persist — leaves localStorage, sessionStorage, IndexedDB and Cache Storage exactly as
 * they were, gives only non-personalised lists, and queues nothing for later. An IAB TCF v2.2 CMP
 * stand-in and Google Consent Mode (gtag) each grant and revoke, and revoking erases everything.
 */
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { installTcfStub, snapshotStorage, TCF_ALL, traces } from './storage-snapshot.ts';

test.beforeEach(() => { test.slow(); });

/**
 * Engine, consent and recommender on `window.__t`: the engine persists its result cache (behind
 * the same consent) and the recommender's model runs go through it, as the demo wires it.
 */
async function start(page: Page, backend: string, consentOptions: Record<string, unknown>): Promise<void> {
  await page.evaluate(async ({ backend, consentOptions }) => {
    const { createConsent, createEngine, createRecommender } = window.inpage;
    const consent = createConsent(consentOptions);
    // No backend measurement before consent: its verdict would be stored (docs/PRIVACY.md).
    const engine = await createEngine({ backend: backend as 'wasm', measure: false, resultCache: { persist: 'indexeddb', consent } });
    const withResults = {
      load: (s: { url: string; sha256?: string }, o?: object) => engine.load(s, { ...o, resultCache: true }),
      pipeline: engine.pipeline.bind(engine),
    };
    const rec = await createRecommender({ engine: withResults, manifestUrl: 'reco/manifest.json', consent });
    (window as unknown as { __t: unknown }).__t = { consent, engine, rec };
  }, { backend, consentOptions });
}

type T = { __t: { consent: import('../../src/index.ts').Consent; rec: import('../../src/index.ts').Recommender } };

/** Waits (in the page) until `check` holds, up to 15 s; returns the last value. */
async function until<R>(page: Page, check: () => Promise<R> | R, what: string): Promise<R> {
  const handle = await page.waitForFunction(check, undefined, { timeout: 15_000, polling: 100 }).catch((e: unknown) => { throw new Error(`waiting for ${what}: ${String(e)}`); });
  return (await handle.jsonValue()) as R;
}

test('consent required, not given: a full visit changes no storage, lists are not personalised, nothing is written later', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  await page.evaluate(() => { localStorage.setItem('shop:cart', '{"sku-1":1}'); sessionStorage.setItem('shop:tab', 'deals'); });
  const before = await page.evaluate(snapshotStorage);
  expect(traces(before)).toEqual([]);
  await start(page, expectedBackend, { mode: 'required' });
  const visit = await page.evaluate(async () => {
    const { rec, consent } = (window as unknown as T).__t;
    const trending = await rec.recommend({ strategy: 'trending', k: 8 });
    const ids = trending.map((r) => r.itemId);
    const types = ['view', 'click', 'add_to_cart', 'purchase', 'impression'] as const;
    ids.forEach((id, i) => rec.track({ type: types[i % types.length]!, itemId: id }));
    const hits = await rec.search('waterproof tent', { k: 5 });
    const forYou = await rec.recommend({ strategy: 'for-you', k: 8 });
    const forYouAgain = await rec.recommend({ strategy: 'for-you', k: 8 }); // a result-cache hit
    const similar = await rec.recommend({ strategy: 'similar', itemId: ids[0]!, k: 4 });
    const look = await rec.recommend({ strategy: 'complete-the-look', itemId: ids[0]!, k: 4 });
    const lookFromHistory = await window.harness.settle(() => rec.recommend({ strategy: 'complete-the-look' }));
    await new Promise((r) => setTimeout(r, 500)); // any write still queued would land now
    return {
      status: consent.status(), trending, forYou, forYouAgain, similar, look, lookFromHistory, hits: hits.length,
      history: rec.history().length, searches: rec.recentSearches().length,
    };
  });
  expect(visit.status).toMatchObject({ mode: 'required', granted: false, decided: false });
  expect(visit.hits).toBe(5);
  // Non-personalised only: for-you is the trending list; nothing rests on history.
  expect(visit.forYou.map((r) => r.itemId)).toEqual(visit.trending.map((r) => r.itemId));
  expect(visit.forYouAgain).toEqual(visit.forYou);
  for (const r of [...visit.trending, ...visit.forYou, ...visit.similar, ...visit.look]) {
    expect(r.personalised).toBe(false);
    expect(r.basis).not.toBe('history');
  }
  expect(visit.similar).toHaveLength(4);
  expect(visit.look).toHaveLength(4);
  expect(visit.lookFromHistory).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
  expect(visit.history).toBe(0);
  expect(visit.searches).toBe(0);
  expect(await page.evaluate(snapshotStorage)).toEqual(before);

  // Consent arrives: nothing from before it turns up, and storing starts with the next event.
  const granted = await page.evaluate(async () => {
    const { rec, consent } = (window as unknown as T).__t;
    await consent.set(true);
    const early = { history: rec.history().length, searches: rec.recentSearches().length, forYou: await rec.recommend({ strategy: 'for-you', k: 4 }) };
    return early;
  });
  expect(granted.history).toBe(0);
  expect(granted.searches).toBe(0);
  expect(granted.forYou.every((r) => !r.personalised)).toBe(true);
  expect(await page.evaluate(snapshotStorage)).toEqual(before);
  const after = await page.evaluate(async () => {
    const { rec } = (window as unknown as T).__t;
    const top = await rec.recommend({ strategy: 'trending', k: 3 });
    for (const r of top) rec.track({ type: 'view', itemId: r.itemId });
    return { history: rec.history().length, forYou: await rec.recommend({ strategy: 'for-you', k: 4 }) };
  });
  expect(after.history).toBe(3);
  expect(after.forYou.every((r) => r.personalised)).toBe(true);
  await until(page, async () => (await indexedDB.databases()).some((d) => d.name === 'inpage-results-v1'), 'the result cache to persist once consent is given');
  const key = `inpage:reco:${new URL('reco/manifest.json', page.url()).href}`;
  expect(traces(await page.evaluate(snapshotStorage))).toEqual(['indexedDB inpage-results-v1', `localStorage ${key}`, `localStorage ${key}:seen`]);
});

test('an IAB TCF v2.2 CMP grants (purposes 1, 5, 6) and revokes; revoking erases everything', async ({ page, openHarness, expectedBackend }) => {
  await page.addInitScript(installTcfStub);
  await openHarness();
  await start(page, expectedBackend, { mode: 'required' });
  const asked = await page.evaluate(() => {
    const { rec, consent } = (window as unknown as T).__t;
    rec.track({ type: 'view', itemId: 'sku-10001' });
    return { status: consent.status(), history: rec.history().length };
  });
  // The CMP is asking (cmpuishown): no consent, nothing stored, and createRecommender did not wait.
  expect(asked).toEqual({ status: { mode: 'required', granted: false, source: 'option', decided: false }, history: 0 });
  const granted = await page.evaluate(async (all) => {
    const { rec, consent } = (window as unknown as T).__t;
    (window as unknown as { __tcfTest: { decide(c: object): void } }).__tcfTest.decide(all);
    const status = consent.status();
    const top = await rec.recommend({ strategy: 'trending', k: 4 });
    for (const r of top) rec.track({ type: 'view', itemId: r.itemId });
    const forYou = await rec.recommend({ strategy: 'for-you', k: 6 });
    return { status, history: rec.history().length, personalised: forYou.every((r) => r.personalised) };
  }, TCF_ALL);
  expect(granted).toEqual({ status: { mode: 'required', granted: true, source: 'tcf', decided: true }, history: 4, personalised: true });
  await until(page, async () => (await indexedDB.databases()).some((d) => d.name === 'inpage-results-v1'), 'the result cache to persist');
  expect(traces(await page.evaluate(snapshotStorage))).toHaveLength(3); // the result cache, the history, the seen-set

  // The visitor withdraws purposes 5 and 6 in the CMP (storage alone is not enough).
  await page.evaluate(() => (window as unknown as { __tcfTest: { decide(c: object): void } }).__tcfTest.decide({ 1: true }));
  // The sweep erases web storage, then IndexedDB, then Cache Storage (src/privacy/forget.ts):
  // waiting for the first two only and then reading Cache Storage raced the last step.
  await until(page, async () => !(await indexedDB.databases()).some((d) => d.name?.startsWith('inpage-')) && !Object.keys(localStorage).some((k) => k.startsWith('inpage:')) && !(await caches.keys()).some((n) => n.startsWith('inpage-')), 'the erasure');
  const revoked = await page.evaluate(async () => {
    const { rec, consent } = (window as unknown as T).__t;
    rec.track({ type: 'view', itemId: 'sku-10002' });
    const forYou = await rec.recommend({ strategy: 'for-you', k: 6 });
    const trending = await rec.recommend({ strategy: 'trending', k: 6 });
    await new Promise((r) => setTimeout(r, 300));
    return { status: consent.status(), history: rec.history().length, same: forYou.map((r) => r.itemId).join() === trending.map((r) => r.itemId).join(), personalised: forYou.some((r) => r.personalised) };
  });
  expect(revoked).toEqual({ status: { mode: 'required', granted: false, source: 'tcf', decided: true }, history: 0, same: true, personalised: false });
  expect(traces(await page.evaluate(snapshotStorage))).toEqual([]);
});

test('Google Consent Mode v2 (gtag consent default/update, personalization_storage) grants and revokes; revoking erases everything', async ({ page, openHarness, expectedBackend }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { dataLayer: unknown[]; gtag: (...a: unknown[]) => void };
    w.dataLayer = w.dataLayer || [];
    // The snippet Google documents: gtag pushes its `arguments` object.
    w.gtag = function gtag() { w.dataLayer.push(arguments); }; // eslint-disable-line prefer-rest-params
    w.gtag('consent', 'default', { ad_storage: 'denied', analytics_storage: 'denied', personalization_storage: 'denied' });
    w.gtag('js', new Date());
  });
  await openHarness();
  await start(page, expectedBackend, { mode: 'required' });
  type G = { gtag: (...a: unknown[]) => void };
  const r = await page.evaluate(async () => {
    const { rec, consent } = (window as unknown as T).__t;
    const denied = consent.status();
    rec.track({ type: 'view', itemId: 'sku-10001' });
    const before = rec.history().length;
    (window as unknown as G).gtag('consent', 'update', { ad_storage: 'granted' }); // not ours: still denied
    const adsOnly = consent.granted();
    (window as unknown as G).gtag('consent', 'update', { personalization_storage: 'granted' });
    const granted = consent.status();
    const top = await rec.recommend({ strategy: 'trending', k: 3 });
    for (const t of top) rec.track({ type: 'click', itemId: t.itemId });
    await rec.search('warm sleeping bag', { k: 3 });
    return { denied, before, adsOnly, granted, history: rec.history().length, searches: rec.recentSearches().length, personalised: (await rec.recommend({ k: 4 })).every((x) => x.personalised) };
  });
  expect(r.denied).toEqual({ mode: 'required', granted: false, source: 'consent-mode', decided: false });
  expect(r.before).toBe(0);
  expect(r.adsOnly).toBe(false);
  expect(r.granted).toEqual({ mode: 'required', granted: true, source: 'consent-mode', decided: true });
  expect(r).toMatchObject({ history: 3, searches: 1, personalised: true });
  const stored = traces(await page.evaluate(snapshotStorage));
  expect(stored).toContain(`localStorage inpage:reco:${new URL('reco/manifest.json', page.url()).href}:searches`);

  await page.evaluate(() => (window as unknown as G).gtag('consent', 'update', { personalization_storage: 'denied' }));
  // The sweep erases web storage, then IndexedDB, then Cache Storage (src/privacy/forget.ts):
  // waiting for the first two only and then reading Cache Storage raced the last step.
  await until(page, async () => !(await indexedDB.databases()).some((d) => d.name?.startsWith('inpage-')) && !Object.keys(localStorage).some((k) => k.startsWith('inpage:')) && !(await caches.keys()).some((n) => n.startsWith('inpage-')), 'the erasure');
  const revoked = await page.evaluate(async () => {
    const { rec, consent } = (window as unknown as T).__t;
    await new Promise((r) => setTimeout(r, 300)); // room for a late write to show up below
    return { granted: consent.granted(), history: rec.history().length, searches: rec.recentSearches().length };
  });
  expect(revoked).toEqual({ granted: false, history: 0, searches: 0 });
  expect(traces(await page.evaluate(snapshotStorage))).toEqual([]);
});
