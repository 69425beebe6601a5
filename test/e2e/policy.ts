/**
 * The Content-Security-Policy documented in docs/EMBED.md, as the e2e tests send it. `cdn` is
 * the origin inpage.js is served from; the page's own origin ('self') serves the manifest,
 * model, item table and product images.
 */

/**
 * The smallest policy the script tag works under (measured: removing any source breaks it).
 * `threads`: the page is cross-origin isolated and WASM threads stay on, which makes
 * onnxruntime-web import its threaded glue from a blob: URL.
 *
 * @example strictPolicy('https://cdn.example.com')
 */
export function strictPolicy(cdn: string, opts: { threads?: boolean } = {}): string {
  return [
    "default-src 'none'",
    `script-src ${cdn}${opts.threads ? ' blob:' : ''} 'wasm-unsafe-eval'`,
    'worker-src blob:',
    `connect-src 'self' ${cdn}`,
    "img-src 'self'",
  ].join('; ');
}

/**
 * The policy docs/EMBED.md gives for the whole snippet (public/embed/index.html): the strict one,
 * plus `'self'` in script-src for the page's own setup.js (the queued calls) and the script
 * origin in style-src for inpage.css (the space reservation).
 *
 * @example embedPolicy('https://cdn.example.com')
 */
export function embedPolicy(cdn: string): string {
  return strictPolicy(cdn).replace(`script-src ${cdn}`, `script-src 'self' ${cdn}`).replace('worker-src', `style-src ${cdn}; worker-src`);
}

/** The strict policy, but forbidding workers (the "policy says no" case). */
export function noWorkerPolicy(cdn: string): string {
  return strictPolicy(cdn).replace('worker-src blob:', "worker-src 'none'");
}

/** The strict policy without 'wasm-unsafe-eval' (the "forgot WebAssembly" case). */
export function noWasmPolicy(cdn: string): string {
  return strictPolicy(cdn).replace(" 'wasm-unsafe-eval'", '');
}
