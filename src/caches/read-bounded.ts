/**
 * The one bounded body reader (model downloads in the worker, pinned package files on the page):
 * reads a stream chunk by chunk and stops, cancelling the download, as soon as it passes
 * `maxBytes`, so an oversized or endless body never sits whole in memory. Callers turn the
 * outcome into their own errors (what was declared, what arrived).
 */

import { nextTask, SLICE_MS } from '../next-task.ts';

/** The body, or how many bytes had arrived when it passed the bound (the stream is then cancelled). */
export type BoundedRead = { ok: true; bytes: Uint8Array } | { ok: false; arrived: number };

/**
 * Reads `body` up to `maxBytes`. A stream error (a cut connection, an abort) rejects as it came;
 * `onBytes` sees the running total after each chunk, so a caller can report how far it got.
 * `expected` (a pinned size, at most `maxBytes`) allocates the result once up front and copies
 * each chunk in as it arrives, so no single step copies the whole body (a 30 MB copy at the end
 * measured 150 ms on a busy page).
 *
 * @example
 * const r = await readBounded(res.body, 625_000);
 * if (!r.ok) throw new Error(`more than ${r.arrived} bytes arrived`);
 */
export async function readBounded(body: ReadableStream<Uint8Array>, maxBytes: number, onBytes?: (loaded: number) => void, expected?: number): Promise<BoundedRead> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  const into = expected !== undefined && expected <= maxBytes ? new Uint8Array(expected) : undefined;
  let loaded = 0;
  let until = performance.now() + SLICE_MS;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // A body already buffered is read in one task of microtasks: on the page, 30 MB of chunk
    // copies was a 50–70 ms long task; hand the event loop back every few milliseconds.
    if (performance.now() > until) {
      await nextTask();
      until = performance.now() + SLICE_MS;
    }
    if (loaded + value.byteLength > maxBytes) {
      void reader.cancel().catch(() => {});
      return { ok: false, arrived: loaded + value.byteLength };
    }
    if (into !== undefined) into.set(value, loaded);
    else chunks.push(value);
    loaded += value.byteLength;
    onBytes?.(loaded);
  }
  if (into !== undefined) return { ok: true, bytes: loaded === into.byteLength ? into : into.subarray(0, loaded) };
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { bytes.set(c, at); at += c.byteLength; }
  return { ok: true, bytes };
}
