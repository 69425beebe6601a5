/**
 * The support assistant in real Chromium on both backends: a package built by `index-pages`'s
 * builder, answers equal to the same retrieval run in Node with the encoder's JS reference,
 * quotes and links, "I don't know" with the contact link, product cards with the catalogue's live
 * price and stock, a generation model whose answer is kept only when grounded, the element, and
 * typed errors for a tampered package.
 */
import { test, expect } from './fixtures.ts';
import { knowledgeFixture } from './assistant-fixtures.ts';
import { gptFixture, gptFixture512 } from './generation-fixtures.ts';

const QUESTIONS = [
  'How many days do I have to send something back?', 'When will I get my money back?', 'Do you charge for postage?',
  'How do I wash a down bag?', 'What is your phone number?', 'Does a two person tent really fit two?',
  'What is the weather in Paris tomorrow?', 'Write me a poem about mountains', 'xqzv blorp',
];

test.beforeAll(async () => { await knowledgeFixture(); await gptFixture(); await gptFixture512(); });
test.beforeEach(({}, info) => { test.setTimeout(info.project.name === 'webgpu' ? 600_000 : 180_000); });

test('answers equal the Node reference: quote + link, or "I don\'t know" with the contact link; products carry live price and stock', async ({ openHarness, expectedBackend, page: p }) => {
  const k = await knowledgeFixture();
  const changed = k.catalog.products.find((x) => x.category === 'tents')!;
  // The live catalogue differs from the package's snapshot: the cards must show the live values.
  await p.route('**/test-knowledge/catalog.json', async (route) => {
    const body = { products: k.catalog.products.map((x) => (x.id === changed.id ? { ...x, price: 1234.5, inStock: false } : x)) };
    await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
  });
  const page = await openHarness();
  const r = await page.evaluate(async ({ questions, tent }) => {
    const engine = await window.inpage.createEngine({ timeoutMs: 300_000 });
    const assistant = await window.inpage.createAssistant({ engine, knowledgeUrl: '/test-knowledge/pkg/knowledge.json', contact: { url: '/contact' } });
    const answers = [];
    for (const q of questions) answers.push(await assistant.ask(q));
    const product = await assistant.ask(`Is the ${tent} in stock?`);
    const bad = await window.harness.settle(() => assistant.ask(''));
    await assistant.dispose();
    await engine.dispose();
    return { answers, product, bad };
  }, { questions: QUESTIONS, tent: changed.title });
  const quantized = expectedBackend === 'wasm';
  for (const a of r.answers) {
    const want = k.expected(a.question, quantized);
    const near = Math.abs(want.cosine - k.summary.manifest.retrieval.minCosine) < 1e-3;
    if (!near) expect(a.kind, a.question).toBe(want.abstain ? 'unknown' : 'answer');
    if (a.kind === 'answer') {
      const best = k.docs[want.ranked[0]!.index]!;
      expect(a.quote!.id, a.question).toBe(best.id);
      expect(a.quote!.text).toBe(best.text);
      expect(a.text).toBe(best.text);
      expect(new URL(a.quote!.url).pathname + new URL(a.quote!.url).hash).toBe(best.url);
      expect(a.generated).toBe(false);
      expect(a.usageAvoided.inputTokens).toBeGreaterThan(a.usageAvoided.outputTokens);
    } else {
      expect(a.text).toMatch(/don't know/);
      expect(a.contactUrl).toBe('/contact');
      expect(a.sources).toEqual([]);
    }
    expect(a.products.map((x) => x.id)).toEqual(want.products.map((h) => k.docs[h.index]!.itemId));
    expect(a.ms).toBeGreaterThan(0);
  }
  // The clear cases: out-of-scope questions get "I don't know", policy questions an answer.
  expect(r.answers.find((a) => a.question.startsWith('What is the weather'))!.kind).toBe('unknown');
  expect(r.answers.find((a) => a.question.startsWith('xqzv'))!.kind).toBe('unknown');
  // Live price and stock from the catalogue, not the package.
  const card = r.product.products.find((x) => x.id === changed.id);
  expect(card).toEqual({ id: changed.id, title: changed.title, price: 1234.5, inStock: false });
  expect((r.bad as { ok: false; error: { code: string } }).error.code).toBe('INPUT_INVALID');
});

test('with a generation model the answer is written from the passages and kept only when grounded; the element renders answers as inert text', async ({ openHarness, expectedBackend }) => {
  const gpt = await gptFixture512();
  const k = await knowledgeFixture();
  const page = await openHarness();
  const r = await page.evaluate(async (model) => {
    const engine = await window.inpage.createEngine({ timeoutMs: 300_000 });
    const assistant = await window.inpage.createAssistant({ engine, knowledgeUrl: '/test-knowledge/pkg/knowledge.json', generator: { model, modelHost: '/hf/', maxNewTokens: 6, passages: 1 } });
    const written = await assistant.ask('Do you charge for postage?');
    const unknown = await assistant.ask('What is the weather in Paris tomorrow?');
    window.harness.defineAssistantElement({ assistant: async () => assistant, linkTemplate: '/p/{id}', currency: 'EUR' });
    const el = document.createElement('inpage-assistant') as HTMLElement & { ask(q: string): Promise<unknown> };
    document.body.append(el);
    const events: string[] = [];
    el.addEventListener('inpage:answer', (e) => events.push((e as CustomEvent<{ kind: string }>).detail.kind));
    await el.ask('Do you charge for postage?');
    const root = el.shadowRoot!;
    const shown = { quote: root.querySelector('blockquote')?.textContent, link: root.querySelector('a.src')?.getAttribute('href'), meta: root.querySelector('.meta')?.textContent };
    await el.ask('What is the weather in Paris tomorrow?');
    const unknownShown = root.querySelector('[part=unknown]')?.textContent;
    const stats = engine.stats();
    await assistant.dispose();
    await engine.dispose();
    return { written, unknown, shown, unknownShown, events, stats };
  }, gpt.id);
  const w = r.written;
  const want = k.expected('Do you charge for postage?', expectedBackend === 'wasm');
  expect(w.kind).toBe('answer');
  expect(w.quote!.id).toBe(k.docs[want.ranked[0]!.index]!.id);
  expect(r.stats.generation.answers).toBe(2); // the two answered questions; "I don't know" generates nothing
  if (w.generated) {
    expect(w.text).not.toBe(w.quote!.text);
    expect(w.refused).toBeUndefined();
  } else {
    expect(w.text).toBe(w.quote!.text);
    expect(w.refused).toMatch(/states|wrote nothing|stock|context/);
  }
  // No generation for a question the pages do not answer.
  expect(r.unknown.kind).toBe('unknown');
  expect(r.shown.quote).toBe(w.quote!.text);
  expect(r.shown.link).toMatch(new RegExp(`${k.docs[want.ranked[0]!.index]!.url}$`));
  expect(r.shown.meta).toMatch(/answered on this device in \d+ ms/);
  expect(r.unknownShown).toMatch(/don't know/);
  expect(r.events).toEqual(['answer', 'unknown']);
});

test('a tampered package is a typed error, not a wrong answer', async ({ openHarness, page: p }) => {
  await knowledgeFixture();
  await p.route('**/test-knowledge/pkg/passages.json', async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, body: (await res.text()).replace('30 days', '90 days') });
  });
  const page = await openHarness();
  const r = await page.evaluate(async () => {
    const engine = await window.inpage.createEngine();
    const out = await window.harness.settle(() => window.inpage.createAssistant({ engine, knowledgeUrl: '/test-knowledge/pkg/knowledge.json' }));
    const missing = await window.harness.settle(() => window.inpage.createAssistant({ engine, knowledgeUrl: '/test-knowledge/nope/knowledge.json' }));
    await engine.dispose();
    return { out, missing };
  });
  expect((r.out as { ok: false; error: { code: string } }).error.code).toBe('INTEGRITY_MISMATCH');
  expect((r.missing as { ok: false; error: { code: string } }).error).toMatchObject({ code: 'MODEL_FETCH_FAILED', details: { status: 404 } });
});
