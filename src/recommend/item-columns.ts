/**
 * A validated item table in the shape that crosses from the worker to the page cheaply
 * (protocol.ts, `ItemTableFromWorker`), and back into {@link RecommenderItems} on the page.
 *
 * Why this shape: structured clone rebuilds what it carries on the receiving thread when the
 * message arrives, in one go: an array of N strings or numbers as N values, and even one large
 * string is copied there (measured in Chromium here: ~300 ms on the page for a 20 M-character
 * string, ~900 ms when it has non-Latin-1 characters). That would be the long task moving the
 * parse off the page was for. So the worker sends only transferable buffers (moved, no work on
 * arrival): numbers as typed arrays, each string column as UTF-8 bytes with the end of each
 * string in bytes and in UTF-16 units; and the page rebuilds the arrays in slices of a few
 * milliseconds, yielding to the event loop between slices. A slice decodes its run of strings in
 * one `TextDecoder` call and cuts it with `slice` (a view in V8, no copy).
 *
 * Pure functions: the worker imports `packItemTable` (worker/item-table.ts), the page
 * `unpackItemTable` (item-table.ts).
 */
import { abortError } from '../errors.ts';
import { nextTask, SLICE_MS } from '../next-task.ts';
import type { ItemTableFromWorker, PackedStringsFromWorker } from '../protocol.ts';
import type { RecommenderItems } from './manifest.ts';

/** UTF-8 length of `s` (a lone surrogate counts 3: TextEncoder writes U+FFFD for it, so such a string arrives with U+FFFD). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

function packStrings(list: readonly string[]): PackedStringsFromWorker {
  const byteEnds = new Uint32Array(list.length);
  const charEnds = new Uint32Array(list.length);
  let bytes = 0;
  let chars = 0;
  for (let i = 0; i < list.length; i++) {
    bytes += utf8Length(list[i]!);
    chars += list[i]!.length;
    byteEnds[i] = bytes;
    charEnds[i] = chars;
  }
  const utf8 = new Uint8Array(bytes);
  const encoder = new TextEncoder();
  let at = 0;
  for (const s of list) at += encoder.encodeInto(s, utf8.subarray(at)).written;
  return { utf8, byteEnds, charEnds };
}

/** Strings `from`..`to`-1 of a packed column, appended to `out` (one decode for the run). */
function unpackStrings(p: PackedStringsFromWorker, from: number, to: number, decoder: TextDecoder, out: string[]): void {
  if (to <= from) return;
  const run = decoder.decode(p.utf8.subarray(from === 0 ? 0 : p.byteEnds[from - 1], p.byteEnds[to - 1]));
  const base = from === 0 ? 0 : p.charEnds[from - 1]!;
  let start = 0;
  for (let i = from; i < to; i++) {
    const end = p.charEnds[i]! - base;
    out.push(run.slice(start, end));
    start = end;
  }
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
  const transfer = [table.ids.utf8, table.ids.byteEnds, table.ids.charEnds, table.titles.utf8, table.titles.byteEnds, table.titles.charEnds, table.category, table.price, table.inStock, table.trending.scores, ...(f === undefined ? [] : [f.brand, f.tags, f.tagEnds])]
    .map((a) => a.buffer as ArrayBuffer);
  return { table, transfer };
}


/**
 * The columns back as {@link RecommenderItems} with the id → index map, rebuilt in slices of at most ~{@link SLICE_MS} ms
 * with a yield between slices, so the page never has a long task on a large table. Stops with
 * `ABORTED` between slices once `signal` fires.
 *
 * @example const { items, index } = await unpackItemTable(await engine.parseItemTable(bytes, n, url));
 */
export async function unpackItemTable(t: ItemTableFromWorker, signal?: AbortSignal, pause: () => Promise<void> = nextTask): Promise<{ items: RecommenderItems; index: Map<string, number> }> {
  const n = t.ids.byteEnds.length;
  const decoder = new TextDecoder();
  const ids: string[] = [];
  const titles: string[] = [];
  const category: number[] = [];
  const price: number[] = [];
  const inStock: number[] = [];
  const scores: number[] = [];
  const f = t.facts;
  const brand: number[] = [];
  const tags: number[][] = [];
  // The id → index map the recommender needs, built here in the same slices (for 1 M items a
  // Map built in one go is a long task of its own).
  const index = new Map<string, number>();
  let i = 0;
  while (i < n) {
    const until = performance.now() + SLICE_MS;
    // Check the clock every 256 items: cheap next to the work, and far finer than a slice.
    for (let stop = Math.min(n, i + 256); i < n; stop = Math.min(n, i + 256)) {
      unpackStrings(t.ids, i, stop, decoder, ids);
      unpackStrings(t.titles, i, stop, decoder, titles);
      for (let j = ids.length - (stop - i); j < ids.length; j++) index.set(ids[j]!, j);
      for (; i < stop; i++) {
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
  const items: RecommenderItems = {
    ...(f === undefined ? {} : { facts: { brands: f.brands, brand, tagNames: f.tagNames, tags } }),
    format: 'inpage-recommender-items',
    version: 1,
    ids, titles, category, price, inStock,
    categories: t.categories,
    trending: { asOf: t.trending.asOf, halfLifeDays: t.trending.halfLifeDays, scores },
  };
  return { items, index };
}
