/**
 * `engine.pipeline()` options, checked on the page (bad options fail here, before anything
 * crosses) and turned into the worker's spec.
 */
import { InpageError } from '../errors.ts';
import type { PipelineDtype, PipelineOptions } from '../pipeline-types.ts';
import type { PipelineToWorker } from '../protocol.ts';
import type { BackendPreference } from '../types.ts';

/** The Hugging Face hub, transformers.js' default host and path template. */
export const HF_HUB = { remoteHost: 'https://huggingface.co/', pathTemplate: '{model}/resolve/{revision}/' } as const;
const DTYPES: readonly PipelineDtype[] = ['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'];
const DEVICES: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm'];

/**
 * Splits `modelHost` into transformers.js' `remoteHost` (absolute, resolved against the page) and
 * `remotePathTemplate`.
 *
 * @example resolveModelHost('/hf/', 'https://shop.test/p') // { remoteHost: 'https://shop.test/hf/', pathTemplate: '{model}/' }
 */
export function resolveModelHost(modelHost: string | URL | undefined, base = globalThis.location?.href): { remoteHost: string; pathTemplate: string } {
  if (modelHost === undefined) return { ...HF_HUB };
  // A URL object percent-encodes the braces of its placeholders.
  const text = String(modelHost).replace(/%7Bmodel%7D/gi, '{model}').replace(/%7Brevision%7D/gi, '{revision}');
  const at = text.search(/\{(model|revision)\}/);
  const prefix = at < 0 ? text : text.slice(0, at);
  const pathTemplate = at < 0 ? '{model}/' : text.slice(at);
  let remoteHost: string;
  try {
    remoteHost = new URL(prefix === '' ? './' : prefix, base).href;
  } catch {
    throw new InpageError('OPTION_INVALID', `modelHost '${text}' is not a valid URL${base === undefined ? ' (no page location to resolve a relative URL against: pass an absolute URL)' : ''}.`);
  }
  if (!/^https?:$/.test(new URL(remoteHost).protocol)) throw new InpageError('OPTION_INVALID', `modelHost must be an http(s) URL, got '${text}'.`);
  return { remoteHost: remoteHost.endsWith('/') ? remoteHost : `${remoteHost}/`, pathTemplate };
}

function checkDtype(d: unknown): void {
  const ok = (v: unknown): boolean => DTYPES.includes(v as PipelineDtype);
  if (typeof d === 'string' ? ok(d) : typeof d === 'object' && d !== null && Object.values(d).every(ok)) return;
  throw new InpageError('OPTION_INVALID', `dtype must be one of ${DTYPES.join(', ')} (or a map of file name to one of them), got ${JSON.stringify(d)}.`);
}

/** Checks `engine.pipeline()` arguments and builds the worker spec. */
export function pipelineSpec(pipeId: string, task: unknown, model: unknown, opts: PipelineOptions): PipelineToWorker {
  if (typeof task !== 'string' || task === '') throw new InpageError('OPTION_INVALID', `engine.pipeline(task, model): task must be a transformers.js task name like 'feature-extraction', got ${JSON.stringify(task)}.`);
  if (typeof model !== 'string' || model === '' || model.length > 200 || model.includes('..')) {
    throw new InpageError('OPTION_INVALID', `engine.pipeline(task, model): model must be a Hugging Face model id like 'Xenova/all-MiniLM-L6-v2', got ${JSON.stringify(model)}.`);
  }
  if (opts.device !== undefined && !DEVICES.includes(opts.device)) throw new InpageError('OPTION_INVALID', `device must be one of ${DEVICES.map((d) => `'${d}'`).join(', ')}, got ${JSON.stringify(opts.device)}.`);
  if (opts.dtype !== undefined) checkDtype(opts.dtype);
  if (opts.revision !== undefined && (typeof opts.revision !== 'string' || opts.revision === '')) throw new InpageError('OPTION_INVALID', `revision must be a non-empty string, got ${JSON.stringify(opts.revision)}.`);
  let batch: PipelineToWorker['batch'] = { maxBatch: 32, maxWaitMs: 2 };
  if (opts.batch === false) batch = false;
  else if (opts.batch !== undefined) {
    const maxBatch = opts.batch.maxBatch ?? 32;
    const maxWaitMs = opts.batch.maxWaitMs ?? 2;
    if (!Number.isInteger(maxBatch) || maxBatch < 1 || !(Number.isFinite(maxWaitMs) && maxWaitMs >= 0)) {
      throw new InpageError('OPTION_INVALID', `batch must be { maxBatch: integer ≥ 1, maxWaitMs: number ≥ 0 } or false, got ${JSON.stringify(opts.batch)}.`);
    }
    batch = maxBatch === 1 || maxWaitMs === 0 ? false : { maxBatch, maxWaitMs };
  }
  const spec: PipelineToWorker = {
    pipeId, task, model, revision: opts.revision ?? 'main', host: resolveModelHost(opts.modelHost), cache: opts.cache ?? true, batch,
  };
  if (opts.device !== undefined) spec.device = opts.device;
  if (opts.dtype !== undefined) spec.dtype = opts.dtype;
  if (opts.integrity !== undefined) spec.integrity = integrityOption(opts.integrity);
  return spec;
}

/** Validates `integrity` into a null-prototype map of path → lower-case hex SHA-256. */
function integrityOption(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InpageError('OPTION_INVALID', `integrity must be an object of file path → SHA-256, got ${JSON.stringify(value)}.`);
  const out = Object.create(null) as Record<string, string>;
  for (const [path, sha] of Object.entries(value)) {
    if (typeof sha !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha) || path === '' || path.includes('..')) throw new InpageError('OPTION_INVALID', `integrity['${path}'] must be a relative file path with a 64-hex-digit SHA-256, got ${JSON.stringify(sha)}.`);
    out[path] = sha.toLowerCase();
  }
  return out;
}
