/**
 * The `gen-data`, `train` and `eval` subcommands: flag parsing and printing around
 * tools/shop, tools/train and tools/eval.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_SHOP_CONFIG, FEATURE_FREE_SHOP_CONFIG } from '../shop/config.ts';
import { writeShop } from '../shop/generate.ts';
import { markdownReport, runEval } from '../eval/run.ts';
import { PROTOCOLS, type Protocol } from '../eval/protocols.ts';
import { searchMarkdown } from '../eval/search-markdown.ts';
import { runSearchEvalFromFiles, tuneSearchFromFiles } from '../eval/search-run.ts';
import { assistantMarkdown, runAssistantEval } from '../eval/assistant.ts';
import { newItemsMarkdown, runNewItemsEval } from '../eval/new-items.ts';
import { DEFAULT_MODEL_OPTIONS, type ModelOptions } from '../train/model.ts';
import { train, type TrainOptions, type TrainSummary } from '../train/train.ts';
import { DEFAULT_MAX_BAD_LINES } from '../train/read-events.ts';
import { inputFiles, intFlag, numberFlag, optional, parseFlags, required, UsageError } from './args.ts';

/** Where a command prints. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** One subcommand: its help text and its run function (returns the exit code). */
export interface Command {
  summary: string;
  usage: string;
  run: (argv: readonly string[], io: Io) => Promise<number>;
}

const MODEL_FLAGS = {
  seed: { type: 'string' },
  dim: { type: 'string' },
  epochs: { type: 'string' },
  history: { type: 'string' },
  'no-validation': { type: 'boolean' },
} as const;

/** Help lines of {@link MODEL_FLAGS}. */
const MODEL_HELP = [
  '  --seed <n>        seed of every random draw (default 42); same inputs and seed → identical files',
  '  --epochs <n>      train the item vectors exactly n epochs (default: chosen on validation, up to 30)',
  '  --dim <n>         vector size (default: 32 or 64, chosen on validation)',
  '  --history <n>     history steps the model reads (default 20)',
  '  --no-validation   skip the validation split: train with the defaults as they are (5 epochs unless --epochs)',
].join('\n');

/** `--seed/--dim/--epochs/--history` as model options, and what validation may still choose. */
function modelFlags(values: Record<string, string | boolean | undefined>): { model: Partial<ModelOptions>; validation: NonNullable<TrainOptions['validation']> } {
  const m: Partial<ModelOptions> = {};
  const seed = intFlag(values, 'seed', 0, 2 ** 32 - 1);
  const dim = intFlag(values, 'dim', 4, 256);
  const epochs = intFlag(values, 'epochs', 1, 100);
  const history = intFlag(values, 'history', DEFAULT_MODEL_OPTIONS.transitions.recent, 200);
  if (seed !== undefined) m.seed = seed;
  if (dim !== undefined) m.dim = dim;
  if (epochs !== undefined) m.epochs = epochs;
  if (history !== undefined) m.maxHistory = history;
  if (values['no-validation'] === true) return { model: m, validation: false };
  return { model: m, validation: { ...(epochs === undefined ? {} : { fixedEpochs: epochs }), ...(dim === undefined ? {} : { fixedDim: dim }) } };
}

/** Prints a training summary: files, time and throughput. */
export function printTrainSummary(s: TrainSummary, outDir: string, io: Io): void {
  const r = s.read;
  if (r.badLines + r.unknownEvents + r.unknownItems > 0) {
    const n = (count: number, what: string): string => `${count.toLocaleString('en')} ${what}${count === 1 ? '' : 's'}`;
    io.err(
      `skipped ${n(r.badLines, 'unreadable line')}, ${n(r.unknownEvents, 'row')} with an unknown event type, ` +
        `${n(r.unknownItems, 'row')} with an item not in the catalogue (of ${n(r.rows, 'row')}); for example:\n  ${r.examples.join('\n  ')}`,
    );
  }
  for (const [name, f] of Object.entries(s.manifest.files)) io.out(`  ${outDir}/${name}  ${f.bytes.toLocaleString('en')} bytes  sha256 ${f.sha256.slice(0, 16)}…`);
  io.out(`  ${outDir}/manifest.json`);
  if (s.search) {
    const sm = s.search.manifest;
    const f = sm.files;
    const dir = `${sm.encoder.model}/`;
    const enc = Object.entries(f).filter(([n]) => n.startsWith(dir));
    io.out(`  ${outDir}/${sm.index}  ${f[sm.index]?.bytes.toLocaleString('en')} bytes, ${outDir}/search.json`);
    io.out(`  ${outDir}/${dir} (${enc.map(([n, e]) => `${n.slice(dir.length)} ${e.bytes.toLocaleString('en')} B`).join(', ')})`);
  }
  io.out(
    `trained ${s.manifest.dims.items} items × ${s.manifest.dims.embedding} dims from ${r.kept.toLocaleString('en')} events / ${s.sessions.toLocaleString('en')} sessions ` +
      `in ${s.seconds.total.toFixed(1)} s (read ${s.seconds.read.toFixed(1)} s, fit ${s.seconds.fit.toFixed(1)} s, ` +
      `${s.search ? `search encoder ${s.search.seconds.toFixed(1)} s, ` : ''}write ${(s.seconds.write - (s.search?.seconds ?? 0)).toFixed(1)} s): ` +
      `${Math.round(s.eventsPerSecond).toLocaleString('en')} events/s`,
  );
}

/** `inpage gen-data --out dir [--seed n] [--variant planted|feature-free]`. */
export const genData: Command = {
  summary: 'generate the demo shop: catalog.json, images/*.svg, events.csv',
  usage: 'inpage gen-data --out <dir> [--seed <n>] [--variant planted|feature-free]\n' +
    '  --variant planted       (default) shoppers follow brand, price band and tags: the demo shop\n' +
    '  --variant feature-free  shoppers follow hidden styles and partner products, popularity drifts:\n' +
    '                          catalogue fields carry no planted signal',
  async run(argv, io) {
    const v = parseFlags(argv, { out: { type: 'string' }, seed: { type: 'string' }, variant: { type: 'string' } });
    const out = required(v, 'out');
    const seed = intFlag(v, 'seed', 0, 2 ** 32 - 1);
    const variant = optional(v, 'variant') ?? 'planted';
    if (variant !== 'planted' && variant !== 'feature-free') throw new UsageError(`--variant must be 'planted' or 'feature-free', got '${variant}'`);
    const base = variant === 'planted' ? DEFAULT_SHOP_CONFIG : FEATURE_FREE_SHOP_CONFIG;
    const t0 = performance.now();
    const shop = await writeShop(out, seed === undefined ? base : { ...base, seed });
    const s = shop.stats;
    io.out(`wrote ${out}/catalog.json (${s.products} products, ${s.categories} categories), ${out}/images/ (${shop.images.size} SVGs), ${out}/events.csv (${s.events.toLocaleString('en')} events, ${s.sessions.toLocaleString('en')} sessions, ${s.firstEvent} .. ${s.lastEvent}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  },
};

/** `inpage train --catalog f --events f --out dir [options]`. */
export const trainCommand: Command = {
  summary: 'train a recommender package: manifest.json and its content-addressed model and item table (+ search encoder)',
  usage: 'inpage train --catalog <catalog.json> --events <events.csv|.jsonl> --out <dir> [options]\n' +
    '  Settings are chosen on a validation split of the events (each visitor\'s last step held out)\n' +
    '  and printed with the figures that decided; the flags below pin them instead.\n' +
    MODEL_HELP + '\n' +
    '  --no-search       skip the catalogue text encoder and search index (search.json)\n' +
    '  --fixed-names     name the artifacts recommender.onnx, items.json, … instead of by their hash\n' +
    '                    (by default every file but manifest.json and search.json carries its SHA-256\n' +
    '                    in its name and never changes: serve it immutable, see docs/DEPLOY.md)\n' +
    `  --max-bad-lines <n>  stop with exit code 1 once more than n event lines cannot be read (default ${DEFAULT_MAX_BAD_LINES}); fewer are skipped and reported\n` +
    '  Event columns are matched by header name (session_id/visit…, item_id/product/sku…, event/action/type…, timestamp/time/when…,\n' +
    '  optional user_id/visitor/customer…); see README.',
  async run(argv, io) {
    const v = parseFlags(argv, { catalog: { type: 'string' }, events: { type: 'string' }, out: { type: 'string' }, 'max-bad-lines': { type: 'string' }, 'no-search': { type: 'boolean' }, 'fixed-names': { type: 'boolean' }, ...MODEL_FLAGS });
    const catalog = required(v, 'catalog');
    const events = required(v, 'events');
    const outDir = required(v, 'out');
    const maxBadLines = intFlag(v, 'max-bad-lines', 0, Number.MAX_SAFE_INTEGER);
    const { model, validation } = modelFlags(v);
    await inputFiles({ catalog, events });
    const summary = await train({
      catalog, events, outDir, model, validation, log: io.out, warn: (l) => io.err(`warning: ${l}`),
      hashedNames: v['fixed-names'] !== true,
      ...(maxBadLines === undefined ? {} : { maxBadLines }),
      ...(v['no-search'] === true ? { encoder: false as const } : {}),
    });
    printTrainSummary(summary, outDir, io);
    return 0;
  },
};

/** `inpage eval --catalog f --events f [options]`. */
export const evalCommand: Command = {
  summary: 'offline evaluation: the model vs tuned popularity, item-kNN, last-item transition and EASE; search: keyword library vs encoder vs hybrid; the assistant: keyword vs encoder vs hybrid, abstention',
  usage: 'inpage eval --catalog <catalog.json> --events <events.csv> [options]\n' +
    '  --protocol <p>    leave-last-out | time | both (default both): each visitor\'s last step, or the last 10% of the period\n' +
    '  --test-share <x>  time protocol: share of the period held out (default 0.1)\n' +
    '  --model <dir>     score a packaged model instead of training one on each training part\n' +
    '  --out <file>      write the JSON report\n' +
    '  --no-search       skip the search tables (keyword library, encoder, hybrid; Recall@10, MRR, NDCG@10)\n' +
    '  --tune-search     instead of the eval, choose the keyword and fusion settings on the tuning splits and print the trials\n' +
    '  --no-new-items    skip the new-items table (train at the time cut on the catalogue of the cut, then update-catalog: how items launched after the cut fare)\n' +
    '  --no-assistant    skip the assistant table (paraphrased questions over help pages: keyword, encoder, hybrid; abstention)\n' +
    '  --pages <dir>     help pages for the assistant table (default: the demo help centre, generated)\n' +
    '  --check           exit 1 unless the model\'s NDCG@10 ≥ 1.1× the best baseline in every protocol, and the hybrid search meets its targets\n' +
    '  Trainer options (the model is trained as `inpage train` would, validation included):\n' + MODEL_HELP,
  async run(argv, io) {
    const v = parseFlags(argv, {
      catalog: { type: 'string' }, events: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' }, protocol: { type: 'string' },
      'test-share': { type: 'string' }, check: { type: 'boolean' }, 'no-search': { type: 'boolean' }, 'tune-search': { type: 'boolean' }, 'no-assistant': { type: 'boolean' }, 'no-new-items': { type: 'boolean' }, pages: { type: 'string' }, ...MODEL_FLAGS,
    });
    const modelDir = optional(v, 'model');
    const testShare = numberFlag(v, 'test-share', 0.01, 0.9);
    const catalog = required(v, 'catalog');
    const events = required(v, 'events');
    const protocol = optional(v, 'protocol') ?? 'both';
    if (protocol !== 'both' && !(PROTOCOLS as readonly string[]).includes(protocol)) throw new UsageError(`--protocol must be leave-last-out, time or both, got '${protocol}'`);
    const { model, validation } = modelFlags(v);
    await inputFiles({ catalog, events });
    if (v['tune-search'] === true) {
      const t = await tuneSearchFromFiles({
        catalog, events,
        ...(modelDir === undefined ? {} : { modelDir }), ...(testShare === undefined ? {} : { testShare }), model, log: io.err,
      });
      const rows = (trials: typeof t.keywordTrials): string[] => trials.map((x, i) => `| ${i + 1} | ${x.what} | ${x.recall.toFixed(4)} | ${x.mrr.toFixed(4)} | ${x.kept ? 'kept' : ''} |`);
      io.out([`Tuning splits ${t.seeds.join(', ')} (${t.queries} family A queries).`, '', '| trial | keyword library | Recall@10 | MRR | |', '|---:|---|---:|---:|---|', ...rows(t.keywordTrials), '',
        '| trial | fusion | Recall@10 | MRR | |', '|---:|---|---:|---:|---|', ...rows(t.hybridTrials), '', `keyword: ${JSON.stringify(t.keyword)}`, `hybrid: ${JSON.stringify(t.hybrid)}`].join('\n'));
      return 0;
    }
    const report = await runEval({
      catalog,
      events,
      ...(modelDir === undefined ? {} : { modelDir }),
      ...(testShare === undefined ? {} : { testShare }),
      protocols: protocol === 'both' ? PROTOCOLS : [protocol as Protocol],
      model, validation,
      log: io.err,
    });
    io.out(markdownReport(report));
    const search = v['no-search'] === true ? undefined : await runSearchEvalFromFiles({
      catalog, events,
      ...(modelDir === undefined ? {} : { modelDir }),
      ...(testShare === undefined ? {} : { testShare }),
      model, log: io.err,
    });
    if (search) io.out(`\n${searchMarkdown(search)}`);
    const newItems = v['no-new-items'] === true ? undefined : await runNewItemsEval({
      catalog, events, ...(testShare === undefined ? {} : { testShare }), model, validation, log: io.err,
    });
    if (newItems) io.out(`\n${newItemsMarkdown(newItems)}`);
    const pages = optional(v, 'pages');
    const assistant = v['no-assistant'] === true ? undefined : await runAssistantEval({ ...(pages === undefined ? {} : { pagesDir: pages }), log: io.err });
    if (assistant) io.out(`\n${assistantMarkdown(assistant)}`);
    const out = optional(v, 'out');
    if (out !== undefined) {
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, `${JSON.stringify({ ...report, ...(search === undefined ? {} : { search }), ...(newItems === undefined ? {} : { newItems }), ...(assistant === undefined ? {} : { assistant }) }, null, 2)}\n`);
      io.err(`wrote ${out}`);
    }
    return v['check'] === true && (!report.targetMet || (search !== undefined && !search.targets.met)) ? 1 : 0;
  },
};
