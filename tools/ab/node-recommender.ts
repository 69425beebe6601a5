/**
 * The page's recommender, unchanged, in Node: `createRecommender` over a package folder, its model
 * run by onnxruntime-node (the same ONNX file the browser runs on WASM/WebGPU), and a storage whose
 * backing map can be swapped, so one loaded recommender serves many simulated visitors, each with
 * their own history, experiment id and KPI record (every read goes back to storage).
 *
 * @example
 * const { rec, visitors } = await nodeRecommender('public/reco', { experiment, analytics: { onEvent } });
 * visitors.use(new Map()); // the next visitor
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { EngineLike, ModelLike } from '../../src/recommend/engine-like.ts';
import type { FetchLike } from '../../src/recommend/load.ts';
import { createRecommender, type Recommender, type RecommenderOptions } from '../../src/recommend/recommender.ts';
import type { Tensor } from '../../src/tensor.ts';

const BASE = 'http://inpage.local/reco/';

/** A storage that forwards to the current visitor's map. */
export class SwappableStorage {
  #map = new Map<string, string>();
  use(map: Map<string, string>): void { this.#map = map; }
  getItem(k: string): string | null { return this.#map.get(k) ?? null; }
  setItem(k: string, v: string): void { this.#map.set(k, v); }
  removeItem(k: string): void { this.#map.delete(k); }
  key(i: number): string | null { return [...this.#map.keys()][i] ?? null; }
  get length(): number { return this.#map.size; }
}

function engine(dir: string): EngineLike {
  return {
    async load(source) {
      const session = await ort.InferenceSession.create(new Uint8Array(await readFile(join(dir, source.url.slice(BASE.length)))));
      const model: ModelLike = {
        async run(feeds) {
          const input: Record<string, ort.Tensor> = {};
          for (const [name, t] of Object.entries(feeds)) input[name] = new ort.Tensor(t.type as 'int64' | 'float32', t.data as BigInt64Array | Float32Array, [...t.dims]);
          const out = await session.run(input);
          const result: Record<string, Tensor> = {};
          for (const [name, t] of Object.entries(out)) result[name] = { type: t.type as 'int64', dims: [...t.dims], data: t.data as BigInt64Array } as Tensor;
          return result;
        },
        dispose: () => session.release(),
      };
      return model;
    },
  };
}

/** Loads the package in `dir` into a recommender whose storage is swappable. */
export async function nodeRecommender(dir: string, options: Partial<RecommenderOptions>): Promise<{ rec: Recommender; visitors: SwappableStorage }> {
  const fetch: FetchLike = async (url) => {
    const bytes = new Uint8Array(await readFile(join(dir, url.slice(BASE.length))));
    return { ok: true, status: 200, arrayBuffer: async () => bytes.slice().buffer };
  };
  const visitors = new SwappableStorage();
  const rec = await createRecommender({ ...options, engine: engine(dir), manifestUrl: `${BASE}manifest.json`, fetch, storage: visitors });
  return { rec, visitors };
}
