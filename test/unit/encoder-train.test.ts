/**
 * tools/encoder/train-encoder.ts: what the trainer may and may not learn from. Stop words share
 * the keyword baseline's list and get no vector; held-out items' text cannot change the token
 * table; and counting every item that has all of a view's words as a right answer ranks
 * "category + tag" queries better than counting only the item the view was cut from.
 */
import { describe, expect, it } from 'vitest';
import { parseCatalogText, type ItemText } from '../../tools/encoder/catalog-text.ts';
import { referenceEncoder, searchScores } from '../../tools/encoder/reference.ts';
import { STOP_WORDS } from '../../tools/encoder/stop-words.ts';
import { DEFAULT_ENCODER_OPTIONS, fitEncoder, trainableTokens, type EncoderOptions } from '../../tools/encoder/train-encoder.ts';
import { learnVocab } from '../../tools/encoder/wordpiece.ts';
import { holdOut } from '../../tools/eval/search-queries.ts';
import { Prng } from '../../tools/onnx/prng.ts';
import { generateCatalog } from '../../tools/shop/catalog.ts';
import { TINY_SHOP_CONFIG } from '../../tools/shop/config.ts';

const texts = parseCatalogText({ products: generateCatalog(TINY_SHOP_CONFIG).products });
const vectors = new Prng(5).normals(texts.length * 16);
const FAST: EncoderOptions = { ...DEFAULT_ENCODER_OPTIONS, epochs: 3, views: 6, negatives: 64 };

describe('encoder training', () => {
  it('gives stop words no vector', () => {
    const corpus = ['with the tent and a stove for two', 'in it on by from of to is an that looking'];
    const vocab = learnVocab([...corpus, ...corpus]);
    const trainable = trainableTokens(vocab);
    for (const w of STOP_WORDS) {
      const id = vocab.ids.get(w);
      expect(id, w).toBeDefined();
      expect(trainable[id!], w).toBe(0);
    }
    expect(trainable[vocab.ids.get('tent')!]).toBe(1);
    const fit = fitEncoder(texts, vectors, 16, FAST);
    const D = fit.weights.dim;
    for (const w of ['with', 'and', 'a']) {
      const id = fit.weights.vocab.ids.get(w);
      if (id !== undefined) expect(Array.from(fit.weights.table.subarray(id * D, (id + 1) * D)).every((x) => x === 0), w).toBe(true);
    }
  });

  it("never reads held-out items' text: rewriting it leaves the token table unchanged", () => {
    const { train, heldOut } = holdOut(texts.length, 0.2, 3);
    expect(heldOut.length).toBeGreaterThan(20);
    const other: ItemText[] = texts.map((t, i) => (train[i] === 1 ? t : { ...t, title: `${texts[0]!.title} zzz`, description: texts[1]!.description, tags: [...texts[2]!.tags] }));
    const a = fitEncoder(texts, vectors, 16, FAST, train);
    const b = fitEncoder(other, vectors, 16, FAST, train);
    expect(b.weights.vocab.tokens).toEqual(a.weights.vocab.tokens);
    expect(b.weights.table).toEqual(a.weights.table);
    // The index of the training items is the same too; the held-out rows are their own text, encoded.
    const D = a.weights.dim;
    const i = train.indexOf(1);
    expect(b.targets.subarray(i * D, (i + 1) * D)).toEqual(a.targets.subarray(i * D, (i + 1) * D));
  });

  it('ranks "category + tag" texts better when every item with all of a view\'s words is a right answer', () => {
    // Precision@10 of "<category name> <tag>" over every pair that at least 10 items have.
    const pairs = new Map<string, { text: string; items: Set<number> }>();
    texts.forEach((t, j) => {
      for (const tag of t.tags) {
        const key = `${t.category}|${tag}`;
        const p = pairs.get(key) ?? { text: `${tag.replace(/-/g, ' ')} ${t.categoryName}`, items: new Set<number>() };
        p.items.add(j);
        pairs.set(key, p);
      }
    });
    const queries = [...pairs.values()].filter((p) => p.items.size >= 10);
    expect(queries.length).toBeGreaterThan(20);
    const precision = (opts: EncoderOptions): number => {
      const fit = fitEncoder(texts, vectors, 16, opts);
      const ref = referenceEncoder(fit.weights);
      let sum = 0;
      for (const q of queries) {
        const s = searchScores(ref.encode(q.text), fit.targets, fit.weights.dim);
        const top = Array.from(s.keys()).sort((x, y) => s[y]! - s[x]! || x - y).slice(0, 10);
        sum += top.filter((j) => q.items.has(j)).length / 10;
      }
      return sum / queries.length;
    };
    const shared = precision({ ...FAST, sharedPositives: true });
    const own = precision({ ...FAST, sharedPositives: false });
    expect(shared).toBeGreaterThan(own + 0.02);
  }, 60_000);
});
