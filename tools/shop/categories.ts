/**
 * The demo shop's vocabulary: an outdoor-gear store with 16 categories. Each category names its
 * products, sizes, price level, tags and description phrases.
 *
 * `COMPLEMENTS` is the ground truth of which categories go together on a trip. Only the event
 * simulator reads it: the trainer must rediscover it from sessions (the issue forbids
 * hand-written rules in 'complete-the-look'), which is what the eval checks.
 */

/** A category id, also used in product records and the trained model's item table. */
export type CategoryId =
  | 'tents' | 'sleeping-bags' | 'sleeping-pads' | 'stoves' | 'cookware' | 'backpacks'
  | 'hiking-boots' | 'socks' | 'rain-jackets' | 'fleece' | 'base-layers' | 'headlamps'
  | 'hydration' | 'trekking-poles' | 'camp-furniture' | 'navigation';

/** Which simple drawing the SVG generator uses for a category. */
export type GlyphName =
  | 'tent' | 'bag' | 'pad' | 'flame' | 'pot' | 'pack' | 'boot' | 'sock' | 'jacket' | 'fleece'
  | 'shirt' | 'lamp' | 'bottle' | 'poles' | 'chair' | 'compass';

/** One category of the generated catalogue. */
export interface CategorySpec {
  id: CategoryId;
  name: string;
  /** Product nouns, e.g. 'Dome Tent'. */
  nouns: readonly string[];
  /** Size or capacity words placed before the noun, e.g. '2P'. */
  variants: readonly string[];
  /** Median price in EUR of a mid-tier product. */
  medianPrice: number;
  /** Relative share of the catalogue and of store-wide traffic. */
  share: number;
  tags: readonly string[];
  /** Phrases for short descriptions ("with X and Y"). */
  features: readonly string[];
  glyph: GlyphName;
  /** Base hue (0–360) of product images. */
  hue: number;
}

/** The 16 categories, in the order the generator walks them (changing it changes the data). */
export const CATEGORIES: readonly CategorySpec[] = [
  { id: 'tents', name: 'Tents', nouns: ['Dome Tent', 'Tunnel Tent', 'Trekking Tent', 'Ultralight Shelter'], variants: ['1P', '2P', '3P', '4P', '6P'], medianPrice: 260, share: 1.1, tags: ['freestanding', 'ultralight', 'family', '3-season', '4-season', 'waterproof'], features: ['a full-coverage rainfly', 'two doors and vestibules', 'colour-coded poles', 'a bathtub floor', 'mesh inner walls', 'a 3000 mm hydrostatic head'], glyph: 'tent', hue: 140 },
  { id: 'sleeping-bags', name: 'Sleeping Bags', nouns: ['Down Sleeping Bag', 'Synthetic Sleeping Bag', 'Mummy Bag', 'Quilt'], variants: ['-10°C', '-5°C', '0°C', '+5°C', '+10°C'], medianPrice: 180, share: 1.0, tags: ['down', 'synthetic', 'mummy', 'packable', 'winter', 'summer'], features: ['a draft collar', 'a two-way zip', 'a compression sack', 'water-resistant down', 'a contoured hood', 'a stash pocket'], glyph: 'bag', hue: 215 },
  { id: 'sleeping-pads', name: 'Sleeping Pads', nouns: ['Air Pad', 'Self-Inflating Mat', 'Foam Pad', 'Insulated Mattress'], variants: ['Regular', 'Long', 'Wide', 'Short'], medianPrice: 95, share: 0.8, tags: ['inflatable', 'foam', 'insulated', 'r-value-4', 'lightweight'], features: ['a high-flow valve', 'reflective insulation', 'a pump sack', 'a repair kit', 'baffled chambers', 'a non-slip top'], glyph: 'pad', hue: 30 },
  { id: 'stoves', name: 'Camp Stoves', nouns: ['Canister Stove', 'Multi-Fuel Stove', 'Stove System', 'Two-Burner Stove'], variants: ['Mini', 'Compact', 'Pro', 'Duo'], medianPrice: 85, share: 0.7, tags: ['canister', 'multi-fuel', 'piezo', 'windproof', 'fast-boil'], features: ['a piezo igniter', 'a built-in windscreen', 'a simmer control', 'a 3-minute boil time', 'folding pot supports'], glyph: 'flame', hue: 10 },
  { id: 'cookware', name: 'Cookware', nouns: ['Cook Pot', 'Mess Kit', 'Frying Pan', 'Kettle', 'Spork Set'], variants: ['0.75 L', '1 L', '1.5 L', '2 L', 'Duo'], medianPrice: 40, share: 0.9, tags: ['titanium', 'aluminium', 'nonstick', 'nesting', 'lightweight'], features: ['folding handles', 'a strainer lid', 'measuring marks', 'a nesting design', 'a storage bag'], glyph: 'pot', hue: 45 },
  { id: 'backpacks', name: 'Backpacks', nouns: ['Trekking Pack', 'Daypack', 'Travel Pack', 'Summit Pack'], variants: ['18 L', '28 L', '38 L', '50 L', '65 L'], medianPrice: 150, share: 1.2, tags: ['daypack', 'multiday', 'ventilated', 'rain-cover', 'hydration-ready'], features: ['an adjustable back system', 'a rain cover', 'hip-belt pockets', 'a hydration sleeve', 'a mesh back panel', 'side compression straps'], glyph: 'pack', hue: 265 },
  { id: 'hiking-boots', name: 'Hiking Boots', nouns: ['Hiking Boot', 'Trail Shoe', 'Mountain Boot', 'Approach Shoe'], variants: ['Mid', 'Low', 'GTX', 'Lite'], medianPrice: 160, share: 1.2, tags: ['waterproof', 'leather', 'vibram', 'wide-fit', 'breathable'], features: ['a waterproof membrane', 'a grippy lugged sole', 'a protective toe cap', 'a cushioned midsole', 'speed lacing'], glyph: 'boot', hue: 25 },
  { id: 'socks', name: 'Socks', nouns: ['Hiking Sock', 'Liner Sock', 'Trekking Sock', 'Crew Sock'], variants: ['Light', 'Medium', 'Heavy', '2-Pack'], medianPrice: 18, share: 0.7, tags: ['merino', 'cushioned', 'blister-free', 'quick-dry'], features: ['merino wool', 'a cushioned heel', 'a seamless toe', 'arch support', 'odour control'], glyph: 'sock', hue: 330 },
  { id: 'rain-jackets', name: 'Rain Jackets', nouns: ['Rain Jacket', 'Shell Jacket', 'Storm Jacket', 'Packable Jacket'], variants: ['2L', '2.5L', '3L', 'Lite'], medianPrice: 190, share: 1.0, tags: ['waterproof', 'breathable', 'packable', 'helmet-hood', 'pit-zips'], features: ['taped seams', 'pit zips', 'a helmet-compatible hood', 'a packable pocket', 'waterproof zips'], glyph: 'jacket', hue: 195 },
  { id: 'fleece', name: 'Fleece & Midlayers', nouns: ['Fleece Jacket', 'Grid Fleece', 'Insulated Vest', 'Down Jacket'], variants: ['100', '200', 'Hoody', 'Zip'], medianPrice: 110, share: 0.9, tags: ['fleece', 'down', 'synthetic', 'warm', 'stretch'], features: ['a grid fleece lining', 'thumb loops', 'zipped hand pockets', 'a stretch fabric', 'a packable design'], glyph: 'fleece', hue: 0 },
  { id: 'base-layers', name: 'Base Layers', nouns: ['Base Layer Top', 'Base Layer Tights', 'T-Shirt', 'Zip Neck'], variants: ['150', '200', '250', 'Long Sleeve'], medianPrice: 60, share: 0.8, tags: ['merino', 'synthetic', 'odour-control', 'thermal', 'quick-dry'], features: ['merino wool', 'flatlock seams', 'a quarter zip', 'odour control', 'a slim fit'], glyph: 'shirt', hue: 290 },
  { id: 'headlamps', name: 'Headlamps', nouns: ['Headlamp', 'Lantern', 'Torch'], variants: ['200 lm', '350 lm', '450 lm', '900 lm'], medianPrice: 45, share: 0.6, tags: ['rechargeable', 'usb-c', 'red-light', 'waterproof', 'lightweight'], features: ['a red night mode', 'USB-C charging', 'a lock-out switch', 'IPX4 water resistance', 'a tilting beam'], glyph: 'lamp', hue: 55 },
  { id: 'hydration', name: 'Water & Hydration', nouns: ['Water Bottle', 'Water Filter', 'Hydration Bladder', 'Insulated Flask'], variants: ['0.5 L', '0.75 L', '1 L', '2 L', '3 L'], medianPrice: 30, share: 0.8, tags: ['bpa-free', 'insulated', 'filter', 'squeeze', 'leakproof'], features: ['a leakproof lid', 'a 0.1-micron filter', 'double-wall insulation', 'a wide mouth', 'a bite valve'], glyph: 'bottle', hue: 185 },
  { id: 'trekking-poles', name: 'Trekking Poles', nouns: ['Trekking Poles', 'Folding Poles', 'Carbon Poles'], variants: ['Alu', 'Carbon', 'Z-Fold', 'Long'], medianPrice: 80, share: 0.5, tags: ['carbon', 'aluminium', 'foldable', 'cork-grip', 'adjustable'], features: ['cork grips', 'flick locks', 'carbide tips', 'snow baskets', 'a folding design'], glyph: 'poles', hue: 100 },
  { id: 'camp-furniture', name: 'Camp Furniture', nouns: ['Camp Chair', 'Folding Table', 'Hammock', 'Camp Stool'], variants: ['Compact', 'Lite', 'XL', 'Family'], medianPrice: 70, share: 0.6, tags: ['folding', 'packable', 'family', 'lightweight'], features: ['an aluminium frame', 'a carry bag', 'a cup holder', 'a 120 kg rating', 'quick set-up'], glyph: 'chair', hue: 75 },
  { id: 'navigation', name: 'Navigation', nouns: ['Compass', 'GPS Watch', 'Handheld GPS', 'Map Case'], variants: ['Basic', 'Pro', 'Sport', 'Outdoor'], medianPrice: 120, share: 0.5, tags: ['gps', 'compass', 'altimeter', 'rechargeable', 'waterproof'], features: ['a baseplate with scales', 'topographic maps', 'a barometric altimeter', 'a two-week battery', 'a luminous bezel'], glyph: 'compass', hue: 240 },
];

/**
 * Trip logic the simulated shoppers follow (weights are relative). Simulator-only ground truth;
 * never read by the trainer or the page.
 */
export const COMPLEMENTS: Readonly<Record<CategoryId, Readonly<Partial<Record<CategoryId, number>>>>> = {
  'tents': { 'sleeping-bags': 4, 'sleeping-pads': 3, 'stoves': 2, 'headlamps': 1.5, 'camp-furniture': 1 },
  'sleeping-bags': { 'sleeping-pads': 4, 'tents': 2, 'base-layers': 1 },
  'sleeping-pads': { 'sleeping-bags': 3, 'tents': 2, 'camp-furniture': 1 },
  'stoves': { 'cookware': 5, 'hydration': 1.5, 'headlamps': 1 },
  'cookware': { 'stoves': 3, 'hydration': 2, 'camp-furniture': 1 },
  'backpacks': { 'hydration': 3, 'trekking-poles': 2, 'rain-jackets': 2, 'headlamps': 1 },
  'hiking-boots': { 'socks': 5, 'trekking-poles': 2, 'backpacks': 1.5 },
  'socks': { 'hiking-boots': 3, 'base-layers': 2 },
  'rain-jackets': { 'fleece': 3, 'backpacks': 2, 'base-layers': 1.5 },
  'fleece': { 'base-layers': 3, 'rain-jackets': 2 },
  'base-layers': { 'fleece': 3, 'socks': 2 },
  'headlamps': { 'navigation': 2, 'tents': 1.5, 'stoves': 1 },
  'hydration': { 'backpacks': 3, 'cookware': 1 },
  'trekking-poles': { 'hiking-boots': 3, 'backpacks': 2 },
  'camp-furniture': { 'cookware': 2, 'tents': 2, 'stoves': 1.5 },
  'navigation': { 'headlamps': 2, 'backpacks': 2, 'trekking-poles': 1 },
};

/**
 * Words for product lines ("Northpeak Summit 2P Dome Tent"); plain nouns from landscapes and
 * animals, checked not to be trade marks of real outdoor brands that we know of.
 */
export const SERIES: readonly string[] = [
  'Ridge', 'Summit', 'Alpine', 'Trail', 'Vista', 'Cascade', 'Horizon', 'Nomad', 'Voyager', 'Aspen',
  'Juniper', 'Tamarack', 'Granite', 'Ember', 'Flint', 'Zephyr', 'Breeze', 'Nimbus', 'Polar', 'Canyon',
  'Mesa', 'Pioneer', 'Ranger', 'Scout', 'Venture', 'Frontier', 'Solstice', 'Equinox', 'Aurora', 'Boreal',
  'Cobalt', 'Kodiak', 'Lynx', 'Falcon', 'Heron', 'Wren', 'Atlas', 'Comet', 'Drift', 'Quest',
  'Traverse', 'Ascent', 'Crest', 'Timber', 'Cedar', 'Birch', 'Willow', 'Fern', 'Glade', 'Meadow',
];
