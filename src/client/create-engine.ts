import { sriSha384 } from '../caches/sri.ts';
import { InpageError } from '../errors.ts';
import type { BackendPreference, EngineOptions } from '../types.ts';
import { EngineImpl, type Engine } from './engine.ts';

const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm'];

function checkOptions(opts: EngineOptions): void {
  if (opts.backend !== undefined && !BACKENDS.includes(opts.backend)) {
    throw new InpageError('OPTION_INVALID', `backend must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}, got ${JSON.stringify(opts.backend)}.`);
  }
  if (opts.timeoutMs !== undefined && !(Number.isFinite(opts.timeoutMs) && opts.timeoutMs >= 0)) {
    throw new InpageError('OPTION_INVALID', `timeoutMs must be a non-negative number of milliseconds (0 disables), got ${String(opts.timeoutMs)}.`);
  }
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new InpageError('OPTION_INVALID', `threads must be a positive integer, got ${String(opts.threads)}.`);
  }
}

/** Message a bootstrapped worker posts when the page's CSP refuses something inside it. */
export interface CspViolationFromWorker {
  inpageCspViolation: { directive: string; blocked: string };
}

/** The window event that carries a {@link CspViolationFromWorker} to the page. */
export const CSP_VIOLATION_EVENT = 'inpage:csp-violation';

/**
 * Source of the same-origin blob module that starts a cross-origin worker. It imports the real
 * worker with a dynamic `import()`, which a page CSP checks against `script-src` (the script's
 * origin is there already for inpage.js), where a static import would be checked against
 * `worker-src` (HTML: a module worker's whole static graph is fetched with destination
 * "worker"); so `worker-src blob:` suffices. Messages that arrive before the import finishes are
 * held and replayed, because the worker's message queue opens as soon as this module has run.
 * CSP violations inside the worker never reach the page's `securitypolicyviolation` event, so
 * they are forwarded as {@link CspViolationFromWorker} messages.
 */
function bootstrapSource(workerUrl: string): string {
  return `const url = ${JSON.stringify(workerUrl)};
const held = [];
const hold = (e) => { e.stopImmediatePropagation(); held.push(e); };
addEventListener('message', hold);
addEventListener('securitypolicyviolation', (e) => postMessage({ inpageCspViolation: { directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI } }));
import(url).then(() => {
  removeEventListener('message', hold);
  for (const e of held) dispatchEvent(new MessageEvent('message', { data: e.data, ports: [...e.ports] }));
}, (err) => { setTimeout(() => { throw new Error('Inpage: the worker module ' + url + ' failed to load: ' + err); }); });
`;
}

function isCspViolation(data: unknown): data is CspViolationFromWorker {
  return typeof data === 'object' && data !== null && 'inpageCspViolation' in data;
}

/**
 * Start a module worker from `url`, even when `url` is on another origin (a script tag served by
 * a CDN): browsers refuse cross-origin worker scripts outright (HTML "new Worker": a worker URL
 * not same origin with the page throws SecurityError), so a cross-origin URL is started through
 * a same-origin blob module that imports it (see `bootstrapSource`). That import is a CORS
 * request: the script's host must send `Access-Control-Allow-Origin`, and a page CSP must allow
 * `blob:` in `worker-src` (docs/EMBED.md). CSP violations inside such a worker are re-dispatched
 * on `window` as `inpage:csp-violation` events (detail `{ directive, blocked }`).
 *
 * @example
 * const worker = spawnModuleWorker('https://cdn.example.com/inpage/inpage-worker.js');
 */
export function spawnModuleWorker(url: string | URL, name = 'inpage'): Worker {
  const base = globalThis.location?.href;
  const abs = base === undefined ? new URL(url) : new URL(url, base);
  const sameOrigin = base === undefined || abs.origin === new URL(base).origin || abs.protocol === 'blob:' || abs.protocol === 'data:';
  if (sameOrigin) return new Worker(abs, { type: 'module', name });
  const boot = URL.createObjectURL(new Blob([bootstrapSource(abs.href)], { type: 'text/javascript' }));
  let worker: Worker;
  try {
    worker = new Worker(boot, { type: 'module', name });
  } finally {
    // The worker constructor resolves the blob URL when it parses it (HTML: "URL parser … blob
    // URL entry"), so revoking now frees the blob without racing the worker's fetch.
    URL.revokeObjectURL(boot);
  }
  worker.addEventListener('message', (e: MessageEvent<unknown>) => {
    if (isCspViolation(e.data)) globalThis.dispatchEvent?.(new CustomEvent(CSP_VIOLATION_EVENT, { detail: e.data.inpageCspViolation }));
  });
  return worker;
}

/**
 * The worker file's bytes, fetched once and checked against `integrity` (SRI, SHA-384). From a
 * blob the worker's `import.meta.url` is `blob:…`, so the source gets `__inpageBase` (its real
 * folder, for its lazy imports: vite.iife.config.ts) and the CSP-violation forwarding the
 * bootstrap would have done, both appended after the verified bytes.
 */
async function verifiedWorkerSource(url: URL, integrity: string): Promise<string> {
  if (!/^sha384-[A-Za-z0-9+/]+={0,2}$/.test(integrity)) {
    throw new InpageError('OPTION_INVALID', `workerIntegrity must be an SRI SHA-384 string ('sha384-<base64>'), got ${JSON.stringify(integrity)}.`);
  }
  let bytes: ArrayBuffer;
  try {
    const res = await fetch(url, { credentials: 'omit' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = await res.arrayBuffer();
  } catch (e) {
    throw new InpageError('WORKER_UNAVAILABLE', `Could not fetch the Inpage worker ${url.href} to check its integrity: ${e instanceof Error ? e.message : String(e)}. Check that it is served (with Access-Control-Allow-Origin when on another origin) and that the page's CSP allows it in connect-src.`);
  }
  const actual = await sriSha384(bytes);
  if (actual === undefined) {
    throw new InpageError('INTEGRITY_MISMATCH', `Cannot check the worker's integrity: SubtleCrypto is unavailable (the page is not a secure context). Serve the page over https, or leave workerIntegrity out.`, { url: url.href, expected: integrity });
  }
  if (actual !== integrity) {
    throw new InpageError('INTEGRITY_MISMATCH', `The Inpage worker ${url.href} failed its integrity check: expected ${integrity}, the file has ${actual}. Nothing from it ran. Serve the files of one build together (a partial upload or a modified file causes this).`, { url: url.href, expected: integrity, actual });
  }
  const base = new URL('./', url).href;
  return `${new TextDecoder().decode(bytes)}
;var __inpageBase = ${JSON.stringify(base)};
addEventListener('securitypolicyviolation', (e) => postMessage({ inpageCspViolation: { directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI } }));
`;
}

/** Start a module worker from already verified source (a same-origin blob: `worker-src blob:`). */
function spawnFromSource(source: string, name = 'inpage'): Worker {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  let worker: Worker;
  try {
    worker = new Worker(url, { type: 'module', name });
  } finally {
    URL.revokeObjectURL(url); // see spawnModuleWorker
  }
  worker.addEventListener('message', (e: MessageEvent<unknown>) => {
    if (isCspViolation(e.data)) globalThis.dispatchEvent?.(new CustomEvent(CSP_VIOLATION_EVENT, { detail: e.data.inpageCspViolation }));
  });
  return worker;
}

/**
 * Start an engine: a Web Worker that runs models on WebGPU or WASM. Resolves once the worker
 * has probed the device; a forced `backend: 'webgpu'` on a device without WebGPU rejects here
 * with `WEBGPU_UNAVAILABLE`. A `workerUrl` on another origin is started through a same-origin
 * blob (see `spawnModuleWorker`).
 *
 * @example
 * import { createEngine } from 'inpage';
 * const engine = await createEngine({ backend: 'auto' });
 * console.log(await engine.info()); // { backend: 'webgpu', reason: 'auto: WebGPU adapter …', … }
 */
export async function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  checkOptions(opts);
  const { workerUrl, workerIntegrity, assetIntegrity } = opts;
  if (assetIntegrity !== undefined) {
    const bad = typeof assetIntegrity !== 'object' || assetIntegrity === null ? undefined : Object.entries(assetIntegrity).find(([, v]) => typeof v !== 'string' || !/^sha384-[A-Za-z0-9+/]+={0,2}$/.test(v));
    if (typeof assetIntegrity !== 'object' || assetIntegrity === null || bad !== undefined) {
      throw new InpageError('OPTION_INVALID', `assetIntegrity must map file names to SRI SHA-384 strings ('sha384-<base64>')${bad === undefined ? '' : `; '${bad[0]}' has ${JSON.stringify(bad[1])}`}.`);
    }
    if (opts.assetBase === undefined) throw new InpageError('OPTION_INVALID', 'assetIntegrity needs an assetBase: its hashes are of the files there.');
  }
  if (workerIntegrity !== undefined && workerUrl === undefined) {
    throw new InpageError('OPTION_INVALID', 'workerIntegrity needs a workerUrl: it is the hash of that file.');
  }
  // Checked once; a respawn after a crash starts from the same verified bytes.
  const verified = workerIntegrity === undefined || workerUrl === undefined
    ? undefined
    : await verifiedWorkerSource(new URL(workerUrl, globalThis.location?.href), workerIntegrity);
  const spawn = (): Worker => verified !== undefined
    ? spawnFromSource(verified)
    : workerUrl !== undefined
    ? spawnModuleWorker(workerUrl)
    // Written inline so bundlers (Vite, webpack 5) see and emit the worker. The package build
    // rewrites this URL to the built worker file (vite.lib.config.ts).
    : new Worker(new URL('../worker/entry.ts', import.meta.url), { type: 'module', name: 'inpage' });
  const engine = new EngineImpl(opts, spawn);
  await engine.connection();
  return engine;
}
