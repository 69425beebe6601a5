/**
 * Shopper simulator: sessions of view → click → add_to_cart → purchase events from shoppers with
 * latent tastes (favourite categories, brands, style tags, price band) who move along
 * complementary categories (tent → sleeping bag → stove) over a long-tail popularity curve.
 *
 * Only this file (and hidden-tastes.ts, for the feature-free variant) reads {@link COMPLEMENTS}
 * and the hidden product traits; the trainer sees the event log alone.
 */
import { Prng } from '../onnx/prng.ts';
import { BRANDS, type PriceTier } from './brands.ts';
import type { GeneratedCatalog } from './catalog.ts';
import { CATEGORIES, COMPLEMENTS } from './categories.ts';
import type { ShopConfig } from './config.ts';
import { driftFactor, hiddenTraits, styleTastes } from './hidden-tastes.ts';
import { CumulativeSampler, sampleWithoutReplacement, weightedIndex } from './random.ts';

/** The four event types of the log, in funnel order. */
export type ShopEventType = 'view' | 'click' | 'add_to_cart' | 'purchase';

/** One simulated event; `item` is the product index in the catalogue. */
export interface SimEvent {
  session: number;
  /** The shopper (stable across their sessions). */
  shopper: number;
  item: number;
  type: ShopEventType;
  /** Unix milliseconds, whole seconds. */
  ts: number;
}

export interface Shopper {
  /** Liking per hidden style (feature-free variant only; empty otherwise). */
  styles: Float64Array;
  categoryWeights: Float64Array;
  brands: Set<number>;
  /** 1 at the index (into the sorted tag list) of each tag the shopper likes. */
  tags: Uint8Array;
  band: 0 | 1 | 2;
}

const DAY_MS = 86_400_000;
const TIER_BAND: Readonly<Record<PriceTier, 0 | 1 | 2>> = { budget: 0, mid: 1, premium: 2 };
// Evening-heavy shopping day (relative weight per hour, UTC).
const HOUR_WEIGHTS = [1, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.2, 1.6, 1.8, 1.9, 2, 2.2, 2.1, 2, 2, 2.2, 2.6, 3.2, 3.6, 3.6, 3.1, 2.4, 1.6];

export function makeShopper(rng: Prng, config: Readonly<ShopConfig>, allTags: readonly string[]): Shopper {
  const categoryWeights = new Float64Array(CATEGORIES.length);
  const share = CATEGORIES.map((c) => c.share);
  const taken = new Set<number>();
  [0.5, 0.3, 0.2].forEach((w) => {
    const masked = share.map((s, i) => (taken.has(i) ? 0 : s));
    const c = weightedIndex(rng, masked);
    taken.add(c);
    categoryWeights[c] = w;
  });
  const band = ([0, 1, 2] as const)[weightedIndex(rng, [0.35, 0.45, 0.2])] ?? 1;
  const brandWeights = BRANDS.map((b) => config.priceBandFit[Math.abs(TIER_BAND[b.tier] - band)] ?? 1);
  const brands = new Set<number>();
  while (brands.size < 3) brands.add(weightedIndex(rng, brandWeights));
  const tags = new Uint8Array(allTags.length);
  for (const t of sampleWithoutReplacement(rng, allTags.map((_, i) => i), 4)) tags[t] = 1;
  return { styles: new Float64Array(0), categoryWeights, brands, tags, band };
}

/**
 * Simulates the event log, sorted by time. Deterministic in `config.seed`.
 *
 * @example
 * const events = simulateEvents(DEFAULT_SHOP_CONFIG, generateCatalog(DEFAULT_SHOP_CONFIG));
 */
export function simulateEvents(config: Readonly<ShopConfig>, catalog: GeneratedCatalog): SimEvent[] {
  const rng = new Prng(config.seed ^ 0x51_4e_5e);
  const { products, traits } = catalog;
  const byCategory: number[][] = CATEGORIES.map(() => []);
  traits.forEach((t, i) => byCategory[t.categoryIndex]?.push(i));
  const allTags = [...new Set(products.flatMap((p) => p.tags))].sort();
  const tagIndex = new Map(allTags.map((t, i) => [t, i]));
  const productTags = products.map((p) => p.tags.map((t) => tagIndex.get(t) ?? 0));
  const shoppers = Array.from({ length: config.shoppers }, () => makeShopper(rng, config, allTags));
  // Feature-free: hidden styles, partners and drift from their own stream (hidden-tastes.ts).
  const hidden = config.variant === 'feature-free' ? hiddenTraits(config, catalog) : undefined;
  if (hidden !== undefined) {
    const styleRng = new Prng(config.seed ^ 0x57_11e5);
    for (const s of shoppers) s.styles = styleTastes(styleRng, hidden.styles);
  }
  // Loyal shoppers come back often: visit weight ~ 1/rank^0.7.
  const shopperSampler = new CumulativeSampler(shoppers.map((_, i) => 1 / Math.pow(i + 1, 0.7)));
  const daySampler = new CumulativeSampler(Array.from({ length: config.days }, (_, d) => (1 + (0.5 * d) / config.days) * (d % 7 >= 5 ? 1.3 : 1)));
  const hourSampler = new CumulativeSampler(HOUR_WEIGHTS);
  const startMs = Date.parse(`${config.endDate}T00:00:00Z`) - (config.days - 1) * DAY_MS;
  const categoryShare = CATEGORIES.map((c) => c.share);
  const complementLists = CATEGORIES.map((c) => {
    const entries = Object.entries(COMPLEMENTS[c.id]);
    return {
      targets: entries.map(([id]) => CATEGORIES.findIndex((x) => x.id === id)),
      weights: entries.map(([, w]) => w ?? 0),
    };
  });
  const weights = new Float64Array(products.length);
  const base = new Float64Array(products.length);

  const events: SimEvent[] = [];
  const starts: { start: number; from: number; to: number }[] = [];
  for (let s = 0; s < config.sessions; s++) {
    const shopperIndex = shopperSampler.draw(rng);
    const shopper = shoppers[shopperIndex] as Shopper;
    const day = daySampler.draw(rng);
    let t = startMs + day * DAY_MS + hourSampler.draw(rng) * 3_600_000 + rng.int(3600) * 1000;
    const from = events.length;
    starts.push({ start: t, from, to: from });
    const gap = (): number => 1000 * (config.eventGapSeconds[0] + rng.int(config.eventGapSeconds[1] - config.eventGapSeconds[0] + 1));
    const emit = (item: number, type: ShopEventType, stepMs: number): void => {
      t += stepMs;
      events.push({ session: s, shopper: shopperIndex, item, type, ts: t });
    };

    let cat = rng.nextFloat() < config.favouriteCategoryStart
      ? weightedIndex(rng, shopper.categoryWeights)
      : weightedIndex(rng, categoryShare);
    let sessionBrand = -1;
    let sessionStyle = -1;
    let baseCategory = -1;
    const seen = new Set<number>();
    const partnered = new Set<number>();
    const cart: number[] = [];
    for (let step = 0; step < config.maxItemsPerSession; step++) {
      const candidates = byCategory[cat] ?? [];
      if (cat !== baseCategory) {
        // The shopper's taste for this category; reused while the session stays in it.
        baseCategory = cat;
        for (let j = 0; j < candidates.length; j++) {
          const i = candidates[j] as number;
          const tr = traits[i]!;
          let w = tr.popularity;
          if (tr.launchDay > day) w = 0;
          else if (tr.launchDay > 0) w *= 1 + 3 * Math.pow(0.5, (day - tr.launchDay) / config.launchBoostHalfLifeDays);
          if (hidden !== undefined) {
            w *= driftFactor(hidden, i, day, config.days) * (shopper.styles[hidden.style[i]!] ?? 1);
          } else {
            if (shopper.brands.has(tr.brandIndex)) w *= config.brandAffinity;
            w *= config.priceBandFit[Math.abs(tr.priceBand - shopper.band)] ?? 1;
            for (const tag of productTags[i]!) if (shopper.tags[tag] === 1) w *= 2;
          }
          base[j] = w;
        }
      }
      for (let j = 0; j < candidates.length; j++) {
        const i = candidates[j] as number;
        let w = base[j] ?? 0;
        if (hidden !== undefined) {
          if (hidden.style[i] === sessionStyle) w *= config.sessionStylePull;
          if (partnered.has(i)) w *= config.partnerPull;
        } else if (traits[i]!.brandIndex === sessionBrand) w *= config.sessionBrandPull;
        if (seen.has(i)) w *= 0.02;
        weights[j] = w;
      }
      const pickIdx = weightedIndex(rng, weights, candidates.length);
      if (pickIdx < 0) break;
      const item = candidates[pickIdx] as number;
      const tr = traits[item]!;
      seen.add(item);
      if (hidden !== undefined) for (const p of hidden.partners[item]!) partnered.add(p);
      emit(item, 'view', step === 0 ? 0 : gap());
      // Feature-free: the funnel follows the hidden style too, never brand or price.
      const fits = hidden !== undefined
        ? ((shopper.styles[hidden.style[item]!] ?? 1) > 1 ? 1.3 : 0.8)
        : (tr.priceBand === shopper.band ? 1 : 0.6) * (shopper.brands.has(tr.brandIndex) ? 1.3 : 1);
      if (rng.nextFloat() < Math.min(0.95, config.clickRate * fits)) {
        emit(item, 'click', 1000 * (3 + rng.int(20)));
        sessionBrand = tr.brandIndex;
        if (hidden !== undefined) sessionStyle = hidden.style[item]!;
        if (products[item]!.inStock && rng.nextFloat() < Math.min(0.9, config.cartRate * fits)) {
          emit(item, 'add_to_cart', 1000 * (5 + rng.int(40)));
          cart.push(item);
        }
      }
      const r = rng.nextFloat();
      if (r < config.stayInCategory) continue;
      if (r < config.stayInCategory + config.moveToComplement) {
        const comp = complementLists[cat]!;
        cat = comp.targets[weightedIndex(rng, comp.weights)] ?? cat;
      } else if (r < config.stayInCategory + config.moveToComplement + config.wander) {
        cat = weightedIndex(rng, categoryShare);
      } else break;
    }
    let checkout = 1000 * (60 + rng.int(240));
    for (const item of cart) {
      if (rng.nextFloat() < config.purchaseRate) {
        emit(item, 'purchase', checkout);
        checkout = 1000;
      }
    }
    starts[s]!.to = events.length;
  }
  return orderByTime(events, starts);
}

/**
 * Renumbers sessions by start time and sorts all events by time (ties: session, then position),
 * the order a real event log would have.
 */
function orderByTime(events: SimEvent[], starts: { start: number; from: number; to: number }[]): SimEvent[] {
  const order = starts.map((_, i) => i).sort((a, b) => starts[a]!.start - starts[b]!.start || a - b);
  const rank = new Int32Array(starts.length);
  order.forEach((s, r) => (rank[s] = r));
  const out = events.map((e, i) => ({ e: { ...e, session: rank[e.session] ?? 0 }, i }));
  out.sort((a, b) => a.e.ts - b.e.ts || a.e.session - b.e.session || a.i - b.i);
  return out.map((x) => x.e);
}
