/**
 * Scenario "instant repeat views" (#19): a visitor opens the landing page of the marketing site
 * (script tag; `trending` and `for-you`), then clicks through to a product page (`similar` and
 * `for-you`). On the product page, time from each element connecting to its first cards on
 * screen (the frame after `data-state` became 'cached' or 'ready'), with the remembered lists
 * and without them (the same navigation, with the lists erased before the click). A browser
 * profile of its own per repetition and mode (disk HTTP cache, model cache), so both modes pay
 * the same warm second-page costs except the remembered list.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allSettled, recordStates, states, type StateChange } from '../../test/e2e/marketing/record.ts';

/** One element of the second page. */
export interface ElementPaint {
  /** Element connected → first cards on screen: the frame after they entered the DOM (ms). */
  cardsMs: number;
  /** Element connected → first cards in the DOM (ms). */
  cardsDomMs: number;
  /** Element connected → the first frame the page drew after it (ms): nothing can be on screen earlier. */
  firstFrameMs: number;
  /** 1 when a frame showed the skeleton before the first cards, 0 when the cards were in the element's first frame. */
  skeletonSeen: number;
  /** Element connected → the model's answer on screen (ms). */
  answerMs: number;
  /** 1 when the first cards were the remembered list, else 0 (a median over repetitions is the majority). */
  cached: number;
  /** 1 when the answer kept the remembered cards (same list), 0 when it replaced them or none were painted. */
  confirmed: number;
}

/** The second page of one mode. */
export interface SecondPage {
  forYou: ElementPaint;
  similar: ElementPaint;
  /** The largest cumulative layout shift of the second page over the repetitions. */
  shift: number;
}

/** The scenario's result: medians over repetitions. */
export interface RepeatViewResult {
  /** Remembered lists; the site caches its recommender package for 5 minutes (docs/EMBED.md). */
  withLists: SecondPage;
  /** Remembered lists; the site serves the package with `no-cache`: the check waits one round trip. */
  withListsRevalidate: SecondPage;
  /** The same navigation with the remembered lists erased before the click. */
  withoutLists: SecondPage;
  /** Share of repetitions (both modes with lists) whose remembered 'for-you' list was confirmed by the answer. */
  confirmedShare: number;
}

function paint(changes: readonly StateChange[], heading: string): ElementPaint {
  const mine = changes.filter((c) => c.heading === heading);
  const connected = mine[0]?.at ?? NaN;
  const first = mine.find((c) => c.state === 'cached' || c.state === 'ready');
  const answer = mine.find((c) => c.state === 'ready');
  const firstFrame = mine[0]?.paintedAt ?? NaN;
  return {
    cardsMs: (first?.paintedAt ?? NaN) - connected,
    cardsDomMs: (first?.at ?? NaN) - connected,
    firstFrameMs: firstFrame - connected,
    skeletonSeen: (first?.paintedAt ?? NaN) > firstFrame ? 1 : 0,
    answerMs: (answer?.paintedAt ?? NaN) - connected,
    cached: first?.state === 'cached' ? 1 : 0,
    confirmed: answer?.kept === true ? 1 : 0,
  };
}

/** Landing page, then a click to the product page; the second page's paints. */
async function visit(ctx: BrowserContext, base: string, keepLists: boolean): Promise<SecondPage> {
  const page: Page = await ctx.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.addInitScript(recordStates);
  await page.goto(`${base}/index.html`);
  await allSettled(page);
  if (!keepLists) await page.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith(':lists')).forEach((k) => localStorage.removeItem(k)));
  await page.click('header nav a[href="product.html"]');
  await page.waitForURL(/product\.html$/);
  await allSettled(page);
  await page.waitForTimeout(100); // the last rAF stamp
  const { changes, shift } = await states(page);
  await page.close();
  return { forYou: paint(changes, 'Picked for you'), similar: paint(changes, 'You may also like'), shift };
}

const med = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const medPaint = (xs: ElementPaint[]): ElementPaint => {
  const out = {} as Record<keyof ElementPaint, number>;
  for (const k of Object.keys(xs[0]!) as (keyof ElementPaint)[]) out[k] = med(xs.map((x) => x[k]));
  return out;
};

type Mode = 'withLists' | 'withListsRevalidate' | 'withoutLists';

/**
 * Runs `reps` repetitions of the three modes (rotating which goes first) in fresh profiles from
 * `launchProfile`, against the site with the script tag: `base` (package cached) and
 * `revalidateBase` (package `no-cache`).
 */
export async function repeatViewScenario(launchProfile: (dir: string) => Promise<BrowserContext>, base: string, revalidateBase: string, reps: number): Promise<RepeatViewResult> {
  const modes: Mode[] = ['withLists', 'withListsRevalidate', 'withoutLists'];
  const runs: Record<Mode, SecondPage[]> = { withLists: [], withListsRevalidate: [], withoutLists: [] };
  for (let i = 0; i < reps; i++) {
    for (let j = 0; j < modes.length; j++) {
      const mode = modes[(i + j) % modes.length]!;
      const dir = mkdtempSync(join(tmpdir(), 'inpage-bench-repeat-'));
      const ctx = await launchProfile(dir);
      try {
        runs[mode].push(await visit(ctx, mode === 'withListsRevalidate' ? revalidateBase : base, mode !== 'withoutLists'));
      } finally {
        await ctx.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    process.stdout.write(`\rrepeat view: ${i + 1}/${reps}   `);
  }
  process.stdout.write('\n');
  const summary = (r: SecondPage[]): SecondPage => ({ forYou: medPaint(r.map((x) => x.forYou)), similar: medPaint(r.map((x) => x.similar)), shift: Math.max(...r.map((x) => x.shift)) });
  const withLists = [...runs.withLists, ...runs.withListsRevalidate];
  return {
    withLists: summary(runs.withLists), withListsRevalidate: summary(runs.withListsRevalidate), withoutLists: summary(runs.withoutLists),
    confirmedShare: withLists.filter((x) => x.forYou.confirmed === 1).length / withLists.length,
  };
}
