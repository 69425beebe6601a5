/**
 * The item table parsed in the engine's worker (issue #16): the real host on the other end of a
 * MessageChannel parses and validates items.json with the page's own validator, answers columns
 * whose buffers are moved, and the page rebuilds exactly what parsing in place gives, in slices.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EngineImpl } from '../../src/client/engine.ts';
import { packItemTable, unpackItemTable } from '../../src/recommend/item-columns.ts';
import { loadItemTable } from '../../src/recommend/item-table.ts';
import type { EngineLike } from '../../src/recommend/engine-like.ts';
import type { FetchLike } from '../../src/recommend/fetch-pinned.ts';
import { parseItems, parseJsonBytes, type RecommenderItems } from '../../src/recommend/manifest.ts';
import { createHost } from '../../src/worker/host.ts';
import { rejected } from './helpers/catch.ts';
import { portWorker, type PortWorker } from './helpers/port-worker.ts';
import { sha, tinyItems } from './helpers/tiny-package.ts';

/**
 * A shop-sized table (2,400 items, the demo's size) made here, not read from public/ (made by
 * `npm run assets`, which runs after the unit tests): ids and titles with non-ASCII text,
 * twelve categories, prices with cents, some items out of stock.
 */
function shopItems(n = 2400): Record<string, unknown> {
  const base = tinyItems();
  const ids = Array.from({ length: n }, (_, i) => `sku-${10000 + i}`);
  const cats = Array.from({ length: 12 }, (_, c) => ({ id: `cat-${c}`, name: `Catégorie ${c} – “Outdoor”`, complements: [[(c + 1) % 12, 1]] }));
  return {
    ...base, ids,
    titles: ids.map((id, i) => `Zelt ${id} für ${1 + (i % 4)} Personen — ${'αβγ'[i % 3]} ✓`),
    category: ids.map((_, i) => i % 12), price: ids.map((_, i) => 5 + ((i * 37) % 500) + 0.99), inStock: ids.map((_, i) => (i % 17 === 0 ? 0 : 1)),
    categories: cats,
    trending: { asOf: '2026-12-01T00:00:00Z', halfLifeDays: 7, scores: ids.map((_, i) => ((i * 7919) % 1000) / 10) },
  };
}
const demoItems = Buffer.from(JSON.stringify(shopItems()));
const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

const workers: PortWorker[] = [];
const engines: EngineImpl[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.dispose();
  for (const w of workers.splice(0)) w.close();
});

/** Loads `bodies` in turn (the last one again) as items.json pinned to `pinned`; counts requests. */
function load(e: EngineLike, pinned: Uint8Array, offThreadAbove: number, bodies: Uint8Array[] = [pinned], items = 4): { run: Promise<RecommenderItems>; requests: () => number } {
  let n = 0;
  const fetchFn: FetchLike = async () => {
    const body = bodies[Math.min(n++, bodies.length - 1)]!;
    return { ok: true, status: 200, arrayBuffer: async () => body.slice().buffer };
  };
  const pin = { bytes: pinned.byteLength, sha256: sha(pinned) };
  const run = loadItemTable(e, fetchFn, { url: 'https://shop.test/items.json', what: 'item table', pin }, { dims: { items } }, offThreadAbove).then((r) => r.items);
  return { run, requests: () => n };
}

function engine(): EngineImpl {
  const e = new EngineImpl({}, () => {
    const w = portWorker(createHost());
    workers.push(w);
    return w;
  });
  engines.push(e);
  return e;
}

/** A table with facts, unicode (astral, combining) and empty titles. */
function withFacts(): Record<string, unknown> {
  const t = tinyItems();
  return { ...t, titles: ['Zelt 🏕️ für 2', '', 'cafe\u0301 stove', 'B2'], facts: { brands: ['Northpeak', 'Ember'], brand: [0, -1, 1, 1], tagNames: ['ul', 'winter'], tags: [[0, 1], [], [1], [0]] } };
}

describe('item table columns', () => {
  it('pack → unpack gives back exactly the validated table, with and without facts, pausing between slices', async () => {
    for (const json of [tinyItems(), withFacts(), JSON.parse(demoItems.toString('utf8')) as unknown]) {
      const n = (json as { ids: unknown[] }).ids.length;
      const items = parseItems(json, { dims: { items: n } });
      const { table, transfer } = packItemTable(structuredClone(items));
      expect(transfer.every((b) => b instanceof ArrayBuffer)).toBe(true);
      const back = await unpackItemTable(table);
      expect(back.items).toEqual(items);
      expect(back.index).toEqual(new Map(items.ids.map((id, i) => [id, i])));
    }
  });

  it('a long table is rebuilt in several slices, each handing the event loop back', async () => {
    const n = 150_000;
    const ids = Array.from({ length: n }, (_, i) => `sku-${i}`);
    const items = parseItems({ ...tinyItems(ids), categories: tinyItems().categories }, { dims: { items: n } });
    let pauses = 0;
    const back = await unpackItemTable(packItemTable(items).table, undefined, async () => { pauses++; await new Promise((r) => setTimeout(r, 0)); });
    expect(back.items.ids[n - 1]).toBe(`sku-${n - 1}`);
    expect(back.items.price).toEqual(items.price);
    expect(back.index.get(`sku-${n - 1}`)).toBe(n - 1);
    expect(pauses).toBeGreaterThan(0);
  });

  it('an abort between slices stops the rebuild with ABORTED', async () => {
    const n = 150_000;
    const items = parseItems({ ...tinyItems(Array.from({ length: n }, (_, i) => `s${i}`)), categories: tinyItems().categories }, { dims: { items: n } });
    const ctrl = new AbortController();
    const e = await rejected(unpackItemTable(packItemTable(items).table, ctrl.signal, async () => { ctrl.abort(); }));
    expect(e.code).toBe('ABORTED');
  });
});

describe('engine.parseItemTable (the real host over a MessageChannel)', () => {
  it('parses the demo items.json in the worker: same table and index as in place, the bytes moved', async () => {
    const bytes = new Uint8Array(demoItems);
    const inPlace = parseItems(parseJsonBytes(bytes, 'items.json', 'CATALOG_INVALID'), { dims: { items: 2400 } }, 'items.json');
    const e = engine();
    const sent: Uint8Array[] = [];
    const spy: EngineLike = { load: () => Promise.reject(new Error('unused')), parseItemTable: (b, n, w, o) => { sent.push(b); return e.parseItemTable(b, n, w, o); } };
    const got = await load(spy, bytes, 0, [bytes], 2400).run;
    expect(sent).toHaveLength(1);
    expect(sent[0]!.byteLength).toBe(0); // transferred, not copied
    expect(got).toEqual(inPlace);
    const r = await loadItemTable(e, async () => ({ ok: true, status: 200, arrayBuffer: async () => bytes.slice().buffer }), { url: 'items.json', what: 'item table', pin: { bytes: bytes.byteLength, sha256: sha(bytes) } }, { dims: { items: 2400 } }, 0);
    expect(r.index).toEqual(new Map(inPlace.ids.map((id, i) => [id, i])));
  });

  it('a malformed table gives the same typed error, naming the same field, as parsing in place', async () => {
    const cases: [string, Uint8Array, string | undefined][] = [
      ['bad price', enc({ ...tinyItems(), price: [1, 2, 'x', 4] }), 'price[2]'],
      ['bad tag index', enc({ ...withFacts(), facts: { ...(withFacts()['facts'] as object), tags: [[0], [], [5], [1]] } }), 'facts.tags[2]'],
      ['wrong row count', enc(tinyItems(['a', 'b', 'c'])), 'category'],
      ['not JSON', new TextEncoder().encode('{"format": "inpage-recommender-items", "ids": [tru'), undefined],
    ];
    const e = engine();
    for (const [what, bytes, field] of cases) {
      const local = await rejected(load(e, bytes, Infinity).run);
      const remote = await rejected(load(e, bytes, 0).run);
      expect(remote.code, what).toBe('CATALOG_INVALID');
      expect(remote.message, what).toBe(local.message);
      expect(remote.details, what).toEqual(local.details);
      if (field !== undefined) expect((remote.details as { field?: string }).field, what).toBe(field);
    }
  });

  it('the worker checks the hash: a stale copy is fetched once more past the cache, a wrong file fails as on the page', async () => {
    const e = engine();
    const good = enc(tinyItems());
    const other = enc(tinyItems(['x1', 'x2', 'x3', 'x4'])); // same length, other bytes
    expect(other.byteLength).toBe(good.byteLength);
    const healed = load(e, good, 0, [other, good]);
    expect((await healed.run).ids).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(healed.requests()).toBe(2);
    const local = await rejected(load(e, good, Infinity, [other]).run);
    const remote = await rejected(load(e, good, 0, [other]).run);
    expect(remote.code).toBe('INTEGRITY_MISMATCH');
    expect(remote.message).toBe(local.message);
    expect(remote.details).toEqual(local.details);
  });

  it('an engine without the op (a fake) parses in place', async () => {
    const got = await load({ load: () => Promise.reject(new Error('unused')) }, enc(tinyItems()), 0).run;
    expect(got.ids).toEqual(['a1', 'a2', 'b1', 'b2']);
  });
});
