/**
 * `inpage eval`: split the log by time, train on the past (or load a packaged model), and compare
 * popularity, item-kNN and the model on the future. Produces a markdown table and a JSON report.
 */
import { readCatalog } from '../train/catalog.ts';
import { DEFAULT_MODEL_OPTIONS, fitModel, type ModelOptions } from '../train/model.ts';
import { readEvents } from '../train/read-events.ts';
import { buildSessions } from '../train/sessions.ts';
import { evaluate, timeSplit } from './evaluate.ts';
import { loadPackage } from './load-model.ts';
import type { Metrics } from './metrics.ts';
import { itemKnnScorer, modelScorer, popularityScorer } from './scorers.ts';

/** Options of {@link runEval}. */
export interface EvalRunOptions {
  catalog: string;
  events: string;
  /** Evaluate this packaged model instead of training one on the training period. */
  modelDir?: string;
  /** Share of the time span held out as the test period. Default 0.1. */
  testShare?: number;
  k?: number;
  model?: Partial<ModelOptions>;
  log?: (line: string) => void;
}

/** The JSON report. */
export interface EvalReport {
  split: { testShare: number; cut: string; trainSessions: number; testSessions: number };
  k: number;
  methods: Record<string, Metrics>;
  /** NDCG@k of the model divided by each baseline's. */
  ratios: { ndcgVsPopularity: number; ndcgVsItemKnn: number };
  /** The target: NDCG@10 ≥ 2× popularity and ≥ item-kNN. */
  targetMet: boolean;
  model: { source: 'trained on the training period' | string; options?: ModelOptions; fitSeconds?: number };
  warnings: string[];
}

/**
 * Runs the evaluation.
 *
 * @example const report = await runEval({ catalog: 'shop/catalog.json', events: 'shop/events.csv' });
 */
export async function runEval(opts: EvalRunOptions): Promise<EvalReport> {
  const log = opts.log ?? (() => {});
  const testShare = opts.testShare ?? 0.1;
  const k = opts.k ?? 10;
  const warnings: string[] = [];
  const pkg = opts.modelDir === undefined ? undefined : await loadPackage(opts.modelDir);
  const catalog = await readCatalog(opts.catalog);
  // A packaged model fixes the item order; otherwise the catalogue does.
  const index = pkg === undefined ? catalog.index : new Map(pkg.items.ids.map((id, i) => [id, i]));
  const N = pkg === undefined ? catalog.ids.length : pkg.items.ids.length;
  const events = await readEvents(opts.events, index);
  if (events.stats.unknownItems > 0) warnings.push(`${events.stats.unknownItems} events name items the ${pkg ? 'model' : 'catalogue'} does not know; skipped`);
  const { train, test, cut } = timeSplit(buildSessions(events), testShare);
  log(`split at ${new Date(cut).toISOString()}: ${train.count} training sessions, ${test.count} test sessions`);

  let modelInfo: EvalReport['model'];
  let scorerWeights;
  let weighting = DEFAULT_MODEL_OPTIONS.weighting;
  let maxHistory = DEFAULT_MODEL_OPTIONS.maxHistory;
  if (pkg !== undefined) {
    scorerWeights = pkg.weights;
    weighting = pkg.manifest.weighting;
    maxHistory = pkg.manifest.dims.history;
    modelInfo = { source: `package ${opts.modelDir}` };
    const until = pkg.manifest.training?.['until'];
    if (typeof until === 'string' && Date.parse(until) >= cut) {
      warnings.push(`the package was trained on events up to ${until}, after the split at ${new Date(cut).toISOString()}: its numbers are optimistic (it has seen the test period)`);
    }
  } else {
    const options: ModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...opts.model };
    const t0 = performance.now();
    scorerWeights = fitModel(train, catalog, options).weights;
    const fitSeconds = (performance.now() - t0) / 1000;
    log(`trained on the training period in ${fitSeconds.toFixed(1)} s`);
    weighting = options.weighting;
    maxHistory = options.maxHistory;
    modelInfo = { source: 'trained on the training period', options, fitSeconds };
  }
  const methods = evaluate(test, [popularityScorer(train, N), itemKnnScorer(train, N), modelScorer(scorerWeights)], { items: N, weighting, maxHistory, k });
  const pop = methods['popularity']?.ndcg ?? 0;
  const knn = methods['item-kNN']?.ndcg ?? 0;
  const mod = methods['model']?.ndcg ?? 0;
  const ratios = { ndcgVsPopularity: pop > 0 ? mod / pop : Infinity, ndcgVsItemKnn: knn > 0 ? mod / knn : Infinity };
  return {
    split: { testShare, cut: new Date(cut).toISOString(), trainSessions: train.count, testSessions: test.count },
    k,
    methods,
    ratios,
    targetMet: ratios.ndcgVsPopularity >= 2 && ratios.ndcgVsItemKnn >= 1,
    model: modelInfo,
    warnings,
  };
}

/** The report as a markdown table plus a one-line verdict. */
export function markdownReport(r: EvalReport): string {
  const f = (x: number): string => x.toFixed(4);
  const rows = Object.entries(r.methods).map(
    ([name, m]) => `| ${name} | ${f(m.hitRate)} | ${f(m.ndcg)} | ${f(m.mrr)} | ${(100 * m.coverage).toFixed(1)}% |`,
  );
  const queries = Object.values(r.methods)[0]?.queries ?? 0;
  return [
    `Time split at ${r.split.cut}: ${r.split.trainSessions} training sessions, ${r.split.testSessions} test sessions, ${queries} next-item queries.`,
    '',
    `| method | HitRate@${r.k} | NDCG@${r.k} | MRR | coverage |`,
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Model NDCG@${r.k}: ${r.ratios.ndcgVsPopularity.toFixed(2)}× popularity, ${r.ratios.ndcgVsItemKnn.toFixed(2)}× item-kNN — target (≥ 2× and ≥ 1×) ${r.targetMet ? 'met' : 'NOT met'}.`,
    ...r.warnings.map((w) => `Warning: ${w}`),
  ].join('\n');
}
