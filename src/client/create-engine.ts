import { InpageError } from '../errors.ts';
import type { BackendPreference, EngineOptions } from '../types.ts';
import { EngineImpl, type Engine } from './engine.ts';

const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm'];

function checkOptions(opts: EngineOptions): void {
  if (opts.backend !== undefined && !BACKENDS.includes(opts.backend)) {
    throw new InpageError('OPTION_INVALID', `backend must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}, got ${JSON.stringify(opts.backend)}.`);
  }
  if (opts.timeoutMs !== undefined && !(Number.isFinite(opts.timeoutMs) && opts.timeoutMs >= 0)) {
    throw new InpageError('OPTION_INVALID', `timeoutMs must be a non-negative number of milliseconds (0 disables), got ${String(opts.timeoutMs)}.`);
  }
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new InpageError('OPTION_INVALID', `threads must be a positive integer, got ${String(opts.threads)}.`);
  }
}

/**
 * Start an engine: a Web Worker that runs models on WebGPU or WASM. Resolves once the worker
 * has probed the device; a forced `backend: 'webgpu'` on a device without WebGPU rejects here
 * with `WEBGPU_UNAVAILABLE`.
 *
 * @example
 * import { createEngine } from 'inpage';
 * const engine = await createEngine({ backend: 'auto' });
 * console.log(await engine.info()); // { backend: 'webgpu', reason: 'auto: WebGPU adapter …', … }
 */
export async function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  checkOptions(opts);
  const spawn = (): Worker => opts.workerUrl !== undefined
    ? new Worker(opts.workerUrl, { type: 'module', name: 'inpage' })
    // Written inline so bundlers (Vite, webpack 5, esbuild) see and emit the worker.
    : new Worker(new URL('../worker/entry.ts', import.meta.url), { type: 'module', name: 'inpage' });
  const engine = new EngineImpl(opts, spawn);
  await engine.connection();
  return engine;
}
