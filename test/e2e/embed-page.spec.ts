/**
 * The embed as a site would ship it: the committed example page (public/embed/) under the
 * Content-Security-Policy docs/EMBED.md gives for it, with inpage.js on another origin; the
 * element's layout (grid that fills its width, a sideways-scrolling row), its reason lines, and
 * its empty state.
 */
import type { Page } from '@playwright/test';
import { expect, hostsOf, record, test, type Visit } from './fixtures.ts';

interface Shown { id: string; state: string | null; height: number; itemIds: string[]; reasons: { text: string; cut: boolean; lines: number }[] }

/** Every element's state, height, cards and reason lines (whether the text fits its box). */
function elements(page: Page): Promise<Shown[]> {
  return page.evaluate(() => [...document.querySelectorAll('inpage-recommendations')].map((el, i) => {
    const root = el.shadowRoot!;
    return {
      id: el.id || el.getAttribute('heading') || String(i),
      state: el.getAttribute('data-state'),
      height: el.getBoundingClientRect().height,
      itemIds: [...root.querySelectorAll<HTMLElement>('li[part="card"] [data-item]')].map((a) => a.dataset['item'] ?? ''),
      reasons: [...root.querySelectorAll<HTMLElement>('li[part="card"] [part="reason"]')].map((r) => ({
        text: r.textContent ?? '',
        cut: r.scrollHeight > r.clientHeight + 1,
        lines: Math.round(r.clientHeight / parseFloat(getComputedStyle(r).lineHeight)),
      })),
    };
  }));
}

/** Waits until no element is still loading. */
async function allSettled(v: Visit): Promise<Shown[]> {
  try {
    await v.page.waitForFunction(() => [...document.querySelectorAll('inpage-recommendations')].every((el) => ['ready', 'empty', 'error'].includes(el.getAttribute('data-state') ?? '')), undefined, { timeout: 100_000 });
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nconsole:\n${v.console.join('\n')}`);
  }
  return elements(v.page);
}

/** The page's total layout shift, every entry from navigation on (the skeleton's arrival included). */
function totalShift(page: Page): Promise<number> {
  return page.evaluate(() => new Promise<number>((resolve) => {
    new PerformanceObserver((l) => resolve(l.getEntries().reduce((s, e) => s + (e as unknown as { value: number }).value, 0))).observe({ type: 'layout-shift', buffered: true });
    setTimeout(() => resolve(0), 500);
  }));
}

// Typically 3–10 s each; SwiftShader WebGPU on a loaded 2-core machine has taken 50 s.
test.describe.configure({ timeout: 150_000 });

test('the example page under the documented policy: queued calls from setup.js run, three elements render, nothing moves, two hosts', async ({ visit, servers }) => {
  const v = await visit('csp-embed', 'embed/index.html');
  const shown = await allSettled(v);
  expect(shown.map((e) => [e.state, e.itemIds.length])).toEqual([['ready', 4], ['ready', 4], ['ready', 4]]);
  // setup.js (a file on the page's origin, no inline script) queued a view and a custom call.
  await expect(v.page.locator('#also-bought li')).toHaveCount(3);
  const history = await v.page.evaluate(async () => (await (window as unknown as { Inpage: { recommender(): Promise<{ history(): { type: string; itemId: string }[] }> } }).Inpage.recommender()).history());
  expect(history.map((e) => [e.type, e.itemId])).toContainEqual(['view', 'sku-10001']);
  // inpage.css reserved each element's space from the first paint: no shift at all, skeletons included.
  await v.page.evaluate(() => Promise.all([...document.querySelectorAll('inpage-recommendations')].flatMap((el) => [...el.shadowRoot!.querySelectorAll('img')].map((i) => i.decode().catch(() => {})))));
  expect(await totalShift(v.page)).toBe(0);
  // The reservation is exact: each element's rendered height is the min-height inpage.css gave it
  // before the script ran (one row of cards and the heading).
  const reserved = await v.page.evaluate(() => [...document.querySelectorAll('inpage-recommendations')].map((el) => [parseFloat(getComputedStyle(el).minHeight), el.getBoundingClientRect().height]));
  for (const [min, height] of reserved) expect(height).toBeCloseTo(min!, 0);
  expect((await record(v.page)).violations).toEqual([]);
  expect(hostsOf(v.requests)).toEqual([new URL(v.site.url).host, new URL(servers.cdn.url).host].sort());
  expect(v.console.filter((l) => l.startsWith('error') || l.includes('Inpage'))).toEqual([]);
  expect(v.pageErrors).toEqual([]);
});

test('grid fills the width it is given; scroll is one row that scrolls when the cards do not fit', async ({ page, visit }) => {
  await page.setViewportSize({ width: 1056, height: 900 });
  const v = await visit('plain', 'embed/index.html');
  await allSettled(v);
  const box = (sel: string): Promise<{ list: { left: number; right: number }; cards: { left: number; right: number; top: number }[]; scrolls: boolean }> =>
    v.page.locator(sel).evaluate((el) => {
      // The element's own box: the scroll row's list reaches 4 px past it, room for focus rings.
      const list = el.shadowRoot!.querySelector('ul')!;
      const r = el.getBoundingClientRect();
      return {
        list: { left: r.left, right: r.right },
        cards: [...list.querySelectorAll('li')].map((li) => { const c = li.getBoundingClientRect(); return { left: c.left, right: c.right, top: c.top }; }),
        scrolls: list.scrollWidth > list.clientWidth,
      };
    });
  // A 1,040 px column: four cards edge to edge, not four 160 px cards and empty tracks.
  const grid = await box('inpage-recommendations[strategy="similar"]');
  expect(grid.list.right - grid.list.left).toBeCloseTo(1040, 0);
  expect(grid.cards[0]!.left).toBeCloseTo(grid.list.left, 0);
  expect(grid.cards.at(-1)!.right).toBeCloseTo(grid.list.right, 0);
  const scroll = await box('inpage-recommendations[layout="scroll"]');
  expect(scroll.cards.at(-1)!.right).toBeCloseTo(scroll.list.right, 0);
  expect(scroll.scrolls).toBe(false);

  // A phone: the grid wraps to two columns, the scroll row stays one row and scrolls sideways.
  await v.page.setViewportSize({ width: 360, height: 900 });
  const narrowGrid = await box('inpage-recommendations[strategy="similar"]');
  expect(new Set(narrowGrid.cards.map((c) => Math.round(c.top))).size).toBe(2);
  const narrowScroll = await box('inpage-recommendations[layout="scroll"]');
  expect(new Set(narrowScroll.cards.map((c) => Math.round(c.top))).size).toBe(1);
  expect(narrowScroll.scrolls).toBe(true);
});

test('reason lines get two lines and are not cut on a 1,040 px column', async ({ page, visit }) => {
  await page.setViewportSize({ width: 1056, height: 900 });
  const v = await visit('plain', 'embed/index.html');
  const shown = await allSettled(v);
  const similar = shown[0]!;
  expect(similar.reasons).toHaveLength(4);
  for (const r of similar.reasons) {
    expect(r.text).toMatch(/^Similar to Highroute Timber 38 L Daypack$/);
    expect(r).toMatchObject({ cut: false, lines: 2 });
  }
});

test('an element with nothing to show: data-state="empty", no box, a hook the page can hide its section with', async ({ visit }) => {
  const v = await visit('plain', 'empty.html');
  const shown = await allSettled(v);
  expect(shown.map((e) => [e.state, e.itemIds.length, e.height])).toEqual([['empty', 0, 0], ['empty', 0, 0]]);
  const rec = await record(v.page);
  expect(rec.events.filter((e) => e.type === 'inpage:render').map((e) => e.detail)).toEqual([{ itemIds: [] }, { itemIds: [] }]);
  // The page's own rule (section:has(> inpage-recommendations[data-state="empty"])) hid the heading too.
  expect(await v.page.locator('#wrap').isVisible()).toBe(false);
  // Before data arrived, inpage.css held the space (one row, plus the heading for the first).
  expect(rec.firstPaint!.height).toBeGreaterThan(250);
  expect(v.pageErrors).toEqual([]);
});

test('elements on one page do not repeat each other; allow-repeats opts one out', async ({ visit }) => {
  const v = await visit('plain', 'embed/index.html');
  const shown = await allSettled(v);
  const ids = shown.flatMap((e) => e.itemIds);
  expect(shown.map((e) => e.itemIds.length)).toEqual([4, 4, 4]);
  expect(new Set(ids).size).toBe(ids.length);
  // Without sharing, "Trending now" would be the plain trending list; here it skips what the two above show.
  type Api = { Inpage: { recommend(o: object): Promise<{ itemId: string }[]> } };
  const plain = await v.page.evaluate(() => (window as unknown as Api).Inpage.recommend({ strategy: 'trending', k: 12 }));
  const above = new Set([...shown[0]!.itemIds, ...shown[1]!.itemIds]);
  expect(shown[2]!.itemIds).toEqual(plain.map((r) => r.itemId).filter((id) => !above.has(id)).slice(0, 4));
  // Asked to, it shows the plain list even where that repeats the elements above.
  await v.page.evaluate(() => document.querySelector('inpage-recommendations[strategy="trending"]')!.setAttribute('allow-repeats', ''));
  await expect.poll(async () => (await elements(v.page))[2]!.itemIds).toEqual(plain.slice(0, 4).map((r) => r.itemId));
});
