/**
 * Reads a written search package back (encoder weights from `encoder/onnx/model.onnx` and
 * `tokenizer.json`, item vectors from `search.onnx`), so tests and the eval can run the JS
 * reference on the very files the page loads.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSearchManifest, type SearchManifest } from '../../src/recommend/search.ts';
import { proto } from '../onnx/proto.ts';
import type { EncoderWeights } from './train-encoder.ts';
import { vocabFromTokenizerJson } from './wordpiece.ts';

function floats(raw: Uint8Array | null | undefined, what: string): Float32Array {
  if (!raw || raw.length % 4 !== 0) throw new Error(`${what}: expected float32 raw_data`);
  return new Float32Array(new Uint8Array(raw).buffer);
}

/** A package read from disk. */
export interface ReadSearchPackage {
  manifest: SearchManifest;
  weights: EncoderWeights;
  /** Item vectors of the index, [items, dim]. */
  targets: Float32Array;
  /** search.json's `training` block (how the encoder was fitted), when it has one. */
  training?: Record<string, unknown>;
}

/**
 * Reads `<dir>/search.json` and the files it names.
 *
 * @example const { weights, targets } = await readSearchPackage('public/reco');
 */
export async function readSearchPackage(dir: string): Promise<ReadSearchPackage> {
  const json = JSON.parse(await readFile(join(dir, 'search.json'), 'utf8')) as Record<string, unknown>;
  const manifest = parseSearchManifest(json, join(dir, 'search.json'));
  const training = json['training'];
  const enc = join(dir, manifest.encoder.model);
  const tokenizer = JSON.parse(await readFile(join(enc, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
  const config = JSON.parse(await readFile(join(enc, 'tokenizer_config.json'), 'utf8')) as { model_max_length: number };
  const model = proto.ModelProto.decode(await readFile(join(enc, 'onnx', 'model.onnx')));
  const table = floats(model.graph?.initializer?.find((t) => t.name === 'table')?.rawData, `${enc}/onnx/model.onnx table`);
  const index = proto.ModelProto.decode(await readFile(join(dir, manifest.index)));
  const t = floats(index.graph?.initializer?.find((x) => x.name === 'items_t')?.rawData, `${manifest.index} items_t`);
  const N = manifest.dims.items;
  const D = manifest.dims.embedding;
  const targets = new Float32Array(N * D);
  for (let j = 0; j < N; j++) for (let d = 0; d < D; d++) targets[j * D + d] = t[d * N + j]!;
  return {
    manifest, weights: { vocab: vocabFromTokenizerJson(tokenizer), dim: D, table, maxLength: config.model_max_length }, targets,
    ...(typeof training === 'object' && training !== null && !Array.isArray(training) ? { training: training as Record<string, unknown> } : {}),
  };
}
