/**
 * The one sentence the script tag prints when a page's CSP stops it: what to add, for each
 * directive seen refusing in Chromium (the e2e tests trigger the real ones).
 */
import { describe, expect, it } from 'vitest';
import { cspAdvice } from '../../src/embed/csp.ts';

const CDN = 'https://cdn.example';

describe('cspAdvice', () => {
  it('worker-src: add blob:', () => {
    expect(cspAdvice('worker failed', [{ directive: 'worker-src', blocked: 'blob' }], CDN)).toMatch(/^The page's Content-Security-Policy blocked Inpage's worker \(worker-src blob\)\. Add: worker-src blob:\./);
  });

  it("script-src wasm-eval: add 'wasm-unsafe-eval'", () => {
    expect(cspAdvice('', [{ directive: 'script-src', blocked: 'wasm-eval' }], CDN)).toContain("Add: script-src 'wasm-unsafe-eval'.");
  });

  it('script-src-elem blob (threaded glue on an isolated page): add blob: or one thread', () => {
    expect(cspAdvice('', [{ directive: 'script-src-elem', blocked: 'blob' }], CDN)).toContain('Add: script-src blob: (or data-threads="1" on the script tag).');
  });

  it('script-src / connect-src: add the blocked origin', () => {
    expect(cspAdvice('', [{ directive: 'script-src-elem', blocked: `${CDN}/inpage-runtime.js?v=1` }], CDN)).toContain(`Add: script-src ${CDN}.`);
    expect(cspAdvice('', [{ directive: 'connect-src', blocked: `${CDN}/ort-wasm-simd-threaded.wasm` }], CDN)).toContain(`Add: connect-src ${CDN}.`);
  });

  it("reads ORT's CompileError message when no violation was reported", () => {
    const msg = "CompileError: WebAssembly.instantiate(): Compiling … violates … because 'unsafe-eval' is not an allowed source of script";
    expect(cspAdvice(msg, [], CDN)).toContain("Add: script-src 'wasm-unsafe-eval'.");
  });

  it('is undefined for failures that are not CSP', () => {
    expect(cspAdvice('HTTP 404 from /reco/manifest.json', [], CDN)).toBeUndefined();
  });
});
