/**
 * `inpage recommend`: newsletter personalisation in batch, on the shop's own machine. Flags,
 * progress and the summary with its cost line around tools/recommend/run.ts.
 */
import { availableParallelism } from 'node:os';
import { PRICING_EXAMPLES, type Pricing } from '../../src/stats/pricing.ts';
import { estimateSavings } from '../../src/stats/savings.ts';
import { runRecommend, type RecommendRunSummary } from '../recommend/run.ts';
import { BATCH_STRATEGIES, type BatchStrategy } from '../recommend/subscriber-list.ts';
import { DEFAULT_MAX_BAD_LINES } from '../train/read-events.ts';
import { intFlag, numberFlag, optional, parseFlags, required, UsageError } from './args.ts';
import { quote } from './clip.ts';
import type { Command, Io } from './commands.ts';
import { EVENTS_INPUT, requireInputFile } from './input-file.ts';

/** The glossary's two examples (src/stats/pricing.ts): a cheap and a frontier hosted LLM. */
const PRESETS: readonly Pricing[] = PRICING_EXAMPLES.slice(0, 2);

/** `--price 'name=dollars per 10,000 calls'`, comma-separated. */
export function parsePrices(text: string): Pricing[] {
  return text.split(',').map((part) => {
    const m = /^\s*([^=]+?)\s*=\s*\$?([0-9]*\.?[0-9]+)\s*$/.exec(part);
    if (m === null) throw new UsageError(`--price must be 'name=dollars per 10,000 calls' (comma-separated), e.g. 'my model=2.5', got ${quote(part)}`);
    return { name: m[1]!, perThousandRequests: Number(m[2]) / 10 };
  });
}

/** The cost line: what the same number of calls would have cost on hosted models. */
export function costLine(calls: number, prices: readonly Pricing[]): string {
  const parts = estimateSavings({ requests: calls }, prices).map((e) => `$${e.dollars.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} on ${e.pricing}`);
  return `hosted cost avoided for ${calls.toLocaleString('en')} calls: ${parts.join(', ')}; here: $0 (your own CPU)`;
}

/** The closing summary. */
export function summaryLines(s: RecommendRunSummary, out: string, prices: readonly Pricing[]): string[] {
  const n = (x: number): string => x.toLocaleString('en');
  return [
    `wrote ${n(s.written)} rows to ${out}${s.resumed > 0 ? ` (resumed after ${n(s.resumed)} rows already there)` : ''}: ${n(s.personal)} personal, ${n(s.trending)} trending (no usable history)`,
    `${n(s.subscribers)} subscribers in ${s.seconds.toFixed(1)} s: ${n(Math.round(s.perSecond))} subscribers/s on ${s.workers} worker thread${s.workers === 1 ? '' : 's'} (onnxruntime-${s.runtime === 'node' ? 'node' : 'web WASM'}), CPU ${s.cpuSeconds.toFixed(1)} s, peak memory ${n(s.peakRssMb)} MB` +
      (s.badLines + s.ignoredEvents > 0 ? `; skipped ${n(s.badLines)} malformed line${s.badLines === 1 ? '' : 's'}, ignored ${n(s.ignoredEvents)} event${s.ignoredEvents === 1 ? '' : 's'} of other types` : ''),
    costLine(s.written, prices),
  ];
}

const USAGE = 'inpage recommend --reco <dir> --histories <file.csv|.jsonl> --out <file.csv|.jsonl> [options]\n' +
  '  --strategy <s>        for-you (default) | similar (to the subscriber\'s strongest recent item) | trending\n' +
  '  --k <n>               items per subscriber (default 6)\n' +
  '  --link <template>     product URL, {id} and {category} filled in, e.g. https://shop.example/p/{id} (as the script tag\'s data-link)\n' +
  '  --image <template>    image URL template, e.g. https://shop.example/img/{id}.jpg (as data-image)\n' +
  '  --base <url>          what relative templates resolve against (e-mails need absolute URLs)\n' +
  '  --category <ids>      only these categories (comma-separated)\n' +
  '  --min-price <x>, --max-price <x>   price range\n' +
  '  --include-out-of-stock  also offer out-of-stock items (left out by default, as on the page)\n' +
  '  --no-exclude-seen     also offer items the subscriber already interacted with\n' +
  '  --exclude <ids>       item ids never to offer (comma-separated)\n' +
  '  --resume              continue an interrupted run: keep the rows in --out, append the rest\n' +
  '  --workers <n>         worker threads (default: one per core)\n' +
  '  --runtime <r>         wasm (default: onnxruntime-web, installed with inpage) | node (onnxruntime-node, if you install it)\n' +
  '  --price <list>        hosted prices for the cost line, \'name=dollars per 10,000 calls\' comma-separated\n' +
  '                        (default: the glossary\'s cheap hosted LLM $1.40 and frontier LLM $150)\n' +
  `  --max-bad-lines <n>   stop once more than n lines are malformed (default ${DEFAULT_MAX_BAD_LINES}); fewer are skipped and reported\n` +
  '  Histories: the columns of `inpage train` (item, event, timestamp) plus a subscriber id column (subscriber_id,\n' +
  '  email, user_id, customer_id…), lines of one subscriber together. See docs/NEWSLETTER.md.';

const ids = (v: string | undefined): string[] | undefined => v?.split(',').map((x) => x.trim()).filter((x) => x !== '');

/** `inpage recommend`. */
export const recommendCommand: Command = {
  summary: 'personalise a newsletter: one row of recommendations per subscriber, in batch, on this machine',
  usage: USAGE,
  async run(argv, io: Io) {
    const v = parseFlags(argv, {
      reco: { type: 'string' }, histories: { type: 'string' }, out: { type: 'string' }, strategy: { type: 'string' }, k: { type: 'string' },
      link: { type: 'string' }, image: { type: 'string' }, base: { type: 'string' }, category: { type: 'string' }, 'min-price': { type: 'string' }, 'max-price': { type: 'string' },
      'include-out-of-stock': { type: 'boolean' }, 'no-exclude-seen': { type: 'boolean' }, exclude: { type: 'string' }, resume: { type: 'boolean' },
      workers: { type: 'string' }, runtime: { type: 'string' }, price: { type: 'string' }, 'max-bad-lines': { type: 'string' },
    });
    const reco = required(v, 'reco');
    const histories = required(v, 'histories');
    const out = required(v, 'out');
    const format = /\.jsonl$|\.ndjson$/i.test(out) ? 'jsonl' : /\.csv$/i.test(out) ? 'csv' : undefined;
    if (format === undefined) throw new UsageError(`--out must end in .csv or .jsonl (the format follows the extension), got ${quote(out)}`);
    const strategy = optional(v, 'strategy') ?? 'for-you';
    if (!(BATCH_STRATEGIES as readonly string[]).includes(strategy)) throw new UsageError(`--strategy must be ${BATCH_STRATEGIES.join(', ')}, got ${quote(strategy)}`);
    const k = intFlag(v, 'k', 1, 100) ?? 6;
    const runtime = optional(v, 'runtime') ?? 'wasm';
    if (runtime !== 'node' && runtime !== 'wasm') throw new UsageError(`--runtime must be wasm or node, got ${quote(runtime)}`);
    const workers = intFlag(v, 'workers', 1, 256) ?? availableParallelism();
    const minPrice = numberFlag(v, 'min-price', 0, Number.MAX_VALUE);
    const maxPrice = numberFlag(v, 'max-price', 0, Number.MAX_VALUE);
    const base = optional(v, 'base');
    if (base !== undefined && !/^https?:\/\//i.test(base)) throw new UsageError(`--base must be an absolute http(s) URL, got ${quote(base)}`);
    const link = optional(v, 'link');
    const image = optional(v, 'image');
    for (const [flag, t] of [['link', link], ['image', image]] as const) {
      if (t !== undefined && base === undefined && !/^https?:\/\//i.test(t)) throw new UsageError(`--${flag} ${quote(t)} is relative; e-mails need absolute URLs: pass a full https:// template or --base https://your.shop/`);
    }
    const prices = optional(v, 'price') === undefined ? PRESETS : parsePrices(optional(v, 'price')!);
    const maxBadLines = intFlag(v, 'max-bad-lines', 0, Number.MAX_SAFE_INTEGER) ?? DEFAULT_MAX_BAD_LINES;
    await requireInputFile(histories, { label: '--histories', ...EVENTS_INPUT });
    await requireInputFile(`${reco.replace(/\/+$/, '')}/manifest.json`, { label: '--reco', what: 'recommender package folder (with manifest.json)', fits: /^manifest\.json$/ });
    const category = ids(optional(v, 'category'));
    const tty = process.stderr.isTTY === true;
    let lastProgress = '';
    const summary = await runRecommend({
      reco, histories, out, format, runtime, workers, resume: v['resume'] === true, maxBadLines,
      request: {
        strategy: strategy as BatchStrategy, k, excludeSeen: v['no-exclude-seen'] !== true, exclude: ids(optional(v, 'exclude')) ?? [],
        filter: {
          ...(category === undefined ? {} : { category }), ...(minPrice === undefined ? {} : { minPrice }), ...(maxPrice === undefined ? {} : { maxPrice }),
          ...(v['include-out-of-stock'] === true ? { includeOutOfStock: true } : {}),
        },
      },
      urls: { link, image, base: base ?? 'https://invalid.example/' },
      onBadLine: (report) => io.err(`skipped ${report}`),
      onProgress: tty ? (p) => {
        const pct = p.totalBytes > 0 ? ` (${Math.floor((100 * p.bytesRead) / p.totalBytes)}% of the file)` : '';
        lastProgress = `\r${p.subscribers.toLocaleString('en')} subscribers, ${Math.round(p.subscribers / Math.max(p.seconds, 1e-3)).toLocaleString('en')}/s${pct}`;
        process.stderr.write(lastProgress);
      } : undefined,
    });
    if (tty && lastProgress !== '') process.stderr.write('\n');
    for (const line of summaryLines(summary, out, prices)) io.out(line);
    return 0;
  },
};
