/**
 * A validated item table in the shape that crosses from the worker to the page cheaply
 * (protocol.ts, `ItemTableFromWorker`), and back into {@link RecommenderItems} on the page.
 *
 * Why this shape: structured clone rebuilds an array of N strings or N numbers as N values in one
 * go when the message arrives, on the receiving thread: for a 300 MB table that is a long task of
 * its own, the very thing moving the parse off the page was for. So the worker sends
 * - numbers as typed arrays, transferred (moved, no copy, no per-item work on arrival);
 * - each string column as ONE string with the end offsets (cloning one string is a memcpy);
 * and the page rebuilds the arrays in slices of a few milliseconds, yielding to the event loop
 * between slices (`text.slice` in V8 makes a view of the packed string, no copy of the text).
 *
 * Pure functions: the worker imports `packItemTable` (worker/item-table.ts), the page
 * `unpackItemTable` (item-table.ts).
 */
import { abortError } from '../errors.ts';
import type { ItemTableFromWorker, PackedStringsFromWorker } from '../protocol.ts';
import type { RecommenderItems } from './manifest.ts';

function packStrings(list: readonly string[]): PackedStringsFromWorker {
  const ends = new Uint32Array(list.length);
  let at = 0;
  for (let i = 0; i < list.length; i++) {
    at += list[i]!.length;
    ends[i] = at;
  }
  return { text: list.join(''), ends };
}

/**
 * `items` (as `parseItems` validated it) as columns, and the buffers to transfer with them.
 *
 * @example const { table, transfer } = packItemTable(parseItems(json, manifest, url));
 */
export function packItemTable(items: RecommenderItems): { table: ItemTableFromWorker; transfer: ArrayBuffer[] } {
  const table: ItemTableFromWorker = {
    ids: packStrings(items.ids),
    titles: packStrings(items.titles),
    category: Int32Array.from(items.category),
    price: Float64Array.from(items.price),
    inStock: Uint8Array.from(items.inStock),
    categories: items.categories,
    trending: { asOf: items.trending.asOf, halfLifeDays: items.trending.halfLifeDays, scores: Float64Array.from(items.trending.scores) },
  };
  if (items.facts !== undefined) {
    const { brands, brand, tagNames, tags } = items.facts;
    const tagEnds = new Uint32Array(tags.length);
    let at = 0;
    for (let i = 0; i < tags.length; i++) {
      at += tags[i]!.length;
      tagEnds[i] = at;
    }
    table.facts = { brands, brand: Int32Array.from(brand), tagNames, tags: Int32Array.from(tags.flat()), tagEnds };
  }
  const f = table.facts;
  const transfer = [table.ids.ends, table.titles.ends, table.category, table.price, table.inStock, table.trending.scores, ...(f === undefined ? [] : [f.brand, f.tags, f.tagEnds])]
    .map((a) => a.buffer as ArrayBuffer);
  return { table, transfer };
}

/** Resolves after other tasks had their turn: `scheduler.yield()` where there is one (Chromium), else a 0 ms timer. */
function nextTask(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return typeof s?.yield === 'function' ? s.yield() : new Promise((r) => setTimeout(r, 0));
}

/** How long one slice of the rebuild may run before it yields (well under the 50 ms of a long task). */
export const SLICE_MS = 8;

/**
 * The columns back as {@link RecommenderItems}, rebuilt in slices of at most ~{@link SLICE_MS} ms
 * with a yield between slices, so the page never has a long task on a large table. Stops with
 * `ABORTED` between slices once `signal` fires.
 *
 * @example const items = await unpackItemTable(await engine.parseItemTable(bytes, n, url));
 */
export async function unpackItemTable(t: ItemTableFromWorker, signal?: AbortSignal, pause: () => Promise<void> = nextTask): Promise<RecommenderItems> {
  const n = t.ids.ends.length;
  const ids: string[] = [];
  const titles: string[] = [];
  const category: number[] = [];
  const price: number[] = [];
  const inStock: number[] = [];
  const scores: number[] = [];
  const f = t.facts;
  const brand: number[] = [];
  const tags: number[][] = [];
  let i = 0;
  while (i < n) {
    const until = performance.now() + SLICE_MS;
    // Check the clock every 2,048 items: cheap next to the work, and far finer than a slice.
    for (let stop = Math.min(n, i + 2048); i < n; stop = Math.min(n, i + 2048)) {
      for (; i < stop; i++) {
        ids.push(t.ids.text.slice(i === 0 ? 0 : t.ids.ends[i - 1], t.ids.ends[i]));
        titles.push(t.titles.text.slice(i === 0 ? 0 : t.titles.ends[i - 1], t.titles.ends[i]));
        category.push(t.category[i]!);
        price.push(t.price[i]!);
        inStock.push(t.inStock[i]!);
        scores.push(t.trending.scores[i]!);
        if (f !== undefined) {
          brand.push(f.brand[i]!);
          tags.push(Array.from(f.tags.subarray(i === 0 ? 0 : f.tagEnds[i - 1], f.tagEnds[i])));
        }
      }
      if (performance.now() >= until) break;
    }
    if (i < n) {
      await pause();
      if (signal?.aborted) throw abortError('Loading the recommender item table', signal.reason);
    }
  }
  return {
    ...(f === undefined ? {} : { facts: { brands: f.brands, brand, tagNames: f.tagNames, tags } }),
    format: 'inpage-recommender-items',
    version: 1,
    ids, titles, category, price, inStock,
    categories: t.categories,
    trending: { asOf: t.trending.asOf, halfLifeDays: t.trending.halfLifeDays, scores },
  };
}
