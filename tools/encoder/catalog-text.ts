/**
 * The text of each catalogue item, by field, as the encoder trainer and the keyword baseline see
 * it: title, description, brand, category name and tags. Read from the same `catalog.json` the
 * trainer reads (`{ products, categories? }` or a bare array); only `id` is required.
 */
import { readFile } from 'node:fs/promises';
import type { KeywordDoc } from '../../src/recommend/search-keyword.ts';

/** Text fields of one item. Missing fields are empty. */
export interface ItemText {
  id: string;
  title: string;
  description: string;
  brand: string;
  /** Category id, e.g. `'sleeping-bags'`. */
  category: string;
  /** Category display name, e.g. `'Sleeping Bags'` (the id when the catalogue has no names). */
  categoryName: string;
  tags: string[];
  /** Price (0 when the catalogue has none): the search eval's price rules read it, the encoder does not. */
  price: number;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Parses catalogue JSON into per-item text (ids in catalogue order). */
export function parseCatalogText(json: unknown): ItemText[] {
  const rec = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const list = Array.isArray(json) ? json : rec?.['products'];
  if (!Array.isArray(list)) throw new Error('catalog: products must be an array (or the file a bare array)');
  const names = new Map<string, string>();
  if (Array.isArray(rec?.['categories'])) {
    for (const c of rec['categories'] as unknown[]) {
      const cr = c as Record<string, unknown>;
      if (typeof cr['id'] === 'string') names.set(cr['id'], str(cr['name']) || cr['id']);
    }
  }
  return list.map((p: unknown) => {
    const r = (p ?? {}) as Record<string, unknown>;
    const category = str(r['category']);
    return {
      id: str(r['id']), title: str(r['title']), description: str(r['description']), brand: str(r['brand']),
      category, categoryName: names.get(category) ?? category,
      tags: Array.isArray(r['tags']) ? (r['tags'] as unknown[]).filter((t): t is string => typeof t === 'string') : [],
      price: typeof r['price'] === 'number' && Number.isFinite(r['price']) ? r['price'] : 0,
    };
  });
}

/** Reads `catalog.json`. */
export async function readCatalogText(path: string): Promise<ItemText[]> {
  return parseCatalogText(JSON.parse(await readFile(path, 'utf8')));
}

/** The fields of an item as separate strings (tags one by one, `-` read as a space). */
export function fieldsOf(t: ItemText): string[] {
  return [t.title, t.description, t.brand, t.categoryName, ...t.tags.map((x) => x.replace(/-/g, ' '))].filter((f) => f !== '');
}

/** All of an item's text as one string (what the keyword baseline indexes). */
export function fullText(t: ItemText): string {
  return fieldsOf(t).join(' . ');
}

/** Tags as the keyword index reads them: one string, dashes as spaces ("3-season" → "3 season"). */
export function tagText(tags: readonly string[]): string {
  return tags.map((x) => x.replace(/-/g, ' ')).join(' ');
}

/** An item as the keyword index reads it (the page builds the same from items.json + keywords.json). */
export function keywordDoc(t: ItemText): KeywordDoc {
  return { title: t.title, description: t.description, brand: t.brand, category: t.categoryName, tags: tagText(t.tags) };
}
