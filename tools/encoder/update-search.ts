/**
 * `inpage update-catalog`'s search half: a search package over the new item table without
 * refitting the encoder.
 *
 * - The encoder is the package's own, pinned: each of its files is checked against search.json's
 *   SHA-256 and copied as it is (same folder name, same hashes), so a visitor's cached encoder
 *   stays valid.
 * - Items kept with the same text (title, description, brand, category name, tags as the page
 *   reads them) keep their index rows byte for byte. New items, and kept items whose text changed,
 *   are encoded with the encoder's token table next to their (new) recommender vectors by
 *   {@link indexRow}, the code the trainer builds its index with. Words the encoder never saw add
 *   nothing to the encoder half; the keyword half (keywords.json + items.json titles, rebuilt here)
 *   indexes every word, so a new product is found by its name either way.
 * - search.json names the new files with their hashes and the new item table's `idsSha256`.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FileEntry, RecommenderItems } from '../../src/recommend/manifest.ts';
import { parseSearchManifest, type SearchManifest } from '../../src/recommend/search.ts';
import { keywordDocs } from '../../src/recommend/search-package.ts';
import { sha256Hex } from '../onnx/sha256.ts';
import type { ItemText } from './catalog-text.ts';
import { searchIndexOnnx } from './export.ts';
import { idsSha256, KEYWORDS_FILE, keywordsBytes, writeArtifact } from './package.ts';
import { readSearchPackage } from './read.ts';
import { DEFAULT_ENCODER_OPTIONS, indexRow, normalizeRows, textTokens, trainableTokens, type IndexMix } from './train-encoder.ts';

/** What {@link updateSearchPackage} did. */
export interface SearchUpdate {
  manifest: SearchManifest;
  /** Items encoded now (new, or kept with changed text). */
  encoded: number;
  /** Kept items whose index row was carried over unchanged. */
  reused: number;
}

/** The new item table and what it came from. */
export interface SearchUpdateInput {
  /** Text of the new catalogue, in the new item table's order. */
  texts: readonly ItemText[];
  /** The updated recommender's item vectors ([items, recDim], the new order). */
  itemVectors: Float32Array;
  recDim: number;
  /** For each new item, its index in the old item table (-1: new). */
  oldIndex: readonly number[];
  oldItems: RecommenderItems;
  newItems: RecommenderItems;
  hashedNames: boolean;
}

/** Reads each of the encoder's files, checks it against search.json, writes it to `outDir`. */
async function copyEncoder(fromDir: string, outDir: string, manifest: SearchManifest): Promise<Record<string, FileEntry>> {
  const prefix = `${manifest.encoder.model}/`;
  const entries = Object.entries(manifest.files).filter(([name]) => name.startsWith(prefix));
  if (entries.length === 0) throw new Error(`${join(fromDir, 'search.json')} lists no files under ${prefix}: re-run \`inpage train\``);
  for (const [name, entry] of entries) {
    const bytes = await readFile(join(fromDir, name));
    const sha = sha256Hex(bytes);
    if (sha !== entry.sha256 || bytes.length !== entry.bytes) {
      throw new Error(`${join(fromDir, name)} does not match search.json (sha256 ${entry.sha256.slice(0, 12)}…, ${entry.bytes} bytes; the file has ${sha.slice(0, 12)}…, ${bytes.length} bytes): restore the package or re-run \`inpage train\``);
    }
    if (join(fromDir, name) === join(outDir, name)) continue;
    await mkdir(dirname(join(outDir, name)), { recursive: true });
    await writeFile(join(outDir, name), bytes);
  }
  return Object.fromEntries(entries);
}

/** The mix of the index's two blocks the encoder was fitted with (search.json's training options). */
function mixOf(training: Record<string, unknown> | undefined): IndexMix {
  const opts = training?.['options'];
  const o = typeof opts === 'object' && opts !== null ? (opts as Record<string, unknown>) : {};
  const num = (key: keyof IndexMix): number => (typeof o[key] === 'number' && Number.isFinite(o[key]) ? o[key] : DEFAULT_ENCODER_OPTIONS[key]);
  return { recWeight: num('recWeight'), textWeight: num('textWeight') };
}

/**
 * Writes the search package for the new item table into `outDir` (the encoder's files, the
 * index, keywords.json, then search.json). Returns undefined, and removes a stale search.json
 * from `outDir`, when `fromDir` has no search package.
 *
 * @example await updateSearchPackage('public/reco', 'public/reco-next', { texts, itemVectors: w.inVec, recDim: w.dim, oldIndex, oldItems, newItems, hashedNames: true });
 */
export async function updateSearchPackage(fromDir: string, outDir: string, input: SearchUpdateInput): Promise<SearchUpdate | undefined> {
  const json = await readFile(join(fromDir, 'search.json'), 'utf8').catch(() => undefined);
  if (json === undefined) {
    await rm(join(outDir, 'search.json'), { force: true });
    return undefined;
  }
  const { texts, oldIndex, recDim: R } = input;
  const N = texts.length;
  if (oldIndex.length !== N || input.newItems.ids.length !== N || texts.some((t, i) => t.id !== input.newItems.ids[i])) {
    throw new Error('update-catalog: the catalogue text and the new item table list different items');
  }
  await mkdir(outDir, { recursive: true });
  // The encoder's files are checked before any of them is read.
  const encoderFiles = await copyEncoder(fromDir, outDir, parseSearchManifest(JSON.parse(json), join(fromDir, 'search.json')));
  const old = await readSearchPackage(fromDir);
  const D = old.manifest.dims.embedding;
  if (D < R) throw new Error(`${join(fromDir, 'search.json')}: ${D} embedding dims cannot hold the recommender's ${R}; re-run \`inpage train\``);
  // Text as the page's keyword half reads it, old and new: a kept item whose text is unchanged keeps its row.
  const keywords = keywordsBytes(texts);
  const oldKeyword = old.manifest.keyword;
  const oldDocs = oldKeyword === undefined
    ? undefined
    : keywordDocs(JSON.parse(await readFile(join(fromDir, oldKeyword.file), 'utf8')), input.oldItems, oldKeyword.file);
  const newDocs = keywordDocs(JSON.parse(new TextDecoder().decode(keywords)), input.newItems, 'keywords.json');
  const sameText = (i: number, j: number): boolean => {
    const a = oldDocs?.[j];
    const b = newDocs[i]!;
    return a !== undefined && a.title === b.title && a.description === b.description && a.brand === b.brand && a.category === b.category && a.tags === b.tags;
  };
  const table = Float64Array.from(old.weights.table);
  const trainable = trainableTokens(old.weights.vocab);
  const rec = normalizeRows(input.itemVectors, R);
  const mix = mixOf(old.training);
  const targets = new Float32Array(N * D);
  const row = new Float64Array(D);
  const textSum = new Float64Array(D - R);
  let reused = 0;
  for (let i = 0; i < N; i++) {
    const j = oldIndex[i]!;
    if (j >= 0 && sameText(i, j)) {
      targets.set(old.targets.subarray(j * D, (j + 1) * D), i * D);
      reused++;
      continue;
    }
    indexRow(textTokens(texts[i]!, old.weights.vocab, trainable), rec, i * R, table, R, D - R, mix, row, 0, textSum);
    targets.set(row, i * D);
  }
  const [indexName, indexEntry] = await writeArtifact(outDir, 'search.onnx', searchIndexOnnx(targets, N, D), input.hashedNames);
  const keywordFile = oldKeyword === undefined ? undefined : await writeArtifact(outDir, KEYWORDS_FILE, keywords, input.hashedNames);
  const manifest: SearchManifest = {
    ...old.manifest,
    index: indexName,
    dims: { ...old.manifest.dims, items: N },
    idsSha256: idsSha256(texts.map((t) => t.id)),
    ...(oldKeyword === undefined || keywordFile === undefined ? {} : { keyword: { ...oldKeyword, file: keywordFile[0] } }),
    files: { [indexName]: indexEntry, ...(keywordFile === undefined ? {} : { [keywordFile[0]]: keywordFile[1] }), ...encoderFiles },
    training: {
      ...old.training,
      catalogUpdate: { from: old.manifest.files[old.manifest.index]?.sha256 ?? '', at: new Date().toISOString(), encoded: N - reused, reused },
    },
  };
  // Written after every file it names; manifest.json (update-catalog.ts) goes after it.
  await writeFile(join(outDir, 'search.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, encoded: N - reused, reused };
}
