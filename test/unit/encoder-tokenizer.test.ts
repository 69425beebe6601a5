/**
 * tools/encoder/wordpiece.ts against transformers.js' own tokenizer (Node build) reading the
 * tokenizer.json we write: the trainer and the JS references must see exactly the ids the
 * pipeline feeds the model, on catalogue text, generated queries and awkward input.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldsOf, parseCatalogText } from '../../tools/encoder/catalog-text.ts';
import { writeHfFolder } from '../../tools/encoder/hf-layout.ts';
import { FIXTURE_CORPUS } from '../../tools/encoder/tiny-bert.ts';
import { encode, learnVocab, tokenizerConfig, tokenizerJson, vocabFromTokenizerJson, wordPiece, type Vocab } from '../../tools/encoder/wordpiece.ts';
import { generateCatalog } from '../../tools/shop/catalog.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';
import { generateQueries, holdOut } from '../../tools/eval/search-queries.ts';

let dir = '';
const texts = parseCatalogText({ products: generateCatalog(TINY_SHOP_CONFIG).products });
const shopVocab = learnVocab(texts.flatMap(fieldsOf), { maxSize: 1500 });
const fixtureVocab = learnVocab(FIXTURE_CORPUS, { maxSize: 400 });

const AWKWARD = [
  '', '   ', 'Héllo Wörld — naïve café', 'ÀÉÎÕÜ ß ﬁ', '日本語のテント 2人用', '-10°C sleeping bag!!!', 'usb-c/3.0 (IPX4)',
  'a'.repeat(120), 'supercalifragilisticexpialidocious', 'tab\tnew\nline\r\u0000null\uFFFDrepl', 'emoji ⛺🏕️ tent', "it's a 'quoted' \"thing\"",
];

async function hfTokenizer(name: string, vocab: Vocab) {
  await writeHfFolder(join(dir, name), { 'tokenizer.json': tokenizerJson(vocab), 'tokenizer_config.json': tokenizerConfig(64) });
  return AutoTokenizer.from_pretrained(name);
}

function ids(tok: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>, text: string, pair?: string): number[] {
  const enc = tok(text, pair === undefined ? { truncation: true } : { text_pair: pair, truncation: true }) as { input_ids: { tolist(): (number | bigint)[][] } };
  return enc.input_ids.tolist()[0]!.map(Number);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inpage-tok-'));
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = `${dir}/`;
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('WordPiece tokenizer', () => {
  it('matches transformers.js on every catalogue field, generated queries and awkward input', async () => {
    const tok = await hfTokenizer('shop', shopVocab);
    const { heldOut } = holdOut(texts.length, 0.2, 3);
    const queries = generateQueries(texts, heldOut, { seed: 3 }).map((q) => q.text);
    const all = [...texts.flatMap(fieldsOf), ...queries, ...AWKWARD];
    expect(all.length).toBeGreaterThan(1000);
    let checked = 0;
    for (const t of all) {
      expect(encode(t, shopVocab, { maxLength: 64 }).ids, t).toEqual(ids(tok, t));
      checked++;
    }
    expect(checked).toBe(all.length);
  });

  it('matches transformers.js on sentence pairs (zero-shot hypotheses), with token types', async () => {
    const tok = await hfTokenizer('fixture', fixtureVocab);
    for (const [a, b] of [['A light dome tent!', 'This example is camping.'], ['Terrible zip', 'It is about bad weather.']] as const) {
      const want = tok(a, { text_pair: b }) as { input_ids: { tolist(): bigint[][] }; token_type_ids: { tolist(): bigint[][] } };
      const got = encode(a, fixtureVocab, { pair: b, maxLength: 64 });
      expect(got.ids).toEqual(want.input_ids.tolist()[0]!.map(Number));
      expect(got.typeIds).toEqual(want.token_type_ids.tolist()[0]!.map(Number));
    }
  });

  it('learns whole frequent words and splits unseen inflections into known pieces', () => {
    expect(shopVocab.ids.has('tent')).toBe(true);
    expect(shopVocab.ids.has('waterproof')).toBe(true);
    const pieces = wordPiece('tentsx', shopVocab).map((i) => shopVocab.tokens[i]);
    expect(pieces[0]).toBe('tents');
    expect(pieces.join('').replace(/##/g, '')).toBe('tentsx');
    expect(learnVocab(texts.flatMap(fieldsOf), { maxSize: 1500 }).tokens).toEqual(shopVocab.tokens);
    expect(vocabFromTokenizerJson(tokenizerJson(shopVocab) as never).tokens).toEqual(shopVocab.tokens);
  });
});
