/**
 * Hidden tastes for the feature-free variant of the demo shop (`variant: 'feature-free'`): what
 * drives shoppers there is invisible in the catalogue, so a model cannot win by reading back the
 * fields the simulator planted (brand, price band, tags).
 *
 * - Every product gets a hidden style, drawn independently of its brand, price and tags; a
 *   shopper likes a few styles, and a session is pulled towards the style just engaged with.
 * - Every product has a few hidden partners in complementary categories ("bought together"):
 *   once a product is in the session, its partners are much likelier next.
 * - Popularity drifts: each product's appeal rises or falls over the period (log-linear trend).
 *
 * New products launching mid-period come from the catalogue's `launchDay`, as in the planted shop.
 */
import { Prng } from '../onnx/prng.ts';
import type { GeneratedCatalog } from './catalog.ts';
import { CATEGORIES, COMPLEMENTS } from './categories.ts';
import type { ShopConfig } from './config.ts';
import { sampleWithoutReplacement } from './random.ts';

/** Hidden per-product traits of the feature-free shop. */
export interface HiddenTraits {
  styles: number;
  /** Hidden style of each product. */
  style: Int32Array;
  /** Slope of each product's log-appeal over the period: appeal × exp(slope · (2·day/days − 1)). */
  drift: Float64Array;
  /** Hidden partner products of each product (in complementary categories). */
  partners: Int32Array[];
}

/**
 * Draws the hidden traits from their own seeded stream, so the planted shop's stream is untouched.
 *
 * @example const hidden = hiddenTraits(FEATURE_FREE_SHOP_CONFIG, generateCatalog(FEATURE_FREE_SHOP_CONFIG));
 */
export function hiddenTraits(config: Readonly<ShopConfig>, catalog: GeneratedCatalog): HiddenTraits {
  const rng = new Prng(config.seed ^ 0x41dd_e115);
  const n = catalog.products.length;
  const styles = config.hiddenStyles;
  const style = Int32Array.from({ length: n }, () => rng.int(styles));
  const drift = Float64Array.from({ length: n }, () => config.popularityDrift * rng.normal());
  const byCategory: number[][] = CATEGORIES.map(() => []);
  catalog.traits.forEach((t, i) => byCategory[t.categoryIndex]?.push(i));
  const partners = catalog.traits.map((t) => {
    const comps = Object.keys(COMPLEMENTS[CATEGORIES[t.categoryIndex]!.id]).map((id) => CATEGORIES.findIndex((c) => c.id === id));
    const pool = comps.flatMap((c) => byCategory[c] ?? []);
    return Int32Array.from(sampleWithoutReplacement(rng, pool, config.hiddenPartners));
  });
  return { styles, style, drift, partners };
}

/** A shopper's liking per hidden style: three favourites, the rest at a low base. */
export function styleTastes(rng: Prng, styles: number): Float64Array {
  const w = new Float64Array(styles).fill(1);
  for (const [k, s] of sampleWithoutReplacement(rng, Array.from({ length: styles }, (_, i) => i), 3).entries()) w[s] = [8, 5, 3][k] ?? 1;
  return w;
}

/** Appeal multiplier of product `i` on `day` from its popularity drift. */
export function driftFactor(hidden: HiddenTraits, i: number, day: number, days: number): number {
  return Math.exp((hidden.drift[i] ?? 0) * ((2 * day) / Math.max(1, days - 1) - 1));
}
