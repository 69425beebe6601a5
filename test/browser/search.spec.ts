/**
 * The catalogue encoder `inpage train` wrote (public/reco/encoder, search.onnx, search.json) in
 * real Chromium on this project's backend: transformers.js' feature-extraction pipeline in the
 * engine gives the JS reference of the encoder's weights (fp32 and the int8 'q8' file), and
 * `rec.search()` gives the reference ranking, honours filters, and feeds for-you.
 */
import { fileURLToPath } from 'node:url';
import { test, expect } from './fixtures.ts';
import { loadPackage } from '../../tools/eval/load-model.ts';
import { readSearchPackage } from '../../tools/encoder/read.ts';
import { referenceEncoder, searchScores } from '../../tools/encoder/reference.ts';

const recoDir = fileURLToPath(new URL('../../public/reco', import.meta.url));
const TEXTS = ['waterproof tent for two', 'warm down sleeping bag', 'Northpeak', 'merino hiking socks', 'TENTS!!', 'a compass with gps'];

test.beforeEach(() => { test.slow(); });

test("the trained encoder through engine.pipeline() equals the JS reference of its weights (fp32 and q8)", async ({ openHarness, expectedBackend }) => {
  const pkg = await readSearchPackage(recoDir);
  const page = await openHarness();
  const r = await page.evaluate(async ({ texts, backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const out: Record<string, { dims: number[]; data: number[]; backend: string; dtype: string }> = {};
    for (const dtype of ['default', 'fp32', 'q8'] as const) {
      const embed = await engine.pipeline('feature-extraction', 'encoder', { modelHost: 'reco/', ...(dtype === 'default' ? {} : { dtype }) });
      const v = await embed(texts, { pooling: 'mean', normalize: true });
      out[dtype] = { dims: [...v.dims], data: Array.from(v.data as Float32Array), backend: embed.backend, dtype: embed.dtype };
      await embed.dispose();
    }
    await engine.dispose();
    return out;
  }, { texts: TEXTS, backend: expectedBackend });
  // transformers.js' browser default: q8 on WASM, fp32 on WebGPU.
  expect(r['default']!.dtype).toBe(expectedBackend === 'wasm' ? 'q8' : 'fp32');
  for (const dtype of ['fp32', 'q8'] as const) {
    const got = r[dtype]!;
    expect(got.backend).toBe(expectedBackend);
    expect(got.dims).toEqual([TEXTS.length, pkg.weights.dim]);
    const ref = referenceEncoder(pkg.weights, { quantized: dtype === 'q8' });
    TEXTS.forEach((t, i) => {
      const want = ref.encode(t);
      const row = got.data.slice(i * pkg.weights.dim, (i + 1) * pkg.weights.dim);
      row.forEach((x, d) => { if (Math.abs(x - want[d]!) > 1e-5) throw new Error(`${dtype} '${t}'[${d}]: got ${x}, want ${want[d]}`); });
    });
  }
});

test('rec.search gives the reference ranking on this backend, honours filters, and feeds for-you', async ({ openHarness, expectedBackend }) => {
  const pkg = await readSearchPackage(recoDir);
  const reco = await loadPackage(recoDir);
  const items = reco.items;
  const cat = (id: string): string => items.categories[items.category[items.ids.indexOf(id)]!]!.id;
  const page = await openHarness();
  const r = await page.evaluate(async ({ backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const rec = await window.inpage.createRecommender({ engine, manifestUrl: 'reco/manifest.json', storage: null });
    const tent = await rec.search('waterproof tent', { k: 8 });
    const cheap = await rec.search('waterproof tent', { k: 8, filter: { maxPrice: 150, inStock: true } });
    const socks = await rec.search('merino socks', { k: 5, remember: false });
    const cheapItems = cheap.map((h) => rec.item(h.itemId)!);
    const fresh = await rec.recommend({ strategy: 'for-you', k: 10, blendSearches: false });
    const blended = await rec.recommend({ strategy: 'for-you', k: 10 });
    const recent = rec.recentSearches().map((s) => s.text);
    await rec.forget();
    const forgotten = rec.recentSearches().length;
    await rec.dispose();
    await engine.dispose();
    return { tent, cheapItems, socks, fresh: fresh.map((x) => ({ id: x.itemId, basis: x.basis })), blended: blended.map((x) => ({ id: x.itemId, reason: x.reason })), recent, forgotten };
  }, { backend: expectedBackend });
  // The page's default file: q8 on WASM, fp32 on WebGPU.
  const ref = referenceEncoder(pkg.weights, { quantized: expectedBackend === 'wasm' });
  const scoresOf = (text: string) => searchScores(ref.encode(text), pkg.targets, pkg.weights.dim);
  const want = scoresOf('waterproof tent');
  const wantTop = Array.from(want).map((s, j) => [s, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 8);
  expect(r.tent).toHaveLength(8);
  r.tent.forEach((h, i) => {
    // Same ranking up to float noise: position i holds an item scoring what the reference's i-th does.
    expect(Math.abs(want[items.ids.indexOf(h.itemId)]! - wantTop[i]![0])).toBeLessThan(1e-4);
    expect(Math.abs(h.score - wantTop[i]![0])).toBeLessThan(1e-4);
  });
  expect(r.tent.filter((h) => cat(h.itemId) === 'tents').length).toBeGreaterThanOrEqual(6);
  expect(r.cheapItems.length).toBeGreaterThan(0);
  for (const it of r.cheapItems) { expect(it.price).toBeLessThanOrEqual(150); expect(it.inStock).toBe(true); }
  expect(r.socks.filter((h) => cat(h.itemId) === 'socks').length).toBeGreaterThanOrEqual(4);
  // No history: for-you is trending without searches, personal with them.
  expect(r.fresh.every((x) => x.basis === 'trending')).toBe(true);
  expect(r.recent).toEqual(['waterproof tent']);
  expect(r.blended.filter((x) => cat(x.id) === 'tents').length).toBeGreaterThan(r.fresh.filter((x) => cat(x.id) === 'tents').length);
  expect(r.blended.some((x) => x.reason === 'Because you searched for “waterproof tent”')).toBe(true);
  expect(r.forgotten).toBe(0);
});
