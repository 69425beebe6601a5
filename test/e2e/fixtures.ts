/**
 * End-to-end fixtures for the script-tag build: a marketing site on one origin
 * (http://127.0.0.1:<port>) loading dist/cdn/inpage.js from another (http://localhost:<port>),
 * served plain, cross-origin isolated, and with the documented strict CSP as a header.
 *
 * The servers are worker-scoped: each Playwright worker starts its own set (ports differ), and
 * writes its copy of the site pages with the script origin filled in.
 */
import { test as base, expect, type ConsoleMessage, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serve, type RunningServer } from '../server/static-server.ts';
import { exclusive } from './exclusive.ts';
import { embedPolicy, noWasmPolicy, noWorkerPolicy, strictPolicy } from './policy.ts';

export { expect };

export const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** How the page origin serves the site. */
export type SiteKind = 'plain' | 'isolated' | 'csp' | 'csp-isolated' | 'csp-no-worker' | 'csp-no-wasm' | 'csp-embed';

export interface Servers {
  /** The script's origin: dist/cdn with CORS and CORP, as a CDN serves it. */
  cdn: RunningServer;
  /** The page origin in the given mode (started on first use). */
  site(kind: SiteKind): Promise<RunningServer>;
}

/** Everything a test sees of one page load. */
export interface Visit {
  page: Page;
  site: RunningServer;
  /** Every URL the page and its workers requested, in order. */
  requests: string[];
  /** Console messages, as 'type: text'. */
  console: string[];
  pageErrors: string[];
}

export interface Fixtures {
  /** Opens `file` (default index.html) from the site in `kind` mode. */
  visit: (kind: SiteKind, file?: string) => Promise<Visit>;
}

const run = promisify(execFile);

/** dist/cdn must be built (npm run build, which test:browser runs first). */
async function requireBuild(): Promise<void> {
  try {
    await stat(root('dist/cdn/inpage.js'));
  } catch {
    throw new Error('dist/cdn/inpage.js is missing: run `npm run build` (npm run test:browser does) before the e2e tests.');
  }
}

/** The demo shop and its recommender in public/ (the generator skips when up to date). */
async function requireDemoData(): Promise<void> {
  await exclusive(root('test/.build/demo-data.lock'), async () => {
    await run(process.execPath, [root('bin/inpage.js'), 'demo-data', '--out', root('public')], { cwd: root('.') });
  });
}

/**
 * A copy of the recommender package whose item table has hostile titles (markup and script),
 * with the manifest's hash updated so the SDK accepts it.
 */
async function writeEvilPackage(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const manifest = JSON.parse(await readFile(root('public/reco/manifest.json'), 'utf8')) as { items: string; model: string; files: Record<string, { bytes: number; sha256: string }> };
  const items = JSON.parse(await readFile(root(`public/reco/${manifest.items}`), 'utf8')) as { titles: string[] };
  items.titles = items.titles.map((_, i) => `<img src=x onerror="window.__xss=${i}"><script>window.__xss=${i}</script> Tent ${i}`);
  const bytes = Buffer.from(JSON.stringify(items));
  manifest.files[manifest.items] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  await writeFile(join(dir, manifest.items), bytes);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  await copyFile(root(`public/reco/${manifest.model}`), join(dir, manifest.model));
}

/**
 * The site's pages with the script origin filled in, into a folder of this worker's own; and the
 * committed embed example (public/embed/) as it would be deployed with inpage.js on `cdn`: its
 * `/inpage/` (the script-tag build, which `npm start` serves on the page's origin) becomes `cdn`.
 */
async function writeSite(dir: string, cdn: string): Promise<void> {
  await mkdir(join(dir, 'embed'), { recursive: true });
  const src = root('test/e2e/site');
  for (const name of await readdir(src)) {
    await writeFile(join(dir, name), (await readFile(join(src, name), 'utf8')).replaceAll('%CDN%', cdn));
  }
  const example = root('public/embed');
  for (const name of await readdir(example)) {
    await writeFile(join(dir, 'embed', name), (await readFile(join(example, name), 'utf8')).replaceAll('"/inpage/', `"${cdn}/`));
  }
  await writeEvilPackage(join(dir, 'evil-reco'));
}

export const test = base.extend<Fixtures, { servers: Servers }>({
  servers: [async ({}, use, info) => {
    await requireBuild();
    await requireDemoData();
    const cdn = await serve({
      roots: [root('dist/cdn')], host: 'localhost', precompressed: true,
      // What a CDN sends: CORS for the worker's module imports and fetches, CORP so an isolated
      // (COEP: require-corp) page may load inpage.js with a plain <script src>, and the
      // precompressed .br/.gz copies (docs/SERVING.md).
      headers: { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' },
    });
    const dir = root(`test/.build/e2e/w${info.workerIndex}`);
    await writeSite(dir, cdn.url);
    const roots = [dir, root('public')];
    const started = new Map<SiteKind, Promise<RunningServer>>();
    const start = (kind: SiteKind): Promise<RunningServer> => {
      const policies: Partial<Record<SiteKind, string>> = {
        csp: strictPolicy(cdn.url), 'csp-isolated': strictPolicy(cdn.url, { threads: true }), 'csp-no-worker': noWorkerPolicy(cdn.url), 'csp-no-wasm': noWasmPolicy(cdn.url),
        'csp-embed': embedPolicy(cdn.url),
      };
      const csp = policies[kind];
      return serve({ roots, isolated: kind === 'isolated' || kind === 'csp-isolated', ...(csp ? { headers: { 'Content-Security-Policy': csp } } : {}) });
    };
    const site = (kind: SiteKind): Promise<RunningServer> => {
      let s = started.get(kind);
      if (!s) started.set(kind, (s = start(kind)));
      return s;
    };
    await use({ cdn, site });
    for (const s of started.values()) await (await s).close();
    await cdn.close();
  }, { scope: 'worker', timeout: 180_000 }],

  visit: async ({ page, servers }, use) => {
    await use(async (kind, file = 'index.html') => {
      const site = await servers.site(kind);
      const v: Visit = { page, site, requests: [], console: [], pageErrors: [] };
      page.on('request', (r) => v.requests.push(r.url()));
      page.on('console', (m: ConsoleMessage) => v.console.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => v.pageErrors.push(e.message));
      await page.addInitScript(recordInPage);
      await page.goto(`${site.url}/${file}`);
      return v;
    });
  },
});

/** What `recordInPage` collects, as `window.__e2e`. */
export interface InPageRecord {
  events: { type: string; detail: unknown; at: number }[];
  violations: { directive: string; blocked: string; from: 'page' | 'worker' }[];
  /** Measured just after the element was defined, before any data can have arrived. */
  firstPaint?: { skeletons: number; height: number; belowTop: number; at: number };
}

/**
 * Runs in the page before its scripts: records the element's events (they bubble out of the
 * shadow root, composed), CSP violations (the page's and the ones the worker forwards) and the
 * skeleton the element shows before data arrives.
 */
function recordInPage(): void {
  const rec: InPageRecord = { events: [], violations: [] };
  (window as unknown as { __e2e: InPageRecord }).__e2e = rec;
  for (const type of ['inpage:render', 'inpage:error', 'inpage:click', 'inpage:impression']) {
    document.addEventListener(type, (e) => rec.events.push({ type, detail: (e as CustomEvent).detail, at: performance.now() }), true);
  }
  document.addEventListener('securitypolicyviolation', (e) => rec.violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, from: 'page' }));
  addEventListener('inpage:csp-violation', (e) => {
    const d = (e as CustomEvent<{ directive: string; blocked: string }>).detail;
    rec.violations.push({ ...d, from: 'worker' });
  });
  void customElements.whenDefined('inpage-recommendations').then(() => setTimeout(() => {
    const el = document.querySelector('inpage-recommendations');
    if (!el) return;
    rec.firstPaint = {
      skeletons: el.shadowRoot?.querySelectorAll('[part~="skeleton"]').length ?? 0,
      height: el.getBoundingClientRect().height,
      belowTop: document.getElementById('below')?.getBoundingClientRect().top ?? -1,
      at: performance.now(),
    };
  }, 0));
}

/** The page's record so far. */
export function record(page: Page): Promise<InPageRecord> {
  return page.evaluate(() => (window as unknown as { __e2e: InPageRecord }).__e2e);
}

/** Hosts (host:port) of every request that is not a blob: or data: URL. */
export function hostsOf(requests: readonly string[]): string[] {
  return [...new Set(requests.filter((u) => /^https?:/.test(u)).map((u) => new URL(u).host))].sort();
}

/**
 * Waits for the element's first `inpage:render` or `inpage:error` and returns which. On a
 * timeout the error carries the page's console, which says where it stopped.
 */
export async function settled(v: Visit, timeout = 100_000): Promise<{ type: string; detail: unknown }> {
  try {
    const handle = await v.page.waitForFunction(() => {
      const rec = (window as unknown as { __e2e: InPageRecord }).__e2e;
      return rec.events.find((e) => e.type === 'inpage:render' || e.type === 'inpage:error');
    }, undefined, { timeout });
    return (await handle.jsonValue()) as { type: string; detail: unknown };
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nconsole:\n${v.console.join('\n')}\nrequests:\n${v.requests.join('\n')}`);
  }
}
