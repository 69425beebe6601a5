/**
 * `inpage train`'s search half: fits the catalogue encoder against the recommender's item vectors
 * and writes, next to `manifest.json`,
 *
 *   encoder/      the encoder in the transformers.js layout (config, tokenizer, onnx/model*.onnx)
 *   search.onnx   the search index (every item's vector; cosine + filter bias → top-k)
 *   keywords.json the keyword half's text per item (description, brand, tags; titles and category
 *                 names are in items.json already)
 *   search.json   what the page needs: where those are, dims, tensor names, keyword and fusion
 *                 settings, sizes and SHA-256s
 *
 * `rec.search()` and the for-you blend of recent searches read `search.json` (src/recommend/search.ts).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { hashedName } from '../train/hashed-name.ts';
import { join } from 'node:path';
import type { FileEntry } from '../../src/recommend/manifest.ts';
import type { SearchManifest } from '../../src/recommend/search.ts';
import { sha256Hex } from '../onnx/sha256.ts';
import { tagText, type ItemText } from './catalog-text.ts';
import { DEFAULT_HYBRID_SETTINGS, DEFAULT_KEYWORD_SETTINGS } from './search-settings.ts';
import { encoderFiles, SEARCH_GRAPH, searchIndexOnnx } from './export.ts';
import { writeHfFolder } from './hf-layout.ts';
import { DEFAULT_ENCODER_OPTIONS, fitEncoder, type EncoderFit, type EncoderOptions } from './train-encoder.ts';

/** Folder of the encoder inside the package (also its model id for `engine.pipeline`). */
export const ENCODER_DIR = 'encoder';
/** The keyword half's text file inside the package. */
export const KEYWORDS_FILE = 'keywords.json';

/** What {@link writeSearchPackage} did. */
export interface SearchPackageSummary {
  manifest: SearchManifest;
  fit: EncoderFit;
  seconds: number;
}

/** Ids of the items in model order, hashed: `search.json` names the item table it was built for. */
export function idsSha256(ids: readonly string[]): string {
  return sha256Hex(new TextEncoder().encode(ids.join('\n')));
}

/** keywords.json: the keyword half's text per item (description, brand, tags), catalogue order. */
export function keywordsBytes(texts: readonly ItemText[]): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify({
    format: 'inpage-search-keywords', version: 1,
    description: texts.map((t) => t.description), brand: texts.map((t) => t.brand), tags: texts.map((t) => tagText(t.tags)),
  })}\n`);
}

/**
 * Writes `bytes` as `name` in `outDir`, content-addressed when asked (`search.onnx` →
 * `search.<sha256:16>.onnx`); returns the written name and its manifest entry.
 */
export async function writeArtifact(outDir: string, name: string, bytes: Uint8Array, hashedNames: boolean): Promise<[string, FileEntry]> {
  const sha256 = sha256Hex(bytes);
  const written = hashedNames ? hashedName(name, sha256) : name;
  await writeFile(join(outDir, written), bytes);
  return [written, { bytes: bytes.length, sha256 }];
}

/**
 * Fits the encoder on `texts` (catalogue order = model order) towards `itemVectors` and writes the
 * search files into `outDir`.
 *
 * @example await writeSearchPackage('public/reco', texts, fit.weights.inVec, 32, {});
 */
export async function writeSearchPackage(
  outDir: string, texts: readonly ItemText[], itemVectors: Float32Array, recDim: number,
  options: Partial<EncoderOptions> = {}, log: (line: string) => void = () => {}, hashedNames = false,
): Promise<SearchPackageSummary> {
  const opts: EncoderOptions = { ...DEFAULT_ENCODER_OPTIONS, ...options };
  const t0 = performance.now();
  const fit = fitEncoder(texts, itemVectors, recDim, opts);
  const seconds = (performance.now() - t0) / 1000;
  log(`fitted the search encoder: ${fit.weights.vocab.tokens.length} WordPiece tokens × ${fit.weights.dim} dims, ${fit.examples.toLocaleString('en')} text views × ${opts.epochs} epochs, loss ${fit.epochLoss.map((l) => l.toFixed(3)).join(' → ')} (${seconds.toFixed(1)} s)`);
  const N = texts.length;
  await mkdir(outDir, { recursive: true });
  // Content-addressed names (`inpage train`): the encoder folder is named by the hash of its files.
  const staging = hashedNames ? `${ENCODER_DIR}.tmp-${process.pid}` : ENCODER_DIR;
  const written = await writeHfFolder(join(outDir, staging), encoderFiles(fit.weights));
  let encoderDir = ENCODER_DIR;
  if (hashedNames) {
    encoderDir = `${ENCODER_DIR}-${sha256Hex(new TextEncoder().encode(written.map((f) => `${f.path} ${f.sha256}`).join('\n'))).slice(0, 16)}`;
    await rm(join(outDir, encoderDir), { recursive: true, force: true });
    await rename(join(outDir, staging), join(outDir, encoderDir));
  }
  const [indexName, indexEntry] = await writeArtifact(outDir, 'search.onnx', searchIndexOnnx(fit.targets, N, fit.weights.dim), hashedNames);
  const [keywordsName, keywordsEntry] = await writeArtifact(outDir, KEYWORDS_FILE, keywordsBytes(texts), hashedNames);
  const manifest: SearchManifest = {
    format: 'inpage-search',
    formatVersion: 1,
    encoder: { model: encoderDir, pooling: 'mean', normalize: true },
    index: indexName,
    inputs: { ...SEARCH_GRAPH.inputs },
    outputs: { ...SEARCH_GRAPH.outputs },
    dims: { items: N, embedding: fit.weights.dim, vocab: fit.weights.vocab.tokens.length },
    idsSha256: idsSha256(texts.map((t) => t.id)),
    keyword: { file: keywordsName, settings: structuredClone(DEFAULT_KEYWORD_SETTINGS) },
    hybrid: { ...DEFAULT_HYBRID_SETTINGS },
    files: {
      [indexName]: indexEntry,
      [keywordsName]: keywordsEntry,
      ...Object.fromEntries(written.map((f) => [`${encoderDir}/${f.path}`, { bytes: f.bytes, sha256: f.sha256 }])),
    },
    training: { producer: 'inpage train', items: N, options: { ...opts } },
  };
  await writeFile(join(outDir, 'search.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, fit, seconds };
}
