/** What a catalogue can teach: fields missing (or equal) everywhere give warnings and no feature rows. */
import { describe, expect, it } from 'vitest';
import { parseCatalogText } from '../../tools/encoder/catalog-text.ts';
import { parseCatalog } from '../../tools/train/catalog.ts';
import { checkCatalog } from '../../tools/train/catalog-check.ts';
import { contentFeatures } from '../../tools/train/content.ts';

function facts(products: Record<string, unknown>[]) {
  const json = { products };
  const catalog = parseCatalog(json);
  return { catalog, facts: checkCatalog(catalog, parseCatalogText(json)), features: contentFeatures(catalog) };
}

describe('checkCatalog and content features', () => {
  it('ids only: no text, no category, no brand, no price; no feature rows at all', () => {
    const { facts: f, features } = facts([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(f).toMatchObject({ text: false, categories: false, brands: false, prices: false });
    expect(f.warnings).toHaveLength(4);
    expect(features.names).toEqual([]);
  });

  it('a full catalogue: nothing to warn about, every feature kind present', () => {
    const { facts: f, features } = facts([
      { id: 'a', title: 'Dome tent', category: 'tents', brand: 'North', price: 100 },
      { id: 'b', title: 'Tunnel tent', category: 'tents', brand: 'South', price: 300 },
    ]);
    expect(f).toMatchObject({ text: true, categories: true, brands: true, prices: true, warnings: [] });
    expect(features.names).toEqual(['band:tents|0', 'band:tents|1', 'brand:North', 'brand:South', 'brandcat:North|tents', 'brandcat:South|tents', 'cat:tents']);
  });

  it('prices that do not differ within a category make no price band there; a missing brand makes no brand row', () => {
    const { facts: f, features } = facts([
      { id: 'a', title: 'Stove', category: 'stoves', price: 0 },
      { id: 'b', title: 'Pot', category: 'stoves', price: 0 },
      { id: 'c', title: 'Bag', category: 'bags', brand: 'North', price: 20 },
      { id: 'd', title: 'Bag 2', category: 'bags', price: 40 },
    ]);
    expect(f).toMatchObject({ brands: true, prices: true, warnings: [] });
    expect(features.names.filter((n) => n.startsWith('band:'))).toEqual(['band:bags|0', 'band:bags|1']);
    expect(features.names.filter((n) => n.startsWith('brand'))).toEqual(['brand:North', 'brandcat:North|bags']);
  });

  it('some products without text or category: counted in the warning', () => {
    const { facts: f } = facts([{ id: 'a', title: 'Tent', category: 'tents', price: 1 }, { id: 'b', price: 2 }]);
    expect(f.text).toBe(true);
    expect(f.warnings).toEqual([
      '1 of 2 products have no text (title, description, brand, category, tags): search cannot find them by words.',
      '1 of 2 products have no category: they get no category feature.',
      'no product has a brand: brand features were not learned.',
    ]);
  });
});
