/**
 * The script tag's one engine and one recommender per page, created on first need from the
 * tag's config: the runtime module, the worker and the ORT files all come from the script's
 * folder (`config.base`), the manifest from wherever `data-manifest` points. A failure is
 * remembered (no retry storm from many elements) and reported once, with CSP advice when the
 * page's policy was the cause.
 */
import type { Engine, EngineOptions } from '../index.ts';
import type { Consent } from '../privacy/consent.ts';
import type { Recommender } from '../recommend/index.ts';
import { INPAGE_VERSION } from '../version.ts';
import type { EmbedConfig } from './config.ts';
import type { ExperimentConfig } from '../experiments/config.ts';
import type { MerchRule } from '../recommend/rules.ts';
import { cspAdvice, watchViolations } from './csp.ts';
import { builtIntegrity, preloadVerified } from './integrity.ts';
import { whenIdle } from './idle.ts';

/** The runtime module's exports. */
export type Runtime = typeof import('./runtime.ts');

/** The lazily created pieces of one page's SDK. */
export interface Site {
  /** Loads the runtime module; `idle` first waits for the page to be idle. */
  runtime(idle?: boolean): Promise<Runtime>;
  /** Engine options for this script's origin: worker and ORT files next to inpage.js. */
  engineOptions(opts?: EngineOptions): EngineOptions;
  engine(): Promise<Engine>;
  recommender(): Promise<Recommender>;
}

/**
 * The smallest module using a v128 instruction (same bytes as capabilities.ts): onnxruntime-web
 * 1.30 ships SIMD builds only. `WebAssembly.validate` compiles nothing, so a CSP without
 * 'wasm-unsafe-eval' does not object to it.
 */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Why this device cannot run the SDK, or undefined when it can. */
export function unsupportedReason(win: Window): string | undefined {
  const g = win as Window & typeof globalThis;
  if (typeof g.WebAssembly !== 'object') return 'this browser has no WebAssembly';
  try {
    if (!g.WebAssembly.validate(SIMD_PROBE)) return 'this browser has no WebAssembly SIMD';
  } catch {
    return 'this browser has no WebAssembly SIMD';
  }
  if (typeof g.Worker !== 'function') return 'this browser has no Web Workers';
  if (typeof win.customElements !== 'object') return 'this browser has no custom elements';
  return undefined;
}

/**
 * On a failure, wait for violation reports that trail it: Chromium dispatches a worker's
 * `securitypolicyviolation` (forwarded by postMessage) after the blocked fetch has already
 * failed the call (seen here: the report lands after the rejection).
 */
const TRAILING_REPORTS_MS = 300;
const settleReports = (): Promise<void> => new Promise((r) => setTimeout(r, TRAILING_REPORTS_MS));

/** Fires `inpage:storage` ({ status }) on the document for each answer of the persistence request. */
function reportStorage(win: Window, rec: Recommender): void {
  let last: string | undefined;
  const emit = (status: string): void => {
    if (status === last) return;
    last = status;
    win.document.dispatchEvent(new CustomEvent('inpage:storage', { detail: { status } }));
  };
  rec.storage.onChange(emit);
  emit(rec.storage.status());
}

function remember<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

/** The experiment and rules of the script tag, as `createRecommender` options. */
function marketing(config: EmbedConfig): { experiment?: ExperimentConfig; rules?: MerchRule[] } {
  // Validated by createRecommender (OPTION_INVALID, reported like any other failure).
  return {
    ...(config.experiment === undefined ? {} : { experiment: config.experiment as ExperimentConfig }),
    ...(config.rules === undefined ? {} : { rules: config.rules as MerchRule[] }),
  };
}

/**
 * The page's site: memoised runtime → engine → recommender. `report` is told about each
 * failure (once per failing step). `consent` is the page's one consent controller: the engine
 * waits (bounded) for the visitor's stored choice, and without consent it is built with
 * `measure: false`, so no backend verdict is stored (docs/PRIVACY.md).
 *
 * @example
 * const site = createSite(window, config, (e) => console.error(e));
 * const rec = await site.recommender();
 */
export function createSite(win: Window, config: EmbedConfig, report: (e: unknown) => void, consent: Consent): Site {
  const versioned = (file: string): string => `${config.base}${file}?v=${INPAGE_VERSION}`;
  const fail = (e: unknown): never => {
    report(e);
    throw e;
  };
  const integrity = builtIntegrity();
  const load = remember(async () => {
    // Every module of the runtime's graph is checked before the first of them runs (integrity.ts).
    if (integrity !== undefined) await preloadVerified(win.document, config.base, integrity.runtime, (f) => (f === 'inpage-runtime.js' ? versioned(f) : f)).catch(fail);
    return (import(/* @vite-ignore */ versioned('inpage-runtime.js')) as Promise<Runtime>).catch(fail);
  });
  const runtime = async (idle = false): Promise<Runtime> => {
    if (idle) await whenIdle(win);
    return load();
  };
  const engineOptions = (opts: EngineOptions = {}): EngineOptions => {
    const o: EngineOptions = { workerUrl: versioned('inpage-worker.js'), assetBase: config.base, ...opts };
    // The worker is fetched, checked and started from those bytes (create-engine.ts); a
    // workerUrl of the caller's own is theirs to pin.
    const workerHash = integrity?.worker['inpage-worker.js'];
    if (workerHash !== undefined && opts.workerUrl === undefined && o.workerIntegrity === undefined) o.workerIntegrity = workerHash;
    // ORT's .wasm under the script's folder is checked by the worker before ORT compiles it; an
    // assetBase of the caller's own is theirs to pin.
    if (integrity !== undefined && opts.assetBase === undefined && o.assetIntegrity === undefined) o.assetIntegrity = { ...integrity.ort };
    if (config.backend !== undefined && o.backend === undefined) o.backend = config.backend;
    if (config.threads !== undefined && o.threads === undefined) o.threads = config.threads;
    return o;
  };
  // Checked before the runtime loads: a device that cannot run it downloads nothing more. The
  // error carries the SDK's code; it is not an InpageError instance (that class lives in the
  // runtime). `unsupported` makes the report a warning: nothing is wrong with the page.
  const supported = remember(async () => {
    const why = unsupportedReason(win);
    if (why) fail(Object.assign(new Error(`${why}, so on-device recommendations are off on this device.`), { name: 'InpageError', code: 'BACKEND_UNAVAILABLE', unsupported: true }));
  });
  /**
   * Runs a step that may start workers or fetch: a failure the page's CSP caused is rewritten to
   * say which directive to add (the code stays, or becomes `code` for a non-SDK error).
   */
  const underCsp = async <T>(rt: Runtime, code: 'WORKER_UNAVAILABLE' | 'BACKEND_UNAVAILABLE', step: () => Promise<T>): Promise<T> => {
    const watch = watchViolations(win);
    try {
      return await step();
    } catch (e) {
      await settleReports();
      const message = e instanceof Error ? e.message : String(e);
      const advice = cspAdvice(message, watch.violations, new URL(config.base).origin);
      return fail(advice ? new rt.InpageError(e instanceof rt.InpageError ? e.code : code, advice, { cause: message }, { cause: e }) : e);
    } finally {
      watch.stop();
    }
  };
  const engine = remember(async () => {
    await supported();
    const rt = await runtime(true);
    await consent.settled();
    return underCsp(rt, 'WORKER_UNAVAILABLE', () => rt.createEngine(engineOptions(consent.granted() ? {} : { measure: false })));
  });
  const recommender = remember(async () => {
    await supported();
    const rt = await runtime(true);
    const manifestUrl = config.manifest;
    if (manifestUrl === undefined) {
      return fail(new rt.InpageError('OPTION_INVALID', 'No recommender manifest: add data-manifest="/path/to/manifest.json" to the inpage.js script tag.'));
    }
    const e = await engine();
    const rec = await underCsp(rt, 'BACKEND_UNAVAILABLE', () => rt.createRecommender({ engine: e, manifestUrl, consent, ...marketing(config), ...(config.persistStorage ? { persistStorage: true } : {}) }));
    if (config.persistStorage) reportStorage(win, rec);
    return rec;
  });
  return { runtime, engineOptions, engine, recommender };
}
