/**
 * Fetching a package file the manifest pins (bytes + SHA-256), the way a redeploy needs it:
 * - a body longer than declared is cut off as soon as it passes the size (never read whole);
 * - a hash mismatch is retried once with the HTTP cache bypassed (`cache: 'reload'`), since the
 *   usual cause is a stale cached copy from before the deploy (`max-age` on a mutable name);
 * - only then does it fail, with INTEGRITY_MISMATCH saying what was declared and what arrived.
 */
import { InpageError, abortError, toInpageError } from '../errors.ts';
import { readBounded, type BoundedRead } from '../caches/read-bounded.ts';
import type { FileEntry } from './manifest.ts';

/** The response the loader reads: `body` (a stream) is used when present, else `arrayBuffer()`. */
export interface ResponseLike {
  ok: boolean;
  status: number;
  arrayBuffer(): Promise<ArrayBuffer>;
  body?: ReadableStream<Uint8Array> | null;
}

/** The part of `fetch` the loader uses (injectable for tests and non-browser hosts). */
export type FetchLike = (url: string, init?: { signal?: AbortSignal; cache?: RequestCache }) => Promise<ResponseLike>;

/** What {@link fetchPinned} fetches. */
export interface PinnedRequest {
  url: string;
  /** In messages: 'item table', 'keyword index text', … */
  what: string;
  /** The manifest's entry; undefined fetches unchecked (only for files a manifest cannot list). */
  pin: FileEntry | undefined;
  /** Ceiling when there is no pin (e.g. a manifest itself). */
  maxBytes?: number;
  signal?: AbortSignal | undefined;
  /** HTTP cache mode of the first request (default the browser's). */
  cache?: RequestCache;
}

/** Largest manifest-like JSON file read without a pin (search.json, manifest.json). */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

async function sha256Hex(bytes: Uint8Array): Promise<string | undefined> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle === undefined) return undefined; // insecure context: sizes are still checked
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function tooLarge(req: PinnedRequest, limit: number, arrived: number, complete: boolean): InpageError {
  const declared = req.pin === undefined ? `at most ${limit} bytes are read` : `the manifest declares ${limit} bytes`;
  return new InpageError('INTEGRITY_MISMATCH', `${req.url} (the recommender ${req.what}) is larger than expected: ${declared}, ${complete ? '' : 'more than '}${arrived} arrived${complete ? '' : ' before the download was stopped'}. A partial deploy, a wrong file, or a stale manifest.`, { url: req.url, declared: limit, arrived });
}

/** Reads at most `limit` bytes; a longer body is cancelled at once and rejected. */
async function readPinnedBody(res: ResponseLike, req: PinnedRequest, limit: number): Promise<Uint8Array> {
  if (!res.body) {
    const buf = new Uint8Array(await res.arrayBuffer());
    if (buf.byteLength > limit) throw tooLarge(req, limit, buf.byteLength, true);
    return buf;
  }
  let read: BoundedRead;
  try {
    read = await readBounded(res.body, limit, undefined, req.pin?.bytes);
  } catch (e) {
    if (req.signal?.aborted) throw abortError(`Loading the recommender ${req.what}`, req.signal.reason);
    throw toInpageError(e, 'MODEL_FETCH_FAILED', `Reading ${req.url}`);
  }
  if (!read.ok) throw tooLarge(req, limit, read.arrived, false);
  return read.bytes;
}

async function fetchOnce(fetchFn: FetchLike, req: PinnedRequest, reload: boolean): Promise<Uint8Array> {
  const init: { signal?: AbortSignal; cache?: RequestCache } = {};
  if (req.signal !== undefined) init.signal = req.signal;
  if (reload) init.cache = 'reload';
  else if (req.cache !== undefined) init.cache = req.cache;
  let res: ResponseLike;
  try {
    res = await fetchFn(req.url, init);
  } catch (e) {
    if (req.signal?.aborted) throw abortError(`Loading the recommender ${req.what}`, req.signal.reason);
    throw toInpageError(e, 'MODEL_FETCH_FAILED', `Fetching the recommender ${req.what} from ${req.url}`);
  }
  if (!res.ok) throw new InpageError('MODEL_FETCH_FAILED', `Fetching the recommender ${req.what} from ${req.url} failed with HTTP ${res.status}. Check the URL and that the files are deployed.`, { url: req.url, status: res.status });
  return readPinnedBody(res, req, req.pin?.bytes ?? req.maxBytes ?? Number.MAX_SAFE_INTEGER);
}

/** Why `bytes` is not the pinned file by its size, or undefined when the size is right. */
export function sizeMismatch(bytes: Uint8Array, pin: FileEntry): Mismatch | undefined {
  return bytes.byteLength === pin.bytes ? undefined : { expected: `${pin.bytes} bytes`, actual: `${bytes.byteLength} bytes` };
}

/** Why `bytes` is not the pinned file, or undefined when it is. */
async function mismatch(bytes: Uint8Array, pin: FileEntry): Promise<Mismatch | undefined> {
  const bad = sizeMismatch(bytes, pin);
  if (bad !== undefined) return bad;
  const actual = await sha256Hex(bytes);
  return actual === undefined || actual === pin.sha256 ? undefined : { expected: `SHA-256 ${pin.sha256}`, actual: `SHA-256 ${actual}` };
}

/** What a file was declared as and what arrived, in words (INTEGRITY_MISMATCH details). */
export interface Mismatch {
  expected: string;
  actual: string;
}

/** What a {@link fetchPinnedAs} step makes of the bytes: its value, or why they are not the pinned file. */
export type Taken<T> = { ok: true; value: T } | ({ ok: false } & Mismatch);

/**
 * Fetches `req.url`, checks it against its pin, and on a mismatch fetches once more bypassing
 * the HTTP cache before rejecting with INTEGRITY_MISMATCH (details: expected, actual, url).
 *
 * @example const bytes = await fetchPinned(fetch, { url, what: 'item table', pin: manifest.files['items.json'] });
 */
export function fetchPinned(fetchFn: FetchLike, req: PinnedRequest): Promise<Uint8Array> {
  return fetchPinnedAs(fetchFn, req, async (bytes) => {
    const bad = req.pin === undefined ? undefined : await mismatch(bytes, req.pin);
    return bad === undefined ? { ok: true, value: bytes } : { ok: false, ...bad };
  });
}

/**
 * {@link fetchPinned} with the check done by `take`, which also turns the bytes into its value:
 * the item table's is hashed and parsed in the engine's worker (item-table.ts), so a large file
 * is neither hashed nor parsed on the page. A mismatch `take` reports gets the same one refetch
 * past the HTTP cache.
 */
export async function fetchPinnedAs<T>(fetchFn: FetchLike, req: PinnedRequest, take: (bytes: Uint8Array) => Promise<Taken<T>>): Promise<T> {
  let bytes: Uint8Array;
  try {
    bytes = await fetchOnce(fetchFn, req, false);
  } catch (e) {
    // An over-long cached body is as stale as a wrong hash: the fresh copy may be right.
    if (!(e instanceof InpageError) || e.code !== 'INTEGRITY_MISMATCH') throw e;
    bytes = await fetchOnce(fetchFn, req, true);
  }
  let got = await take(bytes);
  if (got.ok) return got.value;
  got = await take(await fetchOnce(fetchFn, req, true));
  if (got.ok) return got.value;
  throw new InpageError('INTEGRITY_MISMATCH', `${req.url} (the recommender ${req.what}) does not match its manifest, even fetched again past the HTTP cache: expected ${got.expected}, got ${got.actual}. A partial deploy? Upload the package's files before its manifest.`, { url: req.url, expected: got.expected, actual: got.actual });
}
