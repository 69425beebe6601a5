/**
 * `inpage simulate-ab`: the demo's simulated shoppers (tools/shop: the same tastes — favourite
 * categories, brands, price band, style tags — and the same click/cart/purchase rates) visit the
 * shop while the real recommender (createRecommender, its experiment assignment, rules, KPI
 * attribution and GA4 events; the packaged model run by its plain-JS reference) shows them lists. What a shopper
 * clicks depends on what they are shown: an item in a favourite category, of a liked brand, in
 * their price band, with liked tags is clicked far more often. The GA4 events the recommender
 * hands out are written as a dataLayer JSONL export, marked simulated, which `inpage report` reads.
 *
 * Per session: a home list ('for-you', 8 items), then a few product pages found by browsing
 * (each with a 'similar' list of 4); shown items may be clicked, carted and, at the session's
 * end, bought. Visitors return for up to three sessions over the period.
 *
 * @example
 * const { lines, summary } = await simulateAb({ packageDir: 'public/reco', visitors: 3000, seed: 1 });
 */
import { Prng } from '../onnx/prng.ts';
import { DEFAULT_SHOP_CONFIG, type ShopConfig } from '../shop/config.ts';
import { generateCatalog } from '../shop/catalog.ts';
import { CATEGORIES } from '../shop/categories.ts';
import { weightedIndex } from '../shop/random.ts';
import { makeShopper, type Shopper } from '../shop/simulate.ts';
import type { ExperimentConfig } from '../../src/experiments/config.ts';
import type { Ga4DataLayerEvent } from '../../src/kpis/events.ts';
import { nodeRecommender } from './node-recommender.ts';

/** Options of {@link simulateAb}. */
export interface SimulateAbOptions {
  /** The trained package (manifest.json, items.json, recommender.onnx). */
  packageDir: string;
  visitors: number;
  seed: number;
  /** Default: control = trending list, model = the model's lists, 50/50. */
  experiment?: ExperimentConfig;
  /** Days the experiment runs. Default 14. */
  days?: number;
  shop?: Readonly<ShopConfig>;
}

/** The default experiment: a plain popularity list against the model. */
export const DEFAULT_AB: ExperimentConfig = { id: 'reco-sim', variants: [{ name: 'control', control: true, list: 'trending' }, { name: 'model' }] };

const DAY = 86_400_000;

/** Runs the simulation; resolves to JSONL lines (first the meta line) and counts. */
export async function simulateAb(o: SimulateAbOptions): Promise<{ lines: string[]; events: number; visitors: number }> {
  const shop = o.shop ?? DEFAULT_SHOP_CONFIG;
  const days = o.days ?? 14;
  const experiment = o.experiment ?? DEFAULT_AB;
  const catalog = generateCatalog(shop);
  const byId = new Map(catalog.products.map((p, i) => [p.id, i]));
  const allTags = [...new Set(catalog.products.flatMap((p) => p.tags))].sort();
  const tagIndex = new Map(allTags.map((t, i) => [t, i]));
  const byCategory: number[][] = CATEGORIES.map(() => []);
  catalog.traits.forEach((t, i) => byCategory[t.categoryIndex]?.push(i));
  const rng = new Prng(o.seed);
  const clock = { now: Date.parse(`${shop.endDate}T00:00:00Z`) };
  const start = clock.now;
  let visitor = '';
  const lines: string[] = [JSON.stringify({ meta: { simulated: true, generator: 'inpage simulate-ab', seed: o.seed, visitors: o.visitors, days, experiment: experiment.id, note: 'Simulated shoppers from the demo simulator, not real visitors.' } })];
  const { rec, visitors } = await nodeRecommender(o.packageDir, {
    experiment, now: () => clock.now, pageUrl: () => undefined,
    analytics: {
      eventTarget: null, dataLayer: false, currency: 'EUR',
      onEvent: (_e, ga4: Ga4DataLayerEvent) => lines.push(JSON.stringify({ visitor, time: new Date(clock.now).toISOString(), ...ga4 })),
      onExposure: (x) => lines.push(JSON.stringify({ visitor, time: new Date(clock.now).toISOString(), ...x })),
    },
  });

  /** How much the shopper likes product i (the simulator's taste, per product). */
  const fits = (s: Shopper, i: number): number => {
    const tr = catalog.traits[i]!;
    return (tr.priceBand === s.band ? 1 : 0.6) * (s.brands.has(tr.brandIndex) ? 1.3 : 1);
  };
  const clickProbability = (s: Shopper, i: number): number => {
    const tr = catalog.traits[i]!;
    const inTaste = (s.categoryWeights[tr.categoryIndex] ?? 0) > 0 ? 1 : 0.15;
    const tags = catalog.products[i]!.tags.filter((t) => s.tags[tagIndex.get(t) ?? -1] === 1).length;
    return Math.min(0.95, 0.1 * inTaste * fits(s, i) * (1 + 0.3 * tags) * (shop.clickRate / 0.5));
  };
  const browsePick = (s: Shopper, cat: number): number => {
    const cands = byCategory[cat] ?? [];
    const w = cands.map((i) => {
      const tr = catalog.traits[i]!;
      let x = tr.popularity * (s.brands.has(tr.brandIndex) ? shop.brandAffinity : 1) * (shop.priceBandFit[Math.abs(tr.priceBand - s.band)] ?? 1);
      for (const t of catalog.products[i]!.tags) if (s.tags[tagIndex.get(t) ?? -1] === 1) x *= 2;
      return x;
    });
    return cands[weightedIndex(rng, w)] ?? cands[0]!;
  };

  for (let v = 0; v < o.visitors; v++) {
    const shopper = makeShopper(rng, shop, allTags);
    visitor = `sim-${String(v).padStart(6, '0')}`;
    // A seeded experiment id (the SDK would draw one from crypto): reproducible runs.
    const id = Array.from({ length: 4 }, () => rng.nextUint32().toString(16).padStart(8, '0')).join('');
    const store = new Map<string, string>([['inpage:exp:id', JSON.stringify({ v: 1, id, t: start })]]);
    visitors.use(store);
    const sessions = 1 + weightedIndex(rng, [0.6, 0.28, 0.12]);
    const dayList = Array.from({ length: sessions }, () => rng.int(days)).sort((a, b) => a - b);
    clock.now = start; // visitors are independent: each starts at the experiment's start
    for (const day of dayList) {
      // Sessions in day order; a session never starts before the previous one ended.
      clock.now = Math.max(clock.now, start + day * DAY + rng.int(24 * 3600) * 1000);
      const cart: number[] = [];
      const show = async (listId: string, list: { itemId: string }[]): Promise<void> => {
        for (const r of list) rec.track({ type: 'impression', itemId: r.itemId, listId });
        await Promise.resolve(); // impressions of one list go out as one view_item_list
        for (const r of list) {
          const i = byId.get(r.itemId);
          if (i === undefined || rng.nextFloat() >= clickProbability(shopper, i)) continue;
          clock.now += 1000 * (5 + rng.int(30));
          rec.track({ type: 'click', itemId: r.itemId, listId });
          if (catalog.products[i]!.inStock && rng.nextFloat() < Math.min(0.9, shop.cartRate * fits(shopper, i))) {
            clock.now += 1000 * (10 + rng.int(40));
            rec.track({ type: 'add_to_cart', itemId: r.itemId });
            cart.push(i);
          }
          break; // one click per list view: the shopper leaves for the product page
        }
      };
      await show('home', await rec.recommend({ strategy: 'for-you', k: 8, listId: 'home' }));
      let cat = weightedIndex(rng, shopper.categoryWeights);
      const pages = 1 + rng.int(5);
      for (let p = 0; p < pages; p++) {
        const item = browsePick(shopper, cat);
        clock.now += 1000 * (20 + rng.int(90));
        rec.track({ type: 'view', itemId: catalog.products[item]!.id });
        await show('pdp', await rec.recommend({ strategy: 'similar', itemId: catalog.products[item]!.id, k: 4, listId: 'pdp' }));
        if (rng.nextFloat() > 0.6) cat = weightedIndex(rng, shopper.categoryWeights);
      }
      clock.now += 1000 * (60 + rng.int(240));
      for (const i of cart) {
        if (rng.nextFloat() >= shop.purchaseRate) continue;
        const p = catalog.products[i]!;
        rec.track({ type: 'purchase', itemId: p.id, value: p.price, currency: 'EUR', transactionId: `${visitor}-${clock.now}-${p.id}` });
        clock.now += 1000;
      }
    }
  }
  await rec.dispose();
  return { lines, events: lines.length - 1, visitors: o.visitors };
}
