/**
 * `persistStorage: true` in real Chromium, on both backends (docs/DEPLOY.md, Storage that lasts):
 * `navigator.storage.persist()` is asked only once storage consent is given, at most once, and
 * the browser's answer is what `rec.storage.status()` reports. Calls to the real API are counted
 * by a pass-through wrapper installed before the SDK runs.
 */
import { test, expect } from './fixtures.ts';

test.beforeEach(() => { test.slow(); });

interface Seen { calls: number; status: string; persisted: boolean; changes: string[] }

test('asked only after consent, once; the answer is the browser\'s; off by default', async ({ openHarness, expectedBackend }) => {
  const page = await openHarness();
  const result = await page.evaluate(async (backend) => {
    const counter = { calls: 0 };
    const real = navigator.storage.persist.bind(navigator.storage);
    navigator.storage.persist = () => { counter.calls++; return real(); };
    const { createConsent, createEngine, createRecommender } = window.inpage;
    const engine = await createEngine({ backend: backend as 'wasm', measure: false });
    const consent = createConsent({ mode: 'required' });
    const rec = await createRecommender({ engine, manifestUrl: 'reco/manifest.json', consent, persistStorage: true });
    const plain = await createRecommender({ engine, manifestUrl: 'reco/manifest.json' });
    const changes: string[] = [];
    rec.storage.onChange((s) => changes.push(s));
    await rec.recommend({ strategy: 'trending', k: 2 });
    const before: Seen = { calls: counter.calls, status: rec.storage.status(), persisted: await navigator.storage.persisted(), changes: [...changes] };
    await consent.set(true);
    const status = await rec.storage.settled();
    const after: Seen = { calls: counter.calls, status, persisted: await navigator.storage.persisted(), changes: [...changes] };
    await consent.set(false);
    await consent.set(true);
    await rec.storage.settled();
    const again = counter.calls;
    const bad = await createRecommender({ engine, manifestUrl: 'reco/manifest.json', persistStorage: 'yes' as unknown as boolean }).then(() => 'accepted', (e: { code?: string }) => e.code);
    const out = { before, after, again, plainStatus: plain.storage.status(), bad };
    await Promise.all([rec.dispose(), plain.dispose()]);
    await engine.dispose();
    return out;
  }, expectedBackend);
  expect(result.before).toEqual({ calls: 0, status: 'awaiting-consent', persisted: false, changes: [] });
  expect(result.after.calls).toBe(1);
  expect(['granted', 'denied']).toContain(result.after.status);
  // Whatever Chromium decided (engagement heuristics), the status is its answer.
  expect(result.after.status === 'granted').toBe(result.after.persisted);
  expect(result.after.changes).toEqual([result.after.status]);
  expect(result.again).toBe(1);
  expect(result.plainStatus).toBe('off');
  expect(result.bad).toBe('OPTION_INVALID');
});
