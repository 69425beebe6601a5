/**
 * Privacy through the script tag, in real Chromium (docs/PRIVACY.md): with `data-consent="required"`
 * a full visit — two elements, clicks, impressions, tracking calls — leaves localStorage,
 * sessionStorage, IndexedDB and Cache Storage exactly as the shop left them (no model cache, no
 * backend verdict either) and shows only non-personalised lists; the page's TCF consent tool
 * grants, `Inpage.consent(false)` revokes and erases. The "Why these?" disclosure on a German page:
 * in German, reachable and operable with the keyboard, and its button forgets for real.
 */
import type { Page } from '@playwright/test';
import { expect, record, settled, test, type Visit } from './fixtures.ts';
import { installTcfStub, snapshotStorage, TCF_ALL, traces } from '../browser/storage-snapshot.ts';

test.describe.configure({ timeout: 150_000 });

type InpageWindow = {
  Inpage: {
    track(e: { type: string; itemId: string }): void;
    recommend(o: object): Promise<{ itemId: string; personalised: boolean }[]>;
    recommender(): Promise<{ history(): { type: string; itemId: string }[] }>;
    consent(granted: boolean): Promise<{ erased: { area: string; name: string }[] } | undefined>;
    consentState(): { status(): { granted: boolean; source: string } };
  };
};

/** Renders seen so far, per element id (or 'element' for one without an id). */
async function renders(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const e of (window as unknown as { __renders: string[] }).__renders) out[e] = (out[e] ?? 0) + 1;
    return out;
  });
}

/** Counts renders per element, and records forget events, from before the page's scripts run. */
function countRenders(): void {
  const w = window as unknown as { __renders: string[]; __forgets: unknown[] };
  w.__renders = [];
  w.__forgets = [];
  document.addEventListener('inpage:render', (e) => w.__renders.push((e.target as HTMLElement).id || 'element'), true);
  document.addEventListener('inpage:forget', (e) => w.__forgets.push((e as CustomEvent).detail), true);
}

/** The disclosure under an element's list. */
function why(page: Page, selector: string): Promise<{ present: boolean; text: string; button: string | null; lang: string }> {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel)!.shadowRoot!;
    const d = root.querySelector<HTMLDetailsElement>('details[part="why"]');
    return { present: d !== null, text: d?.querySelector('[part="why-text"]')?.textContent ?? '', button: d?.querySelector('[part="forget"]')?.textContent ?? null, lang: d?.lang ?? '' };
  }, selector);
}

test('data-consent="required": a full visit stores nothing anywhere, lists are not personalised; the TCF tool grants, Inpage.consent(false) erases', async ({ page, visit }) => {
  await page.addInitScript(installTcfStub);
  await page.addInitScript(countRenders);
  await page.addInitScript(() => {
    // The shop's own data, which must survive everything.
    localStorage.setItem('shop:cart', '{"sku-10003":1}');
    sessionStorage.setItem('shop:tab', 'deals');
  });
  const v: Visit = await visit('plain', 'privacy.html');
  expect((await settled(v)).type).toBe('inpage:render');
  await expect.poll(() => renders(v.page)).toEqual({ 'for-you': 1, similar: 1 });

  // A full visit: clicks, impressions (scrolled into view), tracking calls of every kind.
  await v.page.evaluate(() => document.addEventListener('inpage:click', (e) => e.preventDefault()));
  await v.page.locator('#similar').locator('[part="link"]').nth(1).click();
  await v.page.locator('#for-you').locator('[part="link"]').nth(0).click();
  await v.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await v.page.evaluate(() => {
    const { Inpage } = window as unknown as InpageWindow;
    for (const [type, itemId] of [['view', 'sku-10001'], ['add_to_cart', 'sku-10002'], ['purchase', 'sku-10003'], ['impression', 'sku-10004']]) Inpage.track({ type: type!, itemId: itemId! });
  });
  const lists = await v.page.evaluate(async () => {
    const { Inpage } = window as unknown as InpageWindow;
    const forYou = await Inpage.recommend({ strategy: 'for-you', k: 4 });
    const trending = await Inpage.recommend({ strategy: 'trending', k: 4 });
    await new Promise((r) => setTimeout(r, 500));
    return { forYou, trending, history: (await Inpage.recommender()).history().length, status: Inpage.consentState().status() };
  });
  expect(lists.status).toMatchObject({ granted: false });
  expect(lists.history).toBe(0);
  expect(lists.forYou.map((r) => r.itemId)).toEqual(lists.trending.map((r) => r.itemId));
  expect(lists.forYou.every((r) => !r.personalised)).toBe(true);
  // Exactly what the shop stored: no Inpage key, no database, no cache (no model cache, no verdict).
  expect(await v.page.evaluate(snapshotStorage)).toEqual({ localStorage: { 'shop:cart': '{"sku-10003":1}' }, sessionStorage: { 'shop:tab': 'deals' }, indexedDB: [], cacheStorage: [] });
  // The for-you element explains itself: not personalised, and no forget button (nothing to forget).
  const before = await why(v.page, '#for-you');
  expect(before).toMatchObject({ present: true, button: null, lang: 'en' });
  expect(before.text).toMatch(/not personalised/);
  expect((await why(v.page, '#similar')).present).toBe(false);

  // The visitor accepts in the consent tool: storing starts with the next event.
  await v.page.evaluate((all) => (window as unknown as { __tcfTest: { decide(c: object): void } }).__tcfTest.decide(all), TCF_ALL);
  await expect.poll(() => v.page.evaluate(() => (window as unknown as InpageWindow).Inpage.consentState().status())).toMatchObject({ granted: true, source: 'tcf' });
  await v.page.evaluate(() => {
    const { Inpage } = window as unknown as InpageWindow;
    for (const id of ['sku-10001', 'sku-10002', 'sku-10005']) Inpage.track({ type: 'view', itemId: id });
    document.querySelector('#for-you')!.setAttribute('count', '4'); // re-render
  });
  await expect.poll(async () => (await renders(v.page))['for-you']).toBe(2);
  const after = await why(v.page, '#for-you');
  expect(after.button).toBe('Forget my history');
  expect(after.text).toMatch(/personalised on this device/);
  // The history, the KPI ledger (impressions attributed to their list), the list just shown
  // (remembered for the next page view, now that consent allows it) and the seen-set.
  expect(traces(await v.page.evaluate(snapshotStorage))).toEqual([`localStorage inpage:reco:${v.site.url}/reco/manifest.json`, `localStorage inpage:reco:${v.site.url}/reco/manifest.json:kpi`, `localStorage inpage:reco:${v.site.url}/reco/manifest.json:lists`, `localStorage inpage:reco:${v.site.url}/reco/manifest.json:seen`]);

  // The site's own banner withdraws consent: everything Inpage stored goes, the shop's data stays.
  const report = await v.page.evaluate(() => (window as unknown as InpageWindow).Inpage.consent(false));
  expect(report?.erased).toContainEqual({ area: 'localStorage', name: `inpage:reco:${v.site.url}/reco/manifest.json` });
  expect(report?.erased).toContainEqual({ area: 'localStorage', name: `inpage:reco:${v.site.url}/reco/manifest.json:lists` });
  const end = await v.page.evaluate(snapshotStorage);
  expect(traces(end)).toEqual([]);
  expect(end.indexedDB).toEqual([]);
  expect(end.cacheStorage).toEqual([]);
  expect(end.localStorage).toEqual({ 'shop:cart': '{"sku-10003":1}' });
  expect(v.pageErrors).toEqual([]);
});

test('"Why these?" on a German page: in German, keyboard-operable, and "Meinen Verlauf löschen" really forgets', async ({ page, visit }) => {
  await page.addInitScript(countRenders);
  const v = await visit('plain', 'privacy-de.html');
  expect((await settled(v)).type).toBe('inpage:render');
  // The skeleton reserved the disclosure's line: the list's arrival moved nothing below it.
  await v.page.evaluate(() => Promise.all([...document.querySelector('inpage-recommendations')!.shadowRoot!.querySelectorAll('img')].map((i) => i.decode().catch(() => {}))));
  const first = (await record(v.page)).firstPaint!;
  const placed = await v.page.evaluate(() => ({ height: document.querySelector('inpage-recommendations')!.getBoundingClientRect().height, below: document.getElementById('below')!.getBoundingClientRect().top }));
  expect(placed.height).toBeCloseTo(first.height, 0);
  expect(placed.below).toBeCloseTo(first.belowTop, 0);
  await v.page.evaluate(() => {
    const { Inpage } = window as unknown as InpageWindow;
    for (const id of ['sku-10001', 'sku-10002', 'sku-10003']) Inpage.track({ type: 'view', itemId: id });
    document.querySelector('inpage-recommendations')!.setAttribute('count', '4');
  });
  await expect.poll(async () => (await renders(v.page))['element']).toBe(2);
  const el = 'inpage-recommendations';
  const disclosure = await why(v.page, el);
  expect(disclosure).toMatchObject({ present: true, lang: 'de', button: 'Meinen Verlauf löschen' });
  expect(disclosure.text).toContain('nichts davon wird an die Server des Shops gesendet');
  expect(await v.page.evaluate(() => document.querySelector('inpage-recommendations')!.shadowRoot!.querySelector('section')!.getAttribute('aria-label'))).toBe('Für Sie');

  // Keyboard only: Tab past the four cards to the summary, Enter opens it, Tab to the button, Enter.
  const focused = (): Promise<string> => v.page.evaluate(() => {
    const a = document.activeElement?.shadowRoot?.activeElement as HTMLElement | null | undefined;
    return a ? `${a.tagName.toLowerCase()}:${a.getAttribute('part') ?? ''}:${a.textContent ?? ''}` : `page:${document.activeElement?.tagName ?? ''}`;
  });
  for (let i = 0; i < 4; i++) {
    await v.page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^a:link:/);
  }
  await v.page.keyboard.press('Tab');
  expect(await focused()).toBe('summary:why-summary:Warum diese Vorschläge?');
  await v.page.keyboard.press('Enter');
  expect(await v.page.evaluate(() => document.querySelector('inpage-recommendations')!.shadowRoot!.querySelector('details')!.open)).toBe(true);
  // Exposed to assistive tech as a disclosure with a named button inside.
  const aria = await v.page.locator(el).ariaSnapshot();
  expect(aria).toContain('Warum diese Vorschläge?');
  expect(aria).toContain('button "Meinen Verlauf löschen"');
  await v.page.keyboard.press('Tab');
  expect(await focused()).toBe('button:forget:Meinen Verlauf löschen');
  await v.page.keyboard.press('Enter');

  // The list re-renders without history; focus lands on the outcome, announced as a status.
  await expect.poll(async () => (await renders(v.page))['element']).toBe(3);
  expect(await focused()).toBe('p:notice:Ihr Verlauf auf diesem Gerät wurde gelöscht.');
  expect(await v.page.evaluate(() => document.querySelector('inpage-recommendations')!.shadowRoot!.querySelector('[part="notice"]')!.getAttribute('role'))).toBe('status');
  const forgets = await v.page.evaluate(() => (window as unknown as { __forgets: { erased: { area: string; name: string }[] }[] }).__forgets);
  expect(forgets).toHaveLength(1);
  expect(forgets[0]!.erased).toContainEqual({ area: 'localStorage', name: `inpage:reco:${v.site.url}/reco/manifest.json` });
  // Forgetting is not withdrawing consent: the re-rendered cards are new impressions, recorded
  // again. Everything from before is gone.
  const state = await v.page.evaluate(async () => ({
    history: (await (window as unknown as InpageWindow).Inpage.recommender()).history().map((e) => [e.type, e.itemId]),
    shown: [...document.querySelector('inpage-recommendations')!.shadowRoot!.querySelectorAll<HTMLElement>('[data-item]')].map((c) => c.dataset['item']),
  }));
  expect(state.history.filter(([type]) => type !== 'impression')).toEqual([]);
  for (const [, itemId] of state.history) expect(state.shown).toContain(itemId);
  const now = await why(v.page, el);
  expect(now).toMatchObject({ present: true, button: null, lang: 'de' });
  expect(now.text).toMatch(/nicht personalisiert/);
  expect(v.pageErrors).toEqual([]);
});

test("the shop's own banner: a queued Inpage consent call applies before anything loads, so the model cache and history work at once; withdrawing erases them", async ({ visit }) => {
  const v = await visit('plain', 'privacy-banner.html');
  expect((await settled(v)).type).toBe('inpage:render');
  const state = await v.page.evaluate(async () => {
    const { Inpage } = window as unknown as InpageWindow;
    return { status: Inpage.consentState().status(), history: (await Inpage.recommender()).history().map((e) => [e.type, e.itemId]) };
  });
  expect(state.status).toMatchObject({ granted: true, source: 'api' });
  expect(state.history).toContainEqual(['view', 'sku-10001']);
  // Consent was known when the recommender loaded its model: it went into the model cache.
  await expect.poll(async () => (await v.page.evaluate(snapshotStorage)).cacheStorage.map((c) => c.name)).toEqual(['inpage-models-v1']);
  expect((await why(v.page, 'inpage-recommendations')).present).toBe(true);
  // Withdrawing consent erases everything it allowed, the model cache (and any verdict) included.
  const report = await v.page.evaluate(() => (window as unknown as InpageWindow).Inpage.consent(false));
  expect(report?.erased).toContainEqual({ area: 'cacheStorage', name: 'inpage-models-v1' });
  const end = await v.page.evaluate(snapshotStorage);
  expect(traces(end)).toEqual([]);
  expect(v.pageErrors).toEqual([]);
});
