/**
 * Scenario "256 concurrent requests, Inpage vs what a developer writes by hand" (#13): the same
 * 256 single-row requests to a 256→512→10 MLP, sent at once to Inpage (which stacks and
 * micro-batches them) and posted to a bare onnxruntime-web worker that runs them one by one in
 * arrival order (ort-direct-worker.ts). WASM, one thread each; steady state after warm-up bursts.
 */
import { createEngine, type Tensors } from '../../src/index.ts';
import { median } from './stats.ts';

const row = (width: number): Float32Array => Float32Array.from({ length: width }, () => Math.random() * 2 - 1);

export interface BareBurstResult {
  inpageMs: number;
  bareMs: number;
  /** bare / Inpage wall time for the burst. */
  ratio: number;
  meanBatchSize: number;
}

export async function bareBurst(opts: { url: string; width: number; n: number; reps: number; warmup: number }, directWorker: () => { call: (msg: object, transfer?: Transferable[]) => Promise<unknown>; terminate: () => void }): Promise<BareBurstResult> {
  const bytes = new Uint8Array(await (await fetch(opts.url)).arrayBuffer());
  const engine = await createEngine({ backend: 'wasm', measure: false, threads: 1 });
  const model = await engine.load({ bytes: bytes.slice() });
  const bare = directWorker();
  await bare.call({ type: 'load', bytes: bytes.slice() });
  const inpageBurst = async (): Promise<number> => {
    const feeds: Tensors[] = Array.from({ length: opts.n }, () => ({ x: { type: 'float32', dims: [1, opts.width], data: row(opts.width) } }));
    const t0 = performance.now();
    await Promise.all(feeds.map((f) => model.run(f)));
    return performance.now() - t0;
  };
  const bareBurstOnce = async (): Promise<number> => {
    const rows = Array.from({ length: opts.n }, () => row(opts.width));
    const t0 = performance.now();
    await Promise.all(rows.map((x) => bare.call({ type: 'run', data: x, dims: [1, opts.width] }, [x.buffer])));
    return performance.now() - t0;
  };
  for (let i = 0; i < opts.warmup; i++) { await inpageBurst(); await bareBurstOnce(); }
  const s0 = engine.stats();
  const ti: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < opts.reps; i++) { ti.push(await inpageBurst()); tb.push(await bareBurstOnce()); }
  const s1 = engine.stats();
  bare.terminate();
  await engine.dispose();
  const inpageMs = median(ti);
  const bareMs = median(tb);
  return { inpageMs, bareMs, ratio: bareMs / inpageMs, meanBatchSize: (s1.inferences - s0.inferences) / Math.max(1, s1.batches - s0.batches) };
}
