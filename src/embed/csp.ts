/**
 * Turns "the page's Content-Security-Policy said no" into one sentence that says what to add.
 * The browser's own console line names the blocked URL but not the whole fix, and a blocked
 * worker or fetch reaches our code only as a generic failure.
 */

/** One recorded violation: the directive that refused, and what it refused. */
export interface Violation {
  directive: string;
  /** The blocked URL, or a keyword such as 'blob', 'inline' or 'wasm-eval'. */
  blocked: string;
}

/**
 * Same string as `CSP_VIOLATION_EVENT` in client/create-engine.ts (not imported, so the loader
 * does not pull in the engine): violations inside a bootstrapped worker, re-dispatched on window.
 */
const WORKER_VIOLATION_EVENT = 'inpage:csp-violation';

/**
 * Records CSP violations, the page's own and those forwarded from the worker, until `stop()`.
 *
 * @example
 * const watch = watchViolations(window);
 * try { await start(); } finally { watch.stop(); }
 */
export function watchViolations(win: Window): { violations: Violation[]; stop(): void } {
  const violations: Violation[] = [];
  const onPage = (e: SecurityPolicyViolationEvent): void => {
    violations.push({ directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI });
  };
  const onWorker = (e: Event): void => {
    const d = (e as CustomEvent<unknown>).detail;
    if (typeof d === 'object' && d !== null && 'directive' in d && 'blocked' in d) violations.push({ directive: String(d.directive), blocked: String(d.blocked) });
  };
  win.document.addEventListener('securitypolicyviolation', onPage);
  win.addEventListener(WORKER_VIOLATION_EVENT, onWorker);
  return {
    violations,
    stop: () => {
      win.document.removeEventListener('securitypolicyviolation', onPage);
      win.removeEventListener(WORKER_VIOLATION_EVENT, onWorker);
    },
  };
}

/** The source expression that allows `blocked`: an origin, or a scheme for 'blob' / 'data'. */
function originOf(url: string): string | undefined {
  if (url === 'blob' || url === 'data') return `${url}:`;
  try {
    const u = new URL(url);
    return u.protocol === 'blob:' || u.protocol === 'data:' ? u.protocol : u.origin;
  } catch {
    return undefined;
  }
}

/**
 * What to add to the policy, or undefined when the failure does not look like CSP.
 * `scriptOrigin` is where inpage.js is served from.
 *
 * @example
 * cspAdvice('…', [{ directive: 'worker-src', blocked: 'blob' }], 'https://cdn.example.com')
 * // "The page's Content-Security-Policy blocked Inpage's worker (worker-src blob). Add: worker-src blob:. See …"
 */
export function cspAdvice(message: string, violations: readonly Violation[], scriptOrigin: string): string | undefined {
  const more = ' See docs/EMBED.md (Content-Security-Policy) for the whole policy.';
  const said = (v: Violation): string => `(${v.directive} ${v.blocked || 'inline'})`;
  for (const v of violations) {
    if (v.directive === 'worker-src' || v.directive === 'child-src') {
      return `The page's Content-Security-Policy blocked Inpage's worker ${said(v)}. Add: worker-src blob:.${more}`;
    }
    if (v.directive.startsWith('script-src') && v.blocked === 'wasm-eval') {
      return `The page's Content-Security-Policy does not allow WebAssembly ${said(v)}. Add: script-src 'wasm-unsafe-eval'.${more}`;
    }
    if (v.directive.startsWith('script-src') && v.blocked === 'blob') {
      // ORT imports its threaded glue from a blob when the page is cross-origin isolated.
      return `The page's Content-Security-Policy blocked WASM threads ${said(v)}. Add: script-src blob: (or data-threads="1" on the script tag).${more}`;
    }
    if (v.directive.startsWith('script-src')) {
      return `The page's Content-Security-Policy blocked an Inpage script ${said(v)}. Add: script-src ${originOf(v.blocked) ?? scriptOrigin}.${more}`;
    }
    if (v.directive === 'connect-src') {
      return `The page's Content-Security-Policy blocked a download ${said(v)}. Add: connect-src ${originOf(v.blocked) ?? scriptOrigin}.${more}`;
    }
  }
  if (/wasm-unsafe-eval|'unsafe-eval'/i.test(message)) {
    return `The page's Content-Security-Policy does not allow WebAssembly. Add: script-src 'wasm-unsafe-eval'.${more}`;
  }
  return undefined;
}
