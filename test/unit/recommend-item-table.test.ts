/**
 * The item table parsed in the engine's worker (issue #16): the real host on the other end of a
 * MessageChannel parses and validates items.json with the page's own validator, answers columns
 * whose buffers are moved, and the page rebuilds exactly what parsing in place gives, in slices.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineImpl } from '../../src/client/engine.ts';
import { packItemTable, unpackItemTable } from '../../src/recommend/item-columns.ts';
import { parseItemBytes } from '../../src/recommend/item-table.ts';
import { parseItems, parseJsonBytes, type RecommenderItems } from '../../src/recommend/manifest.ts';
import { createHost } from '../../src/worker/host.ts';
import { rejected } from './helpers/catch.ts';
import { portWorker, type PortWorker } from './helpers/port-worker.ts';
import { tinyItems } from './helpers/tiny-package.ts';

const demoItems = readFileSync(new URL('../../public/reco/items.json', import.meta.url));
const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

const workers: PortWorker[] = [];
const engines: EngineImpl[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.dispose();
  for (const w of workers.splice(0)) w.close();
});

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
      expect(back).toEqual(items);
    }
  });

  it('a long table is rebuilt in several slices, each handing the event loop back', async () => {
    const n = 150_000;
    const ids = Array.from({ length: n }, (_, i) => `sku-${i}`);
    const items = parseItems({ ...tinyItems(ids), categories: tinyItems().categories }, { dims: { items: n } });
    let pauses = 0;
    const back = await unpackItemTable(packItemTable(items).table, undefined, async () => { pauses++; await new Promise((r) => setTimeout(r, 0)); });
    expect(back.ids[n - 1]).toBe(`sku-${n - 1}`);
    expect(back.price).toEqual(items.price);
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
  it('parses the demo items.json in the worker: same table as in place, the bytes moved', async () => {
    const bytes = new Uint8Array(demoItems);
    const inPlace = parseItems(parseJsonBytes(bytes, 'items.json', 'CATALOG_INVALID'), { dims: { items: 2400 } }, 'items.json');
    const e = engine();
    const got: RecommenderItems = await parseItemBytes(e, bytes, { dims: { items: 2400 } } as never, 'items.json', { offThreadAbove: 0 });
    expect(bytes.byteLength).toBe(0); // transferred, not copied
    expect(got).toEqual(inPlace);
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
      const manifest = { dims: { items: 4 } } as never;
      const local = await rejected(parseItemBytes(e, bytes.slice(), manifest, 'https://shop.test/items.json', { offThreadAbove: Infinity }));
      const remote = await rejected(parseItemBytes(e, bytes.slice(), manifest, 'https://shop.test/items.json', { offThreadAbove: 0 }));
      expect(remote.code, what).toBe('CATALOG_INVALID');
      expect(remote.message, what).toBe(local.message);
      expect(remote.details, what).toEqual(local.details);
      if (field !== undefined) expect((remote.details as { field?: string }).field, what).toBe(field);
    }
  });

  it('an engine without the op (a fake) parses in place', async () => {
    const got = await parseItemBytes({ load: () => Promise.reject(new Error('unused')) }, enc(tinyItems()), { dims: { items: 4 } } as never, 'items.json', { offThreadAbove: 0 });
    expect(got.ids).toEqual(['a1', 'a2', 'b1', 'b2']);
  });
});
