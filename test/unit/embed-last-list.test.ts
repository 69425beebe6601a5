/**
 * The remembered lists of instant repeat views as pure logic (last-list.ts, request.ts): what a
 * list is remembered under, when it may be painted again (same package, fresh, in stock,
 * consent), what it costs (one manifest fetch per page, none on a first view), and that it is
 * erasable. The painting itself runs in real Chromium: test/e2e/repeat-view.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { createLastLists, packageVersion, type PackageManifest, type RememberedCard } from '../../src/embed/last-list.ts';
import { contextKey } from '../../src/embed/request.ts';
import { forgetEverything, type EnumerableStorage } from '../../src/privacy/forget.ts';
import { createConsent } from '../../src/privacy/create-consent.ts';
import { utf8Length } from '../../src/privacy/retention.ts';
import type { FetchLike } from '../../src/recommend/load.ts';

const DAY = 24 * 60 * 60 * 1000;
const URL_ = 'https://shop.example/reco/manifest.json';
const KEY = `inpage:reco:${URL_}:lists`;

function webStorage(): EnumerableStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get length() { return map.size; },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

const manifest = (items = 'aa', model = 'bb'): PackageManifest => ({ items: 'items.json', model: 'm.onnx', files: { 'items.json': { sha256: items }, 'm.onnx': { sha256: model } } });

/** A site that serves `current()` as its manifest, counting requests. */
function site(current: () => PackageManifest | 'fail' | 404): { fetch: FetchLike; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: async (url) => {
      calls.push(url);
      const m = current();
      if (m === 'fail') throw new TypeError('Failed to fetch');
      const bytes = new TextEncoder().encode(JSON.stringify(m));
      return { ok: m !== 404, status: m === 404 ? 404 : 200, arrayBuffer: async () => bytes.buffer };
    },
  };
}

const card = (id: string, inStock = true): RememberedCard => ({ item: { id, title: `Title ${id}`, category: 'tents', categoryName: 'Tents', price: 99.5, inStock }, reason: `Similar to ${id}` });
const similar = { strategy: 'similar' as const, itemId: 'sku-1', k: 4 };

describe('contextKey', () => {
  it('names strategy, item, count and filters; ignores exclude and the order of categories', () => {
    expect(contextKey({ ...similar, exclude: ['x'] })).toBe(contextKey(similar));
    expect(contextKey({ strategy: 'for-you', k: 4, filter: { category: ['b', 'a'] } })).toBe(contextKey({ strategy: 'for-you', k: 4, filter: { category: ['a', 'b'] } }));
    const keys = [similar, { ...similar, k: 8 }, { ...similar, itemId: 'sku-2' }, { ...similar, strategy: 'complete-the-look' as const },
      { ...similar, filter: { inStock: true } }, { ...similar, filter: { maxPrice: 100 } }, { ...similar, filter: { category: 'tents' } }].map(contextKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('packageVersion', () => {
  it('is the item table and model hashes, undefined when the manifest does not name them', () => {
    expect(packageVersion(manifest('aa', 'bb'))).toBe('aa/bb');
    expect(packageVersion({ items: 'items.json', model: 'm.onnx', files: {} })).toBeUndefined();
    expect(packageVersion(null)).toBeUndefined();
  });
});

describe('createLastLists', () => {
  it('paints a list again for the same question of the same package, keyed under inpage:reco:<manifest>:lists', async () => {
    const storage = webStorage();
    const s = site(() => manifest());
    const a = createLastLists({ manifestUrl: URL_, storage, fetch: s.fetch });
    a.remember(similar, [card('a'), card('b')], manifest());
    expect(a.key).toBe(KEY);
    // The next page view: a new instance, the same device.
    const b = createLastLists({ manifestUrl: URL_, storage, fetch: s.fetch });
    expect(await b.recall(similar)).toEqual([card('a'), card('b')]);
    expect(await b.recall({ ...similar, k: 8 })).toBeUndefined();
    expect(await b.recall({ ...similar, itemId: 'sku-2' })).toBeUndefined();
    // One manifest check per page view, however many elements ask.
    expect(s.calls).toEqual([URL_]);
  });

  it('costs no request on a first view (nothing remembered) and none once the recommender said which package it is', async () => {
    const storage = webStorage();
    const s = site(() => manifest());
    const lists = createLastLists({ manifestUrl: URL_, storage, fetch: s.fetch });
    expect(await lists.recall(similar)).toBeUndefined();
    lists.remember(similar, [card('a')], manifest());
    expect(await lists.recall(similar)).toEqual([card('a')]);
    expect(s.calls).toEqual([]);
  });

  it('never paints a list of another package: a retrained model or a changed catalogue (stock, prices, items)', async () => {
    const storage = webStorage();
    let served: PackageManifest | 'fail' | 404 = manifest('aa', 'bb');
    createLastLists({ manifestUrl: URL_, storage, fetch: site(() => served).fetch }).remember(similar, [card('a')], manifest('aa', 'bb'));
    for (const now of [manifest('a2', 'bb'), manifest('aa', 'b2'), 'fail' as const, 404 as const]) {
      served = now;
      expect(await createLastLists({ manifestUrl: URL_, storage, fetch: site(() => served).fetch }).recall(similar), JSON.stringify(now)).toBeUndefined();
    }
    served = manifest('aa', 'bb');
    expect(await createLastLists({ manifestUrl: URL_, storage, fetch: site(() => served).fetch }).recall(similar)).toEqual([card('a')]);
  });

  it('a new package drops every list of the old one', async () => {
    const storage = webStorage();
    const lists = createLastLists({ manifestUrl: URL_, storage, fetch: site(() => manifest('new')).fetch });
    lists.remember(similar, [card('a')], manifest('old'));
    lists.remember({ strategy: 'trending', k: 4 }, [card('t')], manifest('new'));
    const stored = JSON.parse(storage.map.get(KEY)!) as { p: string; l: unknown[] };
    expect(stored.p).toBe(packageVersion(manifest('new')));
    expect(stored.l).toHaveLength(1);
    expect(await lists.recall(similar)).toBeUndefined();
  });

  it('keeps only items in stock; an empty answer forgets the question', async () => {
    const storage = webStorage();
    const lists = createLastLists({ manifestUrl: URL_, storage, fetch: site(() => manifest()).fetch });
    lists.remember(similar, [card('a'), card('gone', false), card('c')], manifest());
    expect((await lists.recall(similar))?.map((c) => c.item.id)).toEqual(['a', 'c']);
    lists.remember(similar, [card('gone', false)], manifest());
    expect(await lists.recall(similar)).toBeUndefined();
    expect(storage.map.has(KEY)).toBe(false);
  });

  it('without consent reads nothing, writes nothing and fetches nothing; with it again, the old list is usable', async () => {
    const storage = webStorage();
    const s = site(() => manifest());
    createLastLists({ manifestUrl: URL_, storage, fetch: s.fetch }).remember(similar, [card('a')], manifest());
    const before = storage.map.get(KEY);
    const consent = createConsent({ mode: 'required', tcf: false, consentMode: false });
    const lists = createLastLists({ manifestUrl: URL_, storage, fetch: s.fetch, consent });
    expect(await lists.recall(similar)).toBeUndefined();
    lists.remember({ strategy: 'trending', k: 4 }, [card('t')], manifest());
    expect(storage.map.get(KEY)).toBe(before);
    expect(s.calls).toEqual([]);
    consent.dispose();
  });

  it('withdrawing consent erases the lists (the sweep finds them by prefix; a custom storage is handed over by the listener)', async () => {
    const storage = webStorage();
    const consent = createConsent({ mode: 'granted' });
    const lists = createLastLists({ manifestUrl: URL_, storage, fetch: site(() => manifest()).fetch, consent });
    lists.remember(similar, [card('a')], manifest());
    expect(storage.map.has(KEY)).toBe(true);
    // The page's localStorage is swept by prefix; here the storage is injected, so the erase
    // listener must name the key for the sweep to find it.
    const report = await consent.forget({ scope: {} });
    expect(report.erased).toEqual([{ area: 'storage', name: KEY }]);
    expect(storage.map.size).toBe(0);
    expect(await lists.recall(similar)).toBeUndefined();
    // And the prefix sweep alone finds it in a page's localStorage.
    const local = webStorage();
    createLastLists({ manifestUrl: URL_, storage: local }).remember(similar, [card('a')], manifest());
    expect((await forgetEverything({ scope: { localStorage: local } })).erased).toEqual([{ area: 'localStorage', name: KEY }]);
  });

  it('lists expire after the retention window and leave storage on the next read', async () => {
    const storage = webStorage();
    let now = 1000 * DAY;
    const lists = createLastLists({ manifestUrl: URL_, storage, fetch: site(() => manifest()).fetch, now: () => now, retention: { days: 30 } });
    lists.remember(similar, [card('a')], manifest());
    now += 20 * DAY;
    lists.remember({ strategy: 'trending', k: 4 }, [card('t')], manifest());
    now += 11 * DAY; // the first list is 31 days old
    expect(await lists.recall(similar)).toBeUndefined();
    expect((JSON.parse(storage.map.get(KEY)!) as { l: unknown[] }).l).toHaveLength(1);
    now += 20 * DAY;
    expect(await lists.recall({ strategy: 'trending', k: 4 })).toBeUndefined();
    expect(storage.map.has(KEY)).toBe(false);
  });

  it('keeps the newest 24 questions within the byte cap', async () => {
    const storage = webStorage();
    let now = 0;
    const lists = createLastLists({ manifestUrl: URL_, storage, fetch: site(() => manifest()).fetch, now: () => ++now, retention: { maxBytes: 4096 } });
    for (let i = 0; i < 40; i++) lists.remember({ strategy: 'similar', itemId: `sku-${i}`, k: 4 }, [card(`a${i}`), card(`b${i}`), card(`c${i}`), card(`d${i}`)], manifest());
    const text = storage.map.get(KEY)!;
    expect(utf8Length(text)).toBeLessThanOrEqual(4096);
    expect(await lists.recall({ strategy: 'similar', itemId: 'sku-39', k: 4 })).toHaveLength(4);
    expect(await lists.recall({ strategy: 'similar', itemId: 'sku-0', k: 4 })).toBeUndefined();
    const big = webStorage();
    const roomy = createLastLists({ manifestUrl: URL_, storage: big, fetch: site(() => manifest()).fetch });
    for (let i = 0; i < 40; i++) roomy.remember({ strategy: 'similar', itemId: `sku-${i}`, k: 1 }, [card(`a${i}`)], manifest());
    expect((JSON.parse(big.map.get(KEY)!) as { l: unknown[] }).l).toHaveLength(24);
  });

  it('ignores a record that is not its own format, and overwrites it on the next write', async () => {
    const storage = webStorage();
    storage.map.set(KEY, '{"v":1,"p":"aa/bb","l":[{"k":"x","t":1,"c":[["a","<b>",1]]}]}');
    const lists = createLastLists({ manifestUrl: URL_, storage, fetch: site(() => manifest()).fetch });
    expect(await lists.recall(similar)).toBeUndefined();
    lists.remember(similar, [card('a')], manifest());
    expect(await lists.recall(similar)).toEqual([card('a')]);
  });

  it('rejects a manifest URL that does not parse with OPTION_INVALID', () => {
    expect(() => createLastLists({ manifestUrl: 'http://[' })).toThrow(expect.objectContaining({ code: 'OPTION_INVALID' }));
  });
});
