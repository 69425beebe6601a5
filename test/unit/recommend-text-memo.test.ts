/**
 * The history and seen-set are read back from storage on every recommend() but parsed only when
 * the stored text changed (text-memo.ts): what another tab (or copy of the SDK) writes or forgets
 * must still show at once, and nothing a caller does to a returned list may leak into the next read.
 */
import { describe, expect, it } from 'vitest';
import { HistoryStore, type StorageLike } from '../../src/recommend/history.ts';
import { SeenItems } from '../../src/recommend/seen.ts';
import { TextMemo } from '../../src/recommend/text-memo.ts';
import { createConsent } from '../../src/privacy/create-consent.ts';

function memoryStorage(): StorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('TextMemo', () => {
  it('parses a text once while it stays the same, again when it changes, and after clear()', () => {
    const seen: (string | null)[] = [];
    const memo = new TextMemo((t) => { seen.push(t); return t === null ? 0 : t.length; });
    expect([memo.get('abc'), memo.get('abc'), memo.get(null), memo.get(null), memo.get('abcd')]).toEqual([3, 3, 0, 0, 4]);
    memo.clear();
    expect(memo.get('abcd')).toBe(4);
    expect(seen).toEqual(['abc', null, 'abcd', 'abcd']);
  });
});

describe('stores over the memo', () => {
  it("another tab's events and forget() show on the next read", () => {
    const storage = memoryStorage();
    const tabA = new HistoryStore(storage, 'h', 50);
    const tabB = new HistoryStore(storage, 'h', 50);
    const seenA = new SeenItems(storage, 'h:seen');
    const seenB = new SeenItems(storage, 'h:seen');
    tabA.add({ type: 'view', itemId: 'a', time: 1 });
    seenA.add('a', 1);
    expect(tabB.all().map((e) => e.itemId)).toEqual(['a']);
    expect(seenB.ids()).toEqual(['a']);
    tabB.add({ type: 'view', itemId: 'b', time: 2 });
    seenB.add('b', 2);
    expect(tabA.all().map((e) => e.itemId)).toEqual(['a', 'b']);
    expect(seenA.ids()).toEqual(['a', 'b']);
    // forget() in tab B (the sweep removes the keys): tab A holds nothing any more.
    storage.removeItem('h');
    storage.removeItem('h:seen');
    expect(tabA.all()).toEqual([]);
    expect(seenA.ids()).toEqual([]);
  });

  it('a caller mutating what it got back changes nothing stored or read next', () => {
    const storage = memoryStorage();
    const store = new HistoryStore(storage, 'h', 50);
    store.add({ type: 'view', itemId: 'a', time: 1 });
    const got = store.all();
    got[0]!.itemId = 'changed';
    got.push({ type: 'view', itemId: 'pushed', time: 2 });
    expect(store.all()).toEqual([{ type: 'view', itemId: 'a', time: 1 }]);
    const seen = new SeenItems(storage, 'h:seen');
    seen.add('a', 1);
    seen.ids().push('pushed');
    expect(seen.ids()).toEqual(['a']);
  });

  it('revoking consent reads nothing back, though the memo held the record', () => {
    const storage = memoryStorage();
    const consent = createConsent({ mode: 'granted' });
    const store = new HistoryStore(storage, 'h', 50, { consent });
    const seen = new SeenItems(storage, 'h:seen', [], 1000, { consent });
    store.add({ type: 'view', itemId: 'a', time: 1 });
    seen.add('a', 1);
    expect(store.all()).toHaveLength(1);
    expect(seen.ids()).toEqual(['a']);
    consent.set(false);
    expect(store.all()).toEqual([]);
    expect(seen.ids()).toEqual([]);
    consent.dispose();
  });
});
