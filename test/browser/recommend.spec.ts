/**
 * The trained recommender in real Chromium, on both backends: the model the trainer wrote gives
 * the JS reference's top-10 for the same inputs, and browsing camping gear moves camping gear up
 * the visitor's for-you list.
 */
import { test, expect } from './fixtures.ts';
import { loadPackage } from '../../tools/eval/load-model.ts';
import { referenceRun } from '../../tools/train/reference.ts';
import { fileURLToPath } from 'node:url';

const recoDir = fileURLToPath(new URL('../../public/reco', import.meta.url));

test('the trained model gives the reference top-10 on this backend', async ({ openHarness, expectedBackend }) => {
  const pkg = await loadPackage(recoDir);
  // The sequential component (followers of the last steps, ScatterElements in the graph) is part of the shipped model.
  expect(pkg.weights.transitions?.recency.length ?? 0).toBeGreaterThan(0);
  const N = pkg.manifest.dims.items;
  const L = pkg.manifest.dims.history;
  const B = 4;
  // Deterministic histories as the page writes them: right-aligned, different lengths (zero-weight
  // padding in front; the first row shorter than the model's recent-step window, so the masked
  // transition slots are exercised too), items spread over the catalog.
  const items = Array.from({ length: B * L }, (_, i) => ((i * 7919 + 13) % N));
  const weights = Array.from({ length: B * L }, (_, i) => ((i % L) >= L - (1 + Math.floor(i / L) * 4) ? 1 + (i % 3) * 0.5 : 0));
  const want = referenceRun(pkg.weights, B, L, items, Float32Array.from(weights), 10);
  const page = await openHarness();
  const got = await page.evaluate(async ({ items, weights, B, L, backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const m = await engine.load({ url: 'reco/recommender.onnx' });
    const out = await m.run({
      items: { type: 'int64', dims: [B, L], data: BigInt64Array.from(items, (v) => BigInt(v)) },
      weights: { type: 'float32', dims: [B, L], data: Float32Array.from(weights) },
      bias: { type: 'float32', dims: [1, m.inputs.find((i) => i.name === 'bias')!.dims[1] as number], data: new Float32Array(m.inputs.find((i) => i.name === 'bias')!.dims[1] as number) },
      k: { type: 'int64', dims: [1], data: BigInt64Array.from([10n]) },
    });
    const res = { indices: Array.from(out['indices']!.data as BigInt64Array, Number), scores: Array.from(out['scores']!.data as Float32Array), backend: m.backend };
    await engine.dispose();
    return res;
  }, { items, weights, B, L, backend: expectedBackend });
  expect(got.backend).toBe(expectedBackend);
  expect(got.indices).toEqual(Array.from(want.indices, Number));
  got.scores.forEach((s, i) => expect(Math.abs(s - want.scores[i]!)).toBeLessThan(1e-4));
});

test('concurrent calls to the recommender share runs (k is shared) and each gets the reference top-k', async ({ openHarness, expectedBackend }) => {
  const pkg = await loadPackage(recoDir);
  const N = pkg.manifest.dims.items;
  const L = pkg.manifest.dims.history;
  // 24 visitors; two list lengths, so only equal-k calls may share a run.
  const calls = Array.from({ length: 24 }, (_, c) => ({
    items: Array.from({ length: L }, (_, i) => ((c * 7919 + i * 104729 + 13) % N)),
    weights: Array.from({ length: L }, (_, i) => (i >= L - 2 - (c % 6) ? 1 + (i % 3) * 0.5 : 0)),
    k: c % 3 === 0 ? 5 : 10,
  }));
  const want = calls.map((c) => referenceRun(pkg.weights, 1, L, c.items, Float32Array.from(c.weights), c.k));
  const page = await openHarness();
  const got = await page.evaluate(async ({ calls, N, L, backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const m = await engine.load({ url: 'reco/recommender.onnx' });
    const outs = await Promise.all(calls.map((c) => m.run({
      items: { type: 'int64', dims: [1, L], data: BigInt64Array.from(c.items, (v) => BigInt(v)) },
      weights: { type: 'float32', dims: [1, L], data: Float32Array.from(c.weights) },
      bias: { type: 'float32', dims: [1, N], data: new Float32Array(N) },
      k: { type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(c.k)) },
    })));
    const res = {
      indices: outs.map((o) => Array.from(o['indices']!.data as BigInt64Array, Number)), dims: outs.map((o) => o['indices']!.dims),
      batching: m.batching, stats: engine.stats(), backend: m.backend,
    };
    await engine.dispose();
    return res;
  }, { calls, N, L, backend: expectedBackend });
  expect(got.backend).toBe(expectedBackend);
  expect(got.batching.enabled, got.batching.reason).toBe(true);
  expect(got.batching.reason).toContain("'k'");
  got.indices.forEach((idx, c) => {
    expect(got.dims[c], `call ${c}`).toEqual([1, calls[c]!.k]);
    expect(idx, `call ${c}`).toEqual(Array.from(want[c]!.indices, Number));
  });
  // 24 requests in two k-groups, sent in one burst: far fewer session runs than requests.
  expect(got.stats.inferences).toBeGreaterThanOrEqual(24);
  expect(got.stats.batches).toBeLessThan(got.stats.inferences / 2);
});

test('viewing tents and a backpack moves camping gear up the for-you list', async ({ openHarness, expectedBackend }) => {
  const pkg = await loadPackage(recoDir);
  const cat = (id: string): string => pkg.items.categories[pkg.items.category[pkg.items.ids.indexOf(id)]!]!.id;
  const ofCategory = (c: string): string[] => pkg.items.ids.filter((_, j) => pkg.items.categories[pkg.items.category[j]!]!.id === c);
  const tents = ofCategory('tents').slice(5, 9);
  const backpack = ofCategory('backpacks')[3]!;
  const camping = new Set(['tents', 'sleeping-bags', 'sleeping-pads', 'stoves', 'cookware', 'backpacks', 'headlamps', 'camp-furniture']);
  const page = await openHarness();
  const r = await page.evaluate(async ({ tents, backpack, backend }) => {
    const engine = await window.inpage.createEngine({ backend });
    const rec = await window.inpage.createRecommender({ engine, manifestUrl: 'reco/manifest.json', storage: null });
    const before = await rec.recommend({ strategy: 'for-you', k: 10 });
    for (const t of tents) rec.track({ type: 'view', itemId: t });
    rec.track({ type: 'click', itemId: backpack });
    const after = await rec.recommend({ strategy: 'for-you', k: 10 });
    const similar = await rec.recommend({ strategy: 'similar', itemId: tents[0]!, k: 5 });
    const look = await rec.recommend({ strategy: 'complete-the-look', itemId: tents[0]!, k: 6 });
    const filtered = await rec.recommend({ strategy: 'for-you', k: 8, filter: { maxPrice: 40, inStock: true } });
    const prices = filtered.map((f) => rec.item(f.itemId)!);
    await rec.forget();
    const forgotten = rec.history().length;
    await engine.dispose();
    return { before: before.map((x) => x.itemId), after: after.map((x) => ({ id: x.itemId, reason: x.reason })), similar: similar.map((x) => x.itemId), look: look.map((x) => x.itemId), prices, forgotten };
  }, { tents, backpack, backend: expectedBackend });
  const share = (ids: string[]): number => ids.filter((id) => camping.has(cat(id))).length / ids.length;
  const beforeShare = share(r.before);
  const afterShare = share(r.after.map((a) => a.id));
  expect(afterShare).toBeGreaterThan(beforeShare);
  expect(afterShare).toBeGreaterThanOrEqual(0.7);
  // Seen items are excluded by default.
  for (const seen of [...tents, backpack]) expect(r.after.map((a) => a.id)).not.toContain(seen);
  expect(r.after[0]!.reason.length).toBeGreaterThan(0);
  expect(r.similar.every((id) => cat(id) === 'tents')).toBe(true);
  // Complete the look: complementary categories, not more tents.
  expect(r.look.some((id) => cat(id) !== 'tents')).toBe(true);
  // Filters never starve the list.
  expect(r.prices).toHaveLength(8);
  for (const p of r.prices) { expect(p.price).toBeLessThanOrEqual(40); expect(p.inStock).toBe(true); }
  expect(r.forgotten).toBe(0);
});
