/**
 * `inpage recommend` benchmark: subscribers per second on the demo catalogue and on 50,000 items,
 * and peak memory for 1 million subscribers, each a real run of the command (child process, all
 * cores) over a seeded histories file (bench/newsletter-histories.ts). Prints a table and writes
 * bench/out/newsletter.json.
 *
 *   npm run bench:newsletter                       # all three (needs `npm run assets`; builds the 50k package once)
 *   npx tsx bench/newsletter.ts --only demo,50k    # a subset; --runtime node to compare onnxruntime-node
 *
 * Wall-clock throughput depends on what else the machine runs; the CPU seconds the command used
 * (all threads) do not, so the table also gives subscribers per CPU-second and load average.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs, promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeHistories } from './newsletter-histories.ts';

const run = promisify(execFile);
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

interface Scenario { key: string; name: string; reco: string; subscribers: number }
const SCENARIOS: readonly Scenario[] = [
  { key: 'demo', name: 'demo catalogue (public/reco)', reco: here('../public/reco'), subscribers: 200_000 },
  { key: '50k', name: '50,000 items (bench/make-50k.ts)', reco: here('./.data/reco-50k'), subscribers: 20_000 },
  { key: '1m', name: '1 million subscribers, demo catalogue', reco: here('../public/reco'), subscribers: 1_000_000 },
];

/** What one run printed, parsed from its summary line. */
export interface NewsletterResult {
  scenario: string;
  items: number;
  subscribers: number;
  seconds: number;
  perSecond: number;
  cpuSeconds: number;
  perCpuSecond: number;
  workers: number;
  runtime: string;
  peakRssMb: number;
  loadBefore: number;
}

const SUMMARY = /([\d,]+) subscribers in ([\d.]+) s: ([\d,]+) subscribers\/s on (\d+) worker threads? \(([^)]*)\), CPU ([\d.]+) s, peak memory ([\d,]+) MB/;
const num = (s: string): number => Number(s.replaceAll(',', ''));

async function runOne(s: Scenario, runtime: string): Promise<NewsletterResult> {
  if (!existsSync(`${s.reco}/manifest.json`)) {
    if (s.key !== '50k') throw new Error(`${s.reco}/manifest.json is missing: run \`npm run assets\` first.`);
    await run('npx', ['tsx', here('./make-50k.ts')], { maxBuffer: 64 << 20 });
  }
  const histories = here(`./.data/newsletter-${s.key}.csv`);
  if (!existsSync(histories)) await writeHistories(s.reco, s.subscribers, histories, 7);
  const out = here(`./.data/newsletter-${s.key}-recs.csv`);
  await rm(out, { force: true });
  const loadBefore = loadavg()[0]!;
  const { stdout } = await run(process.execPath, [here('../bin/inpage.js'), 'recommend', '--reco', s.reco, '--histories', histories, '--out', out, '--k', '6', '--runtime', runtime,
    '--link', 'https://shop.example/p/{id}', '--image', 'https://shop.example/img/{id}.jpg'], { maxBuffer: 64 << 20 });
  const m = SUMMARY.exec(stdout);
  if (m === null) throw new Error(`no summary line in:\n${stdout}`);
  const items = (await import(`${s.reco}/manifest.json`, { with: { type: 'json' } }) as { default: { dims: { items: number } } }).default.dims.items;
  await rm(out, { force: true }); // a million rows are ~1 GB: not kept
  const cpuSeconds = Number(m[6]);
  return {
    scenario: s.name, items, subscribers: num(m[1]!), seconds: Number(m[2]), perSecond: num(m[3]!), cpuSeconds,
    perCpuSecond: Math.round(num(m[1]!) / cpuSeconds), workers: Number(m[4]), runtime: m[5]!, peakRssMb: num(m[7]!), loadBefore,
  };
}

const { values } = parseArgs({ options: { only: { type: 'string' }, runtime: { type: 'string' } } });
const only = values.only?.split(',');
const runtime = values.runtime ?? 'wasm';
const results: NewsletterResult[] = [];
for (const s of SCENARIOS.filter((x) => only === undefined || only.includes(x.key))) {
  console.error(`running ${s.name}: ${s.subscribers.toLocaleString('en')} subscribers…`);
  results.push(await runOne(s, runtime));
}
const rows = results.map((r) => `| ${r.scenario} | ${r.items.toLocaleString('en')} | ${r.subscribers.toLocaleString('en')} | ${r.seconds.toFixed(1)} | ${r.perSecond.toLocaleString('en')} | ${r.perCpuSecond.toLocaleString('en')} | ${r.peakRssMb.toLocaleString('en')} | ${r.loadBefore.toFixed(1)} |`);
console.log(['| scenario | items | subscribers | wall s | subscribers/s | per CPU-second | peak MB | load avg |', '|---|---:|---:|---:|---:|---:|---:|---:|', ...rows].join('\n'));
await mkdir(here('./out'), { recursive: true });
// Scenarios run separately (--only) keep each other's latest results.
const file = here('./out/newsletter.json');
const before = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as { results?: (NewsletterResult & { date?: string })[] }).results ?? [] : [];
const date = new Date().toISOString();
const merged = [...before.filter((b) => !results.some((r) => r.scenario === b.scenario)), ...results.map((r) => ({ ...r, date }))];
await writeFile(file, `${JSON.stringify({ cores: availableParallelism(), cpu: cpus()[0]?.model, runtime, results: merged }, null, 2)}\n`);
console.error('wrote bench/out/newsletter.json');
