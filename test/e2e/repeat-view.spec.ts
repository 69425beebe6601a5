/**
 * Instant repeat views (#19) on the marketing site with the script tag: a list the visitor saw is
 * painted again the moment the element connects on the next page, marked `data-state="cached"`,
 * then confirmed in place or replaced by the model's answer, with no layout shift; a list from
 * another package is never painted; `forget()` erases the remembered lists. How fast it paints is
 * the bench's job (bench/site/repeat-view.ts), not a test's.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { root } from './fixtures.ts';
import { allSettled, expect, recordStates, sequences, states, test } from './marketing/fixtures.ts';

// Two or three page views, each until the model answered: WebGPU on SwiftShader is slow.
test.describe.configure({ timeout: 240_000 });

const cards = (page: Page, heading: string): Promise<string[]> => page.evaluate((h) => [...document.querySelector(`inpage-recommendations[heading="${h}"]`)!.shadowRoot!.querySelectorAll<HTMLElement>('li[part="card"] [data-item]')].map((a) => a.dataset['item'] ?? ''), heading);

test.beforeEach(async ({ page }) => {
  // Tall enough that every element is on screen: a shift anywhere on the page is counted.
  await page.setViewportSize({ width: 1280, height: 3200 });
  await page.addInitScript(recordStates);
});

test('the next page paints the remembered list at connect, marked cached, and the answer confirms or replaces it without a shift', async ({ page, marketing }) => {
  const site = await marketing({ tag: true });
  await page.goto(`${site.url}/index.html`);
  await allSettled(page);
  const forYou = await cards(page, 'Picked for you');
  expect(forYou).toHaveLength(4);
  const key = `inpage:reco:${site.url}/reco/manifest.json:lists`;
  expect(await page.evaluate((k) => localStorage.getItem(k) !== null, key)).toBe(true);
  // A first view has nothing to paint early: skeleton, then the answer.
  expect(sequences((await states(page)).changes)).toEqual({ 'Trending now': ['loading', 'ready'], 'Picked for you': ['loading', 'ready'] });

  await page.goto(`${site.url}/product.html`);
  await allSettled(page);
  const { changes, shift, shifts } = await states(page);
  // 'Picked for you' asks the question it asked on the landing page; 'You may also like' is new.
  expect(sequences(changes)).toEqual({ 'You may also like': ['loading', 'ready'], 'Picked for you': ['loading', 'cached', 'ready'] });
  const cached = changes.find((c) => c.state === 'cached')!;
  expect(cached.itemIds).toEqual(forYou);
  // While cached the region says it is still busy: a screen reader is not told the list is final.
  expect(cached.busy).toBe('true');
  const ready = changes.find((c) => c.heading === 'Picked for you' && c.state === 'ready')!;
  expect(ready.busy).toBe('false');
  // Same list: the painted cards stay (no image reloads); a new list: new cards in the same boxes.
  expect(ready.kept).toBe(JSON.stringify(ready.itemIds) === JSON.stringify(cached.itemIds));
  // No element of the page shows another's product, the remembered list included.
  const similar = await cards(page, 'You may also like');
  expect(ready.itemIds.filter((id) => similar.includes(id))).toEqual([]);
  await page.evaluate(() => Promise.all([...document.querySelectorAll('inpage-recommendations')].flatMap((el) => [...el.shadowRoot!.querySelectorAll('img')].map((i) => i.decode().catch(() => {})))));
  expect(shift, shifts.join('\n')).toBe(0);
  expect((await states(page)).shift).toBe(0);
});

test('a list from another package is never painted: the catalogue changed (an item went out of stock)', async ({ page, marketing }) => {
  const site = await marketing({ tag: true });
  await page.goto(`${site.url}/index.html`);
  await allSettled(page);
  const forYou = await cards(page, 'Picked for you');

  // The shop re-exports its catalogue: the first remembered item is now out of stock.
  const manifest = JSON.parse(await readFile(root('public/reco/manifest.json'), 'utf8')) as { items: string; files: Record<string, { bytes: number; sha256: string }> };
  const items = JSON.parse(await readFile(root(`public/reco/${manifest.items}`), 'utf8')) as { ids: string[]; inStock: number[] };
  items.inStock[items.ids.indexOf(forYou[0]!)] = 0;
  const bytes = Buffer.from(JSON.stringify(items));
  manifest.files[manifest.items] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  await page.route('**/reco/manifest.json', (r) => r.fulfill({ contentType: 'application/json', body: JSON.stringify(manifest) }));
  await page.route(`**/reco/${manifest.items}`, (r) => r.fulfill({ contentType: 'application/json', body: bytes }));

  await page.goto(`${site.url}/product.html`);
  await allSettled(page);
  const { changes, shift, shifts } = await states(page);
  expect(sequences(changes)).toEqual({ 'You may also like': ['loading', 'ready'], 'Picked for you': ['loading', 'ready'] });
  expect(changes.some((c) => c.state === 'cached')).toBe(false);
  expect(shift, shifts.join('\n')).toBe(0);
  // The new package's lists are remembered in place of the old ones, and used on the next view.
  await page.goto(`${site.url}/index.html`);
  await allSettled(page);
  expect(sequences((await states(page)).changes)['Picked for you']).toEqual(['loading', 'cached', 'ready']);
});

test('forget() erases the remembered lists: the next page starts from the skeleton', async ({ page, marketing }) => {
  const site = await marketing({ tag: true });
  await page.goto(`${site.url}/index.html`);
  await allSettled(page);
  const key = `inpage:reco:${site.url}/reco/manifest.json:lists`;
  const report = await page.evaluate(() => (window as unknown as { Inpage: { forget(): Promise<{ erased: { area: string; name: string }[] }> } }).Inpage.forget());
  expect(report.erased).toContainEqual({ area: 'localStorage', name: key });
  // (The history key comes back at once: the cards on screen are impressions, recorded again.)
  expect(await page.evaluate((k) => localStorage.getItem(k), key)).toBeNull();
  await page.goto(`${site.url}/product.html`);
  await allSettled(page);
  expect((await states(page)).changes.some((c) => c.state === 'cached')).toBe(false);
});

test('without consent nothing is remembered and nothing painted early', async ({ page, marketing }) => {
  const site = await marketing({ tag: true, consent: 'required' });
  await page.goto(`${site.url}/index.html`);
  await allSettled(page);
  expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
  await page.goto(`${site.url}/product.html`);
  await allSettled(page);
  expect((await states(page)).changes.some((c) => c.state === 'cached')).toBe(false);
});
