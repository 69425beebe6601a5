/**
 * The Markdown sections of the site scenarios (#19): instant repeat views and the Core Web Vitals
 * budget, with the targets.
 */
import type { RepeatViewResult } from './repeat-view.ts';
import type { ChromiumVitals, LighthouseVitals, VitalsResult } from './vitals.ts';

const f = (x: number, d = 0): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');

/** Section: instant repeat views. */
export function repeatViewSection(r: RepeatViewResult, reps: number): string[] {
  const L = ['', '## 9. Instant repeat views: a second page of the marketing site (#19)', ''];
  L.push(`The visitor opens the landing page (script tag; *Trending now*, *Picked for you*), waits for the cards, then clicks through to a product page (*You may also like* sku-10001, *Picked for you*). On the product page: time from each element connecting (its first \`data-state\`) to its first cards in the DOM and on screen (the next animation frame), and to the model's answer on screen. *Picked for you* asks the landing page's question again; *You may also like* is new. A fresh browser profile (disk HTTP cache, model cache) per repetition and mode; median of ${reps}. "Package cached": the site serves the recommender package with \`Cache-Control: max-age=300\` (docs/EMBED.md), so the check that the remembered list belongs to the package the page will load reads the HTTP cache; "no-cache": the check waits one round trip to the server.`, '');
  L.push('| element on the product page | mode | connect → cards in DOM (ms) | → cards on screen (ms) | → first frame after connect (ms) | skeleton seen before cards | → answer on screen (ms) | remembered list shown |', '|---|---|---:|---:|---:|---:|---:|---:|');
  const rows = [
    ['Picked for you', 'remembered lists, package cached', r.withLists.forYou],
    ['Picked for you', 'remembered lists, package no-cache', r.withListsRevalidate.forYou],
    ['Picked for you', 'no remembered lists', r.withoutLists.forYou],
    ['You may also like (new question)', 'remembered lists, package cached', r.withLists.similar],
  ] as const;
  for (const [el, mode, p] of rows) L.push(`| ${el} | ${mode} | ${f(p.cardsDomMs)} | ${f(p.cardsMs)} | ${f(p.firstFrameMs)} | ${p.skeletonSeen ? 'yes' : 'no'} | ${f(p.answerMs)} | ${p.cached ? 'yes' : 'no'} |`);
  const hit = r.withLists.forYou.cardsMs;
  L.push('', `Cards on screen after the element connects on a repeat view: ${f(hit)} ms with the remembered list (target ≤ 100 ms: ${verdict(hit <= 100)}), against ${f(r.withoutLists.forYou.cardsMs)} ms without it (${f(r.withoutLists.forYou.cardsMs / hit, 1)}×). The answer confirmed the remembered list (same cards, kept in place) in ${f(r.confirmedShare * 100)}% of the repetitions; otherwise it replaced them in the same boxes (on this page the list before it changed: the landing page's *Picked for you* left out *Trending now*'s products, the product page's leaves out *You may also like*'s). Largest layout shift of the second page: ${f(Math.max(r.withLists.shift, r.withListsRevalidate.shift, r.withoutLists.shift), 4)} (target 0: ${verdict(Math.max(r.withLists.shift, r.withListsRevalidate.shift, r.withoutLists.shift) === 0)}).`);
  return L;
}

function row(name: string, bare: number, tag: number, digits: number, target: string, ok: boolean | undefined): string {
  const delta = tag - bare;
  return `| ${name} | ${f(bare, digits)} | ${f(tag, digits)} | ${delta >= 0 ? '+' : ''}${f(delta, digits)} | ${target} | ${ok === undefined ? '' : verdict(ok)} |`;
}

const lcpOk = (bare: number, tag: number): boolean => tag <= bare * 1.02;

/** Section: the Core Web Vitals budget. */
export function vitalsSection(r: VitalsResult, reps: number): string[] {
  const L = ['', '## 10. Core Web Vitals of a marketing page, with and without the script tag (#19)', ''];
  L.push(`The marketing site's landing page (hero photo 1600×900 JPEG, copy, two \`<inpage-recommendations>\` below the fold, \`inpage.css\` and \`inpage.js\` async from a CDN origin), cold, the two variants alternating; median of ${reps}. Chromium: the \`web-vitals\` package injected before the page's scripts, 1280×800, unthrottled; INP over five clicks on the page's FAQ toggle every 250 ms from \`load\` (while the SDK starts its runtime, worker and model); TBT from \`longtask\` entries after FCP, to 6 s or until the cards rendered. Lighthouse ${r.lighthouseVersion ?? ''}: navigation, performance category, on Debian's Chromium.`, '');
  const c = r.chromium;
  L.push('| Chromium + web-vitals | without tag | with tag | Δ | target | |', '|---|---:|---:|---:|---|---|');
  const chromiumRows: [string, keyof ChromiumVitals, number, string, (b: number, t: number) => boolean | undefined][] = [
    ['LCP (ms)', 'lcpMs', 0, 'within 2%', lcpOk],
    ['CLS', 'cls', 4, '0', (_b, t) => t === 0],
    ['TBT (ms)', 'tbtMs', 0, '+0 ms', (b, t) => t <= b],
    ['long tasks after FCP', 'longTasks', 0, '', () => undefined],
    ['INP of a click (ms)', 'inpMs', 0, '', () => undefined],
    ['FCP (ms)', 'fcpMs', 0, '', () => undefined],
  ];
  for (const [name, k, d, target, ok] of chromiumRows) L.push(row(name, c.bare[k], c.tag[k], d, target, ok(c.bare[k], c.tag[k])));
  if (typeof r.lighthouse === 'string') {
    L.push('', r.lighthouse);
    return L;
  }
  for (const ff of ['mobile', 'desktop'] as const) {
    const x = r.lighthouse[ff];
    L.push('', `| Lighthouse, ${ff === 'mobile' ? 'mobile (default: Moto G Power, slow 4G, 4× CPU, simulated)' : 'desktop preset (simulated)'} | without tag | with tag | Δ | target | |`, '|---|---:|---:|---:|---|---|');
    const rows: [string, keyof LighthouseVitals, number, string, (b: number, t: number) => boolean | undefined][] = [
      ['performance score', 'score', 0, 'within 1 point', (b, t) => t >= b - 1],
      ['LCP (ms)', 'lcpMs', 0, 'within 2%', lcpOk],
      ['TBT (ms)', 'tbtMs', 0, '+0 ms', (b, t) => t <= b],
      ['CLS', 'cls', 4, '0', (_b, t) => t === 0],
      ['FCP (ms)', 'fcpMs', 0, '', () => undefined],
      ['Speed Index (ms)', 'siMs', 0, '', () => undefined],
    ];
    for (const [name, k, d, target, ok] of rows) L.push(row(name, x.bare[k], x.tag[k], d, target, ok(x.bare[k], x.tag[k])));
  }
  L.push('', 'Back/forward cache: not a timing, so it is a test, not a figure here: `test/e2e/marketing-page.spec.ts` checks on both browser projects that the page with the tag is restored from the back/forward cache (after the cards rendered, and when the visitor left mid-load), `notRestoredReasons` empty, and that the SDK answers after the restore.');
  return L;
}
