/**
 * Bench page scenarios for chat (#21): streaming generation of the tiny GPT through
 * `engine.pipeline()` vs transformers.js called directly in a worker (time to first token,
 * tokens/s, time per token after the first), and the support assistant's time to answer.
 */
import { createAssistant, createEngine } from '../../src/index.ts';
import { GENERATION_MARKS } from './marks.ts';
import { median, quantile } from './stats.ts';

export interface GenerationBench {
  mode: 'direct' | 'inpage';
  loadMs: number;
  /** Medians over `reps` generations of `tokens` tokens. */
  firstTokenMs: number;
  totalMs: number;
  /** Decode speed after the first token, and its inverse. */
  tokensPerSecond: number;
  msPerToken: number;
  /** Median over generations of the median time between two consecutive chunks. */
  gapMs: number;
  /** From the last chunk to the end of the call (the reply, the result). */
  endMs: number;
  tokens: number;
}

/** Both modes in one page, their generations interleaved (see {@link generationPair}). */
export interface GenerationPair {
  direct: GenerationBench;
  inpage: GenerationBench;
  /** Per interleaved pair: inpage − direct ms per token after the first (mean over the generation). */
  diffs: number[];
  /** Per interleaved pair: inpage − direct median gap between chunks. */
  gapDiffs: number[];
}

/**
 * One generation: time to the first chunk, to the last, tokens received, and the median gap
 * between consecutive chunks (robust to the few gaps where this shared machine descheduled a thread).
 */
interface RunTimes { first: number; last: number; total: number; n: number; gap: number }
type Run = () => Promise<RunTimes>;

/** Collects chunk arrival times of one generation. */
function clock(): { chunk(tokens: number): void; end(): RunTimes } {
  const s = performance.now();
  const at: number[] = [];
  let n = 0;
  return {
    chunk: (tokens) => { at.push(performance.now()); n += tokens; },
    end: () => {
      const gaps = at.slice(1).map((t, i) => t - at[i]!);
      return { first: (at[0] ?? s) - s, last: (at.at(-1) ?? s) - s, total: performance.now() - s, n, gap: median(gaps) };
    },
  };
}

/** A loaded generator of one mode. */
interface Generator { mode: 'direct' | 'inpage'; loadMs: number; run: Run; done(): Promise<void> }

async function openGenerator(mode: 'direct' | 'inpage', opts: { model: string; prompt: string; tokens: number }): Promise<Generator> {
  const t0 = performance.now();
  if (mode === 'direct') {
    const w = new Worker(new URL('./tf-generation-worker.ts', import.meta.url), { type: 'module' });
    const next = (type: string, onChunk?: (tokens: number) => void) => new Promise<{ tokens?: number | number[] }>((resolve, reject) => {
      const off = (): void => { w.removeEventListener('message', on); w.removeEventListener('error', onError); };
      const on = (e: MessageEvent<{ type: string; tokens?: number | number[]; message?: string }>) => {
        if (e.data.type === 'chunk') onChunk?.(Array.isArray(e.data.tokens) ? e.data.tokens.length : 0);
        if (e.data.type === 'error') { off(); reject(new Error(`direct transformers.js worker: ${e.data.message ?? ''}`)); }
        if (e.data.type === type) { off(); resolve(e.data); }
      };
      const onError = (e: ErrorEvent): void => { off(); reject(new Error(`direct transformers.js worker failed to start: ${e.message}`)); };
      w.addEventListener('message', on);
      w.addEventListener('error', onError);
    });
    const loaded = next('loaded');
    w.postMessage({ type: 'load', model: opts.model, host: `${location.origin}/hf/` });
    await loaded;
    return {
      mode, loadMs: performance.now() - t0,
      run: async () => {
        const c = clock();
        const end = next('done', (n) => c.chunk(n));
        w.postMessage({ type: 'generate', prompt: opts.prompt, tokens: opts.tokens });
        await end;
        return c.end();
      },
      done: async () => { w.terminate(); },
    };
  }
  const engine = await createEngine({ backend: 'wasm', threads: 1, measure: false });
  const gen = await engine.pipeline('text-generation', opts.model, { modelHost: '/hf/', dtype: 'fp32' });
  return {
    mode, loadMs: performance.now() - t0,
    run: async () => {
      const c = clock();
      for await (const chunk of gen(opts.prompt, { max_new_tokens: opts.tokens })) c.chunk(chunk.tokens.length);
      return c.end();
    },
    done: async () => { await gen.dispose(); await engine.dispose(); },
  };
}

/** ms per token after the first (mean over the generation, first chunk to last). */
const perToken = (r: RunTimes): number => (r.last - r.first) / Math.max(1, r.n - 1);

function summary(g: Generator, runs: RunTimes[]): GenerationBench {
  const per = runs.map(perToken);
  return {
    mode: g.mode, loadMs: g.loadMs, firstTokenMs: median(runs.map((r) => r.first)), totalMs: median(runs.map((r) => r.total)),
    msPerToken: median(per), tokensPerSecond: 1000 / median(per), gapMs: median(runs.map((r) => r.gap)), endMs: median(runs.map((r) => r.total - r.last)), tokens: runs[0]!.n,
  };
}

/**
 * Streaming generation both ways in one page: transformers.js directly in a worker, and
 * `engine.pipeline('text-generation')`. Both are loaded and warmed first; then their generations
 * alternate (direct, inpage, inpage, direct, …), so each pair ran seconds apart on the same
 * machine load, and the per-pair difference is what the engine adds.
 */
export async function generationPair(opts: { model: string; prompt: string; tokens: number; reps: number; warmup?: number }): Promise<GenerationPair> {
  const direct = await openGenerator('direct', opts);
  const inpage = await openGenerator('inpage', opts);
  try {
    for (let i = 0; i < (opts.warmup ?? 3); i++) { await direct.run(); await inpage.run(); }
    const d: RunTimes[] = [];
    const p: RunTimes[] = [];
    performance.mark(GENERATION_MARKS.start);
    for (let i = 0; i < opts.reps; i++) {
      if (i % 2 === 0) { d.push(await direct.run()); p.push(await inpage.run()); } else { p.push(await inpage.run()); d.push(await direct.run()); }
    }
    performance.mark(GENERATION_MARKS.end);
    return { direct: summary(direct, d), inpage: summary(inpage, p), diffs: p.map((r, i) => perToken(r) - perToken(d[i]!)), gapDiffs: p.map((r, i) => r.gap - d[i]!.gap) };
  } finally {
    await direct.done();
    await inpage.done();
  }
}

export interface AssistantBench { readyMs: number; questions: number; p50: number; p95: number; unknown: number }

export async function assistantBench(opts: { knowledgeUrl: string; questions: string[]; reps: number }): Promise<AssistantBench> {
  const t0 = performance.now();
  const engine = await createEngine({ backend: 'wasm', threads: 1, measure: false });
  const assistant = await createAssistant({ engine, knowledgeUrl: opts.knowledgeUrl });
  await assistant.ask(opts.questions[0]!);
  const readyMs = performance.now() - t0;
  const times: number[] = [];
  let unknown = 0;
  for (let r = 0; r < opts.reps; r++) {
    for (const q of opts.questions) {
      const s = performance.now();
      const a = await assistant.ask(q);
      times.push(performance.now() - s);
      if (r === 0 && a.kind === 'unknown') unknown++;
    }
  }
  await assistant.dispose();
  await engine.dispose();
  return { readyMs, questions: opts.questions.length, p50: quantile(times, 0.5), p95: quantile(times, 0.95), unknown };
}
