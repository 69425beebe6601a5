/**
 * An in-page recorder for the marketing site (page.addInitScript(recordStates)): each element's
 * `data-state` changes with the cards shown then and when they reached the screen, and the page's
 * layout shifts with what moved. Shared by the e2e specs and the bench (no test-runner imports).
 */
import type { Page } from '@playwright/test';

/**
 * One `data-state` change of an element: which element (its heading), when (`at`), when the
 * next frame was drawn (`paintedAt`: the change is on screen), the cards then and `aria-busy`.
 */
export interface StateChange { heading: string; state: string; at: number; paintedAt?: number; itemIds: string[]; busy: string | null; kept?: boolean }

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
      // rAF runs just before the frame that draws this change is rendered.
      requestAnimationFrame(() => { change.paintedAt = performance.now(); });
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
