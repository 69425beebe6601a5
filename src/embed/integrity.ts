/**
 * The rest of the script-tag chain checked against hashes inpage.js carries: a correct
 * `integrity=` on inpage.js then covers the runtime module, its chunks and the worker, so a
 * tampered file on the script host is refused before any of its code runs (docs/EMBED.md,
 * Integrity).
 *
 * - The runtime's modules (page side) are preloaded with `<link rel="modulepreload"
 *   integrity=…>` before `import()`: the browser checks each against its hash and puts it in the
 *   page's module map, where the import finds it; a mismatch fails the preload, and the module
 *   is never evaluated. Links, not fetch + blob: a strict CSP needs no `blob:` in `script-src`.
 * - The worker is fetched, hashed with SubtleCrypto and started from the verified bytes as a
 *   blob (client/create-engine.ts, `workerIntegrity`), which `worker-src blob:` already allows.
 * - ORT's `.wasm` is fetched and hashed by the worker, and ORT is handed those bytes
 *   (backends/ort-wasm-integrity.ts, `assetIntegrity`). ORT's JavaScript (its chunk and the glue
 *   `.mjs`) is imported by the worker and not checked (docs/EMBED.md, Integrity).
 */
import { sriSha384 } from '../caches/sri.ts';

/** What scripts/sri.ts compiles into inpage.js: SRI strings by path relative to the script folder. */
export interface BuiltIntegrity {
  /** Every module of the runtime's graph: the entry, its static chunks and its lazy ones. */
  runtime: Record<string, string>;
  /** The worker file (one file, vite.iife.config.ts). */
  worker: Record<string, string>;
  /**
   * onnxruntime-web's files beside them (glue `.mjs` and `.wasm`). The worker checks the `.wasm`
   * before ORT compiles it (backends/ort-wasm-integrity.ts, `assetIntegrity`).
   */
  ort: Record<string, string>;
}

declare const __INPAGE_INTEGRITY__: BuiltIntegrity | undefined;

/** The table of this build of inpage.js, or undefined in builds without one (sources, tests). */
export function builtIntegrity(): BuiltIntegrity | undefined {
  return typeof __INPAGE_INTEGRITY__ === 'undefined' ? undefined : __INPAGE_INTEGRITY__;
}

/** The error a refused file gives: the SDK's code, without the runtime's InpageError class (not loaded yet). */
function refused(url: string, expected: string, actual: string | undefined): Error {
  const got = actual === undefined ? 'could not be fetched to compare' : `has ${actual}`;
  return Object.assign(new Error(`${url} failed its integrity check: inpage.js expects ${expected}, the file ${got}. Nothing from it ran. Serve the files of one build of dist/cdn/ together (a partial upload or a modified file causes this).`), {
    name: 'InpageError', code: 'INTEGRITY_MISMATCH', details: { url, expected, actual },
  });
}

/** Why `url` failed to preload: its actual hash if it arrived (then it was a mismatch), else undefined. */
async function actualHash(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { cache: 'no-store', credentials: 'omit' });
    return res.ok ? await sriSha384(await res.arrayBuffer()) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Preloads each of `files` (paths under `base`, with their SRI) as a module with `integrity`,
 * resolving when all passed; rejects with `INTEGRITY_MISMATCH` naming the first that did not.
 * `versioned` maps a path to the URL the import will use (the entry carries `?v=`).
 *
 * @example await preloadVerified(document, 'https://cdn.example.com/inpage/', table.runtime, (f) => f)
 */
export async function preloadVerified(doc: Document, base: string, files: Record<string, string>, versioned: (file: string) => string): Promise<void> {
  const one = (file: string, hash: string): Promise<void> => new Promise<void>((resolve, reject) => {
    const link = doc.createElement('link');
    link.rel = 'modulepreload';
    link.href = new URL(versioned(file), base).href;
    link.integrity = hash;
    // Module scripts are fetched in CORS mode; the script host sends Access-Control-Allow-Origin.
    link.crossOrigin = 'anonymous';
    link.onload = () => resolve();
    link.onerror = () => void actualHash(link.href).then((actual) => reject(refused(link.href, hash, actual)));
    doc.head.append(link);
  });
  await Promise.all(Object.entries(files).map(([f, h]) => one(f, h)));
}
