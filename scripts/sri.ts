/**
 * Subresource-integrity hashes of the script-tag build, computed after the runtime and worker
 * passes and compiled into inpage.js (`__INPAGE_INTEGRITY__`, src/embed/integrity.ts): a correct
 * `integrity=` on inpage.js then covers what it loads too (docs/EMBED.md, Integrity).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuiltIntegrity } from '../src/embed/integrity.ts';

/** `sha384-<base64>`, the form `integrity=` attributes take (W3C SRI). */
export function sri(bytes: Uint8Array): string {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/**
 * The table inpage.js carries: `runtime` lists every module of the runtime's graph (the entry,
 * its static chunks and its lazy ones), `worker` the worker file (one file: vite.iife.config.ts),
 * `ort` onnxruntime-web's files copied beside them (the worker checks the `.wasm`).
 *
 * @example await integrityTable('dist/cdn', ['inpage-runtime.js', 'chunks/version-X.js'], ['ort-wasm-simd-threaded.wasm'])
 */
export async function integrityTable(cdn: string, runtimeFiles: readonly string[], ortFiles: readonly string[], workerFile = 'inpage-worker.js'): Promise<BuiltIntegrity> {
  const hash = async (f: string): Promise<string> => sri(await readFile(join(cdn, f)));
  const runtime: Record<string, string> = {};
  for (const f of [...runtimeFiles].sort()) runtime[f] = await hash(f);
  if (!('inpage-runtime.js' in runtime)) throw new Error(`the runtime pass did not emit inpage-runtime.js (got ${runtimeFiles.join(', ')})`);
  const ort: Record<string, string> = {};
  for (const f of [...ortFiles].sort()) ort[f] = await hash(f);
  return { runtime, worker: { [workerFile]: await hash(workerFile) }, ort };
}
