/**
 * Reads Google Consent Mode v2 from the page's `dataLayer`: `gtag('consent', 'default' | 'update',
 * { personalization_storage: 'granted' | 'denied', … })` pushes its `arguments` there, and tag
 * managers push the same triple as an array. Inpage's storage is what Google calls
 * `personalization_storage` ("storage related to personalization, e.g. video recommendations").
 *
 * The reader scans what is already in `dataLayer`, wraps `dataLayer.push` so a later update is
 * seen at once (a revocation erases immediately), and rescans on every `poll()` in case another
 * script replaced `push` after us. A `default` carrying `region` is applied as if the visitor were
 * in that region: Inpage cannot know the visitor's region, and erring means not storing.
 *
 * Docs: https://developers.google.com/tag-platform/security/guides/consent
 *
 * @example
 * gtag('consent', 'update', { personalization_storage: 'granted' });
 * consentModeVerdicts([...window.dataLayer]) // [{ kind: 'decision', granted: true, source: 'consent-mode' }]
 */
import type { SignalVerdict } from './signal.ts';

/** Options of the Consent Mode reader. */
export interface ConsentModeOptions {
  /** Consent types that must all be 'granted'. Default `['personalization_storage']`. */
  types?: readonly string[];
}

/** The Consent Mode type that covers Inpage's storage. */
export const CONSENT_MODE_TYPES: readonly string[] = ['personalization_storage'];

/** An entry of `dataLayer` as `gtag()` pushes it (its `arguments`), or the same as an array. */
function consentCommand(entry: unknown): { command: 'default' | 'update'; values: Record<string, unknown> } | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as { length?: unknown; 0?: unknown; 1?: unknown; 2?: unknown };
  if (typeof e.length !== 'number' || e[0] !== 'consent') return undefined;
  if (e[1] !== 'default' && e[1] !== 'update') return undefined;
  if (typeof e[2] !== 'object' || e[2] === null) return undefined;
  return { command: e[1], values: e[2] as Record<string, unknown> };
}

/**
 * A stateful scanner: feed it `dataLayer` entries in order; it returns a verdict for each entry
 * that set one of the watched types.
 */
export function consentModeScanner(options: ConsentModeOptions = {}): (entry: unknown) => SignalVerdict | undefined {
  const types = options.types ?? CONSENT_MODE_TYPES;
  const state = new Map<string, 'granted' | 'denied'>();
  return (entry) => {
    const cmd = consentCommand(entry);
    if (!cmd) return undefined;
    let touched = false;
    for (const t of types) {
      const v = cmd.values[t];
      if (v === 'granted' || v === 'denied') { state.set(t, v); touched = true; }
    }
    if (!touched) return undefined;
    const granted = types.every((t) => state.get(t) === 'granted');
    return { kind: cmd.command === 'update' ? 'decision' : 'default', granted, source: 'consent-mode' };
  };
}

/** The verdicts a whole `dataLayer` gives, in order (pure; for tests and one-off reads). */
export function consentModeVerdicts(entries: readonly unknown[], options: ConsentModeOptions = {}): SignalVerdict[] {
  const scan = consentModeScanner(options);
  return entries.flatMap((e) => scan(e) ?? []);
}

/** A running reader: `poll()` picks up entries pushed past the wrapper; `stop()` ends it. */
export interface ConsentModeWatch {
  poll(): void;
  stop(): void;
  /** True once the page has a `dataLayer` array. */
  present(): boolean;
}

type DataLayer = unknown[] & { push: (...items: unknown[]) => number };

/**
 * Watches `scope.dataLayer` (also when the page creates it later: `poll()` finds it). Never
 * creates `dataLayer` itself.
 */
export function watchConsentMode(scope: { dataLayer?: unknown }, options: ConsentModeOptions, onVerdict: (v: SignalVerdict) => void): ConsentModeWatch {
  const scan = consentModeScanner(options);
  let layer: DataLayer | undefined;
  let seen = 0;
  let stopped = false;
  let wrapped: ((...items: unknown[]) => number) | undefined;
  let original: ((...items: unknown[]) => number) | undefined;

  const drain = (): void => {
    if (stopped || !layer) return;
    // A page may replace dataLayer with a shorter array; start over on the new one.
    if (layer.length < seen) seen = 0;
    while (seen < layer.length) {
      const v = scan(layer[seen++]);
      if (v) onVerdict(v);
    }
  };
  const attach = (): void => {
    const dl = scope.dataLayer;
    if (!Array.isArray(dl)) return;
    if (dl !== layer) { layer = dl as DataLayer; seen = 0; wrapped = undefined; }
    if (wrapped !== undefined && layer.push === wrapped) return;
    const prior = layer.push;
    original = prior;
    const target = layer;
    wrapped = function push(this: unknown, ...items: unknown[]): number {
      const n = prior.apply(this ?? target, items);
      drain();
      return n;
    };
    layer.push = wrapped;
  };
  const poll = (): void => {
    if (stopped) return;
    attach();
    drain();
  };
  poll();
  return {
    poll,
    present: () => Array.isArray(scope.dataLayer),
    stop() {
      stopped = true;
      // Unwrap only if nobody wrapped on top of us; otherwise our wrapper stays, inert.
      if (layer && wrapped && layer.push === wrapped && original) layer.push = original;
    },
  };
}
