/**
 * `engine.chat.completions.create()` in real Chromium on both backends: OpenAI's streamed and
 * whole shapes over the tiny GPT fixture (its ChatML template), equal to the reference; one
 * pipeline reused per model; leaving the stream early stops generation; unsupported fields and
 * bad messages are typed errors.
 */
import { test, expect } from './fixtures.ts';
import { gptFixture } from './generation-fixtures.ts';
import { chatml } from '../../tools/gpt/fixture.ts';

const MESSAGES = [{ role: 'system' as const, content: 'You help.' }, { role: 'user' as const, content: 'Can I return boots?' }];

test.beforeAll(async () => { await gptFixture(); });
test.beforeEach(({}, info) => { test.setTimeout(info.project.name === 'webgpu' ? 600_000 : 180_000); });

test('chat.completions.create streams OpenAI-shaped chunks and answers whole; equals the reference', async ({ openHarness }) => {
  const gpt = await gptFixture();
  const page = await openHarness();
  const r = await page.evaluate(async ({ model, messages }) => {
    const engine = await window.inpage.createEngine({ testHooks: true, timeoutMs: 300_000 });
    let loads = 0;
    engine.on('load', () => { loads++; });
    const chunks = [];
    const stream = await engine.chat.completions.create({ model, messages, stream: true, max_tokens: 8 }, { modelHost: '/hf/' });
    for await (const c of stream) chunks.push(c);
    const whole = await engine.chat.completions.create({ model, messages, max_completion_tokens: 8, temperature: 0 }, { modelHost: '/hf/' });
    // Leaving early stops the generation in the worker.
    await engine.testHooks!.send({ type: 'delay-runs', ms: 100 });
    const early = await engine.chat.completions.create({ model, messages, stream: true, max_tokens: 60 }, { modelHost: '/hf/' });
    let seen = 0;
    for await (const c of early) { void c; if (++seen === 2) break; }
    let g = (await engine.info()).generation;
    for (let i = 0; i < 150 && (g?.active ?? 0) > 0; i++) { await new Promise((res) => setTimeout(res, 20)); g = (await engine.info()).generation; }
    await engine.testHooks!.send({ type: 'delay-runs', ms: 0 });
    const errs = await Promise.all([
      window.harness.settle(() => engine.chat.completions.create({ model, messages, stop: ['\n'] } as never, { modelHost: '/hf/' })),
      window.harness.settle(() => engine.chat.completions.create({ model, messages, n: 2 }, { modelHost: '/hf/' })),
      window.harness.settle(() => engine.chat.completions.create({ model, messages: 'hi' } as never, { modelHost: '/hf/' })),
      window.harness.settle(() => engine.chat.completions.create({ model, messages: [{ role: 'tool', content: 'x' }] } as never, { modelHost: '/hf/' })),
      window.harness.settle(() => engine.chat.completions.create({ model: 'inpage-test/missing', messages }, { modelHost: '/hf/' })),
    ]);
    await engine.dispose();
    return { chunks, whole, loads, g, errs };
  }, { model: gpt.id, messages: MESSAGES });
  const ids = gpt.encode(chatml(MESSAGES));
  const want = gpt.reference.greedy(ids, 8, { eos: gpt.eos }).tokens;
  const text = gpt.decode(want);
  const finish = gpt.eos.includes(want.at(-1)!) ? 'stop' : 'length';
  const usage = { prompt_tokens: ids.length, completion_tokens: want.length, total_tokens: ids.length + want.length };
  const c = r.chunks;
  expect(c[0]).toMatchObject({ object: 'chat.completion.chunk', model: gpt.id, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null });
  expect(c.every((x) => x.id === c[0]!.id && typeof x.created === 'number')).toBe(true);
  expect(c.slice(1, -1).map((x) => x.choices[0]!.delta.content).join('')).toBe(text);
  expect(c.at(-1)!.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: finish });
  expect(c.at(-1)!.usage).toEqual(usage);
  expect(r.whole).toMatchObject({ object: 'chat.completion', model: gpt.id, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }], usage });
  expect(r.loads).toBe(1);
  expect(r.g).toEqual({ active: 0, kvCacheBytes: 0 });
  expect(r.errs.map((e) => (e.ok ? 'ok' : e.error.code))).toEqual(['INPUT_INVALID', 'INPUT_INVALID', 'INPUT_INVALID', 'INPUT_INVALID', 'MODEL_FETCH_FAILED']);
});
