/**
 * ModelStore logic in Node with a fake Cache Storage (the real one, and IndexedDB, are tested in
 * Chromium by test/browser/caches.spec.ts): keys, verification on read, versioned eviction,
 * fallback with one warning per store, never throwing for storage problems.
 */
import { describe, expect, it } from 'vitest';
import { ModelStore, type ModelStoreScope } from '../../src/caches/model-store.ts';
import { sha256Hex } from '../../src/caches/hash.ts';

/** Just the Cache API surface ModelStore uses, kept in memory. */
class FakeCache {
  readonly entries = new Map<string, { body: Uint8Array; headers: [string, string][] }>();
  putError: Error | undefined;
  async keys(): Promise<Request[]> { return [...this.entries.keys()].map((u) => new Request(u)); }
  async match(req: RequestInfo): Promise<Response | undefined> {
    const e = this.entries.get(typeof req === 'string' ? req : req.url);
    return e && new Response(e.body.slice(), { headers: e.headers });
  }
  async put(req: RequestInfo, res: Response): Promise<void> {
    if (this.putError) throw this.putError;
    this.entries.set(typeof req === 'string' ? req : req.url, { body: new Uint8Array(await res.arrayBuffer()), headers: [...res.headers] });
  }
  async delete(req: RequestInfo): Promise<boolean> { return this.entries.delete(typeof req === 'string' ? req : req.url); }
}

function fakeScope(): { scope: ModelStoreScope; caches: Map<string, FakeCache> } {
  const caches = new Map<string, FakeCache>();
  const storage = { open: async (name: string) => { if (!caches.has(name)) caches.set(name, new FakeCache()); return caches.get(name)!; } };
  return { scope: { caches: storage as unknown as CacheStorage }, caches };
}

const bytesOf = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe('ModelStore (fake Cache Storage)', () => {
  it('round-trips bytes and info under a synthetic key holding url and sha256', async () => {
    const { scope, caches } = fakeScope();
    const store = new ModelStore({ scope, preferred: ['cache-storage'] });
    const bytes = bytesOf(1000, 1);
    const sha = await sha256Hex(bytes);
    const url = 'https://cdn.example/models/m.onnx?x=1&y=é';
    expect(await store.put(url, sha, bytes, 'v 2 é')).toBe('cache-storage');
    const key = [...caches.get('inpage-models-v1')!.entries.keys()][0]!;
    expect(key).toBe(`https://inpage.invalid/models/${sha}?u=${encodeURIComponent(url)}`);
    const hit = await store.get(url, sha);
    expect(Array.from(hit!.bytes)).toEqual(Array.from(bytes));
    expect(hit!.info).toMatchObject({ url, sha256: sha, bytes: 1000, store: 'cache-storage', version: 'v 2 é' });
    expect((await store.get(url))?.info.sha256).toBe(sha);
    expect(await store.get(url, 'f'.repeat(64))).toBeUndefined();
    expect(await store.get('https://cdn.example/other.onnx')).toBeUndefined();
  });

  it('deletes a tampered entry and reports a miss', async () => {
    const { scope, caches } = fakeScope();
    const store = new ModelStore({ scope, preferred: ['cache-storage'] });
    const bytes = bytesOf(64, 2);
    await store.put('m.onnx', await sha256Hex(bytes), bytes);
    const cache = caches.get('inpage-models-v1')!;
    const entry = [...cache.entries.values()][0]!;
    entry.body[0] = entry.body[0]! ^ 1;
    expect(await store.get('m.onnx')).toBeUndefined();
    expect(cache.entries.size).toBe(0);
  });

  it('keeps one version per url, across stores', async () => {
    const { scope, caches } = fakeScope();
    const store = new ModelStore({ scope });
    const v1 = bytesOf(10, 1), v2 = bytesOf(10, 2);
    const cache = await scope.caches!.open('inpage-models-v1') as unknown as FakeCache;
    await store.put('m.onnx', await sha256Hex(v1), v1, '1');
    cache.putError = new DOMException('full', 'QuotaExceededError');
    await store.put('m.onnx', await sha256Hex(v2), v2, '2'); // lands in memory (no indexedDB in Node)
    expect((await store.list()).map((i) => [i.store, i.version])).toEqual([['memory', '2']]);
    expect(caches.get('inpage-models-v1')!.entries.size).toBe(0);
  });

  it('falls back to memory with one warning per store, and never throws', async () => {
    const { scope } = fakeScope();
    const warnings: string[] = [];
    const store = new ModelStore({ scope, warn: (m) => warnings.push(m) });
    const cache = await scope.caches!.open('inpage-models-v1') as unknown as FakeCache;
    cache.putError = new DOMException('full', 'QuotaExceededError');
    const a = bytesOf(5, 1), b = bytesOf(5, 2);
    expect(await store.put('a', await sha256Hex(a), a)).toBe('memory');
    expect(await store.put('b', await sha256Hex(b), b)).toBe('memory');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/Cache Storage is full \(QuotaExceededError\); trying IndexedDB/);
    expect(warnings[1]).toMatch(/IndexedDB is unavailable.*trying memory/);
    const hit = await store.get('a');
    expect(hit?.info.store).toBe('memory');
    hit!.bytes[0] = 99; // callers own what they get
    expect((await store.get('a'))!.bytes[0]).toBe(a[0]);
  });

  it('returns undefined when no preferred store takes the bytes', async () => {
    const warnings: string[] = [];
    const store = new ModelStore({ scope: {}, preferred: ['cache-storage', 'indexeddb'], warn: (m) => warnings.push(m) });
    expect(await store.put('a', 'a'.repeat(64), bytesOf(3, 0))).toBeUndefined();
    expect(warnings[1]).toMatch(/will not be cached/);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('namespaces are separate; delete and clear remove entries', async () => {
    const { scope } = fakeScope();
    const one = new ModelStore({ scope, namespace: 'one' });
    const two = new ModelStore({ scope, namespace: 'two' });
    const x = bytesOf(8, 3);
    const sha = await sha256Hex(x);
    await one.put('x', sha, x);
    await one.put('y', sha, x);
    expect(await two.get('x')).toBeUndefined();
    await one.delete('x');
    expect((await one.list()).map((i) => i.url)).toEqual(['y']);
    await one.clear();
    expect(await one.list()).toEqual([]);
  });

  it('a size budget evicts the least recently used entries, never the one just stored; list shows last use', async () => {
    for (const preferred of [['cache-storage'], ['memory']] as const) {
      const { scope } = fakeScope();
      const store = new ModelStore({ scope, preferred, maxBytes: 250, namespace: `budget-${preferred[0]}` });
      const [a, b, c] = [bytesOf(100, 1), bytesOf(100, 2), bytesOf(100, 3)];
      await store.put('a', await sha256Hex(a), a);
      await new Promise((r) => setTimeout(r, 2));
      await store.put('b', await sha256Hex(b), b);
      await new Promise((r) => setTimeout(r, 2));
      const hit = await store.get('a'); // a is now the most recently used
      expect(hit?.info.lastUsed).toBeGreaterThan(0);
      await store.put('c', await sha256Hex(c), c);
      const listed = await store.list();
      expect(listed.map((i) => i.url).sort(), preferred[0]).toEqual(['a', 'c']);
      expect(listed.find((i) => i.url === 'a')?.lastUsed).toBe(hit?.info.lastUsed);
      // One entry larger than the budget is kept (it was just stored) and evicts the rest.
      const big = bytesOf(400, 4);
      await store.put('big', await sha256Hex(big), big);
      expect((await store.list()).map((i) => i.url)).toEqual(['big']);
    }
  });
});
