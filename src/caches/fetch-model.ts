/**
 * Download model bytes with progress, abort and bounded retries. Transient failures (network
 * errors, 408/429/5xx) are retried with exponential backoff; permanent ones (other 4xx) are not.
 */
import { readBounded, type BoundedRead } from './read-bounded.ts';
import { InpageError, abortError } from '../errors.ts';
import type { LoadProgress } from '../types.ts';

export interface FetchModelOptions {
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  /** Attempts after the first for transient failures. Default 2. */
  retries?: number;
  /** First backoff delay in ms, doubled each retry. Default 250. */
  backoffMs?: number;
  fetchImpl?: typeof fetch;
  /** HTTP cache mode: 'reload' after a stale copy, 'no-cache' to revalidate. Default the browser's. */
  cache?: RequestCache;
  /** Refuse a body longer than this (a declared size): the download stops as soon as it passes it. */
  maxBytes?: number;
}

/** Statuses worth retrying: the server may answer next time. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(abortError('Model download', signal?.reason)); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Fetch `url` fully into memory. */
export async function fetchModel(url: string, opts: FetchModelOptions = {}): Promise<Uint8Array> {
  const retries = opts.retries ?? 2;
  const doFetch = opts.fetchImpl ?? fetch;
  let lastError: InpageError | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep((opts.backoffMs ?? 250) * 2 ** (attempt - 1), opts.signal);
    if (opts.signal?.aborted) throw abortError('Model download', opts.signal.reason);
    let response: Response;
    try {
      const init: RequestInit = { credentials: 'same-origin' };
      if (opts.signal) init.signal = opts.signal;
      if (opts.cache !== undefined) init.cache = opts.cache;
      response = await doFetch(url, init);
    } catch (e) {
      if (opts.signal?.aborted) throw abortError('Model download', opts.signal.reason);
      lastError = new InpageError('MODEL_FETCH_FAILED', `Could not download the model from ${url}: ${e instanceof Error ? e.message : String(e)} (network error or blocked by CSP connect-src).`, { url, status: 0, attempts: attempt + 1 });
      continue;
    }
    if (!response.ok) {
      lastError = new InpageError('MODEL_FETCH_FAILED', `Downloading the model from ${url} failed with HTTP ${response.status} ${response.statusText}.${isTransientStatus(response.status) ? '' : ' Check the URL.'}`, { url, status: response.status, attempts: attempt + 1 });
      if (!isTransientStatus(response.status)) throw lastError;
      continue;
    }
    try {
      return await readBody(response, url, opts);
    } catch (e) {
      // A connection cut mid-body is the same transient fault as one cut before the headers.
      if (!(e instanceof InpageError) || e.code !== 'MODEL_FETCH_FAILED') throw e;
      lastError = new InpageError(e.code, e.message, { ...e.details, attempts: attempt + 1 });
    }
  }
  throw lastError ?? new InpageError('MODEL_FETCH_FAILED', `Could not download ${url}.`, { url });
}

async function readBody(response: Response, url: string, opts: FetchModelOptions): Promise<Uint8Array> {
  return readResponseBody(response, url, {
    signal: opts.signal, abortWhat: 'Model download', maxBytes: opts.maxBytes,
    onBytes: (loaded, total) => opts.onProgress?.(total === undefined ? { phase: 'download', loaded } : { phase: 'download', loaded, total }),
  });
}

/** How `readResponseBody` reports progress and names an abort. */
export interface ReadBodyOptions {
  signal?: AbortSignal | undefined;
  /** Subject of the ABORTED message, e.g. 'Model download'. */
  abortWhat: string;
  /** Bytes read so far (0 before the first chunk), and the size when the response declares it. */
  onBytes?: (loaded: number, total: number | undefined) => void;
  /** Largest body accepted; a longer one is INTEGRITY_MISMATCH (details: declared, arrived), read no further. */
  maxBytes?: number | undefined;
}

function tooLarge(url: string, declared: number, arrived: number, complete: boolean): InpageError {
  return new InpageError('INTEGRITY_MISMATCH', `${url} is larger than its declared ${declared} bytes: ${complete ? '' : 'more than '}${arrived} ${complete ? 'announced' : 'arrived before the download was stopped'}. A partial deploy, a wrong file, or a stale manifest.`, { url, declared, arrived });
}

/**
 * Reads a response body chunk by chunk with progress. A body cut mid-way, or shorter than its
 * Content-Length, is MODEL_FETCH_FAILED (a transient fault worth retrying); an abort is ABORTED.
 */
export async function readResponseBody(response: Response, url: string, opts: ReadBodyOptions): Promise<Uint8Array> {
  const header = response.headers.get('content-length');
  // Content-Length is the encoded size; with compression it can differ from what we read.
  const total = header !== null && /^\d+$/.test(header) && !response.headers.get('content-encoding') ? Number(header) : undefined;
  const max = opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
  if (total !== undefined && total > max) {
    void response.body?.cancel().catch(() => {});
    throw tooLarge(url, max, total, true);
  }
  if (!response.body) {
    const buf = new Uint8Array(await response.arrayBuffer());
    if (buf.byteLength > max) throw tooLarge(url, max, buf.byteLength, true);
    opts.onBytes?.(buf.byteLength, total);
    return buf;
  }
  let loaded = 0;
  opts.onBytes?.(0, total);
  let read: BoundedRead;
  try {
    read = await readBounded(response.body, max, (n) => { loaded = n; opts.onBytes?.(n, total); });
  } catch (e) {
    if (opts.signal?.aborted) throw abortError(opts.abortWhat, opts.signal.reason);
    throw new InpageError('MODEL_FETCH_FAILED', `The download of ${url} broke off after ${loaded} bytes: ${e instanceof Error ? e.message : String(e)}.`, { url, loaded });
  }
  if (!read.ok) throw tooLarge(url, max, read.arrived, false);
  if (total !== undefined && read.bytes.byteLength !== total) {
    throw new InpageError('MODEL_FETCH_FAILED', `The download of ${url} ended after ${read.bytes.byteLength} of ${total} bytes.`, { url, loaded: read.bytes.byteLength, total });
  }
  return read.bytes;
}
