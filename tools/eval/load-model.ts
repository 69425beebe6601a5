/**
 * Reads a packaged recommender (manifest + ONNX) back into {@link ScorerWeights}, so `inpage eval
 * --model dir` scores the very bytes the page would load, through the JS reference.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseItems, parseManifest, type RecommenderItems, type RecommenderManifest } from '../../src/recommend/manifest.ts';
import { proto } from '../onnx/proto.ts';
import { sha256Hex } from '../onnx/sha256.ts';
import type { ScorerWeights } from '../train/reference.ts';

/** A package loaded from disk. */
export interface LoadedPackage {
  manifest: RecommenderManifest;
  items: RecommenderItems;
  weights: ScorerWeights;
}

function floats(raw: Uint8Array | null | undefined, name: string, count: number): Float32Array {
  if (raw === null || raw === undefined || raw.length !== count * 4) {
    throw new Error(`recommender.onnx: initializer '${name}' should hold ${count} float32 values as raw_data`);
  }
  // Copy: raw_data may be an unaligned view into the file buffer.
  const copy = new Uint8Array(raw);
  return new Float32Array(copy.buffer, 0, count);
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
  const model = proto.ModelProto.decode(bytes.get(manifest.model) ?? new Uint8Array());
  const init = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t.rawData]));
  const N = manifest.dims.items;
  const D = manifest.dims.embedding;
  const outT = floats(init.get('item_out_t'), 'item_out_t', D * N);
  const outVec = new Float32Array(N * D);
  for (let j = 0; j < N; j++) for (let d = 0; d < D; d++) outVec[j * D + d] = outT[d * N + j]!;
  return {
    manifest,
    items,
    weights: {
      items: N,
      dim: D,
      inVec: floats(init.get('item_in'), 'item_in', N * D),
      outVec,
      itemBias: floats(init.get('item_prior'), 'item_prior', N),
      shrink: floats(init.get('shrink'), 'shrink', 1)[0] ?? 0,
    },
  };
}
