/**
 * Scenario `chat` (#21): streaming generation through `engine.pipeline('text-generation')` vs
 * transformers.js called directly in a worker, side by side in one run (the per-token overhead is
 * the difference of their ms per token after the first; target ≤ 0.2 ms), and the assistant's
 * time to answer the demo help centre's eval questions (p50/p95). WASM, one thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import { writeHfFolder } from '../tools/encoder/hf-layout.ts';
import { tinyGpt } from '../tools/gpt/fixture.ts';
import { assistantQuestions } from '../tools/eval/assistant-questions.ts';
import type { AssistantBench, GenerationBench } from './app/chat.ts';

export interface ChatBench {
  model: string;
  params: number;
  direct: GenerationBench;
  inpage: GenerationBench;
  /** Inpage − direct, ms per token after the first. */
  overheadMsPerToken: number;
  assistant: AssistantBench | string;
}

const med = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]!; };

export async function chatScenario(browser: Browser, base: string, reps: number, open: (b: Browser, base: string) => Promise<Page>): Promise<ChatBench> {
  const gpt = tinyGpt();
  await writeHfFolder(fileURLToPath(new URL(`../public/hf/${gpt.id}`, import.meta.url)), gpt.files);
  const pairs: { direct: GenerationBench; inpage: GenerationBench }[] = [];
  for (let i = 0; i < reps; i++) {
    const page = await open(browser, base);
    // Alternate the order so neither mode always runs on a warmer machine.
    const one = (mode: 'direct' | 'inpage') => page.evaluate((o) => window.bench.generationBench(o), { mode, model: gpt.id, prompt: 'A light tent', tokens: 96, reps: 5 });
    const a = await one(i % 2 === 0 ? 'direct' : 'inpage');
    const b = await one(i % 2 === 0 ? 'inpage' : 'direct');
    pairs.push(i % 2 === 0 ? { direct: a, inpage: b } : { direct: b, inpage: a });
    await page.context().close();
    process.stdout.write(`\rchat generation: ${i + 1}/${reps}   `);
  }
  process.stdout.write('\n');
  const pick = (m: 'direct' | 'inpage'): GenerationBench => {
    const runs = pairs.map((p) => p[m]);
    return { ...runs[0]!, loadMs: med(runs.map((r) => r.loadMs)), firstTokenMs: med(runs.map((r) => r.firstTokenMs)), totalMs: med(runs.map((r) => r.totalMs)), msPerToken: med(runs.map((r) => r.msPerToken)), tokensPerSecond: med(runs.map((r) => r.tokensPerSecond)) };
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
  const out = { model: gpt.id, params: gpt.params, direct, inpage, overheadMsPerToken: med(pairs.map((p) => p.inpage.msPerToken - p.direct.msPerToken)), assistant };
  const f = (x: number): string => x.toFixed(3);
  console.log(`\n| tiny GPT (${gpt.params.toLocaleString('en')} params), ${direct.tokens} tokens, WASM 1 thread | time to first token | ms/token after first | tokens/s |`);
  console.log('|---|---:|---:|---:|');
  console.log(`| transformers.js directly in a worker | ${f(direct.firstTokenMs)} ms | ${f(direct.msPerToken)} | ${direct.tokensPerSecond.toFixed(0)} |`);
  console.log(`| engine.pipeline('text-generation') streamed | ${f(inpage.firstTokenMs)} ms | ${f(inpage.msPerToken)} | ${inpage.tokensPerSecond.toFixed(0)} |`);
  console.log(`streaming overhead per token (median of paired differences): ${f(out.overheadMsPerToken)} ms (target ≤ 0.2 ms)`);
  if (typeof assistant !== 'string') console.log(`assistant: ${assistant.questions} questions, answer p50 ${f(assistant.p50)} ms, p95 ${f(assistant.p95)} ms; ready (engine + package + encoder + first answer) ${assistant.readyMs.toFixed(0)} ms`);
  return out;
}
