/**
 * The script tag end to end, in real Chromium: a marketing page on http://127.0.0.1:<port>
 * loading inpage.js from http://localhost:<port>, with the recommender package on the page's
 * origin. Plain, cross-origin isolated, and under the documented strict CSP.
 */
import type { Page } from '@playwright/test';
import { expect, hostsOf, record, settled, test, type Visit } from './fixtures.ts';

interface Card { itemId: string; href: string | null; imgSrc: string | null; imgAlt: string | null; title: string; price: string; reason: string }

function cards(page: Page): Promise<Card[]> {
  return page.evaluate(() => [...document.querySelector('inpage-recommendations')!.shadowRoot!.querySelectorAll('li[part="card"]')].map((li) => {
    const link = li.querySelector<HTMLElement>('[part="link"]')!;
    const img = li.querySelector('img');
    return {
      itemId: link.dataset['item'] ?? '', href: link.getAttribute('href'), imgSrc: img?.getAttribute('src') ?? null, imgAlt: img?.getAttribute('alt') ?? null,
      title: li.querySelector('[part="title"]')!.textContent ?? '', price: li.querySelector('[part="price"]')!.textContent ?? '', reason: li.querySelector('[part="reason"]')!.textContent ?? '',
    };
  }));
}

/** Only the two origins: the page's and the script's. */
function expectTwoHosts(v: Visit, cdn: string): void {
  expect(hostsOf(v.requests)).toEqual([new URL(v.site.url).host, new URL(cdn).host].sort());
}

function inpageConsole(v: Visit): string[] {
  return v.console.filter((l) => l.includes('Inpage'));
}

async function engineInfo(page: Page): Promise<{ threads: number; crossOriginIsolated: boolean; backend: string }> {
  return page.evaluate(async () => {
    const w = window as unknown as { Inpage: { engine(): Promise<{ info(): Promise<{ threads: number; crossOriginIsolated: boolean; backend: string }> }> } };
    return (await w.Inpage.engine()).info();
  });
}

// Typically 3–10 s each; SwiftShader WebGPU on a loaded 2-core machine has taken 50 s.
test.describe.configure({ timeout: 150_000 });

test.describe('script tag on another origin', () => {
  test('renders product cards after a same-size skeleton, on one thread, talking to two hosts only', async ({ visit, servers }) => {
    const v = await visit('plain');
    const result = await settled(v);
    expect(result.type, JSON.stringify(result.detail)).toBe('inpage:render');
    const rec = await record(v.page);
    expect(rec.firstPaint?.skeletons).toBe(4);

    const list = await cards(v.page);
    expect(list).toHaveLength(4);
    const origin = v.site.url;
    for (const c of list) {
      expect(c.itemId).toMatch(/^sku-\d+$/);
      expect(c.itemId).not.toBe('sku-10001');
      expect(c.href).toBe(`${origin}/shop/p/${c.itemId}`);
      expect(c.imgSrc).toBe(`${origin}/shop/images/${c.itemId}.svg`);
      expect(c.imgAlt).toBe(c.title);
      expect(c.title.length).toBeGreaterThan(3);
      expect(c.price).toMatch(/^€\d[\d,]*\.\d\d$/);
      expect(c.reason).toMatch(/^Similar to /);
    }
    // No layout shift: the element keeps the skeleton's height, the text below does not move.
    await v.page.evaluate(() => Promise.all([...document.querySelector('inpage-recommendations')!.shadowRoot!.querySelectorAll('img')].map((i) => i.decode().catch(() => {}))));
    const after = await v.page.evaluate(() => ({
      height: document.querySelector('inpage-recommendations')!.getBoundingClientRect().height,
      belowTop: document.getElementById('below')!.getBoundingClientRect().top,
    }));
    expect(after.height).toBeCloseTo(rec.firstPaint!.height, 0);
    expect(after.belowTop).toBeCloseTo(rec.firstPaint!.belowTop, 0);
    // Layout shifts from the swap on (the skeleton's own arrival is the page's to reserve space
    // for, docs/EMBED.md: an async script may run after the first paint).
    const renderedAt = rec.events.find((e) => e.type === 'inpage:render')!.at;
    const shift = await v.page.evaluate((since) => new Promise<number>((resolve) => {
      new PerformanceObserver((l) => resolve(l.getEntries().filter((e) => e.startTime > since).reduce((s, e) => s + (e as unknown as { value: number }).value, 0))).observe({ type: 'layout-shift', buffered: true });
      setTimeout(() => resolve(0), 500);
    }), renderedAt - 1);
    expect(shift).toBe(0);

    const info = await engineInfo(v.page);
    expect(info).toMatchObject({ threads: 1, crossOriginIsolated: false });
    expectTwoHosts(v, servers.cdn.url);
    expect(v.pageErrors).toEqual([]);
    expect(inpageConsole(v)).toEqual([]);
    // The CDN serves the precompressed copies (docs/SERVING.md); ORT compiled the brotli-encoded
    // wasm: the CPU build without WebGPU, the WebGPU (asyncify) build where WebGPU is present.
    const wasm = ['/ort-wasm-simd-threaded.wasm', '/ort-wasm-simd-threaded.asyncify.wasm'].map((f) => servers.cdn.stats.get(f)).filter((s) => s !== undefined);
    expect(wasm).toHaveLength(1);
    expect(wasm[0]!.count).toBeGreaterThanOrEqual(1);
    expect(wasm[0]!.wireBytes).toBeLessThan(wasm[0]!.bytes / 4);
  });

  test('loads nothing heavy before idle: the runtime starts after the load event', async ({ visit }) => {
    const v = await visit('plain');
    await settled(v);
    const timing = await v.page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const runtime = performance.getEntriesByType('resource').find((r) => r.name.includes('inpage-runtime.js'));
      return { loadEnd: nav.loadEventEnd, runtimeStart: runtime?.startTime ?? -1 };
    });
    expect(timing.runtimeStart).toBeGreaterThanOrEqual(timing.loadEnd);
  });

  test('a page without elements or calls fetches only inpage.js, until a call needs more', async ({ visit }) => {
    const v = await visit('plain', 'blank.html');
    await v.page.waitForTimeout(1500);
    expect(v.requests.filter((u) => !u.endsWith('/favicon.ico')).map((u) => new URL(u).pathname)).toEqual(['/blank.html', '/inpage.js']);
    const recs = await v.page.evaluate(() => (window as unknown as { Inpage: { recommend(o: object): Promise<{ itemId: string }[]> } }).Inpage.recommend({ strategy: 'trending', k: 2 }));
    expect(recs).toHaveLength(2);
    expect(v.requests.some((u) => u.includes('/reco/recommender.onnx'))).toBe(true);
  });

  test('clicks go to rec.track and fire a cancelable inpage:click', async ({ visit }) => {
    const v = await visit('plain');
    expect((await settled(v)).type).toBe('inpage:render');
    // A client-side router would take over here; the test keeps the page where it is.
    await v.page.evaluate(() => document.addEventListener('inpage:click', (e) => e.preventDefault()));
    const second = (await cards(v.page))[1]!;
    await v.page.locator('inpage-recommendations').locator('[part="link"]').nth(1).click();
    const rec = await record(v.page);
    expect(rec.events.find((e) => e.type === 'inpage:click')?.detail).toEqual({ itemId: second.itemId, position: 1, href: second.href });
    const history = await v.page.evaluate(async () => (await (window as unknown as { Inpage: { recommender(): Promise<{ history(): { type: string; itemId: string }[] }> } }).Inpage.recommender()).history());
    expect(history.map((e) => [e.type, e.itemId])).toContainEqual(['click', second.itemId]);
    expect(v.page.url()).toMatch(/index\.html$/);
  });

  test('keyboard: Tab reaches every card link, Enter activates it', async ({ visit }) => {
    const v = await visit('plain');
    expect((await settled(v)).type).toBe('inpage:render');
    await v.page.evaluate(() => document.addEventListener('inpage:click', (e) => e.preventDefault()));
    const ids = (await cards(v.page)).map((c) => c.itemId);
    const focused: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      await v.page.keyboard.press('Tab');
      focused.push(await v.page.evaluate(() => (document.activeElement?.shadowRoot?.activeElement as HTMLElement | null)?.dataset['item'] ?? ''));
    }
    expect(focused).toEqual(ids);
    await v.page.keyboard.press('Enter');
    const rec = await record(v.page);
    expect(rec.events.filter((e) => e.type === 'inpage:click').map((e) => (e.detail as { itemId: string }).itemId)).toEqual([ids.at(-1)]);
  });

  test('impressions: each card once, when at least half of it is on screen, tracked without counting as seen', async ({ page, visit }) => {
    // One card per row, short images, and the element pushed below the fold before it renders.
    await page.setViewportSize({ width: 480, height: 640 });
    await page.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
      const style = document.createElement('style');
      style.textContent = 'main > p:first-child { margin-bottom: 150vh } inpage-recommendations { --inpage-card-width: 100%; --inpage-image-ratio: 3 }';
      document.head.append(style);
    }));
    const v = await visit('plain');
    expect((await settled(v)).type).toBe('inpage:render');
    const ids = (await cards(v.page)).map((c) => c.itemId);
    expect(ids).toHaveLength(4);
    type InpageWindow = { Inpage: { recommender(): Promise<{ history(): { type: string; itemId: string }[] }>; recommend(o: object): Promise<{ itemId: string; basis: string }[]> } };
    const impressions = async (): Promise<string[][]> => (await record(v.page)).events.filter((e) => e.type === 'inpage:impression').map((e) => (e.detail as { itemIds: string[] }).itemIds);
    const tracked = (): Promise<string[][]> => v.page.evaluate(async () => (await (window as unknown as InpageWindow).Inpage.recommender()).history().map((e) => [e.type, e.itemId]));
    /** Scrolls so that `share` of card `i` is on screen, from the bottom edge up. */
    const reveal = (i: number, share: number): Promise<void> => v.page.evaluate(({ i, share }) => {
      const card = document.querySelector('inpage-recommendations')!.shadowRoot!.querySelectorAll('li[part="card"]')[i]!.getBoundingClientRect();
      window.scrollBy(0, card.top + share * card.height - window.innerHeight);
      return new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    }, { i, share });
    // A few frames for an observer that would fire, then the state must not have changed.
    const quiet = (): Promise<void> => v.page.waitForTimeout(400);

    // Rendered but off screen: nothing reported, nothing tracked.
    await quiet();
    expect(await impressions()).toEqual([]);
    expect(await tracked()).toEqual([]);

    // 40 % of the first card is not an impression; all of it is, and only that card's.
    await reveal(0, 0.4);
    await quiet();
    expect(await impressions()).toEqual([]);
    await reveal(0, 1);
    await expect.poll(impressions).toEqual([[ids[0]]]);
    for (const i of [1, 2, 3]) await reveal(i, 0.75);
    await expect.poll(async () => (await impressions()).flat()).toEqual(ids);
    // Once per card per rendered list: scrolling away and back reports nothing new.
    await v.page.evaluate(() => window.scrollTo(0, 0));
    await quiet();
    await reveal(0, 1);
    await quiet();
    expect((await impressions()).flat()).toEqual(ids);
    expect(await tracked()).toEqual(ids.map((id) => ['impression', id]));

    // Shown is not seen: the same list comes back (excludeSeen is on by default), and for-you
    // with impressions only is still the no-history fallback.
    const similar = { strategy: 'similar', itemId: 'sku-10001', k: 4 };
    const recommend = (o: object): Promise<{ itemId: string; basis: string }[]> => v.page.evaluate((opts) => (window as unknown as InpageWindow).Inpage.recommend(opts), o);
    expect((await recommend(similar)).map((r) => r.itemId)).toEqual(ids);
    expect((await recommend({ k: 4 })).every((r) => r.basis === 'trending')).toBe(true);
    // A click is an interaction: that item counts as seen from now on.
    await v.page.evaluate(() => document.addEventListener('inpage:click', (e) => e.preventDefault()));
    await v.page.locator('inpage-recommendations').locator('[part="link"]').nth(0).click();
    expect((await recommend(similar)).map((r) => r.itemId)).not.toContain(ids[0]);

    // Stored with the history: a reload keeps the impressions (and the click). From the top of
    // the page, so the restored scroll position shows no card.
    await v.page.evaluate(() => window.scrollTo(0, 0));
    await v.page.reload();
    expect((await settled(v)).type).toBe('inpage:render');
    expect(await tracked()).toEqual([...ids.map((id) => ['impression', id]), ['click', ids[0]]]);

    // A new list is a new round of impressions.
    const before = (await impressions()).length;
    await v.page.evaluate(() => document.querySelector('inpage-recommendations')!.setAttribute('count', '2'));
    await expect.poll(async () => (await cards(v.page)).length).toBe(2);
    await reveal(1, 1);
    await expect.poll(async () => (await impressions()).slice(before).flat().sort()).toEqual((await cards(v.page)).map((c) => c.itemId).sort());
    expect(v.pageErrors).toEqual([]);
  });

  test('theming: custom properties and ::part reach inside the shadow root', async ({ visit }) => {
    const v = await visit('plain');
    expect((await settled(v)).type).toBe('inpage:render');
    await v.page.addStyleTag({ content: 'inpage-recommendations { --inpage-card-border: 3px solid rgb(200, 0, 0); } inpage-recommendations::part(title) { color: rgb(0, 128, 0); }' });
    const style = await v.page.evaluate(() => {
      const root = document.querySelector('inpage-recommendations')!.shadowRoot!;
      return { border: getComputedStyle(root.querySelector('li')!).borderTopWidth, title: getComputedStyle(root.querySelector('[part="title"]')!).color };
    });
    expect(style).toEqual({ border: '3px', title: 'rgb(0, 128, 0)' });
  });

  test('calls made before the script loaded are queued and replayed', async ({ visit }) => {
    const v = await visit('plain', 'queue.html');
    await v.page.waitForFunction(() => (window as unknown as { queuedRecs?: unknown }).queuedRecs !== undefined, undefined, { timeout: 45_000 });
    const seen = await v.page.evaluate(async () => {
      const w = window as unknown as { queuedApi: unknown; queuedRecs: unknown[]; Inpage: { recommender(): Promise<{ history(): { type: string; itemId: string }[] }> } };
      return { api: w.queuedApi, recs: w.queuedRecs.length, history: (await w.Inpage.recommender()).history().map((e) => [e.type, e.itemId]) };
    });
    expect(seen).toEqual({ api: { createEngine: 'function', InpageError: 'function', version: '0.1.0' }, recs: 2, history: [['view', 'sku-10001']] });
    expect(v.pageErrors).toEqual([]);
  });

  test('catalog fields are text only; javascript: and data: URLs are dropped', async ({ visit }) => {
    const v = await visit('plain', 'evil.html');
    expect((await settled(v)).type).toBe('inpage:render');
    const list = await cards(v.page);
    expect(list).toHaveLength(3);
    for (const c of list) {
      expect(c.title).toMatch(/^<img src=x onerror="window.__xss=\d+"><script>window.__xss=\d+<\/script> Tent \d+$/);
      expect(c.href).toBeNull();
      expect(c.imgSrc).toBeNull();
    }
    const dom = await v.page.evaluate(() => ({
      xss: (window as unknown as { __xss?: unknown }).__xss,
      injected: document.querySelector('inpage-recommendations')!.shadowRoot!.querySelectorAll('script, img, [onerror], a').length,
    }));
    expect(dom).toEqual({ xss: undefined, injected: 0 });
  });

  test('a second copy of the script keeps the first installation and does not collide', async ({ visit, servers }) => {
    const v = await visit('plain');
    expect((await settled(v)).type).toBe('inpage:render');
    const again = await v.page.evaluate(async (src) => {
      const before = (window as unknown as { Inpage: unknown }).Inpage;
      const ctor = customElements.get('inpage-recommendations');
      const s = document.createElement('script');
      s.src = src;
      s.dataset['manifest'] = '/elsewhere/manifest.json';
      await new Promise((resolve, reject) => { s.onload = resolve; s.onerror = reject; document.head.append(s); });
      return { sameGlobal: (window as unknown as { Inpage: unknown }).Inpage === before, sameElement: customElements.get('inpage-recommendations') === ctor };
    }, `${servers.cdn.url}/inpage.js?copy=2`);
    expect(again).toEqual({ sameGlobal: true, sameElement: true });
    expect(await cards(v.page)).toHaveLength(4);
    expect(v.pageErrors).toEqual([]);
    expect(inpageConsole(v)).toEqual([]);
  });

  test('an element named Inpage in the markup does not switch the script tag off', async ({ visit }) => {
    const v = await visit('plain', 'named-element.html');
    expect((await settled(v)).type).toBe('inpage:render');
    expect(await cards(v.page)).toHaveLength(4);
    const api = await v.page.evaluate(() => {
      const w = window as unknown as { Inpage: { version?: unknown; recommend?: unknown } };
      return { version: w.Inpage.version, recommend: typeof w.Inpage.recommend, formStill: document.forms.namedItem('Inpage') !== null };
    });
    expect(api).toEqual({ version: '0.1.0', recommend: 'function', formStill: true });
    expect(v.pageErrors).toEqual([]);
  });

  test('a device without WebAssembly gets one warning, no cards and no downloads', async ({ page, visit }) => {
    await page.addInitScript(() => { delete (window as unknown as { WebAssembly?: unknown }).WebAssembly; });
    const v = await visit('plain');
    const result = await settled(v);
    expect(result).toMatchObject({ type: 'inpage:error', detail: { code: 'BACKEND_UNAVAILABLE' } });
    expect(await v.page.evaluate(() => document.querySelector('inpage-recommendations')!.shadowRoot!.childNodes.length)).toBe(0);
    expect(inpageConsole(v)).toEqual(['warning: Inpage: this browser has no WebAssembly, so on-device recommendations are off on this device.']);
    expect(v.requests.filter((u) => u.includes('inpage-runtime') || u.includes('inpage-worker') || u.includes('/reco/'))).toEqual([]);
  });
});

test.describe('cross-origin isolated page', () => {
  test('uses WASM threads and renders', async ({ visit, servers }) => {
    const v = await visit('isolated');
    const result = await settled(v);
    expect(result.type, JSON.stringify(result.detail)).toBe('inpage:render');
    const info = await engineInfo(v.page);
    expect(info.crossOriginIsolated).toBe(true);
    expect(info.threads).toBeGreaterThan(1);
    expect(await cards(v.page)).toHaveLength(4);
    expectTwoHosts(v, servers.cdn.url);
    expect(inpageConsole(v)).toEqual([]);
  });
});

test.describe('Content-Security-Policy', () => {
  test('the documented strict policy: renders, no violation, two hosts', async ({ visit, servers }) => {
    const v = await visit('csp');
    const result = await settled(v);
    expect(result.type, JSON.stringify(result.detail)).toBe('inpage:render');
    expect(await cards(v.page)).toHaveLength(4);
    await v.page.locator('inpage-recommendations').locator('[part="link"]').first().evaluate((a) => a.addEventListener('click', (e) => e.preventDefault()));
    await v.page.locator('inpage-recommendations').locator('[part="link"]').first().click();
    const rec = await record(v.page);
    expect(rec.events.filter((e) => e.type === 'inpage:click')).toHaveLength(1);
    expect(rec.violations).toEqual([]);
    expectTwoHosts(v, servers.cdn.url);
    expect(inpageConsole(v)).toEqual([]);
  });

  test('the strict policy with blob: in script-src keeps threads on an isolated page', async ({ visit }) => {
    const v = await visit('csp-isolated');
    const result = await settled(v);
    expect(result.type, JSON.stringify(result.detail)).toBe('inpage:render');
    expect((await engineInfo(v.page)).threads).toBeGreaterThan(1);
    expect((await record(v.page)).violations).toEqual([]);
  });

  test('a policy that forbids workers: nothing rendered, page unaffected, one message saying what to add', async ({ visit }) => {
    const v = await visit('csp-no-worker');
    const result = await settled(v);
    expect(result).toMatchObject({ type: 'inpage:error', detail: { code: 'WORKER_UNAVAILABLE' } });
    expect((result.detail as { message: string }).message).toContain('Add: worker-src blob:');
    const page = await v.page.evaluate(() => ({
      shadow: document.querySelector('inpage-recommendations')!.shadowRoot!.childNodes.length,
      height: document.querySelector('inpage-recommendations')!.getBoundingClientRect().height,
      below: document.getElementById('below')!.textContent,
    }));
    expect(page).toEqual({ shadow: 0, height: 0, below: 'Free returns within 30 days.' });
    const ours = inpageConsole(v);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^error: Inpage: The page's Content-Security-Policy blocked Inpage's worker \(worker-src blob\)\. Add: worker-src blob:/);
    expect(v.pageErrors).toEqual([]);
  });

  test("a policy without 'wasm-unsafe-eval': nothing rendered, one message saying to add it", async ({ visit }) => {
    const v = await visit('csp-no-wasm');
    const result = await settled(v);
    expect(result.type).toBe('inpage:error');
    expect((result.detail as { message: string }).message).toContain("Add: script-src 'wasm-unsafe-eval'.");
    expect(await v.page.evaluate(() => document.querySelector('inpage-recommendations')!.shadowRoot!.childNodes.length)).toBe(0);
    const ours = inpageConsole(v).filter((l) => l.startsWith('error: Inpage:') || l.startsWith('warning: Inpage:'));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^error: Inpage: The page's Content-Security-Policy does not allow WebAssembly .*Add: script-src 'wasm-unsafe-eval'\./);
    expect(v.pageErrors).toEqual([]);
  });
});
