/**
 * Fixtures for the demo-shop tests: the demo built with the root vite.config.ts (as
 * `npm run build:demo` builds it) into an ignored folder, served by the test static server, plus a
 * record of every request the browser context makes (page and workers) and of what the visitor
 * saw while the model loaded.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { build } from 'vite';
import { fileURLToPath } from 'node:url';
import { serve, type RunningServer } from '../server/static-server.ts';

export { expect };

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** What an init script records in the page, read back with `seen()`. */
export interface Seen {
  /** Texts of the load label, in order (progress, compile, ready). */
  loadLabels: string[];
  /** When each label appeared, ms after navigation start. */
  loadTimes: number[];
  /** `value/max` of the progress bar each time it changed ('indeterminate' without a value). */
  progress: string[];
  /** Skeleton cards inserted into a row after that row first showed real items. */
  skeletonsAfterReady: number;
  /** Cumulative layout shift (the Layout Instability API), excluding shifts after input. */
  cls: number;
}

export interface DemoFixtures {
  /** Every URL the browser context requested (pages and their workers). */
  requests: string[];
  /** Opens the shop at `path` (default `/`, i.e. index.html) and waits for "For you". */
  openShop: (path?: string) => Promise<Page>;
  seen: () => Promise<Seen>;
}

export interface DemoWorkerFixtures {
  demoServer: RunningServer;
}

/** Runs in the page before its scripts: watches the load panel, skeletons and layout shifts. */
function recorder(): void {
  const seen = { loadLabels: [] as string[], loadTimes: [] as number[], progress: [] as string[], skeletonsAfterReady: 0, cls: 0 };
  (window as unknown as { __seen: typeof seen }).__seen = seen;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) if (!e.hadRecentInput) seen.cls += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
  const start = (): void => {
    const label = document.getElementById('load-label');
    const bar = document.getElementById('load-progress') as HTMLProgressElement | null;
    if (label === null || bar === null) return;
    const note = (): void => {
      const t = label.textContent ?? '';
      if (seen.loadLabels.at(-1) !== t) { seen.loadLabels.push(t); seen.loadTimes.push(Math.round(performance.now())); }
      const p = bar.hasAttribute('value') ? `${bar.value}/${bar.max}` : 'indeterminate';
      if (seen.progress.at(-1) !== p) seen.progress.push(p);
    };
    note();
    new MutationObserver(note).observe(label, { childList: true, characterData: true, subtree: true });
    new MutationObserver(note).observe(bar, { attributes: true });
    new MutationObserver((records) => {
      for (const r of records) {
        const row = (r.target as Element).closest?.('.row');
        if (row === null || row === undefined || !row.hasAttribute('data-was-ready')) continue;
        for (const n of r.addedNodes) if (n instanceof Element && n.classList.contains('skeleton')) seen.skeletonsAfterReady++;
      }
      for (const row of document.querySelectorAll('.row[data-state="ready"]')) row.setAttribute('data-was-ready', '');
    }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-state'] });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
}

export const test = base.extend<DemoFixtures, DemoWorkerFixtures>({
  demoServer: [async ({}, use, workerInfo) => {
    // One build per test worker (parallel workers must not share an output folder). The public
    // folder is served as a second root rather than copied: the same files, 19 MB less copying.
    const outDir = root(`test/.build/demo-${workerInfo.parallelIndex}`);
    await build({ configFile: root('vite.config.ts'), logLevel: 'warn', publicDir: false, build: { outDir, emptyOutDir: true, reportCompressedSize: false } });
    // Cache headers as a static host would send them for a Vite build: hashed assets (the SDK, its
    // worker and the 14 MB ORT wasm) are immutable, everything else revalidates. The model bytes
    // on a repeat visit come from the engine's own cache, which the tests check separately.
    const server = await serve({
      roots: [outDir, root('public')],
      cacheControl: (path) => (/^(\/coi)?\/assets\//.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
    await use(server);
    await server.close();
  }, { scope: 'worker', timeout: 180_000 }],

  requests: async ({ context }, use) => {
    const urls: string[] = [];
    context.on('request', (r) => urls.push(r.url()));
    await use(urls);
  },

  openShop: async ({ page, demoServer, requests }, use, info) => {
    void requests; // start recording before the first navigation
    // With --enable-unsafe-webgpu, 'auto' builds the model on SwiftShader's CPU-emulated WebGPU
    // and on WASM and times both (DESIGN.md): tens of seconds on two shared cores.
    info.slow(info.project.name === 'webgpu', 'auto measures WebGPU (SwiftShader) against WASM');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(recorder);
    await use(async (path = '/') => {
      await page.goto(`${demoServer.url}${path}`);
      await expect(page.locator('#for-you[data-state="ready"] .card').first()).toBeVisible({ timeout: 90_000 });
      return page;
    });
    expect(errors, 'uncaught errors in the shop').toEqual([]);
  },

  seen: async ({ page }, use) => {
    await use(() => page.evaluate(() => (window as unknown as { __seen: Seen }).__seen));
  },
});

/** Categories of the cards in a row, in order. */
export function rowCategories(page: Page, rowId: string): Promise<string[]> {
  return page.locator(`#${rowId} .card[data-category]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-category') ?? ''));
}

/** The categories a camper shops (tent, sleeping, cooking, camp furniture). */
export const CAMPING = new Set(['tents', 'sleeping-bags', 'sleeping-pads', 'stoves', 'cookware', 'camp-furniture']);

export function campingShare(categories: readonly string[]): number {
  return categories.length === 0 ? 0 : categories.filter((c) => CAMPING.has(c)).length / categories.length;
}
