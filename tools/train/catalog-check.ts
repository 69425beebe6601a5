/**
 * What a catalogue can teach the trainer. A catalogue needs only `id`, but a field that is
 * missing everywhere (or the same everywhere: every price 0) carries no signal: a content row
 * shared by every product, price bands cut by file order, a search encoder fitted to no text.
 * The trainer leaves those out and says so, instead of writing a model that pretends.
 */
import { fieldsOf, type ItemText } from '../encoder/catalog-text.ts';
import type { TrainCatalog } from './catalog.ts';

/** Which content the catalogue supports, and a warning for each thing left out. */
export interface CatalogFacts {
  /** Some product has text (title, description, brand, category or tags): a search encoder can learn. */
  text: boolean;
  /** Some product has a category. */
  categories: boolean;
  /** Some product has a brand. */
  brands: boolean;
  /** Prices differ somewhere (price bands mean something). */
  prices: boolean;
  /** One sentence per thing left out or suspicious, for the CLI to print as warnings. */
  warnings: string[];
}

const share = (n: number, of: number): string => `${n.toLocaleString('en')} of ${of.toLocaleString('en')}`;

/**
 * Inspects a parsed catalogue (and its text, as the search encoder reads it).
 *
 * @example
 * const facts = checkCatalog(catalog, texts);
 * if (!facts.text) console.warn(facts.warnings.join('\n'));
 */
export function checkCatalog(catalog: TrainCatalog, texts: readonly ItemText[]): CatalogFacts {
  const n = catalog.ids.length;
  const warnings: string[] = [];
  const withText = texts.filter((t) => fieldsOf(t).length > 0).length;
  const withCategory = catalog.categories.filter((c) => c !== '').length;
  const withBrand = catalog.brands.filter((b) => b !== '').length;
  const prices = new Set(catalog.prices);
  const facts: CatalogFacts = { text: withText > 0, categories: withCategory > 0, brands: withBrand > 0, prices: prices.size > 1, warnings };

  if (!facts.text) {
    warnings.push('no product has a title, description, brand, category or tags: no search encoder was trained and search.json was not written (rec.search() needs product text).');
  } else if (withText < n) {
    warnings.push(`${share(n - withText, n)} products have no text (title, description, brand, category, tags): search cannot find them by words.`);
  }
  if (!facts.categories) {
    warnings.push('no product has a category: category features and complementary categories (complete-the-look) were not learned; category filters match nothing.');
  } else if (withCategory < n) {
    warnings.push(`${share(n - withCategory, n)} products have no category: they get no category feature.`);
  }
  if (!facts.brands) {
    warnings.push('no product has a brand: brand features were not learned.');
  }
  if (!facts.prices) {
    const only = catalog.prices[0] ?? 0;
    warnings.push(`every product has the price ${only}${only === 0 ? ' (or none)' : ''}: price bands were not learned, and a max-price filter ${only === 0 ? 'keeps every product' : 'keeps all or none'}.`);
  }
  return facts;
}
