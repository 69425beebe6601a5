/**
 * How items launched after training fare with `inpage update-catalog` (issue #16).
 *
 * Protocol: the time protocol's cut T (sessions starting in the last `testShare` of the period
 * are the test period). Items with events but none before T are new (new-items-split.ts). The
 * model is trained as `inpage train` does at its defaults (validation inside) on the training
 * events with the catalogue of T (new items left out), packaged, then `updateCatalog` writes the
 * package for the full catalogue: new items get content vectors and priors, with the settings
 * chosen on a second cut inside the training period (new-items-tune.ts), never on the test
 * period. Both packages are read back from disk (`loadPackage`, as `inpage eval --model`) and
 * scored on the test queries by the eval's own path (`modelScorer` → `evaluate`), with the two
 * shelves a shop uses for new products without a model (new-items-baselines.ts). A new item can
 * be recommended from its launch day on (`availableFrom`), for every method alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCatalogText } from '../encoder/catalog-text.ts';
import { readCatalog } from '../train/catalog.ts';
import { DEFAULT_MODEL_OPTIONS, type ModelOptions } from '../train/model.ts';
import { readEvents } from '../train/read-events.ts';
import { buildSessions } from '../train/sessions.ts';
import { buildItemsFile, fitWithValidation, writePackage, type TrainOptions } from '../train/train.ts';
import { updateCatalog } from '../train/update-catalog.ts';
import { evaluate } from './evaluate.ts';
import { loadPackage } from './load-model.ts';
import type { Metrics } from './metrics.ts';
import { tuneNewItems, type NewItemTuning } from './new-items-tune.ts';
import { newestInCategoryScorer, popularNewInCategoryScorer } from './new-items-baselines.ts';
import { availableFrom, catalogAtCut, eventsAtCut, metricsOf, newItemsAt, newShareOfEvents, newShareOfSlots, newTargets } from './new-items-split.ts';
import { timeSplit } from './protocols.ts';
import { modelScorer } from './scorers.ts';

/** Options of {@link runNewItemsEval}. */
export interface NewItemsEvalOptions {
  catalog: string;
  events: string;
  /** Share of the period after the cut. Default 0.1 (the time protocol's). */
  testShare?: number;
  k?: number;
  model?: Partial<ModelOptions>;
  validation?: TrainOptions['validation'];
  log?: (line: string) => void;
}

/** One method's figures. */
export interface NewItemsMethod {
  /** Share of the top-k slots (all test queries) holding new items. */
  newShareOfSlots: number;
  /** Every test query. */
  all: Metrics;
  /** Test queries whose target is a new item. */
  newTargets: Metrics;
  /** Test queries whose target is an item of the catalogue of the cut. */
  oldTargets: Metrics;
}

/** The report's `newItems` section. */
export interface NewItemsReport {
  description: string;
  k: number;
  items: { catalogue: number; atCut: number; new: number };
  /** Share of test-period events on new items, and of the test queries whose target is new. */
  newShareOfEvents: number;
  newShareOfQueries: number;
  queries: { all: number; newTargets: number };
  methods: Record<string, NewItemsMethod>;
  /** The new-item settings `update-catalog` was given, chosen on the training period (new-items-tune.ts). */
  tuning: NewItemTuning;
  model: { options: ModelOptions; epochs: number; fitSeconds: number; updateSeconds: number; added: number };
}

/** Method names in the report. */
export const NO_UPDATE = 'model, no update';
export const UPDATED = 'model + update-catalog';

/**
 * Runs the new-items evaluation.
 *
 * @example const r = await runNewItemsEval({ catalog: 'shop/catalog.json', events: 'shop/events.csv' });
 */
export async function runNewItemsEval(opts: NewItemsEvalOptions): Promise<NewItemsReport> {
  const say = opts.log ?? (() => {});
  const k = opts.k ?? 10;
  const testShare = opts.testShare ?? 0.1;
  const catalog = await readCatalog(opts.catalog);
  const log = await readEvents(opts.events, catalog.index);
  const split = timeSplit(log, testShare);
  const n = newItemsAt(log, split.train, catalog.ids.length);
  say(`new items: ${split.description}; ${n.count} items have events only after the cut`);
  const atCut = catalogAtCut(catalog, n);
  const train = eventsAtCut(split.train, n);
  const t0 = performance.now();
  const base: ModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...opts.model };
  const sessions = buildSessions(train);
  const { fit, options } = fitWithValidation(train, sessions, atCut, base, opts.validation ?? true, (l) => say(`  ${l}`));
  const fitSeconds = (performance.now() - t0) / 1000;
  say(`  model trained on ${atCut.ids.length.toLocaleString('en')} items of the cut in ${fitSeconds.toFixed(1)} s`);
  const dir = await mkdtemp(join(tmpdir(), 'inpage-new-items-'));
  try {
    const cutDir = join(dir, 'at-cut');
    const nextDir = join(dir, 'updated');
    await writePackage(cutDir, fit, buildItemsFile(atCut, sessions, options, 7), options, k, {});
    const old = await loadPackage(cutDir);
    say('  new-item settings, chosen on a second cut inside the training period (best overall NDCG@k there):');
    const tuning = tuneNewItems(train, atCut, options, old.manifest, { testShare, k, log: (l) => say(`  ${l}`) });
    say(`  chosen: spread ${tuning.chosen.spread}, prior quantile ${tuning.chosen.priorQuantile} (${tuning.description})`);
    const t1 = performance.now();
    const update = await updateCatalog(cutDir, catalog, nextDir, { texts: await readCatalogText(opts.catalog), hashedNames: false, newItems: tuning.chosen });
    const updateSeconds = (performance.now() - t1) / 1000;
    say(`  update-catalog added ${update.added.length} items in ${updateSeconds.toFixed(1)} s`);
    const next = await loadPackage(nextDir);
    const categoryIds = new Map<string, number>();
    const category = Int32Array.from(catalog.categories, (c) => categoryIds.get(c) ?? (categoryIds.set(c, categoryIds.size), categoryIds.size - 1));
    const scorers = [
      modelScorer(old.weights, old.manifest, NO_UPDATE, n.oldIndex),
      modelScorer(next.weights, next.manifest, UPDATED),
      newestInCategoryScorer(n, category),
      popularNewInCategoryScorer(log, n, category),
    ];
    const lists: Record<string, number[][]> = {};
    const ranks: Record<string, number[]> = {};
    const N = catalog.ids.length;
    evaluate(split, scorers, { items: N, inStock: Uint8Array.from(catalog.inStock, (s) => (s ? 1 : 0)), k, availableFrom: availableFrom(n), lists, ranks });
    const isNewTarget = newTargets(split, n.isNew);
    const methods: Record<string, NewItemsMethod> = {};
    for (const s of scorers) {
      const r = ranks[s.name] ?? [];
      const l = lists[s.name] ?? [];
      methods[s.name] = {
        newShareOfSlots: newShareOfSlots(l, n.isNew),
        all: metricsOf(r, l, new Uint8Array(r.length), 0, k, N),
        newTargets: metricsOf(r, l, isNewTarget, 1, k, N),
        oldTargets: metricsOf(r, l, isNewTarget, 0, k, N),
      };
    }
    const newQueries = isNewTarget.reduce((a, x) => a + x, 0);
    return {
      description: `${split.description}; new items = items with events but none before the cut, recommendable from the UTC day of their first event`,
      k,
      items: { catalogue: N, atCut: atCut.ids.length, new: n.count },
      newShareOfEvents: newShareOfEvents(log, split.testEvents ?? new Uint8Array(log.length), n.isNew),
      newShareOfQueries: split.user.length > 0 ? newQueries / split.user.length : 0,
      queries: { all: split.user.length, newTargets: newQueries },
      methods,
      tuning,
      model: { options, epochs: fit.epochLoss.length, fitSeconds, updateSeconds, added: update.added.length },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The section as markdown. */
export function newItemsMarkdown(r: NewItemsReport): string {
  const f = (x: number): string => x.toFixed(4);
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const out = [
    `New items (${r.items.new} launched after the cut, ${r.items.atCut.toLocaleString('en')} in the catalogue of the cut): ${r.description}.`,
    `New items take ${pct(r.newShareOfEvents)} of test-period events and are the target of ${pct(r.newShareOfQueries)} of the ${r.queries.all.toLocaleString('en')} test queries (${r.queries.newTargets.toLocaleString('en')}).`,
    '',
    `| method | new items' share of top-${r.k} slots | HitRate@${r.k} new targets | NDCG@${r.k} new targets | HitRate@${r.k} old targets | NDCG@${r.k} old targets | HitRate@${r.k} all | NDCG@${r.k} all |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [name, m] of Object.entries(r.methods)) {
    out.push(`| ${name} | ${pct(m.newShareOfSlots)} | ${f(m.newTargets.hitRate)} | ${f(m.newTargets.ndcg)} | ${f(m.oldTargets.hitRate)} | ${f(m.oldTargets.ndcg)} | ${f(m.all.hitRate)} | ${f(m.all.ndcg)} |`);
  }
  const c = r.tuning.chosen;
  out.push('', `update-catalog's new-item settings: spread ${c.spread}, prior quantile ${c.priorQuantile}, chosen by overall NDCG@${r.k} on a ${r.tuning.description} (${r.tuning.queries.toLocaleString('en')} queries, ${r.tuning.newTargetQueries} to a new item).`);
  out.push('', `"${NO_UPDATE}" does not know the new items: their HitRate is 0 by construction. The two shelves list new items only (their old-target HitRate is 0 by construction).`);
  return out.join('\n');
}
