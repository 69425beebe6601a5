/**
 * Page side of the search benchmark (bench/search.ts): `rec.search()` latency on WASM with a
 * fixed mix of shopper queries (plain words, typos, needs, price bounds and words, filters), and
 * what the keyword half costs on its own (index build on the page, one query).
 */
import { createEngine } from '../../src/index.ts';
import { createRecommender } from '../../src/recommend/index.ts';
import type { RecommenderItems } from '../../src/recommend/manifest.ts';
import { KeywordIndex } from '../../src/recommend/search-keyword.ts';
import { keywordDocs, parseKeywordBlock } from '../../src/recommend/search-package.ts';
import { median, quantile, timeCalls } from './stats.ts';

/** The query mix, cycled through. */
export const SEARCH_QUERIES = [
  'tent', 'waterproof hiking boots', 'warm bag for winter camping', 'stove for two', 'sleping bag', 'merino sokcs',
  'cheap tent', 'tents under 200', 'rucksack', 'northpeak tent', 'headlamp', 'something to sit on at camp',
];

export async function searchLatency(opts: { manifestUrl: string; runs: number }) {
  const engine = await createEngine({ backend: 'wasm', measure: false });
  const rec = await createRecommender({ engine, manifestUrl: opts.manifestUrl, storage: null });
  const t0 = performance.now();
  await rec.search('tent', { k: 10, remember: false });
  const firstMs = performance.now() - t0;
  for (const q of SEARCH_QUERIES) await rec.search(q, { k: 24, remember: false });
  let j = 0;
  const times = await timeCalls(opts.runs, () => {
    const q = SEARCH_QUERIES[j % SEARCH_QUERIES.length]!;
    return rec.search(q, { k: 24, remember: false, ...(j++ % 2 ? { filter: { inStock: true } } : {}) });
  });
  const hits = (await rec.search('warm bag for winter camping', { k: 5, remember: false })).map((h) => rec.item(h.itemId)?.category ?? '');
  await rec.dispose();
  await engine.dispose();
  // The keyword half alone, with the same files and settings.
  const base = new URL(opts.manifestUrl, location.href);
  const search = (await (await fetch(new URL('search.json', base))).json()) as { keyword: unknown };
  const block = parseKeywordBlock(search.keyword, 'search.json')!;
  const items = (await (await fetch(new URL('items.json', base))).json()) as RecommenderItems;
  const text = await (await fetch(new URL(block.file, new URL('search.json', base)))).json() as unknown;
  const docs = keywordDocs(text, items, block.file);
  // Longest main-thread task while the page builds the index as rec.search() does (in chunks).
  let longestTask = 0;
  const observer = new PerformanceObserver((l) => { for (const e of l.getEntries()) longestTask = Math.max(longestTask, e.duration); });
  observer.observe({ type: 'longtask' });
  const b0 = performance.now();
  const index = await KeywordIndex.build(docs, block.settings);
  const buildMs = performance.now() - b0;
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  let i = 0;
  const keywordTimes = await timeCalls(opts.runs, async () => index.search(SEARCH_QUERIES[i++ % SEARCH_QUERIES.length]!, 100));
  return {
    items: items.ids.length, firstMs, p50: median(times), p95: quantile(times, 0.95),
    keywordBuildMs: buildMs, keywordBuildLongestTaskMs: longestTask, keywordP50: median(keywordTimes), keywordP95: quantile(keywordTimes, 0.95),
    warmBagTop5: hits,
  };
}
