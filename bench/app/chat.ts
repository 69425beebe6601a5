/**
 * Bench page scenarios for chat (#21): streaming generation of the tiny GPT through
 * `engine.pipeline()` vs transformers.js called directly in a worker (time to first token,
 * tokens/s, time per token after the first), and the support assistant's time to answer.
 */
import { createAssistant, createEngine } from '../../src/index.ts';
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
  tokens: number;
}

export async function generationBench(opts: { mode: 'direct' | 'inpage'; model: string; prompt: string; tokens: number; reps: number }): Promise<GenerationBench> {
  const t0 = performance.now();
  let run: () => Promise<{ first: number; total: number; n: number }>;
  let done: () => Promise<void>;
  if (opts.mode === 'direct') {
    const w = new Worker(new URL('./tf-generation-worker.ts', import.meta.url), { type: 'module' });
    const next = (type: string, onChunk?: () => void) => new Promise<{ tokens?: number }>((resolve, reject) => {
      const off = (): void => { w.removeEventListener('message', on); w.removeEventListener('error', onError); };
      const on = (e: MessageEvent<{ type: string; tokens?: number; message?: string }>) => {
        if (e.data.type === 'chunk') onChunk?.();
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
    run = async () => {
      const s = performance.now();
      let first = 0;
      const end = next('done', () => { if (first === 0) first = performance.now() - s; });
      w.postMessage({ type: 'generate', prompt: opts.prompt, tokens: opts.tokens });
      const r = await end;
      return { first, total: performance.now() - s, n: r.tokens ?? 0 };
    };
    done = async () => { w.terminate(); };
  } else {
    const engine = await createEngine({ backend: 'wasm', threads: 1, measure: false });
    const gen = await engine.pipeline('text-generation', opts.model, { modelHost: '/hf/', dtype: 'fp32' });
    run = async () => {
      const s = performance.now();
      let first = 0;
      let n = 0;
      for await (const c of gen(opts.prompt, { max_new_tokens: opts.tokens })) { if (first === 0) first = performance.now() - s; n += c.tokens.length; }
      return { first, total: performance.now() - s, n };
    };
    done = async () => { await gen.dispose(); await engine.dispose(); };
  }
  const loadMs = performance.now() - t0;
  for (let i = 0; i < 2; i++) await run();
  const runs = [];
  for (let i = 0; i < opts.reps; i++) runs.push(await run());
  await done();
  const per = runs.map((r) => (r.total - r.first) / Math.max(1, r.n - 1));
  return {
    mode: opts.mode, loadMs, firstTokenMs: median(runs.map((r) => r.first)), totalMs: median(runs.map((r) => r.total)),
    msPerToken: median(per), tokensPerSecond: 1000 / median(per), tokens: runs[0]!.n,
  };
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
