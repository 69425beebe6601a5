/**
 * "Seen means seen": excludeSeen covers every item among the visitor's last 1,000 distinct ones,
 * not only the short history the model reads. A visitor of 500 views on a generated shop, the
 * seen-set's bound and order, persistence and forget().
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineLike } from '../../src/recommend/engine-like.ts';
import type { StorageLike } from '../../src/recommend/history.ts';
import type { FetchLike } from '../../src/recommend/load.ts';
import { createRecommender } from '../../src/recommend/recommender.ts';
import { lastDistinct, SEEN_CAP, SeenItems } from '../../src/recommend/seen.ts';
import { loadPackage } from '../../tools/eval/load-model.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { writeShop } from '../../tools/shop/generate.ts';
import type { ScorerWeights } from '../../tools/train/reference.ts';
import { recoEngine } from './helpers/reco-engine.ts';
import { train } from '../../tools/train/train.ts';

const BASE = 'http://shop.test/reco/';
let dir = '';
let ids: string[] = [];
let inStock: number[] = [];
let weights: ScorerWeights;

function memoryStorage(): StorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

const fetchFromDir: FetchLike = async (url) => {
  const bytes = new Uint8Array(await readFile(join(dir, url.slice(BASE.length))));
  return { ok: true, status: 200, arrayBuffer: async () => bytes.slice().buffer };
};

const referenceEngine: EngineLike = recoEngine('reference', async (url) => new Uint8Array(await readFile(join(dir, url.slice(BASE.length)))), () => weights);

const open = (storage: StorageLike | null) => createRecommender({ engine: referenceEngine, manifestUrl: `${BASE}manifest.json`, storage, fetch: fetchFromDir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-seen-'));
  await writeShop(join(dir, 'shop'), { ...TINY_SHOP_CONFIG, products: 800 });
  await train({ catalog: join(dir, 'shop', 'catalog.json'), events: join(dir, 'shop', 'events.csv'), outDir: dir, model: { epochs: 1 }, validation: false, encoder: false });
  const pkg = await loadPackage(dir);
  ids = pkg.items.ids;
  inStock = pkg.items.inStock;
  weights = pkg.weights;
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('seen-set', () => {
  it('a visitor of 500 views gets none of them back, however short the model history', async () => {
    const storage = memoryStorage();
    const rec = await open(storage);
    const viewed = ids.slice(0, 500);
    viewed.forEach((id, i) => rec.track({ type: 'view', itemId: id, time: Date.now() - (500 - i) * 60_000 }));
    expect(rec.history().length).toBeLessThanOrEqual(50); // the model's history is capped…
    const available = ids.filter((id, j) => !viewed.includes(id) && inStock[j] === 1).length;
    const list = await rec.recommend({ strategy: 'for-you', k: available });
    expect(list).toHaveLength(available); // …but all the rest is still offered,
    expect(list.filter((r) => viewed.includes(r.itemId))).toEqual([]); // and nothing viewed comes back.
    for (const strategy of ['trending', 'similar', 'complete-the-look'] as const) {
      const other = await rec.recommend({ strategy, itemId: ids[700]!, k: 50 });
      expect(other.filter((r) => viewed.includes(r.itemId)), strategy).toEqual([]);
    }
    // Survives a reload; excludeSeen: false brings the items back; forget() erases the set.
    const reloaded = await open(storage);
    expect((await reloaded.recommend({ k: available })).filter((r) => viewed.includes(r.itemId))).toEqual([]);
    expect((await reloaded.recommend({ k: 100, excludeSeen: false })).some((r) => viewed.includes(r.itemId))).toBe(true);
    await reloaded.forget();
    expect([...storage.map.keys()]).toEqual([]);
    expect((await open(storage).then((r) => r.recommend({ strategy: 'trending', k: 800 }))).some((r) => viewed.includes(r.itemId))).toBe(true);
  });

  it('keeps the newest 1,000 distinct items; a repeat view makes an item newest again; impressions are not seen', () => {
    const storage = memoryStorage();
    const seen = new SeenItems(storage, 'k', [{ type: 'impression', itemId: 'shown', time: 0 }, { type: 'view', itemId: 'old', time: 1 }]);
    expect(seen.ids()).toEqual(['old']);
    for (let i = 0; i < 1200; i++) seen.add(`item-${i}`, 10 + i);
    expect(seen.ids()).toHaveLength(SEEN_CAP);
    expect(seen.ids()[0]).toBe('item-200');
    seen.add('item-200', 5000);
    expect(seen.ids().at(-1)).toBe('item-200');
    expect(new SeenItems(storage, 'k').ids()).toEqual(seen.ids()); // read back from storage
    expect(lastDistinct(['a', 'b', 'a', 'c'], 2)).toEqual(['a', 'c']);
    // Another tab's forget() (the key removed) empties this tab's set too.
    storage.removeItem('k');
    expect(seen.ids()).toEqual([]);
  });

  it('is personal data: nothing read or written without consent, expired entries dropped on read', () => {
    const storage = memoryStorage();
    let granted = false;
    const consent = { granted: () => granted };
    const day = 24 * 60 * 60 * 1000;
    let now = 100 * day;
    const privacy = { consent, retention: { maxAgeMs: 30 * day, maxBytes: 32 * 1024 }, now: () => now };
    const seen = new SeenItems(storage, 'k', [{ type: 'view', itemId: 'from-history', time: now }], SEEN_CAP, privacy);
    seen.add('a', now);
    expect(seen.ids()).toEqual([]);
    expect(storage.map.size).toBe(0);
    granted = true;
    expect(seen.ids()).toEqual(['from-history']);
    seen.add('a', now);
    expect(seen.ids()).toEqual(['from-history', 'a']);
    now += 31 * day;
    seen.add('b', now);
    expect(seen.ids()).toEqual(['b']);
    expect(JSON.parse(storage.getItem('k')!)).toEqual({ v: 1, s: [['b', now]] });
    now += 31 * day; // everything expired: the key goes too
    expect(seen.ids()).toEqual([]);
    expect(storage.getItem('k')).toBeNull();
  });
});
