/**
 * Loading after a redeploy (issue #16): a stale HTTP-cached item table is refetched past the
 * cache once; a body longer than declared is stopped early; a failed part stops the others.
 * (The same in real Chromium with real cache headers: test/browser/redeploy.spec.ts.)
 */
import { describe, expect, it } from 'vitest';
import { fetchPinned, type FetchLike } from '../../src/recommend/fetch-pinned.ts';
import { loadRecommender } from '../../src/recommend/load.ts';
import { rejected } from './helpers/catch.ts';
import { BASE, sha, tinyEngine, tinyFetch, tinyItems, tinyManifest, type EngineLog, type Served } from './helpers/tiny-package.ts';

const V1 = JSON.stringify(tinyItems());
const V2 = JSON.stringify(tinyItems(['a1', 'a3', 'b1', 'b3']));
const files = (items: string) => ({ 'model.onnx': 'onnx-bytes', 'items.json': items, 'manifest.json': JSON.stringify(tinyManifest({ 'model.onnx': 'onnx-bytes', 'items.json': items })) });

describe('stale HTTP cache', () => {
  it('an item table that does not match the fresh manifest is fetched again with cache: reload', async () => {
    const served: Served[] = [];
    const log: EngineLog = { loads: [], disposed: 0 };
    const pkg = await loadRecommender(tinyEngine(log), `${BASE}manifest.json`, tinyFetch(files(V2), served, { 'items.json': V1, 'manifest.json': files(V1)['manifest.json'] }));
    expect(pkg.items.ids).toEqual(['a1', 'a3', 'b1', 'b3']);
    expect(served.map((r) => [r.url.slice(BASE.length), r.cache ?? 'default'])).toEqual([['manifest.json', 'no-cache'], ['items.json', 'default'], ['items.json', 'reload']]);
  });

  it('fresh files cost one request each; a file wrong even past the cache is INTEGRITY_MISMATCH saying both hashes', async () => {
    const served: Served[] = [];
    await loadRecommender(tinyEngine({ loads: [], disposed: 0 }), `${BASE}manifest.json`, tinyFetch(files(V1), served));
    expect(served).toHaveLength(2);
    const broken = { ...files(V1), 'items.json': V2.replace('a3', 'a4') };
    const e = await rejected(loadRecommender(tinyEngine({ loads: [], disposed: 0 }), `${BASE}manifest.json`, tinyFetch(broken)));
    expect(e.code).toBe('INTEGRITY_MISMATCH');
    expect(e.message).toContain(sha(V1));
    expect(e.message).toContain(sha(broken['items.json']));
  });
});

describe('bounded reads', () => {
  /** A body of `chunk`-byte chunks without end; counts what was pulled. */
  function endless(pulled: { bytes: number }, chunk = 64 * 1024): FetchLike {
    return async () => ({
      ok: true, status: 200, arrayBuffer: async () => { throw new Error('not used'); },
      body: new ReadableStream<Uint8Array>({ pull(c) { pulled.bytes += chunk; c.enqueue(new Uint8Array(chunk)); } }),
    });
  }

  it('a body longer than its declared size is cut off right after the size, saying declared and arrived', async () => {
    const pulled = { bytes: 0 };
    const e = await rejected(fetchPinned(endless(pulled), { url: `${BASE}items.json`, what: 'item table', pin: { bytes: 625_000, sha256: 'a'.repeat(64) } }));
    expect(e.code).toBe('INTEGRITY_MISMATCH');
    expect(e.details).toMatchObject({ declared: 625_000 });
    expect(e.message).toMatch(/declares 625000 bytes, more than \d+ arrived/);
    // Two attempts (the second past the HTTP cache), each stopped within a chunk or two of the size.
    expect(pulled.bytes).toBeLessThan(2 * (625_000 + 3 * 64 * 1024));
  });

  it('an unpinned manifest is read up to maxBytes', async () => {
    const pulled = { bytes: 0 };
    const e = await rejected(fetchPinned(endless(pulled), { url: `${BASE}manifest.json`, what: 'manifest', pin: undefined, maxBytes: 100_000 }));
    expect(e.message).toMatch(/at most 100000 bytes are read/);
    expect(pulled.bytes).toBeLessThan(2 * (100_000 + 3 * 64 * 1024));
  });

  it('a failed item table stops the model download at once', async () => {
    const log: EngineLog = { loads: [], disposed: 0 };
    const { 'items.json': _, ...noItems } = files(V1);
    const e = await rejected(loadRecommender(tinyEngine(log, { delayMs: 60_000 }), `${BASE}manifest.json`, tinyFetch(noItems)));
    expect(e.code).toBe('MODEL_FETCH_FAILED');
    expect(e.message).toContain('items.json');
    expect(log.loads[0]!.signal!.aborted).toBe(true);
  });
});
