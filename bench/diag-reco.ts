/**
 * Diagnostic for the recommend() tail (issue 14), not part of `npm run bench`: per-call splits
 * (page work before the run, the run's round trip, the worker's queued and compute time, page
 * work after, a bare worker round trip as the floor) from bench/app/reco-trace.ts, with the
 * slowest calls listed. How the first-visit tail was traced to V8's wasm tier-up
 * (docs/RECOMMENDER.md, "Latency").
 *
 *   npx tsx bench/diag-reco.ts [memory|local] [manifest]     default: memory reco/manifest.json
 *   REPS=2        page visits (fresh contexts, or one profile with PERSIST=1: visits 2+ return)
 *   WARMUP=10     untimed calls per strategy; EVENTS=6 tracked events; SETTLE=0 ms idle first
 *   TRACE=1       also writes a Chrome trace per visit to /tmp/reco-trace-<visit>.json
 *   NO_BUILD=1    reuse bench/.build
 */
import { chromium } from '@playwright/test';
import { build } from 'vite';
import { fileURLToPath } from 'node:url';
import { findChromium } from '../scripts/chromium.mjs';
import { serve } from '../test/server/static-server.ts';
import { ARGS } from './config.ts';
import type { TraceRow } from './app/reco-trace.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const storage = (process.argv[2] ?? 'memory') as 'memory' | 'local';
const manifest = process.argv[3] ?? 'reco/manifest.json';
if (!process.env['NO_BUILD']) await build({ root: here('./app'), base: './', logLevel: 'warn', configFile: false, build: { outDir: here('./.build'), emptyOutDir: true, target: 'es2022', reportCompressedSize: false }, worker: { format: 'es' } });
const server = await serve({ roots: [here('./.build'), here('../public'), here('./.data')], cacheControl: (p) => (p.startsWith('/assets/') || p.startsWith('/coi/assets/') ? 'public, max-age=3600' : 'no-store') });
const executablePath = findChromium();
const browser = await chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}), args: ARGS });
const persistent = process.env['PERSIST'] ? await chromium.launchPersistentContext((await import('node:fs')).mkdtempSync('/tmp/reco-prof-'), { headless: true, ...(executablePath ? { executablePath } : {}), args: ARGS }) : undefined;
try {
  for (let rep = 0; rep < Number(process.env['REPS'] ?? 2); rep++) {
    const page = persistent ? await persistent.newPage() : await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/coi/index.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'bench ready');
    const cdp = persistent && process.env['TRACE'] ? await persistent.newCDPSession(page) : undefined;
    if (cdp) await cdp.send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: ['blink.user_timing', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed', 'disabled-by-default-v8.wasm.turbofan', 'toplevel', 'disabled-by-default-devtools.timeline'] } });
    if (process.env['TRACE'] && !persistent) await browser.startTracing(page, { path: `/tmp/reco-trace-${rep}.json`, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-v8.gc', 'blink.user_timing', 'toplevel', 'disabled-by-default-v8.wasm.detailed', 'v8.wasm', 'disabled-by-default-v8.wasm.turbofan']  });
    const rows = await page.evaluate((o) => (window as unknown as { bench: { recommendTrace(o: unknown): Promise<TraceRow[]> } }).bench.recommendTrace(o), { manifestUrl: manifest, runs: 200, storage, settleMs: Number(process.env['SETTLE'] ?? 0), warmup: Number(process.env['WARMUP'] ?? 10), events: Number(process.env['EVENTS'] ?? 6) });
    if (process.env['TRACE'] && !persistent) await browser.stopTracing();
    if (cdp) {
      const done = new Promise<string>((r) => cdp.once('Tracing.tracingComplete', (e) => r(e.stream!)));
      await cdp.send('Tracing.end');
      const handle = await done;
      let text = '';
      for (;;) { const c = await cdp.send('IO.read', { handle, size: 1 << 20 }); text += c.base64Encoded ? Buffer.from(c.data, 'base64').toString() : c.data; if (c.eof) break; }
      (await import('node:fs')).writeFileSync(`/tmp/reco-trace-${rep}.json`, text);
    }
    if (persistent) { await page.close(); await new Promise((r) => setTimeout(r, 3000)); } else await page.context().close();
    const q = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))]!; };
    for (const st of ['for-you', 'similar', 'complete-the-look', 'trending']) {
      const r = rows.filter((x) => x.strategy === st);
      const f = (k: keyof TraceRow, p: number): string => q(r.map((x) => x[k] as number), p).toFixed(2);
      console.log(`rep ${rep} ${st.padEnd(18)} total p50 ${f('total', 0.5)} p95 ${f('total', 0.95)} | pre p50 ${f('pre', 0.5)} p95 ${f('pre', 0.95)} | run p50 ${f('run', 0.5)} p95 ${f('run', 0.95)} | queued p95 ${f('queued', 0.95)} compute p50 ${f('compute', 0.5)} p95 ${f('compute', 0.95)} | post p95 ${f('post', 0.95)} | echo p50 ${f('echo', 0.5)} p95 ${f('echo', 0.95)}`);
      const slow = [...r].sort((a, b) => b.total - a.total).slice(0, 6);
      for (const s of slow) console.log(`   slow: total ${s.total.toFixed(2)} pre ${s.pre.toFixed(2)} run ${s.run.toFixed(2)} (queued ${s.queued.toFixed(2)} compute ${s.compute.toFixed(2)}) post ${s.post.toFixed(2)} heap ${s.heapMb.toFixed(1)} echo ${s.echo.toFixed(2)}`);
    }
  }
} finally {
  await persistent?.close();
  await browser.close();
  await server.close();
}
