/**
 * The trained catalogue encoder end to end in Node: fitted on a tiny generated shop, written in
 * the transformers.js layout, then (1) both ONNX files in onnxruntime-node, (2) transformers.js'
 * own `pipeline('feature-extraction')` with mean pooling and normalisation, and (3) the search
 * index graph, each against the JS reference of the same weights. Also: determinism and held-out
 * items really held out.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldsOf, parseCatalogText, type ItemText } from '../../tools/encoder/catalog-text.ts';
import { dequantizedTable, encoderOnnx, searchIndexOnnx } from '../../tools/encoder/export.ts';
import { ENCODER_DIR, writeSearchPackage, type SearchPackageSummary } from '../../tools/encoder/package.ts';
import { referenceEncoder, searchScores } from '../../tools/encoder/reference.ts';
import { DEFAULT_ENCODER_OPTIONS, fitEncoder, normalizeRows, type EncoderOptions } from '../../tools/encoder/train-encoder.ts';
import { encode, words } from '../../tools/encoder/wordpiece.ts';
import { Prng } from '../../tools/onnx/prng.ts';
import { generateCatalog } from '../../tools/shop/catalog.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { topK } from '../../tools/train/reference.ts';

const FAST: Partial<EncoderOptions> = { epochs: 2, views: 4, negatives: 64 };
const QUERIES = ['waterproof tent', 'warm sleeping bag for winter', 'Northpeak', 'merino socks 2-pack', 'ultralight trekking poles', 'zzzz unknown', '', 'TENTS!!!'];
let dir = '';
let texts: ItemText[];
let vectors: Float32Array;
let pkg: SearchPackageSummary;

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > tol) throw new Error(`[${i}]: ${a[i]} vs ${b[i]} (tol ${tol})`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-enc-'));
  texts = parseCatalogText({ products: generateCatalog(TINY_SHOP_CONFIG).products });
  // Stand-in recommender vectors: any fixed vectors test the export; quality is eval's business.
  vectors = new Prng(5).normals(texts.length * 32);
  pkg = await writeSearchPackage(dir, texts, vectors, 32, FAST);
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = `${dir}/`;
}, 60_000);
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('catalogue encoder', () => {
  it('writes the transformers.js layout and search.json with sizes and SHA-256s', async () => {
    const m = pkg.manifest;
    expect(Object.keys(m.files).sort()).toEqual([
      `${ENCODER_DIR}/config.json`, `${ENCODER_DIR}/onnx/model.onnx`, `${ENCODER_DIR}/onnx/model_quantized.onnx`,
      `${ENCODER_DIR}/tokenizer.json`, `${ENCODER_DIR}/tokenizer_config.json`, 'keywords.json', 'search.onnx',
    ]);
    expect(m.dims).toEqual({ items: texts.length, embedding: 32 + DEFAULT_ENCODER_OPTIONS.textDim, vocab: pkg.fit.weights.vocab.tokens.length });
    for (const [name, f] of Object.entries(m.files)) expect((await readFile(join(dir, name))).length).toBe(f.bytes);
    const q = (await readFile(join(dir, ENCODER_DIR, 'onnx/model_quantized.onnx'))).length;
    const f32 = (await readFile(join(dir, ENCODER_DIR, 'onnx/model.onnx'))).length;
    expect(q).toBeLessThan(f32 / 3);
  });

  it('both ONNX files in onnxruntime-node equal the reference, token by token', async () => {
    const w = pkg.fit.weights;
    for (const quantized of [false, true]) {
      const session = await ort.InferenceSession.create(encoderOnnx(w, { quantized }));
      const table = quantized ? dequantizedTable(w.table, w.dim) : w.table;
      const { ids } = encode(QUERIES[1]!, w.vocab);
      const t = (a: number[]) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), [1, a.length]);
      const out = await session.run({ input_ids: t(ids), attention_mask: t(ids.map(() => 1)), token_type_ids: t(ids.map(() => 0)) });
      const h = out['last_hidden_state']!;
      expect(h.dims).toEqual([1, ids.length, w.dim]);
      close(h.data as Float32Array, ids.flatMap((id) => Array.from(table.subarray(id * w.dim, (id + 1) * w.dim))), 1e-6);
      await session.release();
    }
  });

  it("transformers.js' pipeline (mean pooling, normalised) equals the reference on fp32 and q8", async () => {
    for (const [dtype, quantized] of [['fp32', false], ['q8', true]] as const) {
      const embed = await pipeline('feature-extraction', ENCODER_DIR, { device: 'cpu', dtype });
      const ref = referenceEncoder(pkg.fit.weights, { quantized });
      const texts2 = QUERIES.filter((q) => q !== 'zzzz unknown');
      const out = await embed(texts2, { pooling: 'mean', normalize: true });
      expect(out.dims).toEqual([texts2.length, pkg.fit.weights.dim]);
      texts2.forEach((t, i) => close((out.data as Float32Array).subarray(i * out.dims[1]!, (i + 1) * out.dims[1]!), ref.encode(t), 1e-5));
      await embed.dispose();
    }
  });

  it('the search index graph ranks as the reference does, with the filter bias', async () => {
    const w = pkg.fit.weights;
    const N = texts.length;
    const session = await ort.InferenceSession.create(await readFile(join(dir, 'search.onnx')));
    const ref = referenceEncoder(w);
    const bias = new Float32Array(N);
    for (let j = 0; j < N; j += 3) bias[j] = -1e9;
    const q = ref.encode('waterproof tent');
    const out = await session.run({
      query: new ort.Tensor('float32', q, [1, w.dim]), bias: new ort.Tensor('float32', bias, [1, N]), k: new ort.Tensor('int64', BigInt64Array.of(10n), [1]),
    });
    const scores = searchScores(q, pkg.fit.targets, w.dim);
    for (let j = 0; j < N; j++) scores[j] = scores[j]! + bias[j]!;
    const want = topK(scores, 10);
    expect(Array.from(out['indices']!.data as BigInt64Array, Number)).toEqual(want);
    close(out['scores']!.data as Float32Array, want.map((j) => scores[j]!), 1e-5);
    expect(want.every((j) => j % 3 !== 0)).toBe(true);
    await session.release();
    expect(searchIndexOnnx(pkg.fit.targets, N, w.dim)).toEqual(new Uint8Array(await readFile(join(dir, 'search.onnx'))));
  });

  it('is deterministic, keeps special and punctuation rows at zero, and never trains on held-out text', () => {
    const train = new Uint8Array(texts.length).fill(1);
    // Hold out every item of one brand: its name must not enter the vocabulary as a word.
    const brand = texts[0]!.brand;
    texts.forEach((t, i) => { if (t.brand === brand) train[i] = 0; });
    const a = fitEncoder(texts, vectors, 32, { ...pkg.manifest.training!['options'] as EncoderOptions, ...FAST }, train);
    const b = fitEncoder(texts, vectors, 32, { ...pkg.manifest.training!['options'] as EncoderOptions, ...FAST }, train);
    expect(a.weights.table).toEqual(b.weights.table);
    expect(a.targets).toEqual(b.targets);
    const brandWords = words(brand);
    const seenElsewhere = new Set(texts.filter((_, i) => train[i] === 1).flatMap(fieldsOf).flatMap(words));
    for (const w of brandWords.filter((x) => !seenElsewhere.has(x))) expect(a.weights.vocab.ids.has(w)).toBe(false);
    const D = a.weights.dim;
    for (const tok of ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '.', ',', '-']) {
      const id = a.weights.vocab.ids.get(tok);
      if (id !== undefined) expect(Array.from(a.weights.table.subarray(id * D, (id + 1) * D)).every((x) => x === 0)).toBe(true);
    }
    expect(normalizeRows(Float32Array.of(3, 4, 0, 0), 2)).toEqual(Float32Array.of(0.6, 0.8, 0, 0));
  });
});
