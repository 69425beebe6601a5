/**
 * Diagnostic (issue 14): where one recommend() call's time goes, per call, so the slow tail can
 * be attributed: page work before the model run, the run's round trip (the worker's own queued
 * and compute time from the engine's 'inference' event), page work after it, and the JS heap.
 */
import { createEngine } from '../../src/index.ts';
import { createRecommender } from '../../src/recommend/index.ts';
import type { EngineLike, ModelLike } from '../../src/recommend/engine-like.ts';

export interface TraceRow {
  strategy: string;
  total: number;
  pre: number;
  run: number;
  post: number;
  queued: number;
  compute: number;
  heapMb: number;
  /** A bare postMessage round trip to an idle echo worker right after the call: the floor. */
  echo: number;
}

export async function recommendTrace(opts: { manifestUrl: string; runs: number; storage: 'memory' | 'local'; settleMs?: number; warmup?: number; events?: number }): Promise<TraceRow[]> {
  const engine = await createEngine({ backend: 'wasm', measure: false });
  let runStart = 0;
  let runEnd = 0;
  let last = { queuedMs: 0, computeMs: 0 };
  engine.on('inference', (e) => { last = e; });
  const wrapped: EngineLike = {
    async load(source, o) {
      const m = await engine.load(source, o);
      const model: ModelLike = {
        inputs: m.inputs, outputs: m.outputs,
        dispose: () => m.dispose(),
        async run(feeds, ro) {
          runStart = performance.now();
          try { return await m.run(feeds, ro); } finally { runEnd = performance.now(); }
        },
      };
      return model;
    },
  };
  if (opts.storage === 'local') localStorage.clear();
  const rec = await createRecommender({ engine: wrapped, manifestUrl: opts.manifestUrl, ...(opts.storage === 'memory' ? { storage: null } : {}) });
  const table = (await (await fetch(new URL('items.json', new URL(opts.manifestUrl, location.href)))).json()) as { ids: string[] };
  const ids = table.ids.slice(0, 400);
  const all = table.ids;
  const nEvents = opts.events ?? 6;
  for (let i = 0; i < nEvents; i++) rec.track({ type: i % 3 === 0 ? 'add_to_cart' : 'view', itemId: (nEvents > 6 ? all : ids)[(i * 37) % (nEvents > 6 ? all : ids).length]! });
  const echoWorker = new Worker(URL.createObjectURL(new Blob(['onmessage = (e) => postMessage(e.data);'], { type: 'text/javascript' })));
  const echo = (): Promise<number> => new Promise((resolve) => {
    const t = performance.now();
    echoWorker.onmessage = () => resolve(performance.now() - t);
    echoWorker.postMessage(new Float32Array(2400), []);
  });
  const rows: TraceRow[] = [];
  if (opts.settleMs) await new Promise((r) => setTimeout(r, opts.settleMs));
  const mem = (): number => ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 1e6;
  for (const strategy of ['for-you', 'similar', 'complete-the-look', 'trending'] as const) {
    for (let i = 0; i < (opts.warmup ?? 10); i++) await rec.recommend({ strategy, itemId: ids[i]!, k: 8 });
    for (let j = 0; j < opts.runs; j++) {
      runStart = runEnd = 0;
      last = { queuedMs: 0, computeMs: 0 };
      const t0 = performance.now();
      await rec.recommend({ strategy, itemId: ids[(j * 13) % ids.length]!, k: 8, filter: j % 2 ? { inStock: true } : {} });
      const t1 = performance.now();
      performance.measure(`reco ${strategy} ${j}`, { start: t0, end: t1 });
      const ran = runStart > 0;
      rows.push({ strategy, total: t1 - t0, pre: (ran ? runStart : t1) - t0, run: ran ? runEnd - runStart : 0, post: ran ? t1 - runEnd : 0, queued: last.queuedMs, compute: last.computeMs, heapMb: mem(), echo: await echo() });
    }
  }
  echoWorker.terminate();
  await rec.dispose();
  await engine.dispose();
  return rows;
}
