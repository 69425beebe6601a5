/**
 * recommend() latency on WASM for the demo catalog and (when generated) a 50,000-item catalog,
 * plus the model's bytes on the wire.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';

export interface RecommendBench {
  catalog: string;
  items: number;
  readyMs: number;
  modelBytes: number;
  strategies: Record<string, { p50: number; p95: number }>;
}

const CATALOGS = [
  { name: 'demo', manifest: 'reco/manifest.json', file: '../public/reco/manifest.json' },
  { name: '50k', manifest: 'reco-50k/manifest.json', file: './.data/reco-50k/manifest.json' },
];

export async function recommendScenario(browser: Browser, base: string, reps: number, open: (b: Browser, base: string) => Promise<Page>): Promise<RecommendBench[] | string> {
  const out: RecommendBench[] = [];
  for (const c of CATALOGS) {
    if (!existsSync(fileURLToPath(new URL(c.file, import.meta.url)))) continue;
    const runs: { readyMs: number; items: number; modelBytes: number; strategies: Record<string, { p50: number; p95: number }> }[] = [];
    for (let i = 0; i < reps; i++) {
      const page = await open(browser, base);
      runs.push(await page.evaluate((m) => window.bench.recommendLatency({ manifestUrl: m, runs: 200 }), c.manifest));
      await page.context().close();
      process.stdout.write(`\rrecommend ${c.name}: ${i + 1}/${reps}   `);
    }
    process.stdout.write('\n');
    const pick = (f: (r: (typeof runs)[number]) => number): number => { const s = runs.map(f).sort((a, b) => a - b); return s[s.length >> 1]!; };
    const strategies: RecommendBench['strategies'] = {};
    for (const k of Object.keys(runs[0]!.strategies)) strategies[k] = { p50: pick((r) => r.strategies[k]!.p50), p95: pick((r) => r.strategies[k]!.p95) };
    out.push({ catalog: c.name, items: runs[0]!.items, readyMs: pick((r) => r.readyMs), modelBytes: runs[0]!.modelBytes, strategies });
  }
  return out.length > 0 ? out : 'no recommender package found: run `npm run assets` first';
}
