/**
 * The `gen-data`, `train` and `eval` subcommands: flag parsing and printing around
 * tools/shop, tools/train and tools/eval.
 */
import { writeFile } from 'node:fs/promises';
import { DEFAULT_SHOP_CONFIG } from '../shop/config.ts';
import { writeShop } from '../shop/generate.ts';
import { markdownReport, runEval } from '../eval/run.ts';
import { runSearchEvalFromFiles } from '../eval/search-run.ts';
import { searchMarkdown } from '../eval/search.ts';
import { assistantMarkdown, runAssistantEval } from '../eval/assistant.ts';
import type { ModelOptions } from '../train/model.ts';
import { train, type TrainSummary } from '../train/train.ts';
import { intFlag, numberFlag, optional, parseFlags, required } from './args.ts';

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
    io.err(`skipped ${r.badLines} bad lines, ${r.unknownEvents} unknown event types, ${r.unknownItems} unknown items; e.g.\n  ${r.examples.join('\n  ')}`);
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
      `in ${s.seconds.total.toFixed(1)} s (read ${s.seconds.read.toFixed(1)} s, fit ${s.seconds.fit.toFixed(1)} s, write ${s.seconds.write.toFixed(1)} s): ` +
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
  usage: 'inpage train --catalog <catalog.json> --events <events.csv|.jsonl> --out <dir> [--seed <n>] [--dim <n>] [--epochs <n>]',
  async run(argv, io) {
    const v = parseFlags(argv, { catalog: { type: 'string' }, events: { type: 'string' }, out: { type: 'string' }, ...MODEL_FLAGS });
    const catalog = required(v, 'catalog');
    const events = required(v, 'events');
    const outDir = required(v, 'out');
    const summary = await train({ catalog, events, outDir, model: modelFlags(v), log: io.out });
    printTrainSummary(summary, outDir, io);
    return 0;
  },
};

/** `inpage eval --catalog f --events f [--model dir] [--out results.json] [--check]`. */
export const evalCommand: Command = {
  summary: 'offline evaluation on a time split: popularity vs item-kNN vs the model; search: BM25 vs the text encoder',
  usage: 'inpage eval --catalog <catalog.json> --events <events.csv> [--model <dir>] [--out <results.json>] [--test-share <0..1>] [--check] [--no-search] [--seed <n>] [--dim <n>] [--epochs <n>]\n' +
    '  --model <dir>  score a packaged model instead of training one on the training period\n' +
    '  --no-search    skip the search table (generated queries: BM25 vs the catalogue encoder, Recall@10, MRR)\n' +
    '  --no-assistant skip the assistant table (paraphrased questions over help pages: keyword, encoder, hybrid; abstention)\n' +
    '  --pages <dir>  help pages for the assistant table (default: the demo help centre, generated)\n' +
    '  --check        exit 1 unless model NDCG@10 ≥ 2× popularity and ≥ item-kNN, and the encoder\'s Recall@10 > BM25\'s',
  async run(argv, io) {
    const v = parseFlags(argv, {
      catalog: { type: 'string' }, events: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' },
      'test-share': { type: 'string' }, check: { type: 'boolean' }, 'no-search': { type: 'boolean' }, 'no-assistant': { type: 'boolean' }, pages: { type: 'string' }, ...MODEL_FLAGS,
    });
    const modelDir = optional(v, 'model');
    const testShare = numberFlag(v, 'test-share', 0.01, 0.9);
    const report = await runEval({
      catalog: required(v, 'catalog'),
      events: required(v, 'events'),
      ...(modelDir === undefined ? {} : { modelDir }),
      ...(testShare === undefined ? {} : { testShare }),
      model: modelFlags(v),
      log: io.err,
    });
    io.out(markdownReport(report));
    const search = v['no-search'] === true ? undefined : await runSearchEvalFromFiles({
      catalog: required(v, 'catalog'), events: required(v, 'events'),
      ...(modelDir === undefined ? {} : { modelDir }),
      ...(testShare === undefined ? {} : { testShare }),
      model: modelFlags(v), log: io.err,
    });
    if (search) io.out(`\n${searchMarkdown(search)}`);
    const pages = optional(v, 'pages');
    const assistant = v['no-assistant'] === true ? undefined : await runAssistantEval({ ...(pages === undefined ? {} : { pagesDir: pages }), log: io.err });
    if (assistant) io.out(`\n${assistantMarkdown(assistant)}`);
    const out = optional(v, 'out');
    if (out !== undefined) {
      await writeFile(out, `${JSON.stringify({ ...report, ...(search === undefined ? {} : { search }), ...(assistant === undefined ? {} : { assistant }) }, null, 2)}\n`);
      io.err(`wrote ${out}`);
    }
    return v['check'] === true && (!report.targetMet || (search !== undefined && !search.targetMet)) ? 1 : 0;
  },
};
