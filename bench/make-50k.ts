/**
 * A generated 50,000-item shop for the recommend() latency benchmark (issue 3): same behaviour
 * model as the demo shop, scaled up. Written to bench/.data/{shop,reco}-50k (gitignored);
 * skipped when already there.
 *
 *   npx tsx bench/make-50k.ts
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SHOP_CONFIG } from '../tools/shop/config.ts';
import { writeShop } from '../tools/shop/generate.ts';
import { train } from '../tools/train/train.ts';

// Outside public/ so the demo's static build never ships it.
const out = (p: string): string => fileURLToPath(new URL(`./.data/${p}`, import.meta.url));
if (existsSync(out('reco-50k/manifest.json')) && !process.argv.includes('--force')) {
  console.log('bench/.data/reco-50k is up to date');
} else {
  const t0 = performance.now();
  const shop = await writeShop(out('shop-50k'), { ...DEFAULT_SHOP_CONFIG, seed: 50_000, products: 50_000, sessions: 60_000, shoppers: 20_000 });
  console.log(`generated ${shop.stats.products} products, ${shop.stats.events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The recommender only: the search encoder is not part of this benchmark.
  await train({ catalog: out('shop-50k/catalog.json'), events: out('shop-50k/events.csv'), outDir: out('reco-50k'), log: console.log, encoder: false });
}
