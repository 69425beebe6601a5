/**
 * Scenario `chat` (#21): streaming generation through `engine.pipeline('text-generation')` vs
 * transformers.js called directly in a worker, their generations interleaved in one page (the
 * per-token overhead is the paired difference; target ≤ 0.2 ms), and the assistant's time to
 * answer the demo help centre's eval questions (p50/p95). WASM, one thread, cross-origin
 * isolated pages (5 µs timers).
 *
 * The overhead is given three ways, because on a shared machine wall time per token measures the
 * scheduler too: the mean ms per token (wall clock), the median gap between two tokens (wall
 * clock, immune to the few long gaps where a thread waited for a core), and each worker thread's
 * time on a core per token, from a Chrome trace (immune to waiting altogether).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import { writeHfFolder } from '../tools/encoder/hf-layout.ts';
import { tinyGpt } from '../tools/gpt/fixture.ts';
import { assistantQuestions } from '../tools/eval/assistant-questions.ts';
import type { AssistantBench, GenerationBench, GenerationPair } from './app/chat.ts';
import { GENERATION_MARKS } from './app/marks.ts';
import { THREAD_CPU_CATEGORIES, workerCpuMs } from './thread-cpu.ts';

export interface ChatBench {
  model: string;
  params: number;
  direct: GenerationBench;
  inpage: GenerationBench;
  /** How many interleaved pairs of generations, over all pages. */
  pairs: number;
  /** Inpage − direct wall-clock ms per token after the first (mean over a generation): median over all pairs. */
  overheadMsPerToken: number;
  /** The same median within each page (the spread between pages). */
  overheadPerPage: number[];
  /** Inpage − direct median gap between consecutive tokens: median over all pairs, and within each page. */
  gapOverheadMs: number;
  gapOverheadPerPage: number[];
  /** Time on a core of each worker thread per token (µs; median over pages), and inpage − direct. */
  cpuUsPerToken: { direct: number; inpage: number };
  cpuOverheadUsPerToken: number;
  cpuOverheadPerPage: number[];
  assistant: AssistantBench | string;
}

/** Generations of each mode per page, interleaved. */
const PAIRS = 10;

const med = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]!; };

export async function chatScenario(browser: Browser, base: string, reps: number, open: (b: Browser, base: string) => Promise<Page>): Promise<ChatBench> {
  const gpt = tinyGpt();
  await writeHfFolder(fileURLToPath(new URL(`../public/hf/${gpt.id}`, import.meta.url)), gpt.files);
  const pages: GenerationPair[] = [];
  const cpu: { direct: number; inpage: number }[] = [];
  for (let i = 0; i < reps; i++) {
    const page = await open(browser, base);
    await browser.startTracing(page, { categories: THREAD_CPU_CATEGORIES });
    const pair = await page.evaluate((o) => window.bench.generationPair(o), { model: gpt.id, prompt: 'A light tent', tokens: 96, reps: PAIRS });
    const ms = workerCpuMs(await browser.stopTracing(), GENERATION_MARKS.start, GENERATION_MARKS.end, { direct: /tf-generation-worker/, inpage: /\/entry-[^/]*\.js$/ });
    const tokens = PAIRS * pair.direct.tokens;
    pages.push(pair);
    cpu.push({ direct: (ms.direct * 1000) / tokens, inpage: (ms.inpage * 1000) / tokens });
    await page.context().close();
    process.stdout.write(`\rchat generation: ${i + 1}/${reps}   `);
  }
  process.stdout.write('\n');
  const pick = (m: 'direct' | 'inpage'): GenerationBench => {
    const runs = pages.map((p) => p[m]);
    return {
      ...runs[0]!, loadMs: med(runs.map((r) => r.loadMs)), firstTokenMs: med(runs.map((r) => r.firstTokenMs)), totalMs: med(runs.map((r) => r.totalMs)),
      msPerToken: med(runs.map((r) => r.msPerToken)), tokensPerSecond: med(runs.map((r) => r.tokensPerSecond)), gapMs: med(runs.map((r) => r.gapMs)), endMs: med(runs.map((r) => r.endMs)),
    };
  };
  let assistant: ChatBench['assistant'] = 'no knowledge package: run `npm run assets` first';
  if (existsSync(fileURLToPath(new URL('../public/knowledge/knowledge.json', import.meta.url)))) {
    const questions = assistantQuestions().map((q) => q.text);
    const runs: AssistantBench[] = [];
    for (let i = 0; i < reps; i++) {
      const page = await open(browser, base);
      runs.push(await page.evaluate((o) => window.bench.assistantBench(o), { knowledgeUrl: 'knowledge/knowledge.json', questions, reps: 3 }));
      await page.context().close();
      process.stdout.write(`\rassistant: ${i + 1}/${reps}   `);
    }
    process.stdout.write('\n');
    assistant = { ...runs[0]!, readyMs: med(runs.map((r) => r.readyMs)), p50: med(runs.map((r) => r.p50)), p95: med(runs.map((r) => r.p95)) };
  }
  const direct = pick('direct');
  const inpage = pick('inpage');
  const out: ChatBench = {
    model: gpt.id, params: gpt.params, direct, inpage, pairs: pages.reduce((a, p) => a + p.diffs.length, 0),
    overheadMsPerToken: med(pages.flatMap((p) => p.diffs)), overheadPerPage: pages.map((p) => med(p.diffs)),
    gapOverheadMs: med(pages.flatMap((p) => p.gapDiffs)), gapOverheadPerPage: pages.map((p) => med(p.gapDiffs)),
    cpuUsPerToken: { direct: med(cpu.map((c) => c.direct)), inpage: med(cpu.map((c) => c.inpage)) },
    cpuOverheadUsPerToken: med(cpu.map((c) => c.inpage - c.direct)), cpuOverheadPerPage: cpu.map((c) => c.inpage - c.direct),
    assistant,
  };
  const f = (x: number): string => x.toFixed(3);
  const us = (x: number): string => x.toFixed(0);
  console.log(`\n| tiny GPT (${gpt.params.toLocaleString('en')} params), ${direct.tokens} tokens, WASM 1 thread | time to first token (ms) | ms/token after the first (mean) | median gap between tokens (ms) | worker CPU per token (µs) | tokens/s |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(`| transformers.js directly in a worker | ${f(direct.firstTokenMs)} | ${f(direct.msPerToken)} | ${f(direct.gapMs)} | ${us(out.cpuUsPerToken.direct)} | ${direct.tokensPerSecond.toFixed(0)} |`);
  console.log(`| engine.pipeline('text-generation') streamed | ${f(inpage.firstTokenMs)} | ${f(inpage.msPerToken)} | ${f(inpage.gapMs)} | ${us(out.cpuUsPerToken.inpage)} | ${inpage.tokensPerSecond.toFixed(0)} |`);
  console.log(`engine − direct per token, median of ${out.pairs} interleaved pairs (target ≤ 0.2 ms): mean ms/token ${f(out.overheadMsPerToken)} ms (per page ${out.overheadPerPage.map(f).join(', ')}); median gap ${f(out.gapOverheadMs)} ms (per page ${out.gapOverheadPerPage.map(f).join(', ')}); worker CPU ${us(out.cpuOverheadUsPerToken)} µs (per page ${out.cpuOverheadPerPage.map(us).join(', ')})`);
  if (typeof assistant !== 'string') console.log(`assistant: ${assistant.questions} questions, answer p50 ${f(assistant.p50)} ms, p95 ${f(assistant.p95)} ms; ready (engine + package + encoder + first answer) ${assistant.readyMs.toFixed(0)} ms`);
  return out;
}
