/**
 * ResultCache: exact keys (bytes, dims, types, names, model and options keys), LRU eviction by
 * count and bytes, TTL on an injected clock, copies in and out, tickets, counters, hit latency.
 */
import { describe, expect, it } from 'vitest';
import { ResultCache, type MissTicket, type ResultLookup } from '../../src/caches/result-cache.ts';
import type { Tensors } from '../../src/tensor.ts';

const f32 = (values: number[], dims: number[] = [values.length]): Tensors[string] => ({ type: 'float32', dims, data: Float32Array.from(values) });
const feeds = (...values: number[]): Tensors => ({ x: f32(values) });
const out = (...values: number[]): Tensors => ({ y: f32(values) });

function ticket(r: ResultLookup): MissTicket {
  if (r.hit) throw new Error('expected a miss');
  return r.ticket;
}
function outputs(r: ResultLookup): Tensors {
  if (!r.hit) throw new Error('expected a hit');
  return r.outputs;
}
/** get + set in one step (the caller's usual miss path). */
function fill(c: ResultCache, model: string, f: Tensors, o: Tensors, opts?: string): void {
  c.set(ticket(c.get(model, f, opts)), o);
}

describe('ResultCache keys', () => {
  it('hits on identical inputs and returns the stored outputs', () => {
    const c = new ResultCache();
    fill(c, 'm', feeds(1, 2, 3), out(9));
    const got = outputs(c.get('m', feeds(1, 2, 3)));
    expect(got['y']!.type).toBe('float32');
    expect(got['y']!.dims).toEqual([1]);
    expect(Array.from(got['y']!.data as Float32Array)).toEqual([9]);
  });

  it('misses on different bytes, dims, types, names, model key or options key', () => {
    const c = new ResultCache();
    fill(c, 'm', { x: f32([1, 2, 3, 4], [2, 2]) }, out(1));
    expect(c.get('m', { x: f32([1, 2, 3, 4], [2, 2]) }).hit).toBe(true);
    expect(c.get('m', { x: f32([1, 2, 3, 5], [2, 2]) }).hit).toBe(false);
    expect(c.get('m', { x: f32([1, 2, 3, 4], [4, 1]) }).hit, 'same bytes, other dims').toBe(false);
    expect(c.get('m', { x: f32([1, 2, 3, 4], [1, 4]) }).hit, 'same bytes, other dims').toBe(false);
    const asInt: Tensors = { x: { type: 'int32', dims: [2, 2], data: new Int32Array(new Float32Array([1, 2, 3, 4]).buffer) } };
    expect(c.get('m', asInt).hit, 'same bytes, other type').toBe(false);
    expect(c.get('m', { z: f32([1, 2, 3, 4], [2, 2]) }).hit, 'other name').toBe(false);
    expect(c.get('other-model', { x: f32([1, 2, 3, 4], [2, 2]) }).hit).toBe(false);
    expect(c.get('m', { x: f32([1, 2, 3, 4], [2, 2]) }, 'topk=5').hit).toBe(false);
  });

  it('ignores the order of feed names', () => {
    const c = new ResultCache();
    fill(c, 'm', { a: f32([1]), b: f32([2]) }, out(3));
    expect(c.get('m', { b: f32([2]), a: f32([1]) }).hit).toBe(true);
  });

  it('matches views at any offset and int64/bool data', () => {
    const c = new ResultCache();
    const ids: Tensors = { ids: { type: 'int64', dims: [1, 3], data: BigInt64Array.from([1n, 2n, 3n]) }, mask: { type: 'bool', dims: [1, 3], data: Uint8Array.from([1, 1, 0]) } };
    fill(c, 'm', ids, out(1));
    const bigBuf = new BigInt64Array(10);
    bigBuf.set([1n, 2n, 3n], 5);
    const maskBuf = new Uint8Array(11);
    maskBuf.set([1, 1, 0], 7); // unaligned
    const view: Tensors = { ids: { type: 'int64', dims: [1, 3], data: bigBuf.subarray(5, 8) }, mask: { type: 'bool', dims: [1, 3], data: maskBuf.subarray(7, 10) } };
    expect(c.get('m', view).hit).toBe(true);
  });

  it('never caches mis-sized or detached feeds', () => {
    const c = new ResultCache();
    const bad: Tensors = { x: { type: 'float32', dims: [2, 2], data: new Float32Array(3) } };
    c.set(ticket(c.get('m', bad)), out(1));
    expect(c.stats().entries).toBe(0);
    const data = new Float32Array([1, 2]);
    structuredClone(data.buffer, { transfer: [data.buffer] }); // detach, as a transfer to the worker does
    const r = c.get('m', { x: { type: 'float32', dims: [2], data } });
    expect(r.hit).toBe(false);
  });
});

describe('ResultCache copies and tickets', () => {
  it('stores copies of inputs at get time: later detaching or mutating the feeds is harmless', () => {
    const c = new ResultCache();
    const f = feeds(1, 2);
    const t = ticket(c.get('m', f));
    structuredClone(f['x']!.data.buffer, { transfer: [f['x']!.data.buffer as ArrayBuffer] });
    expect(f['x']!.data.length).toBe(0);
    c.set(t, out(5));
    expect(c.get('m', feeds(1, 2)).hit).toBe(true);
  });

  it('stores copies of outputs and returns fresh copies on every hit', () => {
    const c = new ResultCache();
    const o = out(7, 8);
    fill(c, 'm', feeds(1), o);
    (o['y']!.data as Float32Array)[0] = -1;
    const first = outputs(c.get('m', feeds(1)));
    expect(Array.from(first['y']!.data as Float32Array)).toEqual([7, 8]);
    (first['y']!.data as Float32Array)[0] = -2;
    (first['y']!.dims as number[]).push(99);
    const second = outputs(c.get('m', feeds(1)));
    expect(Array.from(second['y']!.data as Float32Array)).toEqual([7, 8]);
    expect(second['y']!.dims).toEqual([2]);
    expect(second['y']!.data.buffer).not.toBe(first['y']!.data.buffer);
  });

  it('ignores a ticket used twice, from another cache, or issued before clear()', async () => {
    const c = new ResultCache();
    const other = new ResultCache();
    const t = ticket(c.get('m', feeds(1)));
    other.set(t, out(1));
    expect(other.stats().entries).toBe(0);
    c.set(t, out(1));
    c.set(t, out(2));
    expect(Array.from(outputs(c.get('m', feeds(1)))['y']!.data as Float32Array)).toEqual([1]);
    const stale = ticket(c.get('m', feeds(2)));
    await c.clear();
    c.set(stale, out(3));
    expect(c.stats().entries).toBe(0);
  });

  it('a second set for the same key replaces the first', () => {
    const c = new ResultCache();
    const t1 = ticket(c.get('m', feeds(1)));
    const t2 = ticket(c.get('m', feeds(1)));
    c.set(t1, out(1));
    c.set(t2, out(2));
    expect(c.stats().entries).toBe(1);
    expect(Array.from(outputs(c.get('m', feeds(1)))['y']!.data as Float32Array)).toEqual([2]);
  });
});

describe('ResultCache eviction', () => {
  it('evicts the least recently used entry beyond maxEntries (a hit refreshes recency)', () => {
    const c = new ResultCache({ maxEntries: 2 });
    fill(c, 'm', feeds(1), out(1));
    fill(c, 'm', feeds(2), out(2));
    expect(c.get('m', feeds(1)).hit).toBe(true); // 1 is now most recent
    fill(c, 'm', feeds(3), out(3));              // evicts 2
    expect(c.get('m', feeds(2)).hit).toBe(false);
    expect(c.get('m', feeds(1)).hit).toBe(true);
    expect(c.get('m', feeds(3)).hit).toBe(true);
    expect(c.stats()).toMatchObject({ entries: 2, evictions: 1 });
  });

  it('counts input and output bytes against maxBytes and evicts to fit', () => {
    // Each entry: 4 floats in + 4 floats out = 32 bytes.
    const c = new ResultCache({ maxBytes: 70 });
    fill(c, 'm', feeds(1, 1, 1, 1), out(0, 0, 0, 0));
    fill(c, 'm', feeds(2, 2, 2, 2), out(0, 0, 0, 0));
    expect(c.stats()).toMatchObject({ entries: 2, bytes: 64, evictions: 0 });
    fill(c, 'm', feeds(3, 3, 3, 3), out(0, 0, 0, 0));
    expect(c.stats()).toMatchObject({ entries: 2, bytes: 64, evictions: 1 });
    expect(c.get('m', feeds(1, 1, 1, 1)).hit).toBe(false);
  });

  it('does not store an entry larger than maxBytes (and keeps the others)', () => {
    const c = new ResultCache({ maxBytes: 39 });
    fill(c, 'm', feeds(1), out(1));
    fill(c, 'm', feeds(1, 2, 3, 4, 5), out(1, 2, 3, 4, 5)); // 20 bytes in + 20 out > 39
    expect(c.stats()).toMatchObject({ entries: 1, bytes: 8, evictions: 0 });
    fill(c, 'm', feeds(...new Array<number>(11).fill(0)), out(1)); // inputs alone exceed maxBytes
    expect(c.stats().entries).toBe(1);
  });

  it('maxEntries 0 disables storing', () => {
    const c = new ResultCache({ maxEntries: 0 });
    fill(c, 'm', feeds(1), out(1));
    expect(c.get('m', feeds(1)).hit).toBe(false);
  });

  it('expires entries after ttlMs on the injected clock', () => {
    let now = 1000;
    const c = new ResultCache({ ttlMs: 100, now: () => now });
    fill(c, 'm', feeds(1), out(1));
    now = 1100;
    expect(c.get('m', feeds(1)).hit).toBe(true);
    now = 1101;
    expect(c.get('m', feeds(1)).hit).toBe(false);
    expect(c.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 1 });
  });

  it('rejects nonsense limits', () => {
    expect(() => new ResultCache({ maxEntries: -1 })).toThrow(/maxEntries/);
    expect(() => new ResultCache({ maxBytes: Number.NaN })).toThrow(/maxBytes/);
  });
});

describe('ResultCache stats and speed', () => {
  it('counts hits and misses; clear() empties but keeps the counters', async () => {
    const c = new ResultCache();
    fill(c, 'm', feeds(1), out(1));
    c.get('m', feeds(1));
    c.get('m', feeds(1));
    c.get('m', feeds(2));
    expect(c.stats()).toEqual({ hits: 2, misses: 2, entries: 1, bytes: 8, evictions: 0 });
    await c.clear();
    expect(c.stats()).toEqual({ hits: 2, misses: 2, entries: 0, bytes: 0, evictions: 0 });
    expect(await c.restore()).toBe(0); // not persisting
  });

  it('answers a hit on a small input in well under 0.05 ms (median)', () => {
    const c = new ResultCache();
    const f: Tensors = { x: f32(Array.from({ length: 64 }, (_, i) => i), [1, 64]) };
    fill(c, 'sha256-of-model', f, { y: f32(Array.from({ length: 8 }, (_, i) => i), [1, 8]) });
    const times: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const t0 = performance.now();
      const r = c.get('sha256-of-model', f);
      times.push(performance.now() - t0);
      if (!r.hit) throw new Error('miss');
    }
    times.sort((a, b) => a - b);
    expect(times[1500]!).toBeLessThan(0.05);
  });
});
