/**
 * `rec.search()` latency on WASM for the demo catalogue and (when generated, bench/make-50k.ts)
 * the 50,000-item one: p50/p95 over a fixed query mix, the first search (loads the encoder, the
 * index model and builds the keyword index), and the keyword half alone. Targets: p95 ≤ 15 ms
 * (demo), ≤ 50 ms (50k).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';

export interface SearchBench {
  catalog: string;
  items: number;
  firstMs: number;
  p50: number;
  p95: number;
  keywordBuildMs: number;
  /** Longest main-thread task during the chunked build (0: none over 50 ms). */
  keywordBuildLongestTaskMs: number;
  keywordP50: number;
  keywordP95: number;
  targetP95: number;
}

const CATALOGS = [
  { name: 'demo', manifest: 'reco/manifest.json', file: '../public/reco/keywords.json', target: 15 },
  { name: '50k', manifest: 'reco-50k/manifest.json', file: './.data/reco-50k/keywords.json', target: 50 },
];

export async function searchScenario(browser: Browser, base: string, reps: number, open: (b: Browser, base: string) => Promise<Page>): Promise<SearchBench[] | string> {
  const out: SearchBench[] = [];
  for (const c of CATALOGS) {
    if (!existsSync(fileURLToPath(new URL(c.file, import.meta.url)))) continue;
    const runs: Omit<SearchBench, 'catalog' | 'targetP95'>[] = [];
    for (let i = 0; i < reps; i++) {
      const page = await open(browser, base);
      const { warmBagTop5: _, ...r } = await page.evaluate((m) => window.bench.searchLatency({ manifestUrl: m, runs: 200 }), c.manifest);
      runs.push(r);
      await page.context().close();
      process.stdout.write(`\rsearch ${c.name}: ${i + 1}/${reps}   `);
    }
    process.stdout.write('\n');
    const pick = (f: (r: (typeof runs)[number]) => number): number => { const s = runs.map(f).sort((a, b) => a - b); return s[s.length >> 1]!; };
    out.push({
      catalog: c.name, items: runs[0]!.items, firstMs: pick((r) => r.firstMs), p50: pick((r) => r.p50), p95: pick((r) => r.p95),
      keywordBuildMs: pick((r) => r.keywordBuildMs), keywordBuildLongestTaskMs: pick((r) => r.keywordBuildLongestTaskMs), keywordP50: pick((r) => r.keywordP50), keywordP95: pick((r) => r.keywordP95), targetP95: c.target,
    });
  }
  return out.length > 0 ? out : 'no search package with keywords.json found: run `npm run assets` (and `npx tsx bench/make-50k.ts` for 50k) first';
}
