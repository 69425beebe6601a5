/**
 * `inpage train`: catalogue + event log → a recommender package (`recommender.onnx`,
 * `items.json`, `manifest.json`). Streams the events, fits the model, learns trending and
 * complementary categories, and writes files whose bytes depend only on the inputs and the seed.
 */
import { factsOf } from './item-facts.ts';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECOMMENDER_FORMAT_VERSION, type RecommenderItems, type RecommenderManifest } from '../../src/recommend/manifest.ts';
import { sha256Hex } from '../onnx/sha256.ts';
import { readCatalog, type TrainCatalog } from './catalog.ts';
import { checkCatalog } from './catalog-check.ts';
import { exportRecommender, GRAPH_NAMES } from './export-onnx.ts';
import { DEFAULT_MODEL_OPTIONS, fitModel, type FittedModel, type ModelOptions } from './model.ts';
import { readEvents, type EventLog, type ReadStats } from './read-events.ts';
import { selectModel, type Selection } from './select.ts';
import { buildSessions, timeRange, type Sessions } from './sessions.ts';
import { learnComplements, trendingScores } from './signals.ts';
import { readCatalogText } from '../encoder/catalog-text.ts';
import { writeSearchPackage, type SearchPackageSummary } from '../encoder/package.ts';
import { hashedName } from './hashed-name.ts';
export { hashedName };
import type { EncoderOptions } from '../encoder/train-encoder.ts';

/** Options of {@link train}. */
export interface TrainOptions {
  catalog: string;
  events: string;
  outDir: string;
  model?: Partial<ModelOptions>;
  /**
   * Choose settings on a validation split of the training data (select.ts). Default true.
   * `fixedEpochs`/`fixedDim` pin those two (the CLI's `--epochs`/`--dim`); `false` keeps the
   * options as given.
   */
  validation?: boolean | { fixedEpochs?: number; fixedDim?: number };
  /** Half-life of the packaged trending scores. Default 7 days. */
  trendingHalfLifeDays?: number;
  /** Default list length written to the manifest. Default 10. */
  k?: number;
  /** Progress lines (the CLI prints them). */
  log?: (line: string) => void;
  /** What the catalogue cannot teach and was left out (catalog-check.ts). Default: `log`. */
  warn?: (line: string) => void;
  /** Unreadable event lines tolerated (read-events.ts). Default 100. */
  maxBadLines?: number;
  /**
   * Content-addressed artifact names (`recommender.<sha256:16>.onnx`, `items.<…>.json`, …): every
   * file but manifest.json and search.json is immutable and can be served with a year's
   * `max-age, immutable` (docs/DEPLOY.md). Default false here; `inpage train` turns it on.
   */
  hashedNames?: boolean;
  /** The search encoder's options (tools/encoder); `false` skips search.json and the encoder. */
  encoder?: Partial<EncoderOptions> | false;
}

/** What a training run did, for the CLI to print. */
export interface TrainSummary {
  manifest: RecommenderManifest;
  read: ReadStats;
  sessions: number;
  steps: number;
  /** Wall-clock seconds per phase. */
  seconds: { read: number; fit: number; write: number; total: number };
  eventsPerSecond: number;
  epochLoss: number[];
  /** What validation chose, unless `validation: false`. */
  selection?: Selection;
  /** The search encoder and index, unless `encoder: false`. */
  search?: SearchPackageSummary;
}

const round = (x: number, digits: number): number => Number(x.toPrecision(digits));
const iso = (ms: number): string => new Date(ms).toISOString();

/** Builds `items.json` for the page. */
export function buildItemsFile(catalog: TrainCatalog, sessions: Sessions, options: Readonly<ModelOptions>, halfLifeDays: number): RecommenderItems {
  const comp = learnComplements(sessions, catalog, options.weighting);
  const trend = trendingScores(sessions, catalog.ids.length, options.weighting, halfLifeDays);
  return {
    format: 'inpage-recommender-items',
    version: 1,
    ids: catalog.ids,
    titles: catalog.titles,
    category: Array.from(comp.categoryOf),
    price: catalog.prices,
    inStock: catalog.inStock.map((s) => (s ? 1 : 0)),
    categories: comp.categories.map((id, i) => ({
      id,
      name: catalog.categoryNames.get(id) ?? id,
      complements: (comp.complements[i] ?? []).map((c): [number, number] => [c.category, round(c.share, 3)]),
    })),
    trending: { asOf: iso(trend.asOf), halfLifeDays, scores: Array.from(trend.scores, (s) => round(s, 4)) },
    ...factsOf(catalog),
  };
}

/** The package in memory: the model bytes, the item table bytes and the manifest naming both. */
export interface PackageFiles {
  onnx: Uint8Array;
  items: Uint8Array;
  manifest: RecommenderManifest;
}

/** Builds the package's files in memory (what {@link writePackage} writes; the eval scores these bytes). */
export function packageFiles(
  fit: FittedModel,
  items: RecommenderItems,
  options: Readonly<ModelOptions>,
  k: number,
  training: Record<string, unknown>,
  hashedNames = false,
): PackageFiles {
  const onnx = exportRecommender(fit.weights, { seed: String(options.seed) });
  const itemsBytes = new TextEncoder().encode(JSON.stringify(items));
  const [onnxSha, itemsSha] = [sha256Hex(onnx), sha256Hex(itemsBytes)];
  const model = hashedNames ? hashedName('recommender.onnx', onnxSha) : 'recommender.onnx';
  const itemsName = hashedNames ? hashedName('items.json', itemsSha) : 'items.json';
  const manifest: RecommenderManifest = {
    format: 'inpage-recommender',
    formatVersion: RECOMMENDER_FORMAT_VERSION,
    model,
    items: itemsName,
    inputs: { ...GRAPH_NAMES.inputs },
    outputs: { ...GRAPH_NAMES.outputs },
    dims: { items: fit.weights.items, embedding: fit.weights.dim, history: options.maxHistory },
    k,
    weighting: options.weighting,
    files: {
      [model]: { bytes: onnx.length, sha256: onnxSha },
      [itemsName]: { bytes: itemsBytes.length, sha256: itemsSha },
    },
    training,
  };
  return { onnx, items: itemsBytes, manifest };
}

/** Writes the three files (manifest.json last) and returns the manifest. */
export async function writePackage(
  outDir: string,
  fit: FittedModel,
  items: RecommenderItems,
  options: Readonly<ModelOptions>,
  k: number,
  training: Record<string, unknown>,
  hashedNames = false,
): Promise<RecommenderManifest> {
  const files = packageFiles(fit, items, options, k, training, hashedNames);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, files.manifest.model), files.onnx);
  await writeFile(join(outDir, files.manifest.items), files.items);
  // The manifest last: a visitor who reads it finds every file it names already in place.
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(files.manifest, null, 2)}\n`);
  return files.manifest;
}

/**
 * Fits the model on all of `events`, after choosing its settings on a validation split of them
 * unless `validation` is false.
 */
export function fitWithValidation(
  events: EventLog,
  sessions: Sessions,
  catalog: TrainCatalog,
  options: Readonly<ModelOptions>,
  validation: NonNullable<TrainOptions['validation']>,
  log: (line: string) => void = () => {},
): { fit: FittedModel; selection?: Selection; options: ModelOptions } {
  if (validation === false) return { fit: fitModel(sessions, catalog, options), options: { ...options } };
  const pins = validation === true ? {} : validation;
  const selection = selectModel(events, catalog, options, { ...pins, log });
  return { fit: fitModel(sessions, catalog, selection.options, selection.rates), selection, options: selection.options };
}

/**
 * Trains and packages a recommender.
 *
 * @example await train({ catalog: 'shop/catalog.json', events: 'shop/events.csv', outDir: 'public/reco' });
 */
export async function train(opts: TrainOptions): Promise<TrainSummary> {
  const log = opts.log ?? (() => {});
  let options: ModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...opts.model };
  if (options.transitions.recent > options.maxHistory) throw new Error(`history length ${options.maxHistory} must be at least the ${options.transitions.recent} recent steps the transitions read`);
  const t0 = performance.now();
  const catalog = await readCatalog(opts.catalog);
  const texts = await readCatalogText(opts.catalog);
  const facts = checkCatalog(catalog, texts);
  for (const w of facts.warnings) (opts.warn ?? log)(w);
  const events = await readEvents(opts.events, catalog.index, opts.maxBadLines === undefined ? {} : { maxBadLines: opts.maxBadLines });
  const sessions = buildSessions(events);
  const t1 = performance.now();
  log(`read ${events.length.toLocaleString('en')} events in ${sessions.count.toLocaleString('en')} sessions (${((t1 - t0) / 1000).toFixed(1)} s)`);
  const { fit, selection, options: chosen } = fitWithValidation(events, sessions, catalog, options, opts.validation ?? true, log);
  options = chosen;
  const t2 = performance.now();
  log(`fitted ${fit.examples.toLocaleString('en')} examples × ${fit.epochLoss.length} epochs, loss ${fit.epochLoss.map((l) => l.toFixed(3)).join(' → ')} (${((t2 - t1) / 1000).toFixed(1)} s)`);
  const halfLifeDays = opts.trendingHalfLifeDays ?? 7;
  const items = buildItemsFile(catalog, sessions, options, halfLifeDays);
  const [from, until] = timeRange(sessions);
  const hashed = opts.hashedNames === true;
  // The text encoder learns to place item text near these item vectors (tools/encoder). Without
  // any text there is nothing to learn: no encoder, and no stale one from an earlier run. Written
  // before manifest.json, which goes last: a visitor never reads a manifest naming missing files.
  const search = opts.encoder === false || !facts.text
    ? undefined
    : await writeSearchPackage(opts.outDir, texts, fit.weights.inVec, options.dim, opts.encoder ?? {}, log, hashed);
  if (search === undefined && opts.encoder !== false) {
    await Promise.all(['search.json', 'search.onnx', 'encoder'].map((f) => rm(join(opts.outDir, f), { recursive: true, force: true })));
  }
  const manifest = await writePackage(opts.outDir, fit, items, options, opts.k ?? 10, {
    producer: 'inpage train',
    events: events.length,
    sessions: sessions.count,
    steps: sessions.item.length,
    from: iso(from),
    until: iso(until),
    options: { ...options },
    ...(selection === undefined ? {} : { validation: { ...selection.validation, rates: selection.rates, choices: selection.choices } }),
  }, hashed);
  const t3 = performance.now();
  const total = (t3 - t0) / 1000;
  return {
    manifest,
    read: events.stats,
    sessions: sessions.count,
    steps: sessions.item.length,
    seconds: { read: (t1 - t0) / 1000, fit: (t2 - t1) / 1000, write: (t3 - t2) / 1000, total },
    eventsPerSecond: events.length / Math.max(total, 1e-9),
    epochLoss: fit.epochLoss,
    ...(selection === undefined ? {} : { selection }),
    ...(search === undefined ? {} : { search }),
  };
}
