/**
 * The second template family of the search eval ("family B"). Like family A
 * (search-queries.ts) each query comes from one held-out item, but nothing here was used to
 * train the encoder or to choose any setting: different templates (product types, sizes and
 * capacities, price ceilings, price words, typos) and no synonym tables; relevance is the graded
 * fact rule of search-relevance.ts, not "every item with all the query's words".
 *
 *   noun         "mummy bag", "waterproof tunnel tent"        → type (+ tag)
 *   size         "2 person dome tent", "38 litre daypack"      → the size/capacity of the title
 *   under price  "canister stove under 90"                     → type, price ≤ the ceiling
 *   price word   "cheap quilt", "premium mountain boot"        → type, price band of its category
 *   typo         "waterprof tunel tent"                        → type (+ tag), one typo per long word
 *   brand noun   "Kestrel kettle"                              → brand + type
 */
import { Prng } from '../onnx/prng.ts';
import type { ItemText } from '../encoder/catalog-text.ts';
import type { RelevanceRule } from './search-relevance.ts';

/** A family B query. */
export interface RuleQuery {
  text: string;
  template: string;
  from: number;
  rule: RelevanceRule;
}

/** Nouns of the demo catalogue's product types (the end of each title); others: the title's last two words. */
const NOUNS = [
  'Dome Tent', 'Tunnel Tent', 'Trekking Tent', 'Ultralight Shelter', 'Down Sleeping Bag', 'Synthetic Sleeping Bag', 'Mummy Bag', 'Quilt',
  'Air Pad', 'Self-Inflating Mat', 'Foam Pad', 'Insulated Mattress', 'Canister Stove', 'Multi-Fuel Stove', 'Stove System', 'Two-Burner Stove',
  'Cook Pot', 'Mess Kit', 'Frying Pan', 'Kettle', 'Spork Set', 'Trekking Pack', 'Daypack', 'Travel Pack', 'Summit Pack',
  'Hiking Boot', 'Trail Shoe', 'Mountain Boot', 'Approach Shoe', 'Hiking Sock', 'Liner Sock', 'Trekking Sock', 'Crew Sock',
  'Rain Jacket', 'Shell Jacket', 'Storm Jacket', 'Packable Jacket', 'Fleece Jacket', 'Grid Fleece', 'Insulated Vest', 'Down Jacket',
  'Base Layer Top', 'Base Layer Tights', 'T-Shirt', 'Zip Neck', 'Headlamp', 'Lantern', 'Torch', 'Water Bottle', 'Water Filter',
  'Hydration Bladder', 'Insulated Flask', 'Trekking Poles', 'Folding Poles', 'Carbon Poles', 'Camp Chair', 'Folding Table', 'Hammock',
  'Camp Stool', 'Compass', 'GPS Watch', 'Handheld GPS', 'Map Case',
];

/** Sizes in titles and how shoppers say them. */
const SIZES: readonly { re: RegExp; say: (m: RegExpExecArray) => string[] }[] = [
  { re: /\b(\d)P\b/, say: (m) => [`${m[1]} person`, `${m[1]}p`, `${m[1]}-person`] },
  { re: /([+-]\d+)°C/, say: (m) => [`${m[1]}°C`, `${m[1]} degree`, `${m[1]}c`] },
  { re: /\b(\d+(?:\.\d+)?) L\b/, say: (m) => [`${m[1]} litre`, `${m[1]}l`, `${m[1]} liter`] },
  { re: /\b(\d+) lm\b/, say: (m) => [`${m[1]} lumen`, `${m[1]} lm`] },
];

/** One typo in a word of 5+ letters: a dropped, doubled or swapped letter. */
export function typo(word: string, rng: Prng): string {
  if (word.length < 5 || !/^[a-z]+$/.test(word)) return word;
  const i = 1 + rng.int(word.length - 2);
  const kind = rng.int(3);
  if (kind === 0) return word.slice(0, i) + word.slice(i + 1);
  if (kind === 1) return word.slice(0, i) + word[i] + word.slice(i);
  return word.slice(0, i - 1) + word[i] + word[i - 1] + word.slice(i + 1);
}

const TEMPLATES = ['noun', 'size', 'under price', 'price word', 'typo', 'brand noun'] as const;

/** A round price ceiling just above `price`: the next 10 under 100, the next 50 above. */
export function ceiling(price: number): number {
  const step = price < 100 ? 10 : 50;
  return Math.ceil((price + 0.01) / step) * step;
}

/**
 * Family B queries for the held-out items, `perItem` each. Deterministic in `seed`.
 *
 * @example const qs = generateQueriesB(texts, heldOut, pricePos, { seed: 1 });
 */
export function generateQueriesB(texts: readonly ItemText[], heldOut: readonly number[], pricePos: ArrayLike<number>, opts: { seed: number; perItem?: number }): RuleQuery[] {
  const rng = new Prng(opts.seed ^ 0xb0b0b0);
  const out: RuleQuery[] = [];
  const tierTags = new Set(['value', 'premium', 'all-round']);
  for (const i of heldOut) {
    const t = texts[i]!;
    const noun = NOUNS.find((n) => t.title.endsWith(n)) ?? t.title.split(' ').slice(-2).join(' ');
    const say = noun.toLowerCase();
    const size = SIZES.map((s) => ({ s, m: s.re.exec(t.title) })).find((x) => x.m !== null);
    const tags = t.tags.filter((x) => !tierTags.has(x));
    const band = pricePos[i]! <= 1 / 3 ? 'low' : pricePos[i]! >= 2 / 3 ? 'high' : undefined;
    const usable = TEMPLATES.filter((tp) => (tp === 'size' ? size !== undefined : tp === 'price word' ? band !== undefined : tp === 'brand noun' ? t.brand !== '' : tp === 'under price' ? t.price > 0 : true));
    for (let k = 0; k < (opts.perItem ?? 2); k++) {
      const tp = usable[rng.int(usable.length)]!;
      const base: RelevanceRule = { categories: [t.category], all: [[noun]] };
      const tag = tags.length > 0 && rng.nextFloat() < 0.5 ? tags[rng.int(tags.length)]! : undefined;
      let text: string;
      let rule: RelevanceRule = base;
      if (tp === 'noun') {
        text = tag === undefined ? say : `${tag.replace(/-/g, ' ')} ${say}`;
        if (tag !== undefined) rule = { ...base, all: [[noun], [tag]] };
      } else if (tp === 'size') {
        const ways = size!.s.say(size!.m!);
        text = `${ways[rng.int(ways.length)]} ${say}`;
        rule = { ...base, all: [[noun], [size!.m![0]]] };
      } else if (tp === 'under price') {
        const max = ceiling(t.price);
        text = `${say} ${['under', 'below', 'less than'][rng.int(3)]} ${max}`;
        rule = { ...base, maxPrice: max };
      } else if (tp === 'price word') {
        const words = band === 'low' ? ['cheap', 'budget', 'affordable'] : ['premium', 'luxury', 'high end'];
        text = `${words[rng.int(words.length)]} ${say}`;
        rule = { ...base, priceBand: band! };
      } else if (tp === 'typo') {
        const words = (tag === undefined ? say : `${tag.replace(/-/g, ' ')} ${say}`).split(' ');
        text = words.map((w) => typo(w, rng)).join(' ');
        if (tag !== undefined) rule = { ...base, all: [[noun], [tag]] };
      } else {
        text = `${t.brand} ${say}`;
        rule = { ...base, brand: t.brand };
      }
      out.push({ text, template: tp, from: i, rule });
    }
  }
  return out;
}
