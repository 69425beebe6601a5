/**
 * The assistant eval (`inpage eval`): paraphrased shopper questions (assistant-questions.ts) over
 * the help centre's passages. For keyword search, the encoder and the hybrid, Recall@1 and MRR of
 * the passage that answers each in-scope test question; and for the hybrid with its abstention
 * rule, how often it says "I don't know" to out-of-scope questions (and, the price of that, to
 * in-scope ones). Retrieval settings are chosen on the validation questions only; the encoder
 * never sees any question (it is trained on the pages alone). Runs the page's own retrieval code
 * (src/assistant/retrieve.ts) with the JS reference of the shipped (q8) encoder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KnowledgeDoc, RetrievalSettings } from '../../src/assistant/knowledge.ts';
import { KnowledgeIndex, type RetrievalMethod } from '../../src/assistant/retrieve.ts';
import { referenceEncoder } from '../encoder/reference.ts';
import { writeHelpPages } from '../help/help-centre.ts';
import { DEFAULT_RETRIEVAL, fitPassageEncoder } from '../knowledge/build.ts';
import { readPages } from '../knowledge/pages.ts';
import { assistantQuestions, type AssistantQuestion } from './assistant-questions.ts';

/** Ranking quality of one method on in-scope questions. */
export interface RankMetrics { questions: number; recallAt1: number; mrr: number }

/** The report. */
export interface AssistantEvalReport {
  passages: number;
  questions: { validation: number; test: number; outOfScopeTest: number };
  methods: Record<RetrievalMethod, RankMetrics>;
  /** Hybrid with the abstention rule, on the test split. */
  abstention: { outOfScope: number; inScope: number; answeredCorrectly: number };
  settings: RetrievalSettings;
  /** The same on the validation split (where the settings were chosen), for reference. */
  validation: { hybrid: RankMetrics; abstention: { outOfScope: number; inScope: number } };
}

/** Recall@1 and MRR of `method` over in-scope questions. */
function rankMetrics(index: KnowledgeIndex, docs: readonly KnowledgeDoc[], qs: readonly AssistantQuestion[], vec: (t: string) => Float32Array | undefined, method: RetrievalMethod): RankMetrics {
  let r1 = 0;
  let rr = 0;
  const inScope = qs.filter((q) => q.passage !== null);
  for (const q of inScope) {
    const ranked = index.rank(q.text, vec(q.text), method);
    const at = ranked.findIndex((h) => docs[h.index]!.id === q.passage);
    if (at === 0) r1++;
    if (at >= 0) rr += 1 / (at + 1);
  }
  return { questions: inScope.length, recallAt1: r1 / inScope.length, mrr: rr / inScope.length };
}

function abstention(index: KnowledgeIndex, docs: readonly KnowledgeDoc[], qs: readonly AssistantQuestion[], vec: (t: string) => Float32Array | undefined): { outOfScope: number; inScope: number; answeredCorrectly: number } {
  let oos = 0; let oosN = 0; let ins = 0; let insN = 0; let right = 0;
  for (const q of qs) {
    const r = index.retrieve(q.text, vec(q.text));
    if (q.passage === null) { oosN++; if (r.abstain) oos++; continue; }
    insN++;
    if (r.abstain) ins++;
    else if (docs[r.ranked[0]!.index]!.id === q.passage) right++;
  }
  return { outOfScope: oos / Math.max(1, oosN), inScope: ins / Math.max(1, insN), answeredCorrectly: right / Math.max(1, insN) };
}

/**
 * Runs the eval on the help pages in `pagesDir` (default: the demo help centre, generated).
 *
 * @example const report = await runAssistantEval();
 */
export async function runAssistantEval(opts: { pagesDir?: string; log?: (line: string) => void } = {}): Promise<AssistantEvalReport> {
  const log = opts.log ?? (() => {});
  let tmp: string | undefined;
  let dir = opts.pagesDir;
  if (dir === undefined) {
    tmp = await mkdtemp(join(tmpdir(), 'inpage-help-'));
    dir = tmp;
    await writeHelpPages(dir);
  }
  try {
    const passages = await readPages(dir, '/help/{page}');
    const t0 = performance.now();
    const fit = fitPassageEncoder(passages);
    log(`assistant eval: encoder trained on ${passages.length} passages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const enc = referenceEncoder(fit.weights, { quantized: true });
    const cache = new Map<string, Float32Array | undefined>();
    const vec = (t: string): Float32Array | undefined => {
      if (!cache.has(t)) {
        const v = enc.encode(t);
        cache.set(t, v.some((x) => x !== 0) ? v : undefined);
      }
      return cache.get(t);
    };
    const qs = assistantQuestions();
    const known = new Set(passages.map((p) => p.id));
    const missing = qs.filter((q) => q.passage !== null && !known.has(q.passage));
    if (missing.length > 0) throw new Error(`assistant eval: questions name sections the pages lack: ${[...new Set(missing.map((q) => q.passage))].join(', ')}`);
    const val = qs.filter((q) => q.split === 'validation');
    const test = qs.filter((q) => q.split === 'test');
    const make = (s: RetrievalSettings): KnowledgeIndex => new KnowledgeIndex(passages, fit.targets, fit.weights.dim, s);
    // Fusion on validation MRR, then the abstention thresholds on validation accuracy.
    let best = { ...DEFAULT_RETRIEVAL };
    let bestMrr = -1;
    for (const rrfK of [1, 5, 10, 30, 60]) {
      for (const encoderWeight of [0.25, 0.5, 1, 2, 4]) {
        const s = { ...DEFAULT_RETRIEVAL, rrfK, encoderWeight };
        const m = rankMetrics(make(s), passages, val, vec, 'hybrid').mrr;
        if (m > bestMrr + 1e-12) { bestMrr = m; best = s; }
      }
    }
    let bestAcc = -1;
    let tuned = best;
    for (const minCosine of [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.01]) {
      for (const minCoverage of [0.34, 0.5, 0.67, 0.75, 1, 1.01]) {
        const s = { ...best, minCosine, minCoverage };
        const a = abstention(make(s), passages, val, vec);
        const nIn = val.filter((q) => q.passage !== null).length;
        const nOut = val.length - nIn;
        const acc = (a.answeredCorrectly * nIn + a.outOfScope * nOut) / val.length;
        if (acc > bestAcc + 1e-12) { bestAcc = acc; tuned = s; }
      }
    }
    const index = make(tuned);
    const methods = Object.fromEntries((['keyword', 'encoder', 'hybrid'] as const).map((m) => [m, rankMetrics(index, passages, test, vec, m)])) as Record<RetrievalMethod, RankMetrics>;
    const va = abstention(index, passages, val, vec);
    return {
      passages: passages.length,
      questions: { validation: val.length, test: test.filter((q) => q.passage !== null).length, outOfScopeTest: test.filter((q) => q.passage === null).length },
      methods,
      abstention: abstention(index, passages, test, vec),
      settings: tuned,
      validation: { hybrid: rankMetrics(index, passages, val, vec, 'hybrid'), abstention: { outOfScope: va.outOfScope, inScope: va.inScope } },
    };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

/** The report as a markdown table. */
export function assistantMarkdown(r: AssistantEvalReport): string {
  const f = (x: number): string => x.toFixed(3);
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  return [
    `Assistant retrieval: ${r.passages} help passages; test split ${r.questions.test} in-scope and ${r.questions.outOfScopeTest} out-of-scope questions (settings chosen on ${r.questions.validation} validation questions).`,
    '',
    '| method | Recall@1 | MRR |',
    '|---|---:|---:|',
    `| keyword (MiniSearch BM25+, stemmed) | ${f(r.methods.keyword.recallAt1)} | ${f(r.methods.keyword.mrr)} |`,
    `| encoder (passage encoder, q8) | ${f(r.methods.encoder.recallAt1)} | ${f(r.methods.encoder.mrr)} |`,
    `| hybrid (RRF k=${r.settings.rrfK}, encoder weight ${r.settings.encoderWeight}) | ${f(r.methods.hybrid.recallAt1)} | ${f(r.methods.hybrid.mrr)} |`,
    '',
    `Abstention (hybrid; answer when cosine ≥ ${r.settings.minCosine} or term coverage ≥ ${r.settings.minCoverage}): ${pct(r.abstention.outOfScope)} of out-of-scope questions get "I don't know"; ${pct(r.abstention.inScope)} of in-scope questions do too; ${pct(r.abstention.answeredCorrectly)} of in-scope questions are answered with the right passage.`,
  ].join('\n');
}
