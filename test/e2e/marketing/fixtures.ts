/**
 * Playwright fixtures for the marketing site (site.ts): the e2e fixtures' CDN origin for
 * inpage.js, and the site on its own origin per variant, written into this worker's folder. Plus
 * an in-page recorder of each element's `data-state` changes and of layout shifts.
 */
import type { Page } from '@playwright/test';
import { root, test as base } from '../fixtures.ts';
import type { RunningServer } from '../../server/static-server.ts';
import { serveMarketingSite, writeMarketingSite, type SiteVariant } from './site.ts';

export { expect } from '../fixtures.ts';

export interface MarketingFixtures {
  /** The marketing site for `variant` (started on first use, one per variant and worker). */
  marketing: (variant: SiteVariant) => Promise<RunningServer>;
}

export const test = base.extend<object, MarketingFixtures>({
  marketing: [async ({ servers }, use, info) => {
    const started = new Map<string, Promise<RunningServer>>();
    await use((variant) => {
      const name = `${variant.tag ? 'tag' : 'bare'}${variant.consent ? `-${variant.consent}` : ''}`;
      let s = started.get(name);
      if (!s) {
        const dir = root(`test/.build/e2e/w${info.workerIndex}/marketing-${name}`);
        s = writeMarketingSite(dir, servers.cdn.url, variant).then(() => serveMarketingSite(dir, root('public')));
        started.set(name, s);
      }
      return s;
    });
    for (const s of started.values()) await (await s).close();
  }, { scope: 'worker' }],
});

/** One `data-state` change of an element: which element (its heading), when, and the cards then. */
export interface StateChange { heading: string; state: string; at: number; itemIds: string[]; busy: string | null; kept?: boolean }

/**
 * Runs in the page before its scripts: every element's `data-state` changes (the first one,
 * 'loading', is the moment it connected) with the cards shown at that moment, and the page's
 * layout shifts. A card painted while 'cached' is marked, so a later change can tell whether
 * the same node was kept (`kept`: the first card is still the node painted from the cache).
 */
export function recordStates(): void {
  const w = window as unknown as { __states: StateChange[]; __shift: number; __shifts: string[] };
  w.__states = [];
  w.__shift = 0;
  w.__shifts = [];
  type Shift = PerformanceEntry & { value: number; sources?: { node?: Node | null; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as Shift[]) {
      w.__shift += e.value;
      // What moved, for the failure message: element, then its box before → after.
      const what = (e.sources ?? []).map((s) => `${s.node instanceof Element ? s.node.localName + (s.node.id ? `#${s.node.id}` : '') : s.node?.nodeName ?? '?'} ${JSON.stringify([s.previousRect.y, s.previousRect.height])}→${JSON.stringify([s.currentRect.y, s.currentRect.height])}`);
      w.__shifts.push(`${e.value.toFixed(5)} at ${Math.round(e.startTime)} ms: ${what.join(', ')}`);
    }
  }).observe({ type: 'layout-shift', buffered: true });
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target as Element;
      if (el.localName !== 'inpage-recommendations') continue;
      const state = el.getAttribute('data-state') ?? '';
      const links = [...(el.shadowRoot?.querySelectorAll<HTMLElement>('li[part="card"] [data-item]') ?? [])];
      const first = links[0] as (HTMLElement & { __fromCache?: boolean }) | undefined;
      const busy = el.shadowRoot?.querySelector('section')?.getAttribute('aria-busy') ?? null;
      const change: StateChange = { heading: el.getAttribute('heading') ?? '', state, at: performance.now(), itemIds: links.map((a) => a.dataset['item'] ?? ''), busy };
      if (state === 'cached' && first) first.__fromCache = true;
      if (state === 'ready') change.kept = first?.__fromCache === true;
      w.__states.push(change);
    }
  }).observe(document, { attributes: true, attributeFilter: ['data-state'], subtree: true });
}

/** The recorded changes, the page's total layout shift so far and what moved. */
export function states(page: Page): Promise<{ changes: StateChange[]; shift: number; shifts: string[] }> {
  return page.evaluate(() => {
    const w = window as unknown as { __states: StateChange[]; __shift: number; __shifts: string[] };
    return { changes: w.__states, shift: w.__shift, shifts: w.__shifts };
  });
}

/** Waits until every element has rendered, come back empty or failed. */
export async function allSettled(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => [...document.querySelectorAll('inpage-recommendations')].every((el) => ['ready', 'empty', 'error'].includes(el.getAttribute('data-state') ?? '')), undefined, { timeout });
}

/** Each element's states in order, by heading (a state set twice in a row counts once). */
export function sequences(changes: readonly StateChange[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of changes) {
    const seq = (out[c.heading] ??= []);
    if (seq.at(-1) !== c.state) seq.push(c.state);
  }
  return out;
}
