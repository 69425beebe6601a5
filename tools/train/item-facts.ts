/**
 * The item table's `facts` (brands and tags by item) from a catalogue, so merchandising rules
 * that match on brand or tag work from the package alone, on the page and in `inpage recommend`
 * (no `itemFacts` to pass). Absent when no product has a brand or a tag.
 *
 * @example itemFacts(catalog) // { brands: ['Alpine', …], brand: [0, -1, …], tagNames: ['2p', …], tags: [[0, 3], [], …] }
 */
import type { RecommenderItems } from '../../src/recommend/manifest.ts';
import type { TrainCatalog } from './catalog.ts';

export function itemFacts(catalog: Pick<TrainCatalog, 'brands' | 'tags'>): RecommenderItems['facts'] {
  if (!catalog.brands.some((b) => b !== '') && !catalog.tags.some((t) => t.length > 0)) return undefined;
  const brands: string[] = [];
  const brandAt = new Map<string, number>();
  const tagNames: string[] = [];
  const tagAt = new Map<string, number>();
  const slot = (names: string[], at: Map<string, number>, name: string): number => {
    let i = at.get(name);
    if (i === undefined) { i = names.length; names.push(name); at.set(name, i); }
    return i;
  };
  const brand = catalog.brands.map((b) => (b === '' ? -1 : slot(brands, brandAt, b)));
  const tags = catalog.tags.map((ts) => [...new Set(ts)].map((t) => slot(tagNames, tagAt, t)));
  return { brands, brand, tagNames, tags };
}

/** `{ facts }` to spread into an item table, or nothing. */
export function factsOf(catalog: Pick<TrainCatalog, 'brands' | 'tags'>): { facts?: NonNullable<RecommenderItems['facts']> } {
  const facts = itemFacts(catalog);
  return facts === undefined ? {} : { facts };
}
