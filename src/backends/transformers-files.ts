/**
 * How transformers.js gets model files inside the worker: its `env.fetch` and `env.customCache`
 * are pointed here, so pipeline files take the same road as ONNX models — the engine's model
 * cache (Cache Storage → IndexedDB → memory, SHA-256 checked on the way back), bounded retries of
 * transient failures, the caller's AbortSignal, byte progress and typed errors.
 *
 * One load runs at a time per worker (transformers' `env` is a module global), so the file
 * accounting of the load in progress lives in {@link PipelineFiles.current}.
 */
import { canHash, sha256Hex } from '../caches/hash.ts';
import { isTransientStatus, readResponseBody } from '../caches/fetch-model.ts';
import type { ModelStore } from '../caches/model-store.ts';
import { InpageError, abortError } from '../errors.ts';
import type { PipelineFile, PipelineProgress } from '../pipeline-types.ts';

/** Book-keeping of one pipeline load. */
export interface FileLoad {
  signal: AbortSignal;
  /** Use the model cache for this load. */
  cache: boolean;
  /** URL prefix of the model folder, to name files in progress events. */
  base: string;
  progress: (p: PipelineProgress) => void;
  files: Map<string, PipelineFile>;
  /** Requests that did not answer 2xx (optional files legitimately 404). */
  failures: { url: string; status: number }[];
  loaded: Map<string, number>;
  totals: Map<string, number>;
  /** Pinned loads: absolute file URL → SHA-256; a file not listed, or not matching, is refused. */
  pins: Map<string, string> | undefined;
  /** Why a pinned file was refused (transformers.js may rewrap the thrown error). */
  refused: InpageError | undefined;
}

/** Starts the accounting of a load. */
export function newFileLoad(signal: AbortSignal, cache: boolean, base: string, progress: (p: PipelineProgress) => void, integrity?: Readonly<Record<string, string>>): FileLoad {
  const pins = integrity === undefined ? undefined : new Map(Object.entries(integrity).map(([path, sha]) => [new URL(path, base).href, sha]));
  return { signal, cache, base, progress, files: new Map(), failures: [], loaded: new Map(), totals: new Map(), pins, refused: undefined };
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve, reject) => {
  const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
  const onAbort = (): void => { clearTimeout(t); reject(abortError('Loading the pipeline', signal.reason)); };
  signal.addEventListener('abort', onAbort, { once: true });
});

/** The fetch and cache transformers.js uses in this worker. */
export class PipelineFiles {
  /** The load in progress, if any. */
  current: FileLoad | undefined;

  constructor(private readonly store: ModelStore, private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)) {}

  private fileName(load: FileLoad, url: string): string {
    return url.startsWith(load.base) ? url.slice(load.base.length) : url;
  }

  private report(load: FileLoad, url: string, fromCache: boolean): void {
    let loaded = 0;
    let total = 0;
    let known = true;
    for (const [u, n] of load.loaded) {
      loaded += n;
      const t = load.totals.get(u);
      if (t === undefined) known = false;
      else total += t;
    }
    const p: PipelineProgress = { phase: 'download', loaded, file: this.fileName(load, url) };
    if (known) p.total = total;
    if (fromCache) p.fromCache = true;
    load.progress(p);
  }

  /**
   * `env.fetch`. A pinned load's file must be listed and match its SHA-256; a copy that does not
   * is fetched once more past the HTTP cache (stale after a redeploy) before it is refused.
   */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const load = this.current;
    if (!load?.pins || new Headers(init?.headers).has('Range')) return this.fetchOnce(input, init);
    const pin = load.pins.get(url);
    if (pin === undefined) {
      // Optional files transformers probes for (absent from the package) answer 404 as before.
      load.failures.push({ url, status: 404 });
      return new Response(null, { status: 404 });
    }
    let response = await this.fetchOnce(url, init);
    if (!response.ok) return response;
    let got = canHash() ? await sha256Hex(new Uint8Array(await response.clone().arrayBuffer())) : pin;
    if (got !== pin) {
      response = await this.fetchOnce(url, { ...init, cache: 'reload' });
      if (!response.ok) return response;
      got = await sha256Hex(new Uint8Array(await response.clone().arrayBuffer()));
    }
    if (got !== pin) {
      load.refused = new InpageError('INTEGRITY_MISMATCH', `${url} has SHA-256 ${got}, its manifest pins ${pin} (fetched twice, the second time past the HTTP cache). A partial deploy or a tampered file: it was not used.`, { url, expected: pin, actual: got });
      throw load.refused;
    }
    return response;
  };

  private readonly fetchOnce = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const load = this.current;
    if (!load) return this.fetchImpl(input, init);
    let response: Response | undefined;
    for (let attempt = 0; attempt <= 2; attempt++) {
      if (attempt > 0) await sleep(250 * 2 ** (attempt - 1), load.signal);
      if (load.signal.aborted) throw abortError('Loading the pipeline', load.signal.reason);
      try {
        response = await this.fetchImpl(url, { ...init, signal: load.signal, credentials: 'same-origin' });
      } catch (e) {
        if (load.signal.aborted) throw abortError('Loading the pipeline', load.signal.reason);
        if (attempt < 2) continue;
        throw new InpageError('MODEL_FETCH_FAILED', `Could not download ${url}: ${e instanceof Error ? e.message : String(e)} (network error, or blocked by CSP connect-src).`, { url, status: 0, attempts: attempt + 1 });
      }
      if (response.ok || !isTransientStatus(response.status)) break;
    }
    if (!response!.ok) {
      load.failures.push({ url, status: response!.status });
      return response!;
    }
    // A Range probe (transformers asks for sizes that way) is not a file download.
    if (new Headers(init?.headers).has('Range')) return response!;
    const bytes = await this.read(load, url, response!);
    const headers = new Headers({ 'content-length': String(bytes.byteLength) });
    const type = response!.headers.get('content-type');
    if (type !== null) headers.set('content-type', type);
    if (!load.files.has(url)) load.files.set(url, { url, bytes: bytes.byteLength, source: 'network' });
    return new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers });
  };

  private read(load: FileLoad, url: string, response: Response): Promise<Uint8Array> {
    return readResponseBody(response, url, {
      signal: load.signal, abortWhat: 'Loading the pipeline',
      onBytes: (loaded, total) => {
        if (total !== undefined) load.totals.set(url, total);
        load.loaded.set(url, loaded);
        this.report(load, url, false);
      },
    });
  }

  /**
   * `env.customCache`: transformers.js asks by the file's remote URL (and first by a local path,
   * which never matches here). Hits are verified by the model store; puts are hashed and stored
   * in the background, as ONNX models are.
   */
  readonly cache = {
    match: async (key: string | Request): Promise<Response | undefined> => {
      const url = typeof key === 'string' ? key : key.url;
      const load = this.current;
      if (!load?.cache || !/^https?:/.test(url)) return undefined;
      // Pinned: only the copy with the listed hash (a file not listed is never served).
      const pin = load.pins === undefined ? undefined : load.pins.get(url) ?? '';
      if (pin === '') return undefined;
      const hit = await this.store.get(url, pin);
      if (!hit) return undefined;
      if (!load.files.has(url)) load.files.set(url, { url, bytes: hit.bytes.byteLength, source: hit.info.store });
      load.totals.set(url, hit.bytes.byteLength);
      load.loaded.set(url, hit.bytes.byteLength);
      this.report(load, url, true);
      return new Response(hit.bytes as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-length': String(hit.bytes.byteLength) } });
    },
    put: async (key: string | Request, response: Response): Promise<void> => {
      const url = typeof key === 'string' ? key : key.url;
      if (!this.current?.cache || !/^https?:/.test(url) || !canHash()) return;
      const bytes = new Uint8Array(await response.arrayBuffer());
      void sha256Hex(bytes).then((sha) => this.store.put(url, sha, bytes)).catch(() => {});
    },
  };
}
