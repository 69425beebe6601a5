/**
 * Invented brands of the demo shop. Each has a price tier; which categories it makes is drawn by
 * the catalogue generator (seeded), so brands span 3–6 related and unrelated categories the way
 * real outdoor brands do.
 */

/** Price positioning of a brand: moves its prices and draws shoppers of the same band. */
export type PriceTier = 'budget' | 'mid' | 'premium';

/** One invented brand. */
export interface BrandSpec {
  name: string;
  tier: PriceTier;
}

/** Price multiplier per tier applied to a category's median price. */
export const TIER_PRICE: Readonly<Record<PriceTier, number>> = { budget: 0.6, mid: 1, premium: 1.75 };

/** The 36 brands (11 budget, 15 mid, 10 premium); the index is the simulator's brand index. */
export const BRANDS: readonly BrandSpec[] = [
  { name: 'Northpeak', tier: 'premium' }, { name: 'Ridgeway', tier: 'mid' },
  { name: 'Cairnwell', tier: 'mid' }, { name: 'Alpenglow', tier: 'premium' },
  { name: 'Tundra Gear', tier: 'budget' }, { name: 'Summitline', tier: 'mid' },
  { name: 'Bramble', tier: 'budget' }, { name: 'Kestrel', tier: 'premium' },
  { name: 'Pinecrest', tier: 'mid' }, { name: 'Fjellsport', tier: 'premium' },
  { name: 'Granite Works', tier: 'mid' }, { name: 'Wildfern', tier: 'budget' },
  { name: 'Switchback', tier: 'mid' }, { name: 'Larchwood', tier: 'mid' },
  { name: 'Emberline', tier: 'budget' }, { name: 'Driftwood', tier: 'budget' },
  { name: 'Bluebird', tier: 'mid' }, { name: 'Highroute', tier: 'premium' },
  { name: 'Outpost', tier: 'budget' }, { name: 'Trailhead Supply', tier: 'mid' },
  { name: 'Coyote Ridge', tier: 'budget' }, { name: 'Sierra Loom', tier: 'premium' },
  { name: 'Windbreak', tier: 'mid' }, { name: 'Lumenfield', tier: 'mid' },
  { name: 'Aquaflow', tier: 'budget' }, { name: 'Stormcrest', tier: 'premium' },
  { name: 'Basecamp Co', tier: 'budget' }, { name: 'Talus', tier: 'premium' },
  { name: 'Moraine', tier: 'mid' }, { name: 'Ptarmigan', tier: 'premium' },
  { name: 'Cirrus', tier: 'mid' }, { name: 'Glacier Bay', tier: 'mid' },
  { name: 'Redwood Trail', tier: 'budget' }, { name: 'Quillon', tier: 'mid' },
  { name: 'Saltmarsh', tier: 'budget' }, { name: 'Hollowpine', tier: 'premium' },
];
