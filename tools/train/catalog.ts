/**
 * Reads a product catalogue for training: the shop's `catalog.json` (`{ products: [...] }`) or a
 * bare array of products. Only `id` is required; category, brand, price, tags, inStock and title
 * feed the content features and the page's filters when present.
 */
import { readFile } from 'node:fs/promises';
import { clip, quote } from '../cli/clip.ts';

/** The catalogue as columns, indexed by the model's item index (catalogue order). */
export interface TrainCatalog {
  ids: string[];
  index: Map<string, number>;
  titles: string[];
  categories: string[];
  brands: string[];
  prices: number[];
  tags: string[][];
  inStock: boolean[];
  /** Category id → display name, when the catalogue lists categories. */
  categoryNames: Map<string, string>;
}

function fail(path: string, field: string, why: string): never {
  throw new Error(`catalog ${path}: ${field} ${why}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates parsed catalogue JSON. Errors name the offending field, e.g.
 * `catalog shop.json: products[12].price must be a non-negative number, got "12 EUR"`.
 */
export function parseCatalog(json: unknown, path = 'catalog'): TrainCatalog {
  const list = Array.isArray(json) ? json : isRecord(json) ? json['products'] : undefined;
  if (!Array.isArray(list)) fail(path, 'products', 'must be an array of products (or the file a bare array)');
  if (list.length === 0) fail(path, 'products', 'is empty');
  const cat: TrainCatalog = {
    ids: [], index: new Map(), titles: [], categories: [], brands: [], prices: [], tags: [], inStock: [],
    categoryNames: new Map(),
  };
  if (isRecord(json) && Array.isArray(json['categories'])) {
    json['categories'].forEach((c: unknown, i) => {
      if (!isRecord(c) || typeof c['id'] !== 'string') fail(path, `categories[${i}].id`, 'must be a string');
      cat.categoryNames.set(c['id'], typeof c['name'] === 'string' ? c['name'] : c['id']);
    });
  }
  list.forEach((p: unknown, i) => {
    const at = `products[${i}]`;
    if (!isRecord(p)) fail(path, at, 'must be an object');
    const id = p['id'];
    if (typeof id !== 'string' || id === '') fail(path, `${at}.id`, `must be a non-empty string, got ${clip(JSON.stringify(id) ?? 'nothing')}`);
    if (cat.index.has(id)) fail(path, `${at}.id`, `${quote(id)} is a duplicate`);
    const optString = (key: string, fallback: string): string => {
      const v = p[key];
      if (v === undefined) return fallback;
      if (typeof v !== 'string') fail(path, `${at}.${key}`, `must be a string, got ${clip(JSON.stringify(v))}`);
      return v;
    };
    const price = p['price'] ?? 0;
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
      fail(path, `${at}.price`, `must be a non-negative number, got ${clip(JSON.stringify(price))}`);
    }
    const tags = p['tags'] ?? [];
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) fail(path, `${at}.tags`, 'must be an array of strings');
    const inStock = p['inStock'] ?? true;
    if (typeof inStock !== 'boolean') fail(path, `${at}.inStock`, `must be a boolean, got ${clip(JSON.stringify(inStock))}`);
    cat.index.set(id, cat.ids.length);
    cat.ids.push(id);
    cat.titles.push(optString('title', id));
    cat.categories.push(optString('category', ''));
    cat.brands.push(optString('brand', ''));
    cat.prices.push(price);
    cat.tags.push(tags as string[]);
    cat.inStock.push(inStock);
  });
  for (const c of cat.categories) if (!cat.categoryNames.has(c)) cat.categoryNames.set(c, c);
  return cat;
}

/** Reads and validates a catalogue file. */
export async function readCatalog(path: string): Promise<TrainCatalog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`catalog ${path}: cannot read (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`catalog ${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseCatalog(json, path);
}
