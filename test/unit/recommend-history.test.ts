/** Tracked event types and the stored history: impressions are kept, capped apart, never weighted. */
import { describe, expect, it } from 'vitest';
import { capped, HistoryStore, type StorageLike, type TrackedEvent } from '../../src/recommend/history.ts';
import { parseManifest } from '../../src/recommend/manifest.ts';
import { EVENT_TYPES, eventCode, isWeighted, trackCode, TRACK_EVENT_TYPES } from '../../src/recommend/weights.ts';

function memoryStorage(): StorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

const ev = (type: TrackedEvent['type'], itemId: string, time = 0): TrackedEvent => ({ type, itemId, time });

describe('event types', () => {
  it("'impression' is trackable but not weighted: the weighted codes stay 0..3", () => {
    expect(EVENT_TYPES).toEqual(['view', 'click', 'add_to_cart', 'purchase']);
    expect(TRACK_EVENT_TYPES).toEqual([...EVENT_TYPES, 'impression']);
    expect(trackCode('impression')).toBe(4);
    expect(eventCode('impression')).toBe(-1);
    expect(trackCode('like')).toBe(-1);
    expect(TRACK_EVENT_TYPES.filter(isWeighted)).toEqual(EVENT_TYPES);
  });
});

describe('capped', () => {
  it('keeps the newest cap interactions and, separately, the newest cap impressions, in order', () => {
    const events = [ev('view', 'a'), ev('impression', 'x'), ev('click', 'b'), ev('impression', 'y'), ev('impression', 'z'), ev('purchase', 'c')];
    expect(capped(events, 2).map((e) => e.itemId)).toEqual(['b', 'y', 'z', 'c']);
    expect(capped(events, 10)).toEqual(events);
    expect(capped(events, 1).map((e) => e.itemId)).toEqual(['z', 'c']);
  });
});

describe('HistoryStore with impressions', () => {
  it('stores impressions as code 4 and reads them back after a reload', () => {
    const storage = memoryStorage();
    const a = new HistoryStore(storage, 'k', 10);
    a.add(ev('view', 'a', 1));
    a.add(ev('impression', 'b', 2));
    expect(JSON.parse(storage.map.get('k')!)).toEqual({ v: 1, e: [['a', 0, 1], ['b', 4, 2]] });
    expect(new HistoryStore(storage, 'k', 10).all()).toEqual([ev('view', 'a', 1), ev('impression', 'b', 2)]);
  });

  it('a page full of impressions never pushes out what the visitor did', () => {
    const store = new HistoryStore(memoryStorage(), 'k', 3);
    store.add(ev('view', 'a', 1));
    store.add(ev('add_to_cart', 'b', 2));
    for (let i = 0; i < 20; i++) store.add(ev('impression', `i${i}`, 10 + i));
    store.add(ev('click', 'c', 50));
    store.add(ev('purchase', 'd', 60));
    const all = store.all();
    expect(all.filter((e) => e.type !== 'impression').map((e) => e.itemId)).toEqual(['b', 'c', 'd']);
    expect(all.filter((e) => e.type === 'impression').map((e) => e.itemId)).toEqual(['i17', 'i18', 'i19']);
    expect(all.map((e) => e.time)).toEqual([...all.map((e) => e.time)].sort((x, y) => x - y));
  });

  it('skips codes it does not know (what an older SDK does with an impression)', () => {
    const storage = memoryStorage();
    storage.setItem('k', '{"v":1,"e":[["a",0,5],["b",4,6],["c",5,7]]}');
    expect(new HistoryStore(storage, 'k', 10).all()).toEqual([ev('view', 'a', 5), ev('impression', 'b', 6)]);
  });
});

describe('manifests', () => {
  const manifest = {
    format: 'inpage-recommender', formatVersion: 1, model: 'm.onnx', items: 'items.json',
    inputs: { items: 'items', weights: 'weights', bias: 'bias', k: 'k' }, outputs: { scores: 'scores', indices: 'indices' },
    dims: { items: 3, embedding: 4, history: 5 }, k: 10,
    weighting: { event: { view: 1, click: 1.5, add_to_cart: 2.5, purchase: 3 }, stepDecay: 0.5, halfLifeHours: 72 },
    files: { 'm.onnx': { bytes: 1, sha256: '0'.repeat(64) }, 'items.json': { bytes: 1, sha256: '1'.repeat(64) } },
  };

  it('a trained manifest (no impression weight) loads; an impression weight, if written, is ignored', () => {
    expect(parseManifest(manifest).weighting.event).toEqual(manifest.weighting.event);
    const extra = { ...manifest, weighting: { ...manifest.weighting, event: { ...manifest.weighting.event, impression: 9 } } };
    expect(parseManifest(extra).weighting.event).toEqual(manifest.weighting.event);
  });

  it('still requires every weighted type', () => {
    const { purchase: _, ...three } = manifest.weighting.event;
    expect(() => parseManifest({ ...manifest, weighting: { ...manifest.weighting, event: three } })).toThrow(/weighting\.event\.purchase/);
  });
});
