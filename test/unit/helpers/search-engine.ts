/**
 * Node stand-ins for the page's fetch and engine over a package folder on disk, for tests of
 * `rec.search()`: every ONNX model runs in onnxruntime-node and the search encoder in
 * transformers.js' Node build (the real code, on the package's own files).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import type { EngineLike, ModelLike } from '../../../src/recommend/engine-like.ts';
import type { FetchLike } from '../../../src/recommend/load.ts';
import type { EncoderLike, PipelineEngineLike } from '../../../src/recommend/search.ts';
import type { Tensor } from '../../../src/tensor.ts';

/** Serves `dir` under `base`; `override` replaces a file's text (null: 404). */
export function packageFetch(base: string, dir: string, override: Record<string, string | null> = {}): FetchLike {
  return async (url) => {
    const name = url.startsWith(base) ? url.slice(base.length) : '';
    const o = override[name];
    try {
      if (o === null) throw new Error('gone');
      const bytes = o !== undefined ? new TextEncoder().encode(o) : new Uint8Array(await readFile(join(dir, name)));
      return { ok: true, status: 200, arrayBuffer: async () => bytes.slice().buffer };
    } catch {
      return { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) };
    }
  };
}

const toOrt = (t: Tensor) => new ort.Tensor(t.type as 'float32', t.data as Float32Array, [...t.dims]);
const fromOrt = (t: ort.Tensor): Tensor => ({ type: t.type as 'float32', dims: [...t.dims], data: t.data as Float32Array });

/**
 * Models of `dir` in onnxruntime-node; pipelines in transformers.js (Node, CPU, the 'q8' file the
 * page's wasm default loads) from the same folder. `log` records each load.
 */
export function searchEngine(base: string, dir: string, log: string[] = [], withPipeline = true): EngineLike | PipelineEngineLike {
  const engine: EngineLike = {
    async load(source) {
      log.push(`load ${source.url.slice(base.length)}`);
      const session = await ort.InferenceSession.create(await readFile(join(dir, source.url.slice(base.length))));
      const model: ModelLike = {
        async run(feeds) {
          const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])));
          return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v)]));
        },
        dispose: () => session.release(),
      };
      return model;
    },
  };
  if (!withPipeline) return engine;
  return {
    ...engine,
    async pipeline(task, model, options) {
      log.push(`pipeline ${task} ${model} ${options.modelHost}`);
      if (options.modelHost !== `${base}{model}/`) throw new Error(`pipeline asked for ${options.modelHost}, expected ${base}{model}/`);
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.localModelPath = `${dir}/`;
      const p = await pipeline(task, model, { device: 'cpu', dtype: 'q8' });
      const fn = async (text: string, o: { pooling: 'mean'; normalize: true }): Promise<Tensor> => {
        const t = await p(text, { pooling: o.pooling, normalize: o.normalize });
        return { type: 'float32', dims: t.dims, data: t.data as Float32Array };
      };
      return Object.assign(fn, { dispose: () => p.dispose() }) as EncoderLike;
    },
  };
}
