/**
 * fetchModel with a fake fetch: progress, permanent vs transient HTTP failures, bounded retries,
 * abort during backoff, truncated bodies. And the SHA-256 helpers against node:crypto.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fetchModel, isTransientStatus } from '../../src/caches/fetch-model.ts';
import { normaliseSha256, sha256Hex, toHex } from '../../src/caches/hash.ts';
import type { LoadProgress } from '../../src/types.ts';
import { rejected } from './helpers/catch.ts';

const URL_ = 'https://models.example/mlp.onnx';

/** A Response whose body arrives as the given chunks. */
function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}, status = 200): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
  return new Response(body, { status, headers });
}

function status(code: number): Response {
  return new Response(`status ${code}`, { status: code, statusText: code === 404 ? 'Not Found' : 'Err' });
}

/** A fake fetch answering from a script, one entry per call; records the calls. */
function scripted(...script: (Response | Error | (() => Response | Promise<Response>))[]): { fetchImpl: typeof fetch; calls: RequestInit[] } {
  const calls: RequestInit[] = [];
  const fetchImpl = (async (_url: unknown, init?: RequestInit) => {
    calls.push(init ?? {});
    const next = script[Math.min(calls.length - 1, script.length - 1)];
    if (next === undefined) throw new Error('empty script');
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? next() : next;
  }) as typeof fetch;
  return { fetchImpl, calls };
}

const bytes = (n: number, start = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

describe('fetchModel', () => {
  it('streams a 200 body with Content-Length: monotonic progress with total, exact bytes', async () => {
    const chunks = [bytes(10), bytes(7, 10), bytes(13, 17)];
    const { fetchImpl, calls } = scripted(() => streamed(chunks, { 'content-length': '30' }));
    const events: LoadProgress[] = [];
    const got = await fetchModel(URL_, { fetchImpl, onProgress: (p) => events.push(p) });
    expect(got).toEqual(bytes(30));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.credentials).toBe('same-origin');
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e) => e.phase === 'download' && e.total === 30)).toBe(true);
    const loaded = events.map((e) => e.loaded);
    expect(loaded[0]).toBe(0);
    expect(loaded.at(-1)).toBe(30);
    for (let i = 1; i < loaded.length; i++) expect(loaded[i]).toBeGreaterThanOrEqual(loaded[i - 1] ?? 0);
  });

  it('reports no total without Content-Length', async () => {
    const { fetchImpl } = scripted(() => streamed([bytes(5), bytes(5, 5)]));
    const events: LoadProgress[] = [];
    expect(await fetchModel(URL_, { fetchImpl, onProgress: (p) => events.push(p) })).toEqual(bytes(10));
    expect(events.at(-1)).toEqual({ phase: 'download', loaded: 10 });
    expect(events.every((e) => !('total' in e))).toBe(true);
  });

  it('ignores Content-Length when the body is content-encoded (it is the compressed size)', async () => {
    const { fetchImpl } = scripted(() => streamed([bytes(12)], { 'content-length': '4', 'content-encoding': 'gzip' }));
    const events: LoadProgress[] = [];
    expect(await fetchModel(URL_, { fetchImpl, onProgress: (p) => events.push(p) })).toEqual(bytes(12));
    expect(events.every((e) => !('total' in e))).toBe(true);
  });

  it('404 fails at once: MODEL_FETCH_FAILED, status 404, exactly 1 attempt', async () => {
    const { fetchImpl, calls } = scripted(status(404));
    const e = await rejected(fetchModel(URL_, { fetchImpl, backoffMs: 1 }));
    expect(e.code).toBe('MODEL_FETCH_FAILED');
    expect(e.details).toMatchObject({ url: URL_, status: 404, attempts: 1 });
    expect(e.message).toContain('404');
    expect(e.message).toContain(URL_);
    expect(calls).toHaveLength(1);
  });

  it('503 twice then 200: succeeds on the third attempt', async () => {
    const { fetchImpl, calls } = scripted(status(503), status(503), () => streamed([bytes(8)], { 'content-length': '8' }));
    expect(await fetchModel(URL_, { fetchImpl, backoffMs: 1 })).toEqual(bytes(8));
    expect(calls).toHaveLength(3);
  });

  it('always 500: fails after 3 attempts (1 + 2 retries by default)', async () => {
    const { fetchImpl, calls } = scripted(() => status(500));
    const e = await rejected(fetchModel(URL_, { fetchImpl, backoffMs: 1 }));
    expect(e.code).toBe('MODEL_FETCH_FAILED');
    expect(e.details).toMatchObject({ status: 500, attempts: 3 });
    expect(calls).toHaveLength(3);
  });

  it('honours retries', async () => {
    const { fetchImpl, calls } = scripted(() => status(429));
    const e = await rejected(fetchModel(URL_, { fetchImpl, backoffMs: 1, retries: 4 }));
    expect(e.details).toMatchObject({ status: 429, attempts: 5 });
    expect(calls).toHaveLength(5);
    const none = scripted(() => status(502));
    expect((await rejected(fetchModel(URL_, { fetchImpl: none.fetchImpl, retries: 0 }))).details).toMatchObject({ attempts: 1 });
    expect(none.calls).toHaveLength(1);
  });

  it('retries a network error, then succeeds', async () => {
    const { fetchImpl, calls } = scripted(new TypeError('fetch failed'), () => streamed([bytes(3)]));
    expect(await fetchModel(URL_, { fetchImpl, backoffMs: 1 })).toEqual(bytes(3));
    expect(calls).toHaveLength(2);
  });

  it('network errors every time: MODEL_FETCH_FAILED with status 0 and the cause in the message', async () => {
    const { fetchImpl, calls } = scripted(new TypeError('fetch failed'));
    const e = await rejected(fetchModel(URL_, { fetchImpl, backoffMs: 1 }));
    expect(e.code).toBe('MODEL_FETCH_FAILED');
    expect(e.details).toMatchObject({ status: 0, attempts: 3 });
    expect(e.message).toContain('fetch failed');
    expect(calls).toHaveLength(3);
  });

  it('abort during backoff: ABORTED promptly, no further attempt', async () => {
    const ctrl = new AbortController();
    const { fetchImpl, calls } = scripted(() => { setTimeout(() => ctrl.abort(), 5); return status(503); });
    const started = Date.now();
    const e = await rejected(fetchModel(URL_, { fetchImpl, backoffMs: 10_000, signal: ctrl.signal }));
    expect(e.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.signal).toBe(ctrl.signal);
  });

  it('an already aborted signal: ABORTED without fetching', async () => {
    const { fetchImpl, calls } = scripted(() => streamed([bytes(1)]));
    expect((await rejected(fetchModel(URL_, { fetchImpl, signal: AbortSignal.abort() }))).code).toBe('ABORTED');
    expect(calls).toHaveLength(0);
  });

  it('fetch rejecting because of the abort: ABORTED, not a network error', async () => {
    const ctrl = new AbortController();
    const { fetchImpl } = scripted(() => { ctrl.abort(); throw new DOMException('aborted', 'AbortError'); });
    expect((await rejected(fetchModel(URL_, { fetchImpl, signal: ctrl.signal, backoffMs: 1 }))).code).toBe('ABORTED');
  });

  it('a body shorter than Content-Length: MODEL_FETCH_FAILED naming both sizes', async () => {
    const { fetchImpl } = scripted(() => streamed([bytes(5)], { 'content-length': '10' }));
    const e = await rejected(fetchModel(URL_, { fetchImpl, backoffMs: 1 }));
    expect(e.code).toBe('MODEL_FETCH_FAILED');
    expect(e.details).toMatchObject({ loaded: 5, total: 10 });
    expect(e.message).toContain('5 of 10 bytes');
  });

  it('a body that breaks off mid-stream: MODEL_FETCH_FAILED with the bytes read so far', async () => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (!sent) { sent = true; c.enqueue(bytes(4)); } else c.error(new Error('connection reset'));
      },
    });
    const { fetchImpl } = scripted(() => new Response(body, { status: 200 }));
    // retries: 0 — a cut body is transient and would otherwise be retried (see the retry test).
    const e = await rejected(fetchModel(URL_, { fetchImpl, backoffMs: 1, retries: 0 }));
    expect(e.code).toBe('MODEL_FETCH_FAILED');
    expect(e.details).toMatchObject({ loaded: 4, attempts: 1 });
    expect(e.message).toContain('connection reset');
  });
});

describe('isTransientStatus', () => {
  it.each([[408, true], [429, true], [500, true], [503, true], [599, true], [400, false], [401, false], [403, false], [404, false], [410, false]])('%i → %s', (code, want) => {
    expect(isTransientStatus(code)).toBe(want);
  });
});

describe('sha256Hex', () => {
  it('matches node:crypto on random bytes, for Uint8Array and ArrayBuffer input', async () => {
    for (const n of [0, 1, 55, 56, 64, 1000, 100_003]) {
      const data = new Uint8Array(randomBytes(n));
      const want = createHash('sha256').update(data).digest('hex');
      expect(await sha256Hex(data)).toBe(want);
      expect(await sha256Hex(data.slice().buffer)).toBe(want);
    }
  });

  it('hashes only the view, not its whole buffer', async () => {
    const whole = bytes(64);
    const view = whole.subarray(8, 24);
    expect(await sha256Hex(view)).toBe(createHash('sha256').update(view).digest('hex'));
  });

  it('knows the empty-input digest', async () => {
    expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('toHex pads single digits', () => {
    expect(toHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe('0001abff');
  });
});

describe('normaliseSha256', () => {
  const hex = createHash('sha256').update('inpage').digest('hex');

  it.each([
    ['lower-case hex', hex],
    ['upper-case hex', hex.toUpperCase()],
    ['surrounding whitespace', `  ${hex}\n`],
    ['a sha256- prefix', `sha256-${hex}`],
    ['a sha256: prefix', `sha256:${hex}`],
    ['an upper-case prefix', `SHA256-${hex.toUpperCase()}`],
  ])('accepts %s', (_label, value) => {
    expect(normaliseSha256(value)).toBe(hex);
  });

  it.each([
    ['empty', ''],
    ['63 chars', hex.slice(1)],
    ['65 chars', `${hex}0`],
    ['a non-hex char', `${hex.slice(1)}g`],
    ['base64 (SRI style)', 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='],
    ['md5-sized', 'd41d8cd98f00b204e9800998ecf8427e'],
  ])('rejects %s with OPTION_INVALID quoting the value', (_label, value) => {
    let caught: unknown;
    try { normaliseSha256(value); } catch (e) { caught = e; }
    expect(caught).toMatchObject({ code: 'OPTION_INVALID' });
    expect((caught as Error).message).toContain(JSON.stringify(value));
  });
});
