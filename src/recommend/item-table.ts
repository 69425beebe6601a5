/**
 * Where `items.json` is parsed: in place on the page when it is small, in the engine's worker
 * when it is large (issue #16: a 300 MB table parsed on the page was a 4.6 s long task).
 *
 * The worker path: the bytes are transferred (no copy) to the engine's worker, which decodes,
 * `JSON.parse`s and validates them with the same `parseItems` as the page (so the same
 * `CATALOG_INVALID` naming the same field), and sends back columns the page rebuilds in slices
 * that yield between them (item-columns.ts). Engines without the op (a test's fake engine) parse
 * in place.
 */
import type { EngineLike } from './engine-like.ts';
import { unpackItemTable } from './item-columns.ts';
import { parseItems, parseJsonBytes, type RecommenderItems, type RecommenderManifest } from './manifest.ts';

/**
 * Tables of at least this many bytes are parsed in the worker (default 1 MiB). Below it the page
 * parses in place: measured in Chromium here (test/browser/item-table.spec.ts logs it), parsing
 * and validating costs the page ~10–15 ms per MB, so 1 MB stays far from a 50 ms long task even
 * on a phone a few times slower, while the worker path costs a round trip (and, on a cold load,
 * waits behind the worker's own start and model compile).
 */
export const ITEMS_OFF_THREAD_BYTES = 1024 * 1024;

/**
 * Parses and validates `bytes` (items.json) against the manifest, in the worker when there are
 * at least `offThreadAbove` of them. `bytes` is given up on that path (transferred).
 *
 * @example const items = await parseItemBytes(engine, bytes, manifest, itemsUrl, { signal });
 */
export async function parseItemBytes(
  engine: EngineLike, bytes: Uint8Array, manifest: Pick<RecommenderManifest, 'dims'>, where: string,
  opts: { signal?: AbortSignal | undefined; offThreadAbove?: number } = {},
): Promise<RecommenderItems> {
  const above = opts.offThreadAbove ?? ITEMS_OFF_THREAD_BYTES;
  if (engine.parseItemTable === undefined || bytes.byteLength < above) return parseItems(parseJsonBytes(bytes, where, 'CATALOG_INVALID'), manifest, where);
  const table = await engine.parseItemTable(bytes, manifest.dims.items, where, opts.signal === undefined ? {} : { signal: opts.signal });
  return unpackItemTable(table, opts.signal);
}
