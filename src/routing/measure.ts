/**
 * Measured backend choice. For small models WASM often beats WebGPU (dispatch and readback
 * cost more than the maths), and software adapters are slower still; transformers.js and
 * WebLLM choose statically. We time the actual model on both, interleaved so a noisy neighbour
 * hurts both sides alike, and keep the faster.
 */
import type { SessionHandle } from '../backends/types.ts';
import type { Lane } from '../scheduling/executor.ts';
import type { Tensors } from '../tensor.ts';
import type { BackendMeasurement, BackendName } from '../types.ts';

export type { BackendMeasurement };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Options of `measureSessions`. */
export interface MeasureOptions {
  /** Time budget for the timed runs of the slower backend. Default 150 ms. */
  budgetMs?: number;
  minRuns?: number;
  maxRuns?: number;
  /** Executor lane of the measurement runs (the load's). Default 'run'. */
  lane?: Lane;
}

/**
 * Time `a` and `b` on the same feeds: one warm-up each, a calibration run each, then N
 * interleaved timed runs with N chosen so the slower side stays within the budget.
 */
export async function measureSessions(a: SessionHandle, b: SessionHandle, feeds: () => Tensors, opts: MeasureOptions = {}): Promise<{ medians: Record<string, number>; runs: number }> {
  const time = async (s: SessionHandle): Promise<number> => {
    const f = feeds();
    // The session times the run itself when it can (inside its executor turn): runs of other
    // models may slip in between measurement runs, and their time is not this model's.
    const timing = { ms: Number.NaN };
    const t0 = performance.now();
    await s.run(f, opts.lane, timing);
    return Number.isNaN(timing.ms) ? performance.now() - t0 : timing.ms;
  };
  await time(a); await time(b); // warm-up: shader compilation, kernel selection
  const calib = Math.max(await time(a), await time(b), 0.01);
  const runs = Math.max(opts.minRuns ?? 5, Math.min(opts.maxRuns ?? 40, Math.floor((opts.budgetMs ?? 150) / calib)));
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first so neither always runs on a warmer cache.
    if (i % 2 === 0) { ta.push(await time(a)); tb.push(await time(b)); } else { tb.push(await time(b)); ta.push(await time(a)); }
  }
  return { medians: { [a.backend]: median(ta), [b.backend]: median(tb) }, runs };
}

/** The faster backend of a measurement; ties (within 5 %) go to `prefer`. */
export function pickFaster(medians: Partial<Record<BackendName, number>>, prefer: BackendName): BackendName {
  const entries = Object.entries(medians) as [BackendName, number][];
  if (entries.length === 0) return prefer;
  const best = entries.reduce((x, y) => (y[1] < x[1] ? y : x));
  const preferred = medians[prefer];
  return preferred !== undefined && preferred <= best[1] * 1.05 ? prefer : best[0];
}

/** Storage key of a verdict: it holds for this model, this adapter and this thread count. */
export function verdictKey(sha256: string, adapter: { vendor: string; architecture: string; description: string } | undefined, threads: number): string {
  const a = adapter ? `${adapter.vendor}/${adapter.architecture}/${adapter.description}` : 'no-adapter';
  return `${sha256}|${a}|t${threads}`;
}
