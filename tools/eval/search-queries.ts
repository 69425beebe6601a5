/**
 * Generated search queries for the offline search eval. Each query is built from the attributes
 * of one held-out item (its category, one of its tags, its brand, its price tier), phrased
 * through varied templates and synonyms rather than copied from the title; the relevant items
 * are every catalogue item that has all the attributes the query names.
 *
 * The phrasings mix words the catalogue uses somewhere (often on other items of the category:
 * "shell", "torch", "mattress") with words it never uses ("rucksack", "head torch", "rainproof"),
 * as shoppers do. Neither method sees these tables: BM25 indexes the item text, the encoder is
 * trained on the text of the other items.
 */
import { Prng } from '../onnx/prng.ts';
import type { ItemText } from '../encoder/catalog-text.ts';

/** Ways shoppers name the demo shop's categories (generic names, not product sub-types). */
export const CATEGORY_PHRASES: Readonly<Record<string, readonly string[]>> = {
  'tents': ['tent', 'tents', 'camping tent', 'backpacking tent', 'shelter'],
  'sleeping-bags': ['sleeping bag', 'sleeping bags', 'sleep sack', 'camping sleeping bag', 'bag to sleep in'],
  'sleeping-pads': ['sleeping pad', 'sleeping mat', 'camping mattress', 'camp mat', 'pad to sleep on'],
  'stoves': ['camping stove', 'camp stove', 'stove', 'gas burner', 'cooker'],
  'cookware': ['cookware', 'camping pots', 'cooking set', 'camp kitchen gear', 'pans'],
  'backpacks': ['backpack', 'rucksack', 'hiking pack', 'pack', 'backpacks'],
  'hiking-boots': ['hiking boots', 'walking boots', 'hiking shoes', 'trekking boots', 'boots'],
  'socks': ['socks', 'hiking socks', 'walking socks', 'sock', 'trekking socks'],
  'rain-jackets': ['rain jacket', 'waterproof jacket', 'raincoat', 'shell jacket', 'rain coat'],
  'fleece': ['fleece', 'midlayer', 'mid layer', 'fleece top', 'insulating layer'],
  'base-layers': ['base layer', 'baselayer', 'thermals', 'thermal underwear', 'base layers'],
  'headlamps': ['headlamp', 'head torch', 'head lamp', 'headlamps', 'flashlight'],
  'hydration': ['water bottle', 'hydration', 'drinking bottle', 'water gear', 'bottle'],
  'trekking-poles': ['trekking poles', 'walking poles', 'hiking poles', 'hiking sticks', 'poles'],
  'camp-furniture': ['camp furniture', 'camping furniture', 'camp chair', 'camping chair', 'outdoor furniture'],
  'navigation': ['navigation', 'compass', 'gps', 'navigation device', 'orienteering gear'],
};

/** Ways shoppers say a tag. Tags without an entry are said as written, dashes as spaces. */
export const TAG_PHRASES: Readonly<Record<string, readonly string[]>> = {
  'waterproof': ['waterproof', 'rainproof', 'water resistant', 'watertight'],
  'ultralight': ['ultralight', 'ultra light', 'super light', 'featherweight'],
  'lightweight': ['lightweight', 'light weight', 'light', 'low weight'],
  'packable': ['packable', 'packs small', 'compact'],
  'merino': ['merino', 'merino wool', 'wool'],
  'insulated': ['insulated', 'thermal', 'insulating'],
  'rechargeable': ['rechargeable', 'usb rechargeable', 'battery rechargeable'],
  'usb-c': ['usb-c', 'usb c', 'type c'],
  'down': ['down', 'down filled', 'goose down'],
  'synthetic': ['synthetic', 'synthetic fill', 'synthetic insulation'],
  'folding': ['folding', 'foldable', 'collapsible'],
  'foldable': ['foldable', 'folding', 'collapsible'],
  'breathable': ['breathable', 'airy'],
  'family': ['family', 'family size', 'large'],
  'winter': ['winter', 'cold weather'],
  'summer': ['summer', 'warm weather'],
  'freestanding': ['freestanding', 'free standing', 'self supporting'],
  '3-season': ['3-season', 'three season'],
  '4-season': ['4-season', 'four season', 'all season'],
  'quick-dry': ['quick-dry', 'quick drying', 'fast drying'],
  'cushioned': ['cushioned', 'padded'],
  'odour-control': ['odour control', 'odor resistant', 'anti odour'],
  'warm': ['warm', 'cosy', 'toasty'],
  'leather': ['leather'],
  'carbon': ['carbon', 'carbon fibre'],
  'aluminium': ['aluminium', 'aluminum', 'alloy'],
  'titanium': ['titanium', 'ti'],
  'gps': ['gps', 'satellite'],
  'filter': ['filter', 'filtering', 'purifier'],
  'inflatable': ['inflatable', 'air', 'blow up'],
  'vibram': ['vibram', 'vibram sole'],
  'wide-fit': ['wide fit', 'wide'],
  'daypack': ['daypack', 'day'],
  'multiday': ['multiday', 'multi day', 'long trip'],
};

/** Ways shoppers say a price tier (the catalogue's tier tags). */
export const TIER_PHRASES: Readonly<Record<string, readonly string[]>> = {
  premium: ['premium', 'high end', 'top of the range', 'luxury'],
  value: ['budget', 'cheap', 'affordable', 'value'],
};

/** What a query asks for. */
export interface QueryConstraints {
  category: string;
  tag?: string;
  brand?: string;
  tier?: string;
}

/** One generated query and its relevant items. */
export interface SearchQuery {
  text: string;
  template: string;
  /** The held-out item the query was built from. */
  from: number;
  constraints: QueryConstraints;
  /** Indices of every item with all the constrained attributes. */
  relevant: number[];
}

type Template = { name: string; needs: ('tag' | 'brand' | 'tier')[]; make: (p: { cat: string; tag: string; brand: string; tier: string }) => string };

const TEMPLATES: readonly Template[] = [
  { name: 'category', needs: [], make: (p) => p.cat },
  { name: 'tag category', needs: ['tag'], make: (p) => `${p.tag} ${p.cat}` },
  { name: 'category tag', needs: ['tag'], make: (p) => `${p.cat} ${p.tag}` },
  { name: 'looking for tag category', needs: ['tag'], make: (p) => `looking for a ${p.tag} ${p.cat}` },
  { name: 'brand category', needs: ['brand'], make: (p) => `${p.brand} ${p.cat}` },
  { name: 'category by brand', needs: ['brand'], make: (p) => `${p.cat} by ${p.brand}` },
  { name: 'tier category', needs: ['tier'], make: (p) => `${p.tier} ${p.cat}` },
  { name: 'tier tag category', needs: ['tier', 'tag'], make: (p) => `${p.tier} ${p.tag} ${p.cat}` },
  { name: 'tag category from brand', needs: ['tag', 'brand'], make: (p) => `${p.tag} ${p.cat} from ${p.brand}` },
];

const phrase = (rng: Prng, list: readonly string[]): string => list[rng.int(list.length)]!;

/** Category phrases for a category (the demo table, else its display name in two forms). */
function categoryPhrases(t: ItemText): readonly string[] {
  const known = CATEGORY_PHRASES[t.category];
  if (known) return known;
  const name = t.categoryName.toLowerCase();
  return [name, name.replace(/s$/, '')];
}

/**
 * Picks `share` of the items (seeded) to hold out of encoder training; returns a 0/1 mask of the
 * items to train on.
 */
export function holdOut(items: number, share: number, seed: number): { train: Uint8Array; heldOut: number[] } {
  const rng = new Prng(seed ^ 0x5ea4c4);
  const train = new Uint8Array(items).fill(1);
  const heldOut: number[] = [];
  for (let i = 0; i < items; i++) {
    if (rng.nextFloat() < share) {
      train[i] = 0;
      heldOut.push(i);
    }
  }
  return { train, heldOut };
}

/**
 * Builds `perItem` queries from each held-out item. Deterministic in `seed`.
 *
 * @example const qs = generateQueries(texts, heldOut, { seed: 1, perItem: 2 });
 */
export function generateQueries(texts: readonly ItemText[], heldOut: readonly number[], opts: { seed: number; perItem?: number }): SearchQuery[] {
  const rng = new Prng(opts.seed ^ 0x9e3779b9);
  const tierTags = new Set(Object.keys(TIER_PHRASES));
  const out: SearchQuery[] = [];
  for (const i of heldOut) {
    const t = texts[i]!;
    const tags = t.tags.filter((x) => !tierTags.has(x) && x !== 'all-round');
    const tier = t.tags.find((x) => tierTags.has(x));
    const usable = TEMPLATES.filter((tp) => tp.needs.every((n) => (n === 'tag' ? tags.length > 0 : n === 'brand' ? t.brand !== '' : tier !== undefined)));
    for (let k = 0; k < (opts.perItem ?? 2); k++) {
      const tp = usable[rng.int(usable.length)]!;
      const c: QueryConstraints = { category: t.category };
      const tag = tags.length > 0 ? tags[rng.int(tags.length)]! : '';
      if (tp.needs.includes('tag')) c.tag = tag;
      if (tp.needs.includes('brand')) c.brand = t.brand;
      if (tp.needs.includes('tier') && tier !== undefined) c.tier = tier;
      const text = tp.make({
        cat: phrase(rng, categoryPhrases(t)),
        tag: phrase(rng, TAG_PHRASES[tag] ?? [tag.replace(/-/g, ' ')]),
        brand: t.brand,
        tier: tier === undefined ? '' : phrase(rng, TIER_PHRASES[tier] ?? [tier]),
      });
      const relevant: number[] = [];
      texts.forEach((x, j) => {
        if (x.category !== c.category) return;
        if (c.tag !== undefined && !x.tags.includes(c.tag)) return;
        if (c.brand !== undefined && x.brand !== c.brand) return;
        if (c.tier !== undefined && !x.tags.includes(c.tier)) return;
        relevant.push(j);
      });
      out.push({ text, template: tp.name, from: i, constraints: c, relevant });
    }
  }
  return out;
}
