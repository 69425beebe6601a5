/**
 * Streaming text generation in real Chromium, on this project's backend (WASM without an adapter,
 * WebGPU on SwiftShader): the tiny GPT fixture through transformers.js' hub code path against the
 * plain-JS reference of its weights, with the KV cache (generation) and without it (the same ONNX
 * file run whole-sequence through engine.load); streaming, abort within one token with the KV
 * cache released, both timeouts, a crash and a dispose mid-stream, the token budget, stats.
 */
import { test, expect } from './fixtures.ts';
import { gptFixture } from './generation-fixtures.ts';
import { chatml } from '../../tools/gpt/fixture.ts';

type Engine = Awaited<ReturnType<typeof window.inpage.createEngine>>;
const PROMPT = 'Orders ship within';
const CHAT = [{ role: 'system' as const, content: 'You help.' }, { role: 'user' as const, content: 'Can I return boots?' }];

test.beforeAll(async () => { await gptFixture(); });
// SwiftShader WebGPU compiles every shader on the CPU, and a decoder's shapes change with every
// token (the KV cache grows), so each step compiles anew there: few tokens and long bounds on WebGPU.
test.beforeEach(({}, info) => { test.setTimeout(info.project.name === 'webgpu' ? 600_000 : 180_000); });

test('greedy streaming equals the JS reference with the KV cache (pipeline) and without it (whole sequence via engine.load)', async ({ openHarness, expectedBackend }) => {
  const gpt = await gptFixture();
  const page = await openHarness();
  const n = expectedBackend === 'webgpu' ? 4 : 24;
  const r = await page.evaluate(async ({ id, prompt, chat, n, layers, heads, hd }) => {
    const engine = await window.inpage.createEngine({ timeoutMs: 300_000 });
    const gen = await engine.pipeline('text-generation', id, { modelHost: '/hf/' });
    const run = async (p: Parameters<typeof gen>[0]) => {
      const s = gen(p, { max_new_tokens: n });
      const chunks: { text: string; tokens: number[]; index: number }[] = [];
      for await (const c of s) chunks.push(c);
      return { chunks, result: await s.result };
    };
    const text = await run(prompt);
    const chatOut = await run(chat);
    // Without the cache: the model file itself, the whole sequence each step, empty past.
    const model = await engine.load({ url: `/hf/${id}/onnx/model.onnx` }, { batch: false });
    const info = { backend: gen.backend, contextTokens: gen.contextTokens, batching: gen.batching, task: gen.task };
    (window as unknown as { engine: Engine; model: typeof model }).engine = engine;
    (window as unknown as { model: typeof model }).model = model;
    return { text, chatOut, info, layers, heads, hd };
  }, { id: gpt.id, prompt: PROMPT, chat: CHAT, n, layers: gpt.weights.cfg.layers, heads: gpt.weights.cfg.heads, hd: gpt.weights.cfg.hidden / gpt.weights.cfg.heads });
  expect(r.info.backend).toBe(expectedBackend);
  expect(r.info.contextTokens).toBe(gpt.weights.cfg.positions);
  expect(r.info.batching.enabled).toBe(false);
  for (const [out, prompt] of [[r.text, PROMPT], [r.chatOut, chatml(CHAT)]] as const) {
    const ids = gpt.encode(prompt);
    const want = gpt.reference.greedy(ids, n, { eos: gpt.eos });
    expect(want.minMargin).toBeGreaterThan(1e-3);
    expect(out.result.tokens).toEqual(want.tokens);
    // Every token crossed as its own chunk, in order; the chunks' text is the answer's text.
    expect(out.chunks.flatMap((c) => c.tokens)).toEqual(want.tokens);
    expect(out.chunks.map((c) => c.index)).toEqual(out.chunks.map((_, i) => i));
    expect(out.chunks.map((c) => c.text).join('')).toBe(out.result.text);
    expect(out.result.text).toBe(gpt.decode(want.tokens));
    expect(out.result.usage).toEqual({ promptTokens: ids.length, completionTokens: want.tokens.length, totalTokens: ids.length + want.tokens.length });
    expect(out.result.finishReason).toBe(gpt.eos.includes(want.tokens.at(-1)!) ? 'stop' : 'length');
    expect(out.result.timing.firstTokenMs).toBeGreaterThan(0);
    expect(out.result.timing.firstTokenMs).toBeLessThanOrEqual(out.result.timing.totalMs);
  }
  // No cache: greedy over the whole sequence through engine.load on this backend.
  const ids = gpt.encode(PROMPT);
  const want = gpt.reference.greedy(ids, n, { eos: gpt.eos, useCache: false }).tokens;
  const got = await page.evaluate(async ({ ids, n, eos, layers, heads, hd, vocab }) => {
    const { engine, model } = window as unknown as { engine: Engine; model: Awaited<ReturnType<Engine['load']>> };
    const seq = [...ids];
    const out: number[] = [];
    for (let step = 0; step < n; step++) {
      const T = seq.length;
      const feeds: Record<string, import('../../src/index.ts').Tensor> = {
        input_ids: { type: 'int64', dims: [1, T], data: BigInt64Array.from(seq, (t) => BigInt(t)) },
        attention_mask: { type: 'int64', dims: [1, T], data: new BigInt64Array(T).fill(1n) },
        position_ids: { type: 'int64', dims: [1, T], data: BigInt64Array.from(seq, (_, i) => BigInt(i)) },
      };
      for (let l = 0; l < layers; l++) {
        feeds[`past_key_values.${l}.key`] = { type: 'float32', dims: [1, heads, 0, hd], data: new Float32Array(0) };
        feeds[`past_key_values.${l}.value`] = { type: 'float32', dims: [1, heads, 0, hd], data: new Float32Array(0) };
      }
      const logits = (await model.run(feeds))['logits']!.data as Float32Array;
      const last = logits.subarray((T - 1) * vocab);
      let best = 0;
      for (let t = 1; t < vocab; t++) if (last[t]! > last[best]!) best = t;
      out.push(best);
      seq.push(best);
      if (eos.includes(best)) break;
    }
    await engine.dispose();
    return out;
  }, { ids, n, eos: gpt.eos, layers: r.layers, heads: r.heads, hd: r.hd, vocab: gpt.weights.cfg.vocab });
  expect(got).toEqual(want);
  expect(got).toEqual(r.text.result.tokens);
});

test('tokens arrive as they are produced; abort stops within one token and frees the KV cache; leaving the loop stops too', async ({ openHarness }) => {
  const gpt = await gptFixture();
  const page = await openHarness();
  const r = await page.evaluate(async (id) => {
    const engine = await window.inpage.createEngine({ testHooks: true, timeoutMs: 300_000 });
    const gen = await engine.pipeline('text-generation', id, { modelHost: '/hf/' });
    await gen('A light tent', { max_new_tokens: 4 }).result;
    await engine.testHooks!.send({ type: 'delay-runs', ms: 150 });
    // Streaming: the first chunk comes long before the answer is over.
    const t0 = performance.now();
    const arrivals: number[] = [];
    const s0 = gen('A light tent', { max_new_tokens: 6 });
    for await (const c of s0) { void c; arrivals.push(performance.now() - t0); }
    const total = performance.now() - t0;
    // Abort after the second chunk.
    const ctrl = new AbortController();
    const s = gen('Orders ship within', { max_new_tokens: 100, signal: ctrl.signal });
    const got: number[] = [];
    let error: unknown;
    let abortedAt = 0;
    try {
      for await (const c of s) {
        got.push(...c.tokens);
        if (got.length === 2) { abortedAt = performance.now(); ctrl.abort(); }
      }
    } catch (e) { error = window.harness.errorOf(e); }
    const rejectedAfter = performance.now() - abortedAt;
    const during = (await engine.info()).generation;
    // The worker finishes at most the run in flight (≤ one 150 ms token), then releases the cache.
    let after = during;
    const waitStart = performance.now();
    while ((after?.active ?? 0) > 0 && performance.now() - waitStart < 3000) {
      await new Promise((res) => setTimeout(res, 20));
      after = (await engine.info()).generation;
    }
    const stoppedAfter = performance.now() - abortedAt;
    const result = await window.harness.settle(() => s.result);
    // Breaking out of the loop stops the generation as well.
    const s2 = gen('Orders ship within', { max_new_tokens: 100 });
    for await (const c of s2) { void c; break; }
    const r2 = await window.harness.settle(() => s2.result);
    let after2 = (await engine.info()).generation;
    for (let i = 0; i < 150 && (after2?.active ?? 0) > 0; i++) { await new Promise((res) => setTimeout(res, 20)); after2 = (await engine.info()).generation; }
    await engine.testHooks!.send({ type: 'delay-runs', ms: 0 });
    // The pipeline keeps working.
    const again = await gen('Orders ship within', { max_new_tokens: 3 }).result;
    await engine.dispose();
    return { arrivals, total, got, error, rejectedAfter, during, after, stoppedAfter, result, r2, after2, again: again.tokens };
  }, gpt.id);
  expect(r.arrivals.length).toBeGreaterThanOrEqual(6);
  expect(r.arrivals[0]!).toBeLessThan(r.total - 400);
  expect(r.got).toHaveLength(2);
  expect((r.error as { code: string }).code).toBe('ABORTED');
  expect(r.rejectedAfter).toBeLessThan(500);
  expect(r.after).toEqual({ active: 0, kvCacheBytes: 0 });
  expect(r.stoppedAfter).toBeLessThan(1500);
  expect(r.result.ok).toBe(false);
  expect((r.r2 as { ok: false; error: { code: string } }).error.code).toBe('ABORTED');
  expect(r.after2).toEqual({ active: 0, kvCacheBytes: 0 });
  expect(r.again).toEqual(gpt.reference.greedy(gpt.encode('Orders ship within'), 3, { eos: gpt.eos }).tokens);
});

test('timeouts bound the first token and the whole answer; a crash and a dispose mid-stream end the stream with a typed error', async ({ openHarness }) => {
  const gpt = await gptFixture();
  const page = await openHarness();
  const r = await page.evaluate(async (id) => {
    const engine = await window.inpage.createEngine({ testHooks: true, timeoutMs: 300_000 });
    const gen = await engine.pipeline('text-generation', id, { modelHost: '/hf/' });
    const drain = async (s: ReturnType<typeof gen>) => {
      const tokens: number[] = [];
      try { for await (const c of s) tokens.push(...c.tokens); return { ok: true, tokens }; } catch (e) { return { ok: false, tokens, error: window.harness.errorOf(e) }; }
    };
    // Warm up: a fresh worker's first runs are slow (wasm compiled on first call), which would blur the bounds.
    await gen('A light tent', { max_new_tokens: 4 }).result;
    await engine.testHooks!.send({ type: 'delay-runs', ms: 400 });
    const firstToken = await drain(gen('A light tent', { max_new_tokens: 5, timeoutMs: { firstToken: 200, total: 30_000 } }));
    const idle = async () => {
      let g = (await engine.info()).generation;
      for (let i = 0; i < 150 && (g?.active ?? 0) > 0; i++) { await new Promise((res) => setTimeout(res, 20)); g = (await engine.info()).generation; }
      return g;
    };
    await idle();
    await engine.testHooks!.send({ type: 'delay-runs', ms: 200 });
    const total = await drain(gen('A light tent', { max_new_tokens: 100, timeoutMs: { firstToken: 10_000, total: 3000 } }));
    let info = (await engine.info()).generation;
    for (let i = 0; i < 100 && (info?.active ?? 0) > 0; i++) { await new Promise((res) => setTimeout(res, 20)); info = (await engine.info()).generation; }
    // Crash mid-stream.
    const s = gen('A light tent', { max_new_tokens: 100 });
    const crashed = (async () => {
      const tokens: number[] = [];
      try {
        for await (const c of s) {
          tokens.push(...c.tokens);
          if (tokens.length === 2) void engine.testHooks!.send({ type: 'crash', how: 'throw' }).catch(() => {});
        }
        return { ok: true, tokens };
      } catch (e) { return { ok: false, tokens, error: window.harness.errorOf(e) }; }
    })();
    const crash = await crashed;
    await engine.testHooks!.send({ type: 'delay-runs', ms: 0 }).catch(() => {});
    // The next call reloads the pipeline into a fresh worker.
    const afterCrash = await gen('Orders ship within', { max_new_tokens: 4 }).result;
    // Dispose mid-stream.
    await engine.testHooks!.send({ type: 'delay-runs', ms: 60 });
    const s3 = gen('A light tent', { max_new_tokens: 100 });
    const disposing = drain(s3);
    await new Promise((res) => setTimeout(res, 300));
    await gen.dispose();
    const disposed = await disposing;
    const later = await window.harness.settle(async () => gen('x'));
    let info3 = (await engine.info()).generation;
    for (let i = 0; i < 100 && (info3?.active ?? 0) > 0; i++) { await new Promise((res) => setTimeout(res, 20)); info3 = (await engine.info()).generation; }
    await engine.dispose();
    return { firstToken, total, info, crash, afterCrash: afterCrash.tokens, disposed, later, info3 };
  }, gpt.id);
  expect(r.firstToken.ok).toBe(false);
  expect(r.firstToken.tokens).toEqual([]);
  expect(r.firstToken.error).toMatchObject({ code: 'TIMEOUT', isInpageError: true });
  expect(r.firstToken.error!.message).toMatch(/first token/);
  expect(r.total.ok).toBe(false);
  expect(r.total.error).toMatchObject({ code: 'TIMEOUT' });
  expect(r.total.error!.message).toMatch(/did not finish within 3000 ms/);
  expect(r.total.tokens.length).toBeLessThan(20);
  expect(r.info).toEqual({ active: 0, kvCacheBytes: 0 });
  expect(r.crash.ok).toBe(false);
  expect(r.crash.error).toMatchObject({ code: 'WORKER_CRASHED' });
  expect(r.afterCrash).toEqual(gpt.reference.greedy(gpt.encode('Orders ship within'), 4, { eos: gpt.eos }).tokens);
  expect(r.disposed.ok).toBe(false);
  expect(r.disposed.error).toMatchObject({ code: 'DISPOSED' });
  expect((r.later as { ok: false; error: { code: string } }).error.code).toBe('DISPOSED');
  expect(r.info3).toEqual({ active: 0, kvCacheBytes: 0 });
});

test('token budget: counted before running, chats trimmed oldest-first or rejected, plain prompts never cut; stats count tokens', async ({ openHarness }) => {
  const gpt = await gptFixture();
  const page = await openHarness();
  const context = gpt.weights.cfg.positions;
  const long = 'Orders ship within two working days and delivery takes three to five days. '.repeat(3);
  const chat = [
    { role: 'system' as const, content: 'You help.' },
    { role: 'user' as const, content: long }, { role: 'assistant' as const, content: long },
    { role: 'user' as const, content: long }, { role: 'assistant' as const, content: 'Fine.' },
    { role: 'user' as const, content: 'Can I return boots?' },
  ];
  const r = await page.evaluate(async ({ id, chat, long }) => {
    const engine = await window.inpage.createEngine({ timeoutMs: 300_000 });
    const gen = await engine.pipeline('text-generation', id, { modelHost: '/hf/' });
    const count = await gen.countTokens('Orders ship within');
    const countChat = await gen.countTokens(chat.slice(0, 2));
    const trimmed = await gen(chat, { max_new_tokens: 4 }).result;
    const rejected = await window.harness.settle(() => gen(chat, { max_new_tokens: 4, context: 'reject' }).result);
    const tooLong = await window.harness.settle(() => gen(long.repeat(4), { max_new_tokens: 4 }).result);
    const noRoom = await window.harness.settle(() => gen('hi', { max_new_tokens: 1000 }).result);
    const badOption = window.harness.errorOf((() => { try { gen('hi', { max_new_tokens: 0 }); return null; } catch (e) { return e; } })());
    const badChat = window.harness.errorOf((() => { try { gen([{ role: 'robot', content: 'x' }] as never); return null; } catch (e) { return e; } })());
    const stats = engine.stats();
    await engine.dispose();
    return { count, countChat, trimmed, rejected, tooLong, noRoom, badOption, badChat, stats };
  }, { id: gpt.id, chat, long });
  expect(r.count).toBe(gpt.encode('Orders ship within').length);
  expect(r.countChat).toBe(gpt.encode(chatml(chat.slice(0, 2))).length);
  // Trim: drop the oldest non-system turns until prompt + 4 fits; the system and last message stay.
  const fullTokens = gpt.encode(chatml(chat)).length;
  expect(fullTokens + 4).toBeGreaterThan(context);
  let dropped = 0;
  let kept = [...chat];
  while (gpt.encode(chatml(kept)).length + 4 > context) { kept = [kept[0]!, ...kept.slice(2)]; dropped++; }
  expect(r.trimmed.droppedMessages).toBe(dropped);
  expect(r.trimmed.usage.promptTokens).toBe(gpt.encode(chatml(kept)).length);
  expect(r.trimmed.tokens).toEqual(gpt.reference.greedy(gpt.encode(chatml(kept)), 4, { eos: gpt.eos }).tokens);
  for (const x of [r.rejected, r.tooLong, r.noRoom]) expect((x as { ok: false; error: { code: string } }).error.code).toBe('INPUT_INVALID');
  expect((r.rejected as { error: { details: { contextTokens: number } } }).error.details.contextTokens).toBe(context);
  expect(r.badOption).toMatchObject({ code: 'INPUT_INVALID' });
  expect(r.badChat).toMatchObject({ code: 'INPUT_INVALID' });
  expect(r.stats.generation.answers).toBe(1);
  expect(r.stats.generation.promptTokens).toBe(r.trimmed.usage.promptTokens);
  expect(r.stats.generation.completionTokens).toBe(r.trimmed.usage.completionTokens);
  expect(r.stats.generation.firstTokenMs.count).toBe(1);
  expect(r.stats.tokens).toBe(r.trimmed.usage.totalTokens);
});
