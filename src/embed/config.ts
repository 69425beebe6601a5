/**
 * The script tag's configuration, read from its `data-*` attributes:
 *
 * ```html
 * <script src="https://cdn.example.com/inpage/inpage.js" data-manifest="/reco/manifest.json"
 *         data-image="/shop/images/{id}.svg" data-link="/shop/p/{id}" data-currency="EUR" async></script>
 * ```
 *
 * The worker, the runtime module and the ORT files come from the folder the script itself was
 * served from (`document.currentScript.src`), so the page and the script may live on different
 * origins. Pure: nothing here touches the network.
 */
import type { ConsentMode } from '../privacy/consent.ts';
import type { BackendPreference } from '../types.ts';

/** Everything the script tag can be told. URLs are absolute. */
export interface EmbedConfig {
  /** Folder of inpage.js, ending in '/': the worker, runtime and ORT files are loaded from here. */
  base: string;
  /** `data-manifest`: the recommender's manifest.json, resolved against the page. */
  manifest?: string;
  /** `data-backend`: 'auto' (default), 'webgpu' or 'wasm'. */
  backend?: BackendPreference;
  /** `data-threads`: WASM threads when the page is cross-origin isolated. */
  threads?: number;
  /** `data-image`: product image URL template, `{id}` is the item id (URI-encoded). */
  imageTemplate?: string;
  /** `data-link`: product page URL template, `{id}` is the item id (URI-encoded). */
  linkTemplate?: string;
  /** `data-currency`: ISO 4217 code for prices, e.g. 'EUR'. Without it prices show as plain numbers. */
  currency?: string;
  /** `data-locale`: BCP 47 locale for prices. Default: the page's `<html lang>`, else the browser's. */
  locale?: string;
  /**
   * `data-consent`: 'granted' (default) or 'required' — then nothing is stored or personalised
   * until the page's consent tool (IAB TCF, Google Consent Mode) or `Inpage.consent(true)` grants.
   */
  consent: ConsentMode;
  /** `data-consent-signals`: which consent tools to read when consent is required. Default both. */
  consentSignals: { tcf: boolean; consentMode: boolean };
  /** `data-experiment`: an A/B experiment as JSON (validated by the recommender; docs/EXPERIMENTS.md). */
  experiment?: unknown;
  /** `data-rules`: merchandising rules as a JSON array (validated by the recommender). */
  rules?: unknown;
  /**
   * `data-persist-storage` (present, or "true"): ask the browser to keep the model cache under
   * storage pressure (`navigator.storage.persist()`), once storage consent is given. The answer
   * fires `inpage:storage` on the document, detail `{ status }`.
   */
  persistStorage?: boolean;
}

/** The config and anything wrong with the attributes (each a sentence for one console warning). */
export interface ReadConfig {
  config: EmbedConfig;
  problems: string[];
}

const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm'];

/**
 * The script element that loaded the SDK. `document.currentScript` is set while a classic
 * script (async included) runs; the fallback finds the tag by its file name for hosts that
 * inject the script in odd ways (a tag manager evaluating the source, for one).
 */
export function findOwnScript(doc: Document): HTMLScriptElement | undefined {
  const current = doc.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  const all = doc.querySelectorAll<HTMLScriptElement>('script[src]');
  for (let i = all.length - 1; i >= 0; i--) {
    const s = all[i]!;
    if (/\/inpage(\.min)?\.js(\?|#|$)/.test(s.src)) return s;
  }
  return undefined;
}

/**
 * Reads the config from the script tag (or from nothing: then `base` is the page's folder).
 *
 * @example
 * const { config, problems } = readConfig(findOwnScript(document), document);
 * // config.base === 'https://cdn.example.com/inpage/'
 */
export function readConfig(script: HTMLScriptElement | undefined, doc: Document): ReadConfig {
  const problems: string[] = [];
  const page = doc.baseURI;
  const data = script?.dataset ?? {};
  const url = (name: string, value: string | undefined): string | undefined => {
    if (value === undefined || value.trim() === '') return undefined;
    try {
      return new URL(value, page).href;
    } catch {
      problems.push(`data-${name}="${value}" is not a URL; it was ignored.`);
      return undefined;
    }
  };
  const base = url('asset-base', data['assetBase']) ?? new URL('./', script?.src || page).href;
  const config: EmbedConfig = { base: base.endsWith('/') ? base : `${base}/`, consent: 'granted', consentSignals: { tcf: true, consentMode: true } };
  const manifest = url('manifest', data['manifest']);
  if (manifest !== undefined) config.manifest = manifest;
  const backend = data['backend'];
  if (backend !== undefined) {
    if ((BACKENDS as readonly string[]).includes(backend)) config.backend = backend as BackendPreference;
    else problems.push(`data-backend="${backend}" must be one of ${BACKENDS.join(', ')}; using auto.`);
  }
  const threads = data['threads'];
  if (threads !== undefined) {
    const n = Number(threads);
    if (Number.isInteger(n) && n >= 1) config.threads = n;
    else problems.push(`data-threads="${threads}" must be a positive integer; it was ignored.`);
  }
  if (data['image']) config.imageTemplate = data['image'];
  if (data['link']) config.linkTemplate = data['link'];
  const currency = data['currency'];
  if (currency !== undefined) {
    if (/^[A-Za-z]{3}$/.test(currency)) config.currency = currency.toUpperCase();
    else problems.push(`data-currency="${currency}" must be a three-letter ISO 4217 code like EUR; prices show as plain numbers.`);
  }
  const consent = data['consent'];
  if (consent !== undefined) {
    // A typo must not turn storage on: anything unknown counts as 'required'.
    if (consent === 'granted' || consent === 'required') config.consent = consent;
    else { config.consent = 'required'; problems.push(`data-consent="${consent}" must be 'granted' or 'required'; using 'required' (nothing stored until consent).`); }
  }
  const signals = data['consentSignals'];
  if (signals !== undefined) {
    const names = signals.split(/[\s,]+/).filter(Boolean);
    const unknown = names.filter((n) => n !== 'tcf' && n !== 'consent-mode' && n !== 'none');
    if (unknown.length > 0) problems.push(`data-consent-signals: unknown ${unknown.join(', ')}; use 'tcf', 'consent-mode' or 'none'.`);
    config.consentSignals = { tcf: names.includes('tcf'), consentMode: names.includes('consent-mode') };
  }
  for (const key of ['experiment', 'rules'] as const) {
    const text = data[key];
    if (text === undefined || text.trim() === '') continue;
    try {
      config[key] = JSON.parse(text) as unknown;
    } catch {
      problems.push(`data-${key} is not JSON; it was ignored (no ${key === 'experiment' ? 'experiment runs' : 'rules apply'}).`);
    }
  }
  const persist = data['persistStorage'];
  if (persist !== undefined) {
    if (persist === '' || persist === 'true') config.persistStorage = true;
    else if (persist !== 'false') problems.push(`data-persist-storage="${persist}" must be empty, "true" or "false"; storage persistence is not requested.`);
  }
  const locale = data['locale'] || doc.documentElement.lang;
  if (locale) config.locale = locale;
  return { config, problems };
}
