/**
 * What inpage.js installs as `window.Inpage`: the npm package's API (once the runtime module has
 * loaded), a command queue that replays calls made before the script arrived, and shortcuts to
 * the page's one engine and recommender.
 *
 * ```html
 * <script src="/js/inpage-setup.js"></script>  <!-- a file, so a strict CSP needs only 'self' -->
 * <script src="https://cdn.example.com/inpage/inpage.js" data-manifest="/reco/manifest.json" async></script>
 * ```
 * ```js
 * // /js/inpage-setup.js
 * window.Inpage = window.Inpage || { q: [] };
 * Inpage.q.push(['track', { type: 'view', itemId: 'sku-10001' }]);
 * Inpage.q.push(async (api) => console.log(await api.recommend({ strategy: 'trending', k: 4 })));
 * ```
 *
 * Before idle the loader only reads its config and defines the element (which paints a
 * skeleton, or on a repeat view the list remembered for it, after one small fetch of the
 * manifest to check it is still current); queued calls replay after idle, and nothing is fetched
 * for a model until an element or a call needs it. Pure on import: `installLoader` does the work.
 *
 * Consent lives here, not in the lazily loaded runtime: with `data-consent="required"` the page's
 * consent tool is read from the start, and `Inpage.consent(false)` (or a revocation through the
 * tool) erases at once, even when no element or call has loaded the runtime yet.
 */
import type { Engine, EngineOptions } from '../index.ts';
import type { Recommendation, RecommendOptions, Recommender, TrackInput } from '../recommend/index.ts';
import { createConsentWith, type Consent } from '../privacy/consent.ts';
import type { ForgetReport } from '../privacy/forget.ts';
import { INPAGE_VERSION } from '../version.ts';
import { findOwnScript, readConfig, type EmbedConfig } from './config.ts';
import { defineRecommendationsElement } from './element.ts';
import { whenIdle } from './idle.ts';
import { createLastLists } from './last-list.ts';
import { createSite, type Runtime, type Site } from './site.ts';

/** A queued call: a function given the loaded API, or `[method, ...args]`. */
export type InpageCommand = ((api: InpageApi) => unknown) | [string, ...unknown[]];

/** `window.Inpage` once the loader ran; the runtime's exports join it when it has loaded. */
export interface InpageGlobal extends Partial<Runtime> {
  readonly version: string;
  readonly config: EmbedConfig;
  /** Push commands; before the loader they wait in an array, after it they run (after idle). */
  q: { push(...commands: InpageCommand[]): number };
  /** Loads the runtime (without waiting for idle) and resolves with the full API. */
  ready(): Promise<InpageApi>;
  /** `createEngine` with this script's worker and ORT files (options override). */
  createEngine(options?: EngineOptions): Promise<Engine>;
  /** The page's engine (one per page, created on first need). */
  engine(): Promise<Engine>;
  /** The page's recommender from `data-manifest` (one per page). */
  recommender(): Promise<Recommender>;
  /** Records an event for the page's recommender; never throws (problems go to the console). */
  track(event: TrackInput): void;
  /** `recommender().then((r) => r.recommend(options))`. */
  recommend(options?: RecommendOptions): Promise<Recommendation[]>;
  /**
   * The visitor's choice from your own consent banner. `false` erases everything Inpage stored on
   * this origin (resolves with what was erased); `true` starts storing and personalising.
   */
  consent(granted: boolean): Promise<ForgetReport | undefined>;
  /** The page's consent controller (`consentState().status()`, `.onChange(…)`). */
  consentState(): Consent;
  /** Erases everything Inpage stored on this origin (`{ modelCache: true }`: the model cache too). */
  forget(options?: { modelCache?: boolean }): Promise<ForgetReport>;
}

/** The full API: the loader's global with every runtime export present. */
export type InpageApi = InpageGlobal & Runtime;

/**
 * Where the installed global is also kept: a symbol-keyed property, which markup cannot create.
 * `window.Inpage` alone is not proof of an installation: an element with `id`/`name="Inpage"`
 * (a form with fields named `ready` and `version`) shows up there through named access.
 * `Symbol.for`, so two copies of the script (even of different versions) see one marker.
 */
const INSTALLED = Symbol.for('inpage.loader.installed');

type Win = Window & { Inpage?: unknown; [INSTALLED]?: InpageGlobal };

function isInstalled(v: unknown): v is InpageGlobal {
  return typeof v === 'object' && v !== null && 'ready' in v && 'version' in v;
}

/** The installed global, if a loader ran in `win` (a marker-less one from before the symbol counts when it is no DOM node). */
function installed(win: Win): InpageGlobal | undefined {
  const marked = win[INSTALLED];
  if (isInstalled(marked)) return marked;
  const prior = win.Inpage;
  const NodeClass = (win as unknown as { Node?: typeof Node }).Node;
  const isNode = typeof NodeClass === 'function' && prior instanceof NodeClass;
  return !isNode && isInstalled(prior) ? prior : undefined;
}

/**
 * Installs `window.Inpage` and the element, once per window: a second copy of the script keeps
 * the first installation (and says so in the console) instead of colliding with it.
 *
 * @example installLoader(window, document.currentScript)
 */
export function installLoader(win: Win, script: HTMLScriptElement | undefined = findOwnScript(win.document)): InpageGlobal {
  const prior = installed(win);
  if (prior !== undefined) {
    if (prior.version !== INPAGE_VERSION) console.warn(`Inpage: version ${INPAGE_VERSION} was loaded after ${prior.version}; keeping ${prior.version}.`);
    return prior;
  }
  const stub = win.Inpage;
  const queued: unknown[] = typeof stub === 'object' && stub !== null && Array.isArray((stub as { q?: unknown }).q) ? (stub as { q: unknown[] }).q : [];
  const { config, problems } = readConfig(script, win.document);
  for (const p of problems) console.warn(`Inpage: ${p}`);

  let reported = false;
  const report = (e: unknown): void => {
    if (reported) return;
    reported = true;
    const message = e instanceof Error ? e.message : String(e);
    const unsupported = typeof e === 'object' && e !== null && (e as { unsupported?: unknown }).unsupported === true;
    (unsupported ? console.warn : console.error)(`Inpage: ${message}`);
  };
  // The sweep's code lives in the runtime: an erasure (rare) loads it, so the loader stays small.
  // `site` is read only when an erasure runs, always after a promise tick, so it is set by then.
  const erase = (opts: Parameters<Runtime['forgetEverything']>[0]): Promise<ForgetReport> => site.runtime().then((rt) => rt.forgetEverything(opts));
  const consent = createConsentWith(erase, { mode: config.consent, tcf: config.consentSignals.tcf, consentMode: config.consentSignals.consentMode, scope: win as Win & { __tcfapi?: unknown; dataLayer?: unknown } });
  const site: Site = createSite(win, config, report, consent);
  const applyConsent = (granted: unknown): boolean => {
    if (typeof granted !== 'boolean') return false; // run() reports the bad argument after idle
    consent.set(granted).catch((e: unknown) => console.error('Inpage: consent() failed:', e));
    return true;
  };

  let api: Promise<InpageApi> | undefined;
  const ready = (): Promise<InpageApi> => (api ??= site.runtime().then((rt) => Object.assign(global, rt, overrides) as InpageApi));
  const run = (cmd: unknown): void => {
    void ready().then((full) => {
      if (typeof cmd === 'function') return (cmd as (a: InpageApi) => unknown)(full);
      if (Array.isArray(cmd) && typeof cmd[0] === 'string') {
        const fn = (full as unknown as Record<string, unknown>)[cmd[0]];
        if (typeof fn !== 'function') throw new Error(`Inpage.q: unknown command '${cmd[0]}'.`);
        return (fn as (...a: unknown[]) => unknown).apply(full, cmd.slice(1));
      }
      throw new Error(`Inpage.q: a command is a function or [name, ...args], got ${typeof cmd}.`);
    }).catch((e: unknown) => console.error('Inpage: a queued call failed:', e));
  };

  // Kept over the runtime's exports by Object.assign in ready(): these know the script's origin.
  const overrides = {
    createEngine: (options?: EngineOptions): Promise<Engine> => site.runtime().then((rt) => rt.createEngine(site.engineOptions(options))),
  };
  const idle = whenIdle(win);
  const global: InpageGlobal = {
    version: INPAGE_VERSION,
    config,
    q: {
      push: (...commands) => {
        // A consent decision applies at once, not after idle: the engine and the recommender must
        // know it before they decide whether to measure and cache, and a withdrawal erases now.
        const later = commands.filter((c) => !(Array.isArray(c) && c[0] === 'consent' && applyConsent(c[1])));
        void idle.then(() => later.forEach(run));
        return 0;
      },
    },
    ready,
    ...overrides,
    engine: () => site.engine(),
    recommender: () => site.recommender(),
    track(event) {
      site.recommender().then((r) => r.track(event)).catch((e: unknown) => console.error('Inpage: track() failed:', e));
    },
    recommend: (options) => site.recommender().then((r) => r.recommend(options)),
    consent: (granted) => consent.set(granted),
    consentState: () => consent,
    forget: (options) => consent.forget({ modelCache: options?.modelCache === true }),
  };
  win.Inpage = global;
  Object.defineProperty(win, INSTALLED, { value: global, configurable: false, enumerable: false, writable: false });
  // Without custom elements the tags stay unknown elements showing their light-DOM fallback.
  if (typeof win.customElements === 'object') defineElement(win, config, site, report, consent);
  if (queued.length > 0) global.q.push(...(queued as InpageCommand[]));
  return global;
}

function defineElement(win: Window, config: EmbedConfig, site: Site, report: (e: unknown) => void, consent: Consent): void {
  const opts: Parameters<typeof defineRecommendationsElement>[0] = { recommender: () => site.recommender(), onError: report };
  // Repeat views paint the last lists at once (consent permitting); see last-list.ts.
  if (config.manifest) opts.lastLists = createLastLists({ manifestUrl: config.manifest, consent });
  if (config.imageTemplate) opts.imageTemplate = config.imageTemplate;
  if (config.linkTemplate) opts.linkTemplate = config.linkTemplate;
  if (config.currency) opts.currency = config.currency;
  if (config.locale) opts.locale = config.locale;
  defineRecommendationsElement(opts, win.customElements);
}
