/**
 * `inpage eval`'s search table from files: item vectors from a packaged recommender (`--model`)
 * or from a recommender fitted on the training period of the same time split the
 * recommendation eval uses; then {@link runSearchEval}.
 */
import { readCatalogText, type ItemText } from '../encoder/catalog-text.ts';
import { tuneSearch, type TuneReport } from './search-tune.ts';
import { readCatalog } from '../train/catalog.ts';
import { DEFAULT_MODEL_OPTIONS, fitModel, type ModelOptions } from '../train/model.ts';
import { readEvents } from '../train/read-events.ts';
import { buildSessions } from '../train/sessions.ts';
import { timeSplit } from './evaluate.ts';
import { loadPackage } from './load-model.ts';
import { runSearchEval, type SearchEvalReport } from './search.ts';
import type { EncoderOptions } from '../encoder/train-encoder.ts';

/** Options of {@link runSearchEvalFromFiles}. */
export interface SearchEvalFileOptions {
  catalog: string;
  events: string;
  modelDir?: string;
  testShare?: number;
  model?: Partial<ModelOptions>;
  encoder?: Partial<EncoderOptions>;
  /** Splits (see runSearchEval). Default [1, 3, 4]. */
  seeds?: readonly number[];
  log?: (line: string) => void;
}

/**
 * Runs the search eval on a catalogue and event log.
 *
 * @example const r = await runSearchEvalFromFiles({ catalog: 'shop/catalog.json', events: 'shop/events.csv' });
 */
export async function runSearchEvalFromFiles(opts: SearchEvalFileOptions): Promise<SearchEvalReport> {
  const { texts, vectors, dim } = await searchInputs(opts);
  return runSearchEval({
    texts, itemVectors: vectors, dim,
    ...(opts.encoder === undefined ? {} : { encoder: opts.encoder }),
    ...(opts.seeds === undefined ? {} : { seeds: opts.seeds }),
    ...(opts.log === undefined ? {} : { log: opts.log }),
  });
}

/**
 * Chooses the keyword and fusion settings on the tuning splits (tools/eval/search-tune.ts).
 *
 * @example const t = await tuneSearchFromFiles({ catalog: 'shop/catalog.json', events: 'shop/events.csv' });
 */
export async function tuneSearchFromFiles(opts: SearchEvalFileOptions): Promise<TuneReport> {
  const { texts, vectors, dim } = await searchInputs(opts);
  return tuneSearch({ texts, itemVectors: vectors, dim, ...(opts.log === undefined ? {} : { log: opts.log }) });
}

/** Catalogue text and item vectors, from a package or from a recommender fitted on the training period. */
async function searchInputs(opts: SearchEvalFileOptions): Promise<{ texts: ItemText[]; vectors: Float32Array; dim: number }> {
  const texts = await readCatalogText(opts.catalog);
  let vectors: Float32Array;
  let dim: number;
  if (opts.modelDir !== undefined) {
    const pkg = await loadPackage(opts.modelDir);
    const byId = new Map(texts.map((t) => [t.id, t]));
    const ordered = pkg.items.ids.map((id) => byId.get(id));
    if (ordered.some((t) => t === undefined)) throw new Error(`${opts.modelDir}: the package names items the catalogue ${opts.catalog} does not have`);
    texts.splice(0, texts.length, ...ordered.map((t) => t!));
    vectors = pkg.weights.inVec;
    dim = pkg.weights.dim;
  } else {
    const catalog = await readCatalog(opts.catalog);
    const events = await readEvents(opts.events, catalog.index);
    const { train } = timeSplit(buildSessions(events), opts.testShare ?? 0.1);
    const options: ModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...opts.model };
    const t0 = performance.now();
    const fit = fitModel(train, catalog, options);
    opts.log?.(`search eval: item vectors from a recommender fitted on the training period (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    vectors = fit.weights.inVec;
    dim = options.dim;
  }
  return { texts, vectors, dim };
}
