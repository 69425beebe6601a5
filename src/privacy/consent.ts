/**
 * The visitor's consent, per page (never a module global): the site's setting, the page's
 * consent tool (IAB TCF v2.2, Google Consent Mode v2) and explicit calls, in the order they
 * arrive. The latest decision counts; a Consent Mode `default` counts only until the first
 * decision. A denial that is a decision erases everything Inpage stored on the origin (model
 * cache included) and tells every listener to drop what it holds in memory.
 *
 * `mode: 'granted'` (the default, and the SDK's behaviour before consent existed) starts granted
 * and reads no consent tool: the site has its own basis and says so. `mode: 'required'` starts
 * without consent and reads the consent tools; until one of them (or `set(true)`) grants, Inpage
 * stores nothing and personalises nothing.
 *
 * @example
 * const consent = createConsent({ mode: 'required' });     // reads __tcfapi and dataLayer
 * await consent.settled();                                  // a returning visitor's stored choice, or 1 s
 * consent.granted();                                        // false until the visitor agrees
 * await consent.set(false);                                 // revoke: erases, resolves with what was erased
 */
import type { ConsentGate, ErasableKeys } from './gate.ts';
import type { ForgetOptions, ForgetReport } from './forget.ts';
import { watchConsentMode, type ConsentModeOptions, type ConsentModeWatch } from './consent-mode.ts';
import type { ConsentSource, SignalVerdict } from './signal.ts';
import { watchTcf, type TcfOptions } from './tcf.ts';
import { InpageError } from '../errors.ts';

/** `'granted'`: store and personalise (the site has a basis). `'required'`: only after consent. */
export type ConsentMode = 'granted' | 'required';

/** Where consent stands now. */
export interface ConsentStatus {
  mode: ConsentMode;
  granted: boolean;
  /** What set the current state: `'option'` is the mode itself, before any signal. */
  source: ConsentSource;
  /** True once the visitor's decision (not just a default) is known. */
  decided: boolean;
}

/** The page globals the readers look at; `window` fits. */
export interface ConsentScope {
  __tcfapi?: unknown;
  dataLayer?: unknown;
}

/** Options of {@link createConsent}. */
export interface ConsentOptions {
  /** Default `'granted'`. */
  mode?: ConsentMode;
  /** Read the IAB TCF v2.2 API when `mode` is `'required'`. Default true. */
  tcf?: boolean | TcfOptions;
  /** Read Google Consent Mode v2 from `dataLayer` when `mode` is `'required'`. Default true. */
  consentMode?: boolean | ConsentModeOptions;
  /** Where `__tcfapi` and `dataLayer` live. Default `globalThis`. */
  scope?: ConsentScope;
  /** Told when an erasure started by a revocation fails. Default `console.warn`. */
  onError?: (error: unknown) => void;
}

/** A page's consent controller; also a {@link ConsentGate} for the stores and caches. */
export interface Consent extends ConsentGate {
  readonly mode: ConsentMode;
  status(): ConsentStatus;
  /**
   * The site's own decision (e.g. from its cookie banner). `false` erases everything Inpage
   * stored on the origin and resolves with the report; `true` resolves with undefined.
   */
  set(granted: boolean): Promise<ForgetReport | undefined>;
  /**
   * Resolves once the visitor's stored choice is known — at once in `'granted'` mode, without a
   * consent tool on the page, or when the tool is asking the visitor — or after `timeoutMs`
   * (default 1000), so a silent consent tool never holds the page up.
   */
  settled(timeoutMs?: number): Promise<ConsentStatus>;
  /** `listener` runs whenever `granted()` changes. Returns an unsubscribe. */
  onChange(listener: (status: ConsentStatus) => void): () => void;
  onErase(listener: () => ErasableKeys | void): () => void;
  /** Tells every erase listener (collecting the keys they own), then erases Inpage's data on the origin (see `forgetEverything`). */
  forget(options?: ForgetOptions): Promise<ForgetReport>;
  /** Stops reading the consent tools. */
  dispose(): void;
}

const MODES: readonly ConsentMode[] = ['granted', 'required'];

/** True when `v` is a {@link ConsentGate}-shaped object (a `Consent` from this or another SDK copy). */
export function isConsent(v: unknown): v is Consent {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Partial<Consent>;
  return typeof c.granted === 'function' && typeof c.set === 'function' && typeof c.forget === 'function' && typeof c.status === 'function';
}

/**
 * The controller with its erasure injected: the script-tag loader passes one that loads the
 * runtime first, so the sweep's code is not in the small loader. Use `createConsent` (index.ts).
 */
export function createConsentWith(erase: (options: ForgetOptions) => Promise<ForgetReport>, options: ConsentOptions = {}): Consent {
  const mode = options.mode ?? 'granted';
  if (!MODES.includes(mode)) throw new InpageError('OPTION_INVALID', `consent must be 'granted' or 'required', got ${JSON.stringify(mode)}.`);
  const scope = options.scope ?? (globalThis as ConsentScope);
  const onError = options.onError ?? ((e: unknown) => console.warn(`Inpage: erasing after consent was withdrawn failed: ${e instanceof Error ? e.message : String(e)}`));
  let granted = mode === 'granted';
  let source: ConsentSource = 'option';
  let decided = mode === 'granted';
  let isSettled = mode === 'granted';
  const changeListeners = new Set<(s: ConsentStatus) => void>();
  const eraseListeners = new Set<() => ErasableKeys | void>();
  const settleWaiters = new Set<() => void>();
  let erasing: Promise<unknown> = Promise.resolve();

  const status = (): ConsentStatus => ({ mode, granted, source, decided });
  const settle = (): void => {
    if (isSettled) return;
    isSettled = true;
    for (const w of settleWaiters) w();
    settleWaiters.clear();
  };
  const forget = (opts: ForgetOptions = {}): Promise<ForgetReport> => {
    // Listeners first: they drop memory and queued writes, so nothing lands after the sweep.
    const extra: ErasableKeys[] = [...(opts.extra ?? [])];
    for (const l of [...eraseListeners]) {
      try {
        const keys = l();
        if (keys) extra.push(keys);
      } catch (e) { onError(e); }
    }
    const run = erasing.then(() => erase({ ...opts, extra }));
    erasing = run.catch(() => undefined);
    return run;
  };
  const apply = (v: SignalVerdict): Promise<ForgetReport | undefined> => {
    if (v.kind === 'pending') { settle(); return Promise.resolve(undefined); }
    if (v.kind === 'default' && decided) return Promise.resolve(undefined);
    const before = granted;
    granted = v.granted;
    source = v.source;
    if (v.kind === 'decision') { decided = true; settle(); }
    if (before !== granted) for (const l of [...changeListeners]) l(status());
    // Only a decision erases: a Consent Mode default of 'denied' comes first on every page, for
    // visitors who consented long ago too.
    return v.kind === 'decision' && !v.granted ? forget({ modelCache: true }) : Promise.resolve(undefined);
  };
  const fromSignal = (v: SignalVerdict): void => { apply(v).catch(onError); };

  const tcf = options.tcf ?? true;
  const cmOptions = options.consentMode ?? true;
  const required = mode === 'required';
  const stopTcf = required && tcf !== false ? watchTcf(scope, tcf === true ? {} : tcf, fromSignal) : undefined;
  const cm: ConsentModeWatch | undefined = required && cmOptions !== false ? watchConsentMode(scope, cmOptions === true ? {} : cmOptions, fromSignal) : undefined;

  return {
    mode,
    granted() {
      cm?.poll();
      return granted;
    },
    status() {
      cm?.poll();
      return status();
    },
    set(value) {
      if (typeof value !== 'boolean') return Promise.reject(new InpageError('INPUT_INVALID', `consent(granted) takes true or false, got ${JSON.stringify(value)}.`));
      return apply({ kind: 'decision', granted: value, source: 'api' });
    },
    settled(timeoutMs = 1000) {
      cm?.poll();
      // Nothing on the page can decide except the site itself: no reason to wait.
      if (!isSettled && stopTcf === undefined && !cm?.present()) settle();
      if (isSettled) return Promise.resolve(status());
      return new Promise((resolve) => {
        const done = (): void => { clearTimeout(timer); settleWaiters.delete(done); resolve(status()); };
        const timer = setTimeout(done, timeoutMs);
        settleWaiters.add(done);
      });
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => { changeListeners.delete(listener); };
    },
    onErase(listener) {
      eraseListeners.add(listener);
      return () => { eraseListeners.delete(listener); };
    },
    forget,
    dispose() {
      stopTcf?.();
      cm?.stop();
      changeListeners.clear();
      eraseListeners.clear();
      settle();
    },
  };
}
