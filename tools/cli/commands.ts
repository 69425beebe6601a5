/**
 * The `gen-data`, `train` and `eval` subcommands: flag parsing and printing around
 * tools/shop, tools/train and tools/eval.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_SHOP_CONFIG } from '../shop/config.ts';
import { writeShop } from '../shop/generate.ts';
import { markdownReport, runEval } from '../eval/run.ts';
import { searchMarkdown } from '../eval/search-markdown.ts';
import { runSearchEvalFromFiles, tuneSearchFromFiles } from '../eval/search-run.ts';
import { assistantMarkdown, runAssistantEval } from '../eval/assistant.ts';
import type { ModelOptions } from '../train/model.ts';
import { train, type TrainSummary } from '../train/train.ts';
import { DEFAULT_MAX_BAD_LINES } from '../train/read-events.ts';
import { inputFiles, intFlag, numberFlag, optional, parseFlags, required } from './args.ts';

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
} as const;

/** `--seed/--dim/--epochs` as model options. */
function modelFlags(values: Record<string, string | boolean | undefined>): Partial<ModelOptions> {
  const m: Partial<ModelOptions> = {};
  const seed = intFlag(values, 'seed', 0, 2 ** 32 - 1);
  const dim = intFlag(values, 'dim', 4, 256);
  const epochs = intFlag(values, 'epochs', 1, 100);
  if (seed !== undefined) m.seed = seed;
  if (dim !== undefined) m.dim = dim;
  if (epochs !== undefined) m.epochs = epochs;
  return m;
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
    const f = s.search.manifest.files;
    const enc = Object.entries(f).filter(([n]) => n.startsWith('encoder/'));
    io.out(`  ${outDir}/search.onnx  ${f['search.onnx']?.bytes.toLocaleString('en')} bytes, ${outDir}/search.json`);
    io.out(`  ${outDir}/encoder/ (${enc.map(([n, e]) => `${n.slice('encoder/'.length)} ${e.bytes.toLocaleString('en')} B`).join(', ')})`);
  }
  io.out(
    `trained ${s.manifest.dims.items} items × ${s.manifest.dims.embedding} dims from ${r.kept.toLocaleString('en')} events / ${s.sessions.toLocaleString('en')} sessions ` +
      `in ${s.seconds.total.toFixed(1)} s (read ${s.seconds.read.toFixed(1)} s, fit ${s.seconds.fit.toFixed(1)} s, ` +
      `${s.search ? `search encoder ${s.search.seconds.toFixed(1)} s, ` : ''}write ${(s.seconds.write - (s.search?.seconds ?? 0)).toFixed(1)} s): ` +
      `${Math.round(s.eventsPerSecond).toLocaleString('en')} events/s`,
  );
}

/** `inpage gen-data --out dir [--seed n]`. */
export const genData: Command = {
  summary: 'generate the demo shop: catalog.json, images/*.svg, events.csv',
  usage: 'inpage gen-data --out <dir> [--seed <n>]',
  async run(argv, io) {
    const v = parseFlags(argv, { out: { type: 'string' }, seed: { type: 'string' } });
    const out = required(v, 'out');
    const seed = intFlag(v, 'seed', 0, 2 ** 32 - 1);
    const t0 = performance.now();
    const shop = await writeShop(out, seed === undefined ? DEFAULT_SHOP_CONFIG : { ...DEFAULT_SHOP_CONFIG, seed });
    const s = shop.stats;
    io.out(`wrote ${out}/catalog.json (${s.products} products, ${s.categories} categories), ${out}/images/ (${shop.images.size} SVGs), ${out}/events.csv (${s.events.toLocaleString('en')} events, ${s.sessions.toLocaleString('en')} sessions, ${s.firstEvent} .. ${s.lastEvent}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  },
};

/** `inpage train --catalog f --events f --out dir [--seed n] [--dim n] [--epochs n]`. */
export const trainCommand: Command = {
  summary: 'train a recommender package: recommender.onnx, items.json, manifest.json',
  usage: 'inpage train --catalog <catalog.json> --events <events.csv|.jsonl> --out <dir> [--max-bad-lines <n>] [--seed <n>] [--dim <n>] [--epochs <n>]\n' +
    `  --max-bad-lines <n>  stop with exit code 1 once more than n event lines cannot be read (default ${DEFAULT_MAX_BAD_LINES}); fewer are skipped and reported\n` +
    '  Event columns are matched by header name (session_id/user/visitor…, item_id/product/sku…, event/action/type…, timestamp/time/when…); see README.',
  async run(argv, io) {
    const v = parseFlags(argv, { catalog: { type: 'string' }, events: { type: 'string' }, out: { type: 'string' }, 'max-bad-lines': { type: 'string' }, ...MODEL_FLAGS });
    const catalog = required(v, 'catalog');
    const events = required(v, 'events');
    const outDir = required(v, 'out');
    const maxBadLines = intFlag(v, 'max-bad-lines', 0, Number.MAX_SAFE_INTEGER);
    const model = modelFlags(v);
    await inputFiles({ catalog, events });
    const summary = await train({
      catalog, events, outDir, model, log: io.out, warn: (l) => io.err(`warning: ${l}`),
      ...(maxBadLines === undefined ? {} : { maxBadLines }),
    });
    printTrainSummary(summary, outDir, io);
    return 0;
  },
};

/** `inpage eval --catalog f --events f [--model dir] [--out results.json] [--check]`. */
export const evalCommand: Command = {
  summary: 'offline evaluation on a time split: popularity vs item-kNN vs the model; search: keyword library vs encoder vs hybrid; the assistant: keyword vs encoder vs hybrid, abstention',
  usage: 'inpage eval --catalog <catalog.json> --events <events.csv> [--model <dir>] [--out <results.json>] [--test-share <0..1>] [--check] [--no-search] [--tune-search] [--no-assistant] [--pages <dir>] [--seed <n>] [--dim <n>] [--epochs <n>]\n' +
    '  --model <dir>   score a packaged model instead of training one on the training period\n' +
    '  --no-search     skip the search tables (keyword library, encoder, hybrid; Recall@10, MRR, NDCG@10)\n' +
    '  --tune-search   instead of the eval, choose the keyword and fusion settings on the tuning splits and print the trials\n' +
    '  --no-assistant  skip the assistant table (paraphrased questions over help pages: keyword, encoder, hybrid; abstention)\n' +
    '  --pages <dir>   help pages for the assistant table (default: the demo help centre, generated)\n' +
    '  --check         exit 1 unless model NDCG@10 ≥ 2× popularity and ≥ item-kNN, and the hybrid search meets its targets',
  async run(argv, io) {
    const v = parseFlags(argv, {
      catalog: { type: 'string' }, events: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' },
      'test-share': { type: 'string' }, check: { type: 'boolean' }, 'no-search': { type: 'boolean' }, 'tune-search': { type: 'boolean' }, 'no-assistant': { type: 'boolean' }, pages: { type: 'string' }, ...MODEL_FLAGS,
    });
    const modelDir = optional(v, 'model');
    const testShare = numberFlag(v, 'test-share', 0.01, 0.9);
    const catalog = required(v, 'catalog');
    const events = required(v, 'events');
    const model = modelFlags(v);
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
      model,
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
    const pages = optional(v, 'pages');
    const assistant = v['no-assistant'] === true ? undefined : await runAssistantEval({ ...(pages === undefined ? {} : { pagesDir: pages }), log: io.err });
    if (assistant) io.out(`\n${assistantMarkdown(assistant)}`);
    const out = optional(v, 'out');
    if (out !== undefined) {
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, `${JSON.stringify({ ...report, ...(search === undefined ? {} : { search }), ...(assistant === undefined ? {} : { assistant }) }, null, 2)}\n`);
      io.err(`wrote ${out}`);
    }
    return v['check'] === true && (!report.targetMet || (search !== undefined && !search.targets.met)) ? 1 : 0;
  },
};
