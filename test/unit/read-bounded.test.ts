import { describe, expect, it } from 'vitest';
import { readBounded } from '../../src/caches/read-bounded.ts';
import { sriSha384 } from '../../src/caches/sri.ts';
import { sri } from '../../scripts/sri.ts';

/** A stream of `n` chunks of `size` bytes (endless when n is Infinity); records cancel. */
function body(n: number, size: number): { stream: ReadableStream<Uint8Array>; state: { pulled: number; cancelled: boolean } } {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (state.pulled >= n) { c.close(); return; }
      state.pulled++;
      c.enqueue(new Uint8Array(size).fill(state.pulled));
    },
    cancel() { state.cancelled = true; },
  }, { highWaterMark: 0 });
  return { stream, state };
}

describe('readBounded (the one bounded body reader)', () => {
  it('returns the whole body when it fits, exactly at the bound too', async () => {
    const { stream } = body(3, 4);
    const seen: number[] = [];
    const r = await readBounded(stream, 12, (n) => seen.push(n));
    expect(r.ok && [...r.bytes]).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    expect(seen).toEqual([4, 8, 12]);
  });

  it('with an expected size: the same bytes, copied in as they arrive; a short body comes back short', async () => {
    const r = await readBounded(body(3, 4).stream, 12, undefined, 12);
    expect(r.ok && [...r.bytes]).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    const short = await readBounded(body(2, 4).stream, 12, undefined, 12);
    expect(short.ok && [...short.bytes]).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    const { stream, state } = body(Infinity, 4);
    expect(await readBounded(stream, 12, undefined, 12)).toEqual({ ok: false, arrived: 16 });
    expect(state.cancelled).toBe(true);
  });

  it('stops an endless body as soon as it passes the bound, and cancels it', async () => {
    const { stream, state } = body(Infinity, 1000);
    const r = await readBounded(stream, 2500);
    expect(r).toEqual({ ok: false, arrived: 3000 });
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(4);
  });

  it('rejects with the stream\'s own error when the body breaks off', async () => {
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({ pull(c) { if (sent) c.error(new Error('connection reset')); else { sent = true; c.enqueue(new Uint8Array(8)); } } });
    await expect(readBounded(stream, 100)).rejects.toThrow('connection reset');
  });
});

describe('SRI digests: the page\'s (SubtleCrypto) and the build\'s (node:crypto) agree', () => {
  it('sha384-<base64> of the same bytes', async () => {
    const bytes = new TextEncoder().encode('export const x = 1;\n'.repeat(1000));
    expect(await sriSha384(bytes)).toBe(sri(bytes));
    expect(sri(bytes)).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
  });
});
