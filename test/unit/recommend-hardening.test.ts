/**
 * Hostile manifests and inputs (issue #16): prototype names as artifact names, `__proto__` keys,
 * fractional or oversized dims, dims the model contradicts, a fractional `k`, filter values of the
 * wrong type, dot-segment ids, a tampered stored history. Each gives its typed error naming the field.
 */
import { describe, expect, it } from 'vitest';
import { fillUrlTemplate } from '../../src/embed/safe-url.ts';
import { checkFilter } from '../../src/recommend/candidates.ts';
import { HistoryStore } from '../../src/recommend/history.ts';
import { loadRecommender } from '../../src/recommend/load.ts';
import { fileEntry, parseItems, parseManifest } from '../../src/recommend/manifest.ts';
import { parseSearchManifest } from '../../src/recommend/search.ts';
import { createRecommender } from '../../src/recommend/recommender.ts';
import { rejected, thrown } from './helpers/catch.ts';
import { BASE, tinyEngine, tinyFetch, tinyItems, tinyManifest, type EngineLog } from './helpers/tiny-package.ts';

const ITEMS = JSON.stringify(tinyItems());
const FILES = { 'model.onnx': 'onnx-bytes', 'items.json': ITEMS };
const manifest = (extra: Record<string, unknown> = {}): Record<string, unknown> => tinyManifest(FILES, extra);

describe('manifest hardening', () => {
  it('an artifact named after an Object.prototype member still needs its hash', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const e = thrown(() => parseManifest(manifest({ model: name })));
      expect(e.code).toBe('MANIFEST_INVALID');
      expect(e.details?.['field']).toBe(`files.${name}`);
    }
  });

  it('a "__proto__" file entry is an ordinary entry and never replaces a prototype', () => {
    const text = JSON.stringify(manifest()).replace('"files":{', '"files":{"__proto__":{"bytes":1,"sha256":"' + 'a'.repeat(64) + '"},');
    const m = parseManifest(JSON.parse(text));
    expect(Object.getPrototypeOf(m.files)).toBeNull();
    expect(fileEntry(m.files, '__proto__')).toEqual({ bytes: 1, sha256: 'a'.repeat(64) });
    expect(fileEntry(m.files, 'constructor')).toBeUndefined();
    // The manifest object itself keeps Object.prototype (nothing leaked into it).
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
  });

  it('a field inherited from Object.prototype is not a field', () => {
    const { k: _, ...noK } = manifest();
    expect(thrown(() => parseManifest(noK)).details?.['field']).toBe('k');
    // search.json: the index named 'constructor' has no hash of its own.
    const search = { format: 'inpage-search', formatVersion: 1, encoder: { model: 'encoder', pooling: 'mean', normalize: true }, index: 'constructor', inputs: { query: 'q', bias: 'b', k: 'k' }, outputs: { scores: 's', indices: 'i' }, dims: { items: 4, embedding: 8, vocab: 10 }, idsSha256: 'x', files: {} };
    expect(thrown(() => parseSearchManifest(search, 'search.json')).details?.['field']).toBe('files.constructor');
  });

  it('dims must be positive integers within bounds; k an integer', () => {
    for (const [dims, field] of [[{ items: 2.5, embedding: 8, history: 5 }, 'dims.items'], [{ items: 4, embedding: 0, history: 5 }, 'dims.embedding'], [{ items: 4, embedding: 8, history: 1e9 }, 'dims.history'], [{ items: 1e12, embedding: 8, history: 5 }, 'dims.items']] as const) {
      const e = thrown(() => parseManifest(manifest({ dims })));
      expect([e.code, e.details?.['field']]).toEqual(['MANIFEST_INVALID', field]);
    }
    const e = thrown(() => parseManifest(manifest({ k: 2.5 })));
    expect([e.code, e.details?.['field']]).toEqual(['MANIFEST_INVALID', 'k']);
    expect(thrown(() => parseManifest(manifest({ files: { ...(manifest()['files'] as object), 'model.onnx': { bytes: 1.5, sha256: 'a'.repeat(64) } } }))).details?.['field']).toBe('files.model.onnx.bytes');
  });

  it("ids '.' and '..' are refused, and never fill a link template", () => {
    const m = parseManifest(manifest());
    const e = thrown(() => parseItems(tinyItems(['a1', '..', 'b1', 'b2']), m));
    expect([e.code, e.details?.['field']]).toEqual(['CATALOG_INVALID', 'ids[1]']);
    expect(thrown(() => parseItems(tinyItems(['.', 'a2', 'b1', 'b2']), m)).details?.['field']).toBe('ids[0]');
    expect(fillUrlTemplate('/shop/p/{id}', { id: '..' }, 'https://a.example/x/')).toBeUndefined();
    expect(fillUrlTemplate('/shop/{category}/{id}', { id: 'a1', category: '.' }, 'https://a.example/')).toBeUndefined();
    expect(fillUrlTemplate('/shop/p/{id}', { id: '...' }, 'https://a.example/')).toBe('https://a.example/shop/p/...');
  });

  it('dims the model contradicts fail at load, naming the field, and release the model', async () => {
    const log: EngineLog = { loads: [], disposed: 0 };
    const files = { ...FILES, 'items.json': JSON.stringify(tinyItems()) };
    const big = JSON.stringify(tinyManifest(files));
    // The graph's bias covers 2,400 items; the manifest says 4.
    const e = await rejected(loadRecommender(tinyEngine(log, { items: 2400 }), `${BASE}manifest.json`, tinyFetch({ ...files, 'manifest.json': big })));
    expect([e.code, e.details?.['field']]).toEqual(['MANIFEST_INVALID', 'dims.items']);
    expect(log.disposed).toBe(1);
    const renamed = JSON.stringify(tinyManifest(files, { inputs: { items: 'items', weights: 'weights', bias: 'mask', k: 'k' } }));
    const e2 = await rejected(loadRecommender(tinyEngine(log), `${BASE}manifest.json`, tinyFetch({ ...files, 'manifest.json': renamed })));
    expect([e2.code, e2.details?.['field']]).toEqual(['MANIFEST_INVALID', 'inputs.bias']);
  });
});

describe('input hardening', () => {
  const open = () => createRecommender({ engine: tinyEngine({ loads: [], disposed: 0 }), manifestUrl: `${BASE}manifest.json`, storage: null, fetch: tinyFetch({ ...FILES, 'manifest.json': JSON.stringify(manifest()) }) });

  it('filter values of the wrong type are INPUT_INVALID naming the field, not a TypeError', async () => {
    const rec = await open();
    for (const [filter, field] of [[{ category: 5 }, 'filter.category'], [{ category: ['tents', 3] }, 'filter.category'], [{ maxPrice: '200' }, 'filter.maxPrice'], [{ inStock: 'yes' }, 'filter.inStock'], ['tents', 'filter']] as const) {
      const e = await rejected(rec.recommend({ strategy: 'trending', filter: filter as never }));
      expect([e.code, e.details?.['field']]).toEqual(['INPUT_INVALID', field]);
    }
    expect((await rec.recommend({ strategy: 'trending', filter: { category: ['stoves'], maxPrice: 100 } })).map((r) => r.itemId)).toEqual(['b1', 'b2']);
    expect(thrown(() => checkFilter({ minPrice: Number.NaN }, 'search()')).message).toMatch(/search\(\): filter\.minPrice/);
  });

  it('k must be an integer (a fractional k is INPUT_INVALID, not a BigInt RangeError)', async () => {
    const rec = await open();
    expect((await rejected(rec.recommend({ k: 2.5 }))).code).toBe('INPUT_INVALID');
    expect(await rec.recommend({ strategy: 'trending' })).toHaveLength(2); // the manifest's k
  });

  it('a stored history with a non-integer event code keeps only the valid events', () => {
    const map = new Map<string, string>([['h', JSON.stringify({ v: 1, e: [['a1', 'length', 1], ['a2', 0, 2], ['b1', 1.5, 3], ['b2', '0', 4]] })]]);
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
    const store = new HistoryStore(storage, 'h', 50);
    expect(store.all()).toEqual([{ type: 'view', itemId: 'a2', time: 2 }]);
  });
});
