/**
 * `npm run bench`: real Chromium, side-by-side measurements, medians of REPS repetitions.
 * Prints a table and writes bench/results.json and bench/RESULTS.md. No pass/fail: these
 * machines are shared and noisy, so targets are reported (as ratios where possible), not asserted.
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { build } from 'vite';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from '../scripts/chromium.mjs';
import { serve } from '../test/server/static-server.ts';
import { testModels } from '../tools/models/index.ts';
import { writeModels } from '../tools/models/write.ts';
import { renderMarkdown } from './report.ts';
import { recommendScenario } from './recommend.ts';
import { ARGS, BROADBAND, ONLY, REPS } from './config.ts';
import type { BenchResults, ColdWarm, Phases } from './types.ts';
import { startSite } from './site/serve.ts';
import { repeatViewScenario } from './site/repeat-view.ts';
import { vitalsScenario } from './site/vitals.ts';
import { createMlp } from '../tools/models/index.ts';
import { searchScenario } from './search.ts';
import { chatScenario } from './chat.ts';
import { writeHfFolder } from '../tools/encoder/hf-layout.ts';
import { tinyBert } from '../tools/encoder/tiny-bert.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

const med = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
/** Median of each numeric leaf across repetitions of the same-shaped result. */
function medianOf<T>(runs: T[]): T {
  const first = runs[0] as unknown;
  if (typeof first === 'number') return med(runs as number[]) as T;
  if (typeof first !== 'object' || first === null) return first as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(first)) out[k] = medianOf(runs.map((r) => (r as Record<string, unknown>)[k]));
  return out as T;
}

async function openBench(browser: Browser, base: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/index.html`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'bench ready');
  return page;
}

async function repeat<T>(label: string, browser: Browser, base: string, fn: (page: Page) => Promise<T>): Promise<T> {
  const runs: T[] = [];
  for (let i = 0; i < REPS; i++) {
    const page = await openBench(browser, base);
    runs.push(await fn(page));
    await page.context().close();
    process.stdout.write(`\r${label}: ${i + 1}/${REPS}   `);
  }
  process.stdout.write('\n');
  return medianOf(runs);
}

/**
 * Runs every scenario (or those in BENCH_ONLY) and writes the results. The entry is bench/main.ts:
 * importing this module runs nothing.
 */
export async function runBench(): Promise<void> {
  await writeModels(testModels, here('../public/models'));
  // The #13 burst scenario's model: 256→512→10, wide enough that a batched run pays off.
  await writeModels([createMlp({ name: 'big-mlp', sizes: [256, 512, 10], seed: 3 })].map((m) => ({ ...m, name: 'wide-mlp' })), here('./.data/models'));
  // Scenario 6's model, in the Hugging Face layout the hub code path reads (served at /hf/).
  const fe = tinyBert('feature-extraction');
  await writeHfFolder(here(`../public/hf/${fe.id}`), fe.files);
  await build({
    root: here('./app'), base: './', logLevel: 'warn', configFile: false,
    build: { outDir: here('./.build'), emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
    worker: { format: 'es' },
  });
  // Hashed build assets (the ORT runtime among them) are cacheable, as from any CDN; models are
  // not, so the warm load can only be served by Inpage's own model cache.
  // (Under /coi/ too: the recommend scenario's returning visit is isolated. Fresh contexts keep
  // their HTTP cache in a small memory store that never holds ORT's wasm, so no other scenario
  // is served from cache by this.)
  const server = await serve({ roots: [here('./.build'), here('../public'), here('./.data')], cacheControl: (p) => (/^(\/coi)?\/assets\//.test(p) ? 'public, max-age=3600' : 'no-store') });
  const executablePath = findChromium();
  const launch = (gpu: boolean): Promise<Browser> => chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}), args: gpu ? [...ARGS, '--enable-unsafe-webgpu'] : ARGS });
  const cpu = await launch(false);
  const gpu = await launch(true);
  const base = server.url;
  // Cross-origin isolated pages get 5 µs timers instead of 100 µs (PLATFORM.md); scenarios that
  // compare threads pin them explicitly.
  const iso = `${base}/coi`;
  const models = ['mlp', 'embed-topk', 'multi-io', 'big-mlp'];
  const started = Date.now();
  try {
    const meta: BenchResults['meta'] = { date: new Date().toISOString(), reps: REPS, cores: (await import('node:os')).cpus().length, chromium: cpu.version(), note: 'medians of REPS repetitions; each repetition in a fresh browser context' };
    const scenarios = {
      engine: async () => ({
        wasm: await repeat('engine wasm', cpu, base, (p) => p.evaluate((m) => window.bench.engineModels({ backend: 'wasm', models: m, runs: 200 }), models)),
        wasmIsolated: await repeat('engine wasm isolated', cpu, `${base}/coi`, (p) => p.evaluate((m) => window.bench.engineModels({ backend: 'wasm', models: m, runs: 200 }), models)),
        webgpu: await repeat('engine webgpu', gpu, base, (p) => p.evaluate((m) => window.bench.engineModels({ backend: 'webgpu', models: m.filter((x) => x !== 'multi-io'), runs: 100 }), models)),
      }),
      overhead: () => repeat('overhead', cpu, iso, (p) => p.evaluate(() => window.bench.overhead({ runs: 1000, model: 'mlp', width: 64 }))),
      throughput: async () => ({
        recommender: await repeat('throughput recommender', cpu, iso, (p) => p.evaluate(() => window.bench.throughput({ recommender: 'reco/manifest.json', n: 256, reps: 10 }))),
        bigMlp: await repeat('throughput big-mlp', cpu, iso, (p) => p.evaluate(() => window.bench.throughput({ model: 'big-mlp', n: 256, reps: 10 }))),
      }),
      longTasks: async () => ({
        inpage: await repeat('long tasks inpage', cpu, iso, (p) => p.evaluate(() => window.bench.longTasks({ mode: 'inpage', url: 'models/big-mlp.onnx', runs: 1000 }))),
        mainThread: await repeat('long tasks main', cpu, iso, (p) => p.evaluate(() => window.bench.longTasks({ mode: 'main', url: 'models/big-mlp.onnx', runs: 1000 }))),
      }),
      coldWarm: async () => {
        const profile = (dir: string): Promise<BrowserContext> => chromium.launchPersistentContext(dir, { headless: true, ...(executablePath ? { executablePath } : {}), args: ARGS });
        return { localhost: await coldWarm(profile, base), broadband: await coldWarm(profile, base, BROADBAND) };
      },
      cacheHit: () => repeat('result cache', cpu, iso, (p) => p.evaluate(() => window.bench.cacheHit({ runs: 1000, model: 'mlp', width: 64 }))),
      recommend: () => recommendScenario((dir) => chromium.launchPersistentContext(dir, { headless: true, ...(executablePath ? { executablePath } : {}), args: ARGS }), iso, REPS),
      search: () => searchScenario(cpu, iso, REPS, openBench),
      chat: () => chatScenario(cpu, iso, REPS, openBench),
      transformers: async () => ({
        model: fe.id,
        direct: await repeat('transformers.js direct', cpu, base, (p) => p.evaluate((m) => window.bench.transformersPipeline({ mode: 'direct', model: m, runs: 200, burst: 64 }), fe.id)),
        inpage: await repeat('transformers.js via Inpage', cpu, base, (p) => p.evaluate((m) => window.bench.transformersPipeline({ mode: 'inpage', model: m, runs: 200, burst: 64 }), fe.id)),
      }),
      contention: async () => {
        const stream = (backend: 'wasm' | 'auto', other: 'search' | 'big-mlp', ownWorker = false) => (p: Page) => p.evaluate((o) => window.bench.contention(o), { backend, manifestUrl: 'reco/manifest.json', other, intervalMs: 10, idleMs: 1500, ownWorker });
        return {
          wasmSearch: await repeat('contention wasm + search', cpu, base, stream('wasm', 'search')),
          wasmBigMlp: await repeat('contention wasm + big-mlp', cpu, base, stream('wasm', 'big-mlp')),
          webgpuSearch: await repeat('contention webgpu + search', gpu, base, stream('auto', 'search')),
          webgpuBigMlp: await repeat('contention webgpu + big-mlp', gpu, base, stream('auto', 'big-mlp')),
          wasmSearchOwnWorker: await repeat('contention wasm + search, own worker', cpu, base, stream('wasm', 'search', true)),
          wasmBigMlpOwnWorker: await repeat('contention wasm + big-mlp, own worker', cpu, base, stream('wasm', 'big-mlp', true)),
          webgpuSearchOwnWorker: await repeat('contention webgpu + search, own worker', gpu, base, stream('auto', 'search', true)),
          webgpuBigMlpOwnWorker: await repeat('contention webgpu + big-mlp, own worker', gpu, base, stream('auto', 'big-mlp', true)),
        };
      },
      threeLoads: async () => ({
        wasm: await repeat('three loads at once, wasm', cpu, base, (p) => p.evaluate(() => window.bench.threeLoads({ backend: 'wasm' }))),
        webgpu: await repeat('three loads at once, webgpu', gpu, base, (p) => p.evaluate(() => window.bench.threeLoads({ backend: 'auto' }))),
      }),
      bareBurst: () => repeat('256 requests vs a bare worker', cpu, base, (p) => p.evaluate(() => window.bench.bareBurst({ url: 'models/wide-mlp.onnx', width: 256, n: 256, reps: 10, warmup: 5 }))),
      // #19: the marketing site with the script tag (bench/site/): repeat views, Core Web Vitals.
      repeatView: async () => {
        const site = await startSite();
        try {
          const profile = (dir: string): Promise<BrowserContext> => chromium.launchPersistentContext(dir, { headless: true, ...(executablePath ? { executablePath } : {}), args: ARGS });
          return await repeatViewScenario(profile, site.tag.url, site.tagRevalidate.url, REPS);
        } finally {
          await site.close();
        }
      },
      vitals: async () => {
        const site = await startSite();
        try {
          return await vitalsScenario(cpu, site.tag.url, site.bare.url, REPS, executablePath ? { executablePath, args: ARGS } : undefined);
        } finally {
          await site.close();
        }
      },
    };
    if (ONLY) {
      // A partial run (while working on one lever) never overwrites the full results.
      const partial: Record<string, unknown> = { meta };
      for (const name of ONLY) {
        if (!(name in scenarios)) throw new Error(`BENCH_ONLY: unknown scenario "${name}"; expected some of ${Object.keys(scenarios).join(', ')}`);
        partial[name] = await scenarios[name as keyof typeof scenarios]();
      }
      mkdirSync(here('./out'), { recursive: true });
      writeFileSync(here('./out/partial.json'), `${JSON.stringify(partial, null, 2)}\n`);
      console.log(JSON.stringify(partial, null, 2));
      return;
    }
    const results: BenchResults = { meta } as BenchResults;
    for (const [name, run] of Object.entries(scenarios)) (results as unknown as Record<string, unknown>)[name] = await run();
    results.meta.seconds = Math.round((Date.now() - started) / 1000);
    mkdirSync(here('.'), { recursive: true });
    writeFileSync(here('./results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const md = renderMarkdown(results);
    writeFileSync(here('./RESULTS.md'), md);
    console.log(`\n${md}`);
  } finally {
    await cpu.close();
    await gpu.close();
    await server.close();
  }
}

type Visit = { ms: number; source: string; downloaded: number; phases: Phases };

/**
 * Cold: a new browser profile, empty caches. Warm: a second page in the same profile (its disk
 * HTTP cache holds the hashed runtime files, Inpage's model cache holds the model). A persistent
 * profile, as a visitor's browser has: Playwright's incognito contexts keep the HTTP cache in a
 * small in-memory store that cannot hold ORT's 14 MB wasm, so every "warm" visit there
 * downloads and compiles the runtime again, which no real returning visitor does.
 */
async function coldWarm(launchProfile: (dir: string) => Promise<BrowserContext>, base: string, network?: { downloadMbps: number; latencyMs: number }): Promise<ColdWarm> {
  const runs: (Omit<ColdWarm, 'warmSource' | 'cold' | 'warm'> & { warmSource: string; cold: Phases; warm: Phases })[] = [];
  for (let i = 0; i < REPS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'inpage-bench-profile-'));
    const ctx = await launchProfile(dir);
    const url = `models/big-mlp.onnx?cw=${Date.now()}-${i}`;
    const open = async (): Promise<Page> => {
      const page = await ctx.newPage();
      if (network) {
        // DevTools' network emulation: applies to the page and its workers' fetches.
        const cdp = await ctx.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: network.latencyMs, downloadThroughput: (network.downloadMbps * 1e6) / 8, uploadThroughput: (network.downloadMbps * 1e6) / 8 / 4 });
      }
      await page.goto(`${base}/index.html`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'bench ready');
      return page;
    };
    const served = async (): Promise<{ model: number; runtime: number }> => {
      const stats = (await (await fetch(`${base}/__stats`)).json()) as Record<string, { bytes: number }>;
      const runtime = Object.entries(stats).filter(([k]) => /\/assets\/ort[^/]*\.(wasm|m?js)$/.test(k)).reduce((n, [, v]) => n + v.bytes, 0);
      return { model: stats[`/${url}`]?.bytes ?? 0, runtime };
    };
    const before = await served();
    const p1 = await open();
    const cold = await p1.evaluate((u) => window.bench.firstResult({ url: u }), url) as Visit;
    const afterCold = await served();
    await p1.close();
    const p2 = await open();
    const warm = await p2.evaluate((u) => window.bench.firstResult({ url: u }), url) as Visit;
    const afterWarm = await served();
    await p2.close();
    // The floor under the warm visit: ORT alone in a fresh worker, same warm HTTP cache.
    let bareWarmMs: number | undefined;
    if (!network) {
      const p3 = await open();
      bareWarmMs = (await p3.evaluate((u) => window.bench.bareFirstResult({ url: u, width: 256 }), url)).ms;
    }
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
    runs.push({
      coldMs: cold.ms, warmMs: warm.ms, ...(bareWarmMs === undefined ? {} : { bareWarmMs }), coldModelBytes: afterCold.model - before.model, warmModelBytes: afterWarm.model - afterCold.model,
      coldRuntimeBytes: afterCold.runtime - before.runtime, warmRuntimeBytes: afterWarm.runtime - afterCold.runtime,
      warmSource: warm.source, cold: cold.phases, warm: warm.phases,
    });
    process.stdout.write(`\rcold/warm: ${i + 1}/${REPS}   `);
  }
  process.stdout.write('\n');
  return { ...medianOf(runs.map(({ warmSource: _, ...r }) => r)), warmSource: runs[0]!.warmSource };
}

