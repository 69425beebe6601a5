/**
 * Reads a packaged recommender (manifest + ONNX) back into {@link ScorerWeights}, so `inpage eval
 * --model dir` scores the very bytes the page would load, through the JS reference.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseItems, parseManifest, type RecommenderItems, type RecommenderManifest } from '../../src/recommend/manifest.ts';
import { proto } from '../onnx/proto.ts';
import { sha256Hex } from '../onnx/sha256.ts';
import { INITIALIZERS } from '../train/export-onnx.ts';
import type { ScorerWeights } from '../train/reference.ts';

/** A package loaded from disk. */
export interface LoadedPackage {
  manifest: RecommenderManifest;
  items: RecommenderItems;
  weights: ScorerWeights;
}

function raw(init: Map<string, Uint8Array | null | undefined>, name: string, count: number, bytesPer: number, what: string): Uint8Array {
  const r = init.get(name);
  if (r === null || r === undefined || r.length !== count * bytesPer) {
    throw new Error(`recommender.onnx: initializer '${name}' should hold ${count} ${what} values as raw_data`);
  }
  // Copy: raw_data may be an unaligned view into the file buffer.
  return new Uint8Array(r);
}

const floats = (init: Map<string, Uint8Array | null | undefined>, name: string, count: number): Float32Array =>
  new Float32Array(raw(init, name, count, 4, 'float32').buffer, 0, count);

/**
 * The scorer weights inside recommender.onnx bytes: the graph's initializers read back, so what
 * the eval scores is exactly what the page loads.
 */
export function weightsFromOnnx(bytes: Uint8Array, items: number, dim: number): ScorerWeights {
  const model = proto.ModelProto.decode(bytes);
  const init = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t.rawData]));
  const dims = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', (t.dims ?? []).map(Number)]));
  const N = items;
  const D = dim;
  const T = INITIALIZERS;
  const outT = floats(init, T.itemOutT, D * N);
  const outVec = new Float32Array(N * D);
  for (let j = 0; j < N; j++) for (let d = 0; d < D; d++) outVec[j * D + d] = outT[d * N + j]!;
  const w: ScorerWeights = {
    items: N,
    dim: D,
    inVec: floats(init, T.itemIn, N * D),
    outVec,
    itemBias: floats(init, T.prior, N),
    shrink: floats(init, T.shrink, 1)[0] ?? 0,
  };
  if (init.has(T.nextIndex)) {
    const width = dims.get(T.nextIndex)?.[1] ?? 0;
    const recent = dims.get(T.recency)?.[0] ?? 0;
    w.transitions = {
      width,
      index: new Int32Array(raw(init, T.nextIndex, N * width, 4, 'int32').buffer, 0, N * width),
      strength: floats(init, T.nextStrength, N * width),
      recency: floats(init, T.recency, recent),
    };
  }
  return w;
}

/**
 * Loads `manifest.json`, checks every file's SHA-256, and extracts the graph's weights.
 *
 * @example const pkg = await loadPackage('public/reco');
 */
export async function loadPackage(dir: string): Promise<LoadedPackage> {
  const manifestPath = join(dir, 'manifest.json');
  const manifest = parseManifest(JSON.parse(await readFile(manifestPath, 'utf8')), manifestPath);
  const bytes = new Map<string, Uint8Array>();
  for (const [name, entry] of Object.entries(manifest.files)) {
    const b = new Uint8Array(await readFile(join(dir, name)));
    if (sha256Hex(b) !== entry.sha256) throw new Error(`${join(dir, name)}: SHA-256 does not match manifest.json (file changed after training?)`);
    bytes.set(name, b);
  }
  const items = parseItems(JSON.parse(new TextDecoder().decode(bytes.get(manifest.items))), manifest, join(dir, manifest.items));
  return { manifest, items, weights: weightsFromOnnx(bytes.get(manifest.model) ?? new Uint8Array(), manifest.dims.items, manifest.dims.embedding) };
}
