/**
 * Scenario "no call waits behind someone else's load" (#13): the demo recommender answers a
 * steady, open-loop stream of `recommend()` calls (one every `intervalMs`, each timed from issue
 * to answer); first while nothing else happens, then while another model loads into the same
 * engine — the search encoder and index (`rec.search()`'s first call) or big-mlp — into the
 * engine's main worker, or with `ownWorker` into a worker of its own (the `worker` load option).
 */
import { createEngine, createRecommender } from '../../src/index.ts';
import { quantile } from './stats.ts';

export interface ContentionResult {
  backend: string;
  other: string;
  /** The other model loaded into a worker of its own (`worker` option) instead of the engine's main worker. */
  ownWorker: boolean;
  /** How long the other model's load took while the stream ran. */
  loadMs: number;
  idle: { n: number; p50: number; p95: number; max: number };
  during: { n: number; p50: number; p95: number; max: number };
}

const summary = (xs: number[]): ContentionResult['idle'] => ({ n: xs.length, p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), max: Math.max(0, ...xs) });

export async function contention(opts: { backend: 'wasm' | 'auto'; manifestUrl: string; other: 'search' | 'big-mlp'; intervalMs: number; idleMs: number; ownWorker?: boolean }): Promise<ContentionResult> {
  const engine = await createEngine({ backend: opts.backend, threads: 1 });
  const rec = await createRecommender({ engine, manifestUrl: opts.manifestUrl, storage: null, searchWorker: opts.ownWorker ? 'search' : 'main' });
  const table = (await (await fetch(new URL('items.json', new URL(opts.manifestUrl, location.href)))).json()) as { ids: string[] };
  const ids = table.ids;
  for (let i = 0; i < 6; i++) rec.track({ type: 'view', itemId: ids[(i * 37) % ids.length]! });
  for (let i = 0; i < 20; i++) await rec.recommend({ strategy: 'for-you', k: 8 });

  const done: { issuedAt: number; ms: number }[] = [];
  const pending = new Set<Promise<void>>();
  let n = 0;
  const issue = (): void => {
    const issuedAt = performance.now();
    const p = rec.recommend({ strategy: n++ % 2 ? 'for-you' : 'similar', itemId: ids[(n * 13) % ids.length]!, k: 8 })
      .then(() => { done.push({ issuedAt, ms: performance.now() - issuedAt }); }, () => {})
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  const timer = setInterval(issue, opts.intervalMs);
  await new Promise((r) => setTimeout(r, opts.idleMs));
  const loadStart = performance.now();
  // "Give heavy loads their own worker" (`worker` option) against sharing the engine's worker.
  if (opts.other === 'search') await rec.search('warm sleeping bag', { k: 8 });
  else await engine.load({ url: 'models/big-mlp.onnx' }, { cache: false, worker: opts.ownWorker ? 'big' : 'main' });
  const loadEnd = performance.now();
  clearInterval(timer);
  await Promise.all([...pending]);
  const info = await engine.info();
  await engine.dispose();
  return {
    backend: info.backend,
    other: opts.other,
    ownWorker: opts.ownWorker === true,
    loadMs: loadEnd - loadStart,
    idle: summary(done.filter((d) => d.issuedAt < loadStart).map((d) => d.ms)),
    during: summary(done.filter((d) => d.issuedAt >= loadStart && d.issuedAt < loadEnd).map((d) => d.ms)),
  };
}

/** Three models loaded at once into one engine: when each became ready (ms from the start). */
export interface ThreeLoadsResult {
  backend: string;
  /** Ready times of each (they were started in this order). */
  readyMs: { mlp: number; embedTopk: number; bigMlp: number };
}

export async function threeLoads(opts: { backend: 'wasm' | 'auto' }): Promise<ThreeLoadsResult> {
  const engine = await createEngine({ backend: opts.backend, threads: 1 });
  const t0 = performance.now();
  const [mlp, embedTopk, bigMlp] = await Promise.all(['mlp', 'embed-topk', 'big-mlp'].map(async (name) => {
    await engine.load({ url: `models/${name}.onnx` }, { cache: false });
    return performance.now() - t0;
  }));
  const readyMs = { mlp: mlp!, embedTopk: embedTopk!, bigMlp: bigMlp! };
  const info = await engine.info();
  await engine.dispose();
  return { backend: info.backend, readyMs };
}
