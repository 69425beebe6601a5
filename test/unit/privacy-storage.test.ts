/**
 * The stores' privacy rules as pure logic, with a controlled clock: retention on every read (and
 * the expired events leave storage), byte caps, the consent gate (nothing read, written or held
 * for later), a full storage that still forgets, and the sweep's honesty (it lists again and
 * never reports success it did not see). The browser versions of these run in
 * test/browser/privacy-forget.spec.ts against real localStorage, IndexedDB and Cache Storage.
 */
import { describe, expect, it } from 'vitest';
import { HistoryStore, type TrackedEvent } from '../../src/recommend/history.ts';
import { RecentSearches } from '../../src/recommend/search.ts';
import { forgetEverything, type EnumerableStorage } from '../../src/privacy/forget.ts';
import { fitBytes, resolveRetention, utf8Length } from '../../src/privacy/retention.ts';
import type { ConsentGate } from '../../src/privacy/gate.ts';
import { stringsFor, ELEMENT_STRINGS } from '../../src/embed/strings.ts';
import { ResultCache } from '../../src/caches/result-cache.ts';
import { PersonalRecord } from '../../src/privacy/personal-record.ts';

const DAY = 24 * 60 * 60 * 1000;

/** Web Storage semantics over a Map: ordered keys, a byte quota that throws like the browser's. */
function webStorage(quotaChars = Infinity): EnumerableStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  const used = (): number => [...map].reduce((n, [k, v]) => n + k.length + v.length, 0);
  return {
    map,
    get length() { return map.size; },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem(k, v) {
      if (used() - (map.get(k)?.length ?? 0) + k.length + v.length > quotaChars) throw new DOMException('full', 'QuotaExceededError');
      map.set(k, v);
    },
    removeItem: (k) => void map.delete(k),
  };
}

const ev = (itemId: string, time: number, type: TrackedEvent['type'] = 'view'): TrackedEvent => ({ type, itemId, time });

describe('retention', () => {
  it('validates options and defaults to 30 days and 32 KiB', () => {
    expect(resolveRetention()).toEqual({ maxAgeMs: 30 * DAY, maxBytes: 32 * 1024 });
    expect(resolveRetention({ days: 7, maxBytes: 1024 })).toEqual({ maxAgeMs: 7 * DAY, maxBytes: 1024 });
    expect(() => resolveRetention({ days: 0 })).toThrow(/retention.days/);
    expect(() => resolveRetention({ days: 401 })).toThrow(/retention.days/);
    expect(() => resolveRetention({ maxBytes: 10 })).toThrow(/retention.maxBytes/);
  });

  it('drops events older than the window on every read, and writes the shorter record back', () => {
    const storage = webStorage();
    let now = Date.parse('2026-12-01T00:00:00Z');
    const store = new HistoryStore(storage, 'inpage:reco:x', 50, { retention: resolveRetention({ days: 30 }), now: () => now });
    store.add(ev('a', now - 40 * DAY));
    store.add(ev('b', now - 29 * DAY));
    store.add(ev('c', now));
    // 'a' was already past the window when written: the next read drops it.
    expect(store.all().map((e) => e.itemId)).toEqual(['b', 'c']);
    expect(JSON.parse(storage.map.get('inpage:reco:x')!).e.map((r: unknown[]) => r[0])).toEqual(['b', 'c']);
    now += 2 * DAY; // 'b' is 31 days old now
    expect(store.all().map((e) => e.itemId)).toEqual(['c']);
    expect(JSON.parse(storage.map.get('inpage:reco:x')!).e).toHaveLength(1);
    now += 31 * DAY;
    expect(store.all()).toEqual([]);
    expect(storage.map.has('inpage:reco:x')).toBe(false); // gone from the device, not just hidden
  });

  it('recent searches expire the same way', () => {
    const storage = webStorage();
    let now = 1_000 * DAY;
    const s = new RecentSearches(storage, 'inpage:reco:x:searches', 10, { retention: resolveRetention({ days: 1 }), now: () => now });
    s.add('tent', now);
    now += DAY / 2;
    s.add('stove', now);
    now += DAY * 0.75;
    expect(s.all().map((x) => x.text)).toEqual(['stove']);
    now += DAY;
    expect(s.all()).toEqual([]);
    expect(storage.map.size).toBe(0);
  });

  it('caps the stored bytes, keeping the newest events', () => {
    const storage = webStorage();
    const store = new HistoryStore(storage, 'k', 10_000, { retention: resolveRetention({ maxBytes: 2048 }), now: () => 5_000 });
    for (let i = 0; i < 400; i++) store.add(ev(`sku-${String(i).padStart(6, '0')}`, 1000 + i));
    const text = storage.map.get('k')!;
    expect(utf8Length(text)).toBeLessThanOrEqual(2048);
    const kept = store.all();
    expect(kept.length).toBeGreaterThan(50);
    expect(kept.at(-1)!.itemId).toBe('sku-000399');
    expect(kept.map((e) => e.time)).toEqual([...kept.map((e) => e.time)].sort((a, b) => a - b));
  });

  it('fitBytes counts UTF-8 and converges on long lists', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
    const list = Array.from({ length: 10_000 }, (_, i) => `item-${i}`);
    const { kept, text } = fitBytes(list, (l) => JSON.stringify(l), 1000);
    expect(utf8Length(text)).toBeLessThanOrEqual(1000);
    expect(kept.at(-1)).toBe('item-9999');
  });
});

describe('the result cache', () => {
  const feeds = { x: { type: 'float32' as const, dims: [1, 2], data: Float32Array.of(1, 2) } };
  const outputs = { y: { type: 'float32' as const, dims: [1], data: Float32Array.of(3) } };

  it('persisted entries expire after 30 days by default (in memory only: no expiry)', () => {
    let now = 0;
    const persisted = new ResultCache({ persist: 'indexeddb', now: () => now });
    const memory = new ResultCache({ now: () => now });
    for (const c of [persisted, memory]) {
      const miss = c.get('m', feeds);
      if (miss.hit) throw new Error('unexpected hit');
      c.set(miss.ticket, outputs);
    }
    now = 29 * DAY;
    expect(persisted.get('m', feeds).hit).toBe(true);
    now = 31 * DAY;
    expect(persisted.get('m', feeds).hit).toBe(false);
    expect(memory.get('m', feeds).hit).toBe(true);
  });

  it('drops every entry, and answers misses, once its consent gate erases', () => {
    const listeners: (() => void)[] = [];
    const c = new ResultCache({ persist: 'indexeddb', consent: { granted: () => true, onErase: (l) => { listeners.push(l); return () => {}; } } });
    const miss = c.get('m', feeds);
    if (miss.hit) throw new Error('unexpected hit');
    const pending = c.get('m', { x: { ...feeds.x, data: Float32Array.of(9, 9) } });
    c.set(miss.ticket, outputs);
    expect(c.get('m', feeds).hit).toBe(true);
    for (const l of listeners) l();
    expect(c.stats().entries).toBe(0);
    expect(c.get('m', feeds).hit).toBe(false);
    // A result computed before the erasure does not come back in.
    if (!pending.hit) c.set(pending.ticket, outputs);
    expect(c.stats().entries).toBe(0);
  });
});

describe('consent gate', () => {
  it('without consent nothing is read, written, or held to be written later', () => {
    const storage = webStorage();
    storage.setItem('inpage:reco:x', JSON.stringify({ v: 1, e: [['old', 0, 1]] }));
    let granted = false;
    const gate: ConsentGate = { granted: () => granted };
    const store = new HistoryStore(storage, 'inpage:reco:x', 50, { consent: gate });
    const searches = new RecentSearches(storage, 'inpage:reco:x:searches', 10, { consent: gate });
    expect(store.all()).toEqual([]); // stored data is not used without consent either
    store.add(ev('a', 2));
    searches.add('tent', 2);
    expect([...storage.map.keys()]).toEqual(['inpage:reco:x']);
    expect(storage.map.get('inpage:reco:x')).toBe(JSON.stringify({ v: 1, e: [['old', 0, 1]] }));
    granted = true;
    // Nothing from the denied period turns up once consent arrives.
    expect(store.all().map((e) => e.itemId)).toEqual(['old']);
    expect(searches.all()).toEqual([]);
    store.add(ev('b', 3));
    expect(store.all().map((e) => e.itemId)).toEqual(['old', 'b']);
  });
});

describe('PersonalRecord', () => {
  it('without consent reads nothing and writes nothing (not even to memory); remove() works either way', () => {
    const storage = webStorage();
    storage.setItem('inpage:k', 'old');
    let granted = false;
    const r = new PersonalRecord(storage, 'inpage:k', { granted: () => granted });
    expect(r.read()).toBeNull();
    r.write('new');
    expect(storage.map.get('inpage:k')).toBe('old');
    granted = true;
    expect(r.read()).toBe('old');
    granted = false;
    expect(r.remove()).toBe(true);
    expect(storage.map.size).toBe(0);
    // Memory-only records are gated too.
    const mem = new PersonalRecord(null, 'inpage:m', { granted: () => granted });
    mem.write('x');
    granted = true;
    expect(mem.read()).toBeNull();
  });
});

describe('a full storage', () => {
  it('keeps working in memory after a refused write, and clear() still removes what was stored', () => {
    const storage = webStorage(200);
    const store = new HistoryStore(storage, 'inpage:reco:x', 50);
    store.add(ev('a', 1));
    expect(storage.map.has('inpage:reco:x')).toBe(true);
    for (let i = 0; i < 20; i++) store.add(ev(`item-${i}`, 2 + i)); // the quota refuses these
    expect(store.all()).toHaveLength(21); // memory
    const stale = JSON.parse(storage.map.get('inpage:reco:x')!).e as unknown[];
    expect(stale.length).toBeGreaterThan(1); // what fit before the quota stays in storage…
    expect(stale.length).toBeLessThan(21); // …behind the events held in memory
    expect(store.clear()).toBe(true);
    expect(storage.map.size).toBe(0);
    // The old store nulled its storage here, so a reload brought the events back.
    expect(new HistoryStore(storage, 'inpage:reco:x', 50).all()).toEqual([]);
  });
});

describe('forgetEverything over web storage', () => {
  it('removes every inpage: key of every manifest version, leaves other keys, and reports each', async () => {
    const local = webStorage();
    const session = webStorage();
    for (const k of ['inpage:reco:https://s/reco/manifest.json', 'inpage:reco:https://s/reco/manifest.json?v=2', 'inpage:reco:https://s/reco/manifest.json?v=2:searches', 'cart', 'inpage-not-ours']) local.setItem(k, '1');
    session.setItem('inpage:exp', '1');
    const custom = webStorage();
    custom.setItem('myshop-history', '1');
    const report = await forgetEverything({ scope: { localStorage: local, sessionStorage: session }, extra: [{ storage: custom, keys: ['myshop-history', 'absent'] }] });
    expect(report.erased.map((e) => `${e.area} ${e.name}`).sort()).toEqual([
      'localStorage inpage:reco:https://s/reco/manifest.json', 'localStorage inpage:reco:https://s/reco/manifest.json?v=2',
      'localStorage inpage:reco:https://s/reco/manifest.json?v=2:searches', 'sessionStorage inpage:exp', 'storage myshop-history',
    ]);
    expect([...local.map.keys()]).toEqual(['cart', 'inpage-not-ours']);
    expect(session.map.size).toBe(0);
    expect(custom.map.size).toBe(0);
  });

  it('never reports success it did not see: a key that survives removal fails the call, naming it', async () => {
    const local = webStorage();
    local.setItem('inpage:reco:a', '1');
    local.setItem('inpage:reco:b', '1');
    const stubborn: EnumerableStorage = { get length() { return local.length; }, key: (i) => local.key(i), getItem: (k) => local.getItem(k), setItem: (k, v) => local.setItem(k, v), removeItem: (k) => { if (k !== 'inpage:reco:b') local.removeItem(k); } };
    await expect(forgetEverything({ scope: { localStorage: stubborn } })).rejects.toMatchObject({
      code: 'FORGET_INCOMPLETE',
      details: { erased: ['localStorage inpage:reco:a'], failed: ['localStorage inpage:reco:b: still present after removeItem'] },
    });
  });
});

describe('element strings', () => {
  it('every shipped language has every string, and lang falls back by primary subtag, then to English', () => {
    const keys = Object.keys(ELEMENT_STRINGS['en']!).sort();
    for (const [lang, table] of Object.entries(ELEMENT_STRINGS)) {
      expect(Object.keys(table).sort(), lang).toEqual(keys);
      for (const v of Object.values(table)) expect(v.length, lang).toBeGreaterThan(3);
    }
    expect(stringsFor('de-AT')).toMatchObject({ lang: 'de', strings: { forget: 'Meinen Verlauf löschen' } });
    expect(stringsFor('FR')).toMatchObject({ lang: 'fr' });
    expect(stringsFor('nl')).toMatchObject({ lang: 'en', strings: { why: 'Why these?' } });
    expect(stringsFor(undefined).lang).toBe('en');
    const nl = stringsFor('nl-BE', { nl: { why: 'Waarom deze?' } });
    expect(nl).toMatchObject({ lang: 'nl', strings: { why: 'Waarom deze?', forget: 'Forget my history' } });
    expect(stringsFor('de', { de: { forget: 'Verlauf löschen' } }).strings).toMatchObject({ forget: 'Verlauf löschen', why: 'Warum diese Vorschläge?' });
  });
});
