/**
 * The page's recommender, unchanged, in Node: `createRecommender` over a package folder, its model
 * run by the trainer's plain-JS reference of the packaged graph (the same weights the browser runs
 * on WASM/WebGPU; the reference matches onnxruntime to ~1e-7, test/browser/recommend.spec.ts) —
 * pure JS, so the bundled CLI needs no native onnxruntime-node — and a storage whose
 * backing map can be swapped, so one loaded recommender serves many simulated visitors, each with
 * their own history, experiment id and KPI record (every read goes back to storage).
 *
 * @example
 * const { rec, visitors } = await nodeRecommender('public/reco', { experiment, analytics: { onEvent } });
 * visitors.use(new Map()); // the next visitor
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPackage } from '../eval/load-model.ts';
import { referenceRun } from '../train/reference.ts';
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
    async load() {
      const pkg = await loadPackage(dir); // SHA-256 checked against the manifest
      const { inputs, outputs } = pkg.manifest;
      const model: ModelLike = {
        async run(feeds) {
          const it = feeds[inputs.items]!;
          const w = feeds[inputs.weights]!;
          const b = feeds[inputs.bias]!;
          const k = Number((feeds[inputs.k]!.data as BigInt64Array)[0]);
          const r = referenceRun(pkg.weights, it.dims[0]!, it.dims[1]!, it.data as BigInt64Array, w.data as Float32Array, k, b.data as Float32Array);
          const result: Record<string, Tensor> = {
            [outputs.indices]: { type: 'int64', dims: [1, r.k], data: r.indices },
            [outputs.scores]: { type: 'float32', dims: [1, r.k], data: r.scores },
          };
          return result;
        },
        dispose: async () => {},
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
