/**
 * Fetching and parsing `items.json`: in place on the page when it is small, in the engine's
 * worker when it is large (issue #16: a 300 MB table parsed on the page was a 4.6 s long task).
 *
 * The worker path: the bytes, read into one buffer as they arrive, are transferred (no copy) to
 * the engine's worker, which checks their SHA-256, decodes, `JSON.parse`s and validates them with
 * the same `parseItems` as the page (so the same `CATALOG_INVALID` naming the same field), and
 * sends back columns the page rebuilds in slices that yield between them (item-columns.ts). A
 * hash mismatch gets the same one refetch past the HTTP cache as on the page (fetch-pinned.ts).
 * Engines without the op (a test's fake engine) parse in place.
 */
import { InpageError } from '../errors.ts';
import type { EngineLike } from './engine-like.ts';
import { fetchPinned, fetchPinnedAs, sizeMismatch, type FetchLike, type PinnedRequest, type Taken } from './fetch-pinned.ts';
import { unpackItemTable } from './item-columns.ts';
import { parseItems, parseJsonBytes, type RecommenderItems, type RecommenderManifest } from './manifest.ts';
import type { ItemTableFromWorker } from '../protocol.ts';

/**
 * Tables the manifest declares at least this many bytes for are parsed in the worker (default
 * 1 MiB). Below it the page parses in place: in Chromium here parsing and validating cost the
 * page ~30 ms per MB on a busy machine (933 ms for 30 MB; test/browser/item-table.spec.ts logs it), so 1 MB stays
 * under a 50 ms long task, while the worker path costs a round trip and, on a cold load, waits
 * behind the worker's own start and model compile.
 */
export const ITEMS_OFF_THREAD_BYTES = 1024 * 1024;

/** The item table, and the id → index map when the load built it on the way. */
export interface LoadedItems {
  items: RecommenderItems;
  index?: Map<string, number>;
}

/**
 * Fetches `req` (items.json, pinned by the manifest), checks, parses and validates it, in the
 * engine's worker when the manifest declares at least `offThreadAbove` bytes.
 *
 * @example const { items } = await loadItemTable(engine, fetch, { url, what: 'item table', pin }, manifest);
 */
export async function loadItemTable(
  engine: EngineLike, fetchFn: FetchLike, req: PinnedRequest, manifest: { dims: Pick<RecommenderManifest['dims'], 'items'> },
  offThreadAbove = ITEMS_OFF_THREAD_BYTES,
): Promise<LoadedItems> {
  const pin = req.pin;
  if (engine.parseItemTable === undefined || pin === undefined || pin.bytes < offThreadAbove) {
    const bytes = await fetchPinned(fetchFn, req);
    return { items: parseItems(parseJsonBytes(bytes, req.url, 'CATALOG_INVALID'), manifest, req.url) };
  }
  const inWorker = engine.parseItemTable.bind(engine);
  const table = await fetchPinnedAs(fetchFn, req, async (bytes): Promise<Taken<ItemTableFromWorker>> => {
    const bad = sizeMismatch(bytes, pin);
    if (bad !== undefined) return { ok: false, ...bad };
    try {
      return { ok: true, value: await inWorker(bytes, manifest.dims.items, req.url, { sha256: pin.sha256, ...(req.signal === undefined ? {} : { signal: req.signal }) }) };
    } catch (e) {
      const d = e instanceof InpageError && e.code === 'INTEGRITY_MISMATCH' ? e.details as { expected?: unknown; actual?: unknown } | undefined : undefined;
      if (typeof d?.expected === 'string' && typeof d.actual === 'string') return { ok: false, expected: d.expected, actual: d.actual };
      throw e;
    }
  });
  return unpackItemTable(table, req.signal);
}
