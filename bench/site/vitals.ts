/**
 * Scenario "Core Web Vitals budget" (#19): the marketing site's landing page (hero photo, copy,
 * two `<inpage-recommendations>` below the fold) with and without the script tag, cold (a fresh
 * browser each time), alternating the two variants:
 *
 * - **web-vitals** (the npm package, injected before the page's scripts) in Chromium, unthrottled,
 *   1280×800: LCP, CLS, FCP, and INP of five clicks on the page's own FAQ toggle (every 250 ms
 *   from the `load` event: the moments the SDK starts its runtime, worker and model). TBT from
 *   the `longtask` entries after FCP (each task's time over 50 ms), to 6 s after navigation or
 *   until the elements have rendered, whichever is later.
 * - **Lighthouse** 12.2.3 (navigation, performance category; its default mobile form factor with
 *   simulated throttling, and its desktop preset) against Debian's Chromium: the score, LCP, TBT,
 *   CLS, FCP, Speed Index.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { allSettled } from '../../test/e2e/marketing/record.ts';

/** One page load measured in Chromium with web-vitals. */
export interface ChromiumVitals { lcpMs: number; cls: number; fcpMs: number; inpMs: number; tbtMs: number; longTasks: number }
/** One Lighthouse run. */
export interface LighthouseVitals { score: number; lcpMs: number; tbtMs: number; cls: number; fcpMs: number; siMs: number }
/** Medians over repetitions, per variant. */
export interface VitalsResult {
  chromium: { bare: ChromiumVitals; tag: ChromiumVitals };
  lighthouse: Record<'mobile' | 'desktop', { bare: LighthouseVitals; tag: LighthouseVitals }> | string;
  /** The Lighthouse version that ran. */
  lighthouseVersion?: string;
}

const require = createRequire(import.meta.url);
/**
 * The IIFE build (not in the package's exports map, so found next to the file `require` resolves
 * to), with its `var webVitals` made a property of window: Playwright runs init scripts in a scope
 * of their own.
 */
const webVitalsScript = (): string => `${readFileSync(join(dirname(require.resolve('web-vitals')), 'web-vitals.iife.js'), 'utf8')}\n;window.webVitals = webVitals;`;

/** Runs in the page after web-vitals' IIFE: keeps the latest value of each metric (INP down to 16 ms, the Event Timing floor). */
function collect(): void {
  const w = window as unknown as { webVitals: Record<string, (cb: (m: { name: string; value: number }) => void, o?: object) => void>; __vitals: Record<string, number>; __long: { start: number; duration: number }[] };
  w.__vitals = {};
  w.__long = [];
  // No named function values in here: tsx would wrap them in a helper the page does not have.
  for (const on of ['onLCP', 'onCLS', 'onFCP', 'onINP']) w.webVitals[on]!((m) => { w.__vitals[m.name] = m.value; }, { reportAllChanges: true, durationThreshold: 16 });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__long.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: true });
}

async function chromiumOnce(browser: Browser, url: string, tag: boolean): Promise<ChromiumVitals> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page: Page = await ctx.newPage();
    await page.addInitScript({ content: webVitalsScript() });
    await page.addInitScript(collect);
    await page.goto(url, { waitUntil: 'load' });
    for (let i = 0; i < 5; i++) {
      await page.waitForTimeout(250);
      await page.click('#faq-toggle');
    }
    if (tag) await allSettled(page);
    const end = await page.evaluate(() => Math.max(6000, performance.now() + 500));
    await page.waitForFunction((t) => performance.now() >= t, end, { timeout: 60_000 });
    return await page.evaluate(() => {
      const w = window as unknown as { __vitals: Record<string, number>; __long: { start: number; duration: number }[] };
      const fcp = w.__vitals['FCP'] ?? 0;
      const after = w.__long.filter((t) => t.start >= fcp);
      return { lcpMs: w.__vitals['LCP'] ?? NaN, cls: w.__vitals['CLS'] ?? 0, fcpMs: fcp, inpMs: w.__vitals['INP'] ?? NaN, tbtMs: after.reduce((n, t) => n + Math.max(0, t.duration - 50), 0), longTasks: after.length };
    });
  } finally {
    await ctx.close();
  }
}

/** Starts Chromium with a DevTools port for Lighthouse (a fresh profile); resolves with the port. */
function startChromium(executablePath: string, args: readonly string[], profile: string): Promise<{ port: number; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(executablePath, [...args, '--headless=new', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => { proc.kill(); reject(new Error(`Chromium gave no DevTools port in 30 s: ${text.slice(-500)}`)); }, 30_000);
    proc.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(text);
      if (m) { clearTimeout(timer); resolve({ port: Number(m[1]), proc }); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`Chromium exited (${code}): ${text.slice(-500)}`)); });
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

async function lighthouseOnce(executablePath: string, args: readonly string[], url: string, formFactor: 'mobile' | 'desktop'): Promise<{ vitals: LighthouseVitals; version: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'inpage-bench-lh-'));
  const { port, proc } = await startChromium(executablePath, args, profile);
  try {
    const result = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] }, formFactor === 'desktop' ? desktopConfig : undefined);
    if (!result) throw new Error('Lighthouse returned no result');
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const num = (id: string): number => lhr.audits[id]?.numericValue ?? NaN;
    return {
      version: lhr.lighthouseVersion,
      vitals: { score: Math.round((lhr.categories['performance']?.score ?? NaN) * 100), lcpMs: num('largest-contentful-paint'), tbtMs: num('total-blocking-time'), cls: num('cumulative-layout-shift'), fcpMs: num('first-contentful-paint'), siMs: num('speed-index') },
    };
  } finally {
    proc.kill();
    await new Promise((r) => setTimeout(r, 200));
    rmSync(profile, { recursive: true, force: true });
  }
}

const med = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
function medians<T extends object>(runs: T[]): T {
  const out: Record<string, number> = {};
  for (const k of Object.keys(runs[0]!)) out[k] = med(runs.map((r) => (r as Record<string, number>)[k]!));
  return out as T;
}

/**
 * Measures the landing page at `tagBase` / `bareBase` (the site with and without the script tag)
 * `reps` times per variant and tool.
 */
export async function vitalsScenario(browser: Browser, tagBase: string, bareBase: string, reps: number, chromium: { executablePath: string; args: readonly string[] } | undefined): Promise<VitalsResult> {
  const urls = { tag: `${tagBase}/index.html`, bare: `${bareBase}/index.html` };
  const runs = { tag: [] as ChromiumVitals[], bare: [] as ChromiumVitals[] };
  for (let i = 0; i < reps; i++) {
    for (const v of (i % 2 ? ['bare', 'tag'] : ['tag', 'bare']) as ('tag' | 'bare')[]) runs[v].push(await chromiumOnce(browser, urls[v], v === 'tag'));
    process.stdout.write(`\rweb vitals (Chromium): ${i + 1}/${reps}   `);
  }
  process.stdout.write('\n');
  const result: VitalsResult = { chromium: { tag: medians(runs.tag), bare: medians(runs.bare) }, lighthouse: 'not run' };
  if (!chromium) {
    result.lighthouse = 'Lighthouse needs a Chromium executable: set CHROMIUM_PATH (Playwright\'s bundled browser is not started by path here).';
    return result;
  }
  try {
    const lh: Record<'mobile' | 'desktop', { tag: LighthouseVitals[]; bare: LighthouseVitals[] }> = { mobile: { tag: [], bare: [] }, desktop: { tag: [], bare: [] } };
    for (let i = 0; i < reps; i++) {
      for (const ff of ['mobile', 'desktop'] as const) {
        for (const v of (i % 2 ? ['bare', 'tag'] : ['tag', 'bare']) as ('tag' | 'bare')[]) {
          const r = await lighthouseOnce(chromium.executablePath, chromium.args, urls[v], ff);
          result.lighthouseVersion = r.version;
          lh[ff][v].push(r.vitals);
        }
      }
      process.stdout.write(`\rLighthouse: ${i + 1}/${reps}   `);
    }
    process.stdout.write('\n');
    result.lighthouse = { mobile: { tag: medians(lh.mobile.tag), bare: medians(lh.mobile.bare) }, desktop: { tag: medians(lh.desktop.tag), bare: medians(lh.desktop.bare) } };
  } catch (e) {
    result.lighthouse = `Lighthouse did not run: ${e instanceof Error ? e.message : String(e)}`;
  }
  return result;
}
