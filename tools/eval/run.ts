/**
 * `inpage eval`: for each protocol (protocols.ts) split the log, train the model on the training
 * part exactly as `inpage train` does at its defaults (validation inside), tune the baselines on
 * the same validation split, and compare everything on the test queries: HitRate@10, NDCG@10,
 * MRR, coverage. Produces markdown tables and a JSON report.
 */
import { readCatalog } from '../train/catalog.ts';
import { DEFAULT_MODEL_OPTIONS, type ModelOptions } from '../train/model.ts';
import { readEvents } from '../train/read-events.ts';
import type { Choice } from '../train/select.ts';
import { validationHoldout } from '../train/select.ts';
import { buildSessions } from '../train/sessions.ts';
import { buildItemsFile, fitWithValidation, packageFiles, type TrainOptions } from '../train/train.ts';
import { evaluate, type Scorer } from './evaluate.ts';
import { loadPackage, weightsFromOnnx, type LoadedPackage } from './load-model.ts';
import type { Metrics } from './metrics.ts';
import { leaveLastOutSplit, PROTOCOLS, timeSplit, type Protocol, type TestSplit } from './protocols.ts';
import { modelScorer } from './scorers.ts';
import { tunedBaselines } from './tune.ts';

/** The bar: the model's NDCG@10 at least this many times the best baseline's. */
export const TARGET_RATIO = 1.1;

/** Options of {@link runEval}. */
export interface EvalRunOptions {
  catalog: string;
  events: string;
  /** Evaluate this packaged model instead of training one on each training part. */
  modelDir?: string;
  /** Default both. */
  protocols?: readonly Protocol[];
  /** Time protocol: share of the time span held out as the test period. Default 0.1. */
  testShare?: number;
  k?: number;
  /** Trainer options (default: `inpage train`'s defaults). */
  model?: Partial<ModelOptions>;
  /** Trainer validation (default: on, as in `inpage train`). */
  validation?: TrainOptions['validation'];
  log?: (line: string) => void;
  /** Keep every method's top-k lists per query in the report (for the runtime comparison test). */
  keepLists?: boolean;
}

/** One protocol's results. */
export interface ProtocolReport {
  protocol: Protocol;
  description: string;
  trainEvents: number;
  queries: number;
  methods: Record<string, Metrics>;
  /** Baseline settings chosen on validation, with their validation NDCG@10. */
  tuned: Record<string, { settings: unknown; validationNdcg: number }>;
  model: { source: string; options?: ModelOptions; epochs?: number; choices?: Choice[]; validationNdcg?: number; fitSeconds?: number };
  bestBaseline: { name: string; ndcg: number };
  /** Model NDCG@k ÷ best baseline NDCG@k. */
  ratio: number;
  targetMet: boolean;
  /** Present with `keepLists`: the split and each method's lists. */
  lists?: { split: TestSplit; byMethod: Record<string, number[][]> };
}

/** The JSON report. */
export interface EvalReport {
  dataset: { catalog: string; events: string; items: number; events_: number; sessions: number; users: number };
  k: number;
  protocols: ProtocolReport[];
  targetMet: boolean;
  warnings: string[];
}

async function modelFor(split: TestSplit, opts: EvalRunOptions, catalog: Awaited<ReturnType<typeof readCatalog>>, pkg: LoadedPackage | undefined, say: (l: string) => void): Promise<{ scorer: Scorer; info: ProtocolReport['model'] }> {
  if (pkg !== undefined) {
    return { scorer: modelScorer(pkg.weights, pkg.manifest), info: { source: `package ${opts.modelDir}` } };
  }
  const t0 = performance.now();
  const base: ModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...opts.model };
  const { fit, selection, options } = fitWithValidation(split.train, buildSessions(split.train), catalog, base, opts.validation ?? true, (l) => say(`  ${l}`));
  const fitSeconds = (performance.now() - t0) / 1000;
  say(`  model trained on the training part in ${fitSeconds.toFixed(1)} s`);
  // Score the package's bytes read back, as the page would load them.
  const files = packageFiles(fit, buildItemsFile(catalog, buildSessions(split.train), options, 7), options, 10, {});
  const weights = weightsFromOnnx(files.onnx, fit.items, fit.dim);
  return {
    scorer: modelScorer(weights, files.manifest),
    info: {
      source: 'trained on the training part by the trainer at its defaults',
      options,
      epochs: fit.epochLoss.length,
      fitSeconds,
      ...(selection === undefined ? {} : { choices: selection.choices, validationNdcg: selection.validation.ndcg }),
    },
  };
}

/**
 * Runs the evaluation.
 *
 * @example const report = await runEval({ catalog: 'shop/catalog.json', events: 'shop/events.csv' });
 */
export async function runEval(opts: EvalRunOptions): Promise<EvalReport> {
  const say = opts.log ?? (() => {});
  const k = opts.k ?? 10;
  const warnings: string[] = [];
  const pkg = opts.modelDir === undefined ? undefined : await loadPackage(opts.modelDir);
  const catalog = await readCatalog(opts.catalog);
  // A packaged model fixes the item order; otherwise the catalogue does.
  const index = pkg === undefined ? catalog.index : new Map(pkg.items.ids.map((id, i) => [id, i]));
  const N = pkg === undefined ? catalog.ids.length : pkg.items.ids.length;
  const inStock = pkg === undefined ? Uint8Array.from(catalog.inStock, (s) => (s ? 1 : 0)) : Uint8Array.from(pkg.items.inStock);
  const log = await readEvents(opts.events, index);
  if (log.stats.unknownItems > 0) warnings.push(`${log.stats.unknownItems} events name items the ${pkg ? 'model' : 'catalogue'} does not know; skipped`);
  if (log.users === log.sessions) warnings.push('the events have no user_id column: each session counts as one visitor');
  const seed = { ...DEFAULT_MODEL_OPTIONS, ...opts.model }.seed;
  const protocols: ProtocolReport[] = [];
  for (const protocol of opts.protocols ?? PROTOCOLS) {
    const split = protocol === 'time' ? timeSplit(log, opts.testShare ?? 0.1) : leaveLastOutSplit(log);
    say(`${split.description}; ${split.train.length.toLocaleString('en')} training events, ${split.user.length.toLocaleString('en')} test queries`);
    if (pkg !== undefined) warnings.push(`${protocol}: the package may have been trained on events of the test queries: its numbers are optimistic unless it was trained on this split's training part`);
    const val = validationHoldout(split.train, N, seed);
    const evalOpts = { items: N, inStock, k };
    say(`  baselines tuned on the trainer's validation split (${val.user.length.toLocaleString('en')} queries):`);
    const { scorers, tuned } = tunedBaselines(
      { sessions: buildSessions(val.train), users: buildSessions(val.train, 'user'), items: N },
      val,
      { sessions: buildSessions(split.train), users: buildSessions(split.train, 'user'), items: N },
      evalOpts,
      say,
    );
    const model = await modelFor(split, opts, catalog, pkg, say);
    const lists: Record<string, number[][]> | undefined = opts.keepLists === true ? {} : undefined;
    const methods = evaluate(split, [...scorers, model.scorer], { ...evalOpts, ...(lists === undefined ? {} : { lists }) });
    const baselineNames = scorers.map((s) => s.name);
    const bestName = baselineNames.reduce((a, n) => ((methods[n]?.ndcg ?? 0) > (methods[a]?.ndcg ?? 0) ? n : a));
    const best = methods[bestName]?.ndcg ?? 0;
    const mine = methods[model.scorer.name]?.ndcg ?? 0;
    const ratio = best > 0 ? mine / best : Infinity;
    protocols.push({
      protocol,
      description: split.description,
      trainEvents: split.train.length,
      queries: split.user.length,
      methods,
      tuned: Object.fromEntries(Object.entries(tuned).map(([n, t]) => [n, { settings: t.settings, validationNdcg: t.validationNdcg }])),
      model: model.info,
      bestBaseline: { name: bestName, ndcg: best },
      ratio,
      targetMet: ratio >= TARGET_RATIO,
      ...(lists === undefined ? {} : { lists: { split, byMethod: lists } }),
    });
  }
  return {
    dataset: { catalog: opts.catalog, events: opts.events, items: N, events_: log.length, sessions: log.sessions, users: log.users },
    k,
    protocols,
    targetMet: protocols.every((p) => p.targetMet),
    warnings,
  };
}

/** The report as markdown tables, one per protocol, with a verdict line each. */
export function markdownReport(r: EvalReport): string {
  const f = (x: number): string => x.toFixed(4);
  const out: string[] = [`${r.dataset.events} — ${r.dataset.items.toLocaleString('en')} items, ${r.dataset.events_.toLocaleString('en')} events, ${r.dataset.users.toLocaleString('en')} visitors`];
  for (const p of r.protocols) {
    out.push('', `${p.description}; ${p.queries.toLocaleString('en')} queries.`, '', `| method | HitRate@${r.k} | NDCG@${r.k} | MRR | coverage | chosen on validation |`, '|---|---|---|---|---|---|');
    for (const [name, m] of Object.entries(p.methods)) {
      const settings = name === 'model' ? `${p.model.epochs ?? '?'} epochs, dim ${p.model.options?.dim ?? '?'}` : JSON.stringify(p.tuned[name]?.settings ?? {}).replace(/[{}"]/g, '').replace(/,/g, ', ');
      out.push(`| ${name} | ${f(m.hitRate)} | ${f(m.ndcg)} | ${f(m.mrr)} | ${(100 * m.coverage).toFixed(1)}% | ${settings} |`);
    }
    out.push('', `Model NDCG@${r.k} = ${p.ratio.toFixed(2)}× the best baseline (${p.bestBaseline.name}) — target ≥ ${TARGET_RATIO}×: ${p.targetMet ? 'met' : 'NOT met'}.`);
  }
  out.push(...r.warnings.map((w) => `Warning: ${w}`));
  return out.join('\n');
}
