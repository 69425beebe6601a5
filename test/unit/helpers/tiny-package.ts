/**
 * A hand-made four-item recommender package served by a fake fetch, for tests of the loader's
 * checks (hashes, sizes, the HTTP cache, hostile manifests) that need no trained model: the
 * engine double returns a model with a declared signature and a trending-like run.
 */
import { createHash } from 'node:crypto';
import type { EngineLike, ModelLike } from '../../../src/recommend/engine-like.ts';
import type { FetchLike, ResponseLike } from '../../../src/recommend/fetch-pinned.ts';
import type { TensorInfo } from '../../../src/tensor.ts';

export const BASE = 'http://shop.test/reco/';

export const sha = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** items.json of four items in two categories. */
export function tinyItems(ids: string[] = ['a1', 'a2', 'b1', 'b2']): Record<string, unknown> {
  return {
    format: 'inpage-recommender-items', version: 1, ids, titles: ids.map((i) => `Item ${i}`),
    category: ids.map((_, j) => (j < 2 ? 0 : 1)), price: ids.map((_, j) => 10 + j), inStock: ids.map(() => 1),
    categories: [{ id: 'tents', name: 'Tents', complements: [[1, 1]] }, { id: 'stoves', name: 'Stoves', complements: [[0, 1]] }],
    trending: { asOf: '2026-12-01T00:00:00Z', halfLifeDays: 7, scores: ids.map((_, j) => 4 - j) },
  };
}

/** manifest.json over `files` (name → text). */
export function tinyManifest(files: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: 'inpage-recommender', formatVersion: 2, model: 'model.onnx', items: 'items.json',
    inputs: { items: 'items', weights: 'weights', bias: 'bias', k: 'k' }, outputs: { scores: 'scores', indices: 'indices' },
    dims: { items: 4, embedding: 8, history: 5 }, k: 2,
    weighting: { event: { view: 1, click: 1.5, add_to_cart: 2.5, purchase: 3 }, stepDecay: 0.5, halfLifeHours: 72 },
    files: Object.fromEntries(Object.entries(files).map(([n, t]) => [n, { bytes: Buffer.byteLength(t), sha256: sha(t) }])),
    ...extra,
  };
}

/** The model's signature as the engine reports it (bias over `items` items). */
export function signature(items = 4): { inputs: TensorInfo[]; outputs: TensorInfo[] } {
  return {
    inputs: [
      { name: 'items', type: 'int64', dims: ['batch', 'history'] }, { name: 'weights', type: 'float32', dims: ['batch', 'history'] },
      { name: 'bias', type: 'float32', dims: ['batch', items] }, { name: 'k', type: 'int64', dims: [1] },
    ],
    outputs: [{ name: 'scores', type: 'float32', dims: ['batch', 'k'] }, { name: 'indices', type: 'int64', dims: ['batch', 'k'] }],
  };
}

/** What an engine double saw. */
export interface EngineLog {
  loads: { url: string; sha256?: string; signal?: AbortSignal }[];
  disposed: number;
}

/** An engine whose load resolves after `delayMs` (rejecting if its signal aborts first). */
export function tinyEngine(log: EngineLog, opts: { delayMs?: number; items?: number } = {}): EngineLike {
  return {
    load(source, options) {
      log.loads.push({ ...source, ...(options?.signal ? { signal: options.signal } : {}) });
      return new Promise<ModelLike>((resolve, reject) => {
        const model: ModelLike = {
          ...signature(opts.items ?? 4),
          async run(feeds) {
            const bias = feeds['bias']!.data as Float32Array;
            const k = Number((feeds['k']!.data as BigInt64Array)[0]);
            const order = [...bias.keys()].sort((a, b) => bias[b]! - bias[a]! || a - b).slice(0, k);
            return { indices: { type: 'int64', dims: [1, k], data: BigInt64Array.from(order.map(BigInt)) }, scores: { type: 'float32', dims: [1, k], data: Float32Array.from(order.map((j) => 10 - j + bias[j]!)) } };
          },
          async dispose() { log.disposed++; },
        };
        const t = setTimeout(() => resolve(model), opts.delayMs ?? 0);
        options?.signal?.addEventListener('abort', () => { clearTimeout(t); reject(Object.assign(new Error('aborted'), { name: 'AbortError' })); }, { once: true });
      });
    },
  };
}

/** One request the fake server answered. */
export interface Served {
  url: string;
  cache: RequestCache | undefined;
}

/**
 * A fake fetch over `files` (name → text, relative to BASE). `stale` answers a name with other
 * text unless the request bypasses the HTTP cache (`cache: 'reload'`), as a browser's cached copy.
 */
export function tinyFetch(files: Record<string, string>, served: Served[] = [], stale: Record<string, string> = {}): FetchLike {
  return async (url, init) => {
    served.push({ url, cache: init?.cache });
    const name = url.startsWith(BASE) ? url.slice(BASE.length) : '';
    const text = init?.cache !== 'reload' && init?.cache !== 'no-cache' && stale[name] !== undefined ? stale[name] : files[name];
    if (text === undefined) return { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) } satisfies ResponseLike;
    const bytes = new TextEncoder().encode(text);
    return { ok: true, status: 200, arrayBuffer: async () => bytes.slice().buffer } satisfies ResponseLike;
  };
}
