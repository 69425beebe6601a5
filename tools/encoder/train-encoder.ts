/**
 * A text encoder the shop trains on its own catalogue, StarSpace/DSSM-style: one vector per
 * WordPiece token; a text is the mean of its token vectors over the attention mask, L2-normalised
 * (what transformers.js' feature-extraction pipeline does with `{ pooling: 'mean', normalize: true }`);
 * trained so that the text of an item lands near that item's vector.
 *
 * An item's vector (the search index) has two blocks: its vector from the recommender (fixed:
 * items that shoppers treat alike — same brand, category, price band, co-viewed — are already
 * close there, so a word seen on some items of a group pulls up the whole group) and the
 * encoding of its own text (learned with the token vectors, so exact attributes still count).
 *
 * Training examples are "views" of an item's text — random subsets of its fields (title,
 * description, brand, category name, tags) and of their words, short one-to-three-word views, and
 * "one or two attributes + category name" views — because shoppers type fragments, not product
 * records. The loss is a softmax over training items (all of them, or sampled negatives, half of
 * them from the item's own category) of `scale · cos(text, item)`, where every training item whose
 * text has all of the view's tokens is a right answer (-log of their summed probability): a short
 * view names a set of items, and the other items of that set are not negatives.
 *
 * Special, punctuation and stop-word tokens (the keyword baseline's list, stop-words.ts) keep
 * zero vectors: they add nothing to the normalised mean.
 */
import { Prng } from '../onnx/prng.ts';
import { fieldsOf, type ItemText } from './catalog-text.ts';
import { STOP_WORDS } from './stop-words.ts';
import { SPECIAL_TOKENS, learnVocab, wordPiece, words, type Vocab } from './wordpiece.ts';

/** Hyper-parameters of {@link fitEncoder}. */
export interface EncoderOptions {
  seed: number;
  epochs: number;
  /** Views of each item per epoch. */
  views: number;
  /** Negative items per view; 0 = softmax over every item. */
  negatives: number;
  learningRate: number;
  /** Multiplier of the cosine in the softmax (inverse temperature). */
  scale: number;
  /** Vocabulary size bound (special tokens included). */
  vocabSize: number;
  /** Longest tokenized text (tokenizer `model_max_length`). */
  maxLength: number;
  /** Chance that a field is kept in a view, and that a word of a kept field is kept. */
  fieldKeep: number;
  wordKeep: number;
  /**
   * Extra dimensions for the text itself. The search index then holds, per item,
   * [recWeight · its recommender vector ; textWeight · the encoding of its own text] (normalised),
   * so a query matches both where shoppers' behaviour puts an item and the words on it.
   * 0: the index holds the recommender vectors only.
   */
  textDim: number;
  recWeight: number;
  textWeight: number;
  /** Views between refreshes of the items' text vectors (the negatives' side is held fixed in between). */
  refresh: number;
  /**
   * Share of sampled negatives drawn from the positive item's own category: the uniform ones
   * mostly teach which kind of thing a text names, these teach which one of that kind.
   */
  sameCategory: number;
  /**
   * Every training item whose text has all of a view's tokens is a right answer for it (the loss
   * is -log of their summed probability), not only the item the view was cut from: "waterproof
   * tents" must not push away the other waterproof tents. false: the view's own item only.
   */
  sharedPositives: boolean;
  /** Chance that an "attribute + category name" view names a second attribute ("value waterproof tents"). */
  attributePairs: number;
}

/**
 * What `inpage train` uses. Chosen on tuning splits of the demo shop (held-out items and queries
 * of seeds 2, 5, 6 and 7, 1,924 queries, which `inpage eval` does not report; BM25 0.671 Recall@10,
 * 0.768 MRR there). The previous trainer (the view's own item as the only right answer, 128
 * sampled negatives with held-out items among them, scale 24) reached 0.690 / 0.761; every
 * training item having all of a view's tokens as a right answer and stop words at zero 0.704 /
 * 0.765 (stop words alone, own item only: 0.684 / 0.743); "two attributes + category" in half
 * of the attribute views 0.713 / 0.768; scale 16 0.717 / 0.775, scale 12 0.718 / 0.780.
 * Did not help: 10 epochs (+0.005), 9 views per item, textWeight 3, scale 32; a softmax over
 * every training item instead of 128 sampled negatives was 8× slower and worse (0.607 Recall@10,
 * tried once on the reported splits 1/3/4 before the tuning splits were set up).
 */
export const DEFAULT_ENCODER_OPTIONS: Readonly<EncoderOptions> = Object.freeze({
  seed: 7,
  epochs: 6,
  views: 6,
  negatives: 128,
  learningRate: 0.2,
  scale: 12,
  vocabSize: 3000,
  maxLength: 64,
  fieldKeep: 0.5,
  wordKeep: 0.7,
  textDim: 64,
  recWeight: 1,
  textWeight: 2,
  refresh: 1024,
  sameCategory: 0.5,
  sharedPositives: true,
  attributePairs: 0.5,
});

/** The encoder's parameters. */
export interface EncoderWeights {
  vocab: Vocab;
  /** Output size: the recommender's dimensions plus `textDim`. */
  dim: number;
  /** Token vectors, row-major [vocab, dim]. */
  table: Float32Array;
  maxLength: number;
}

/** A fitted encoder and the facts of its fit. */
export interface EncoderFit {
  weights: EncoderWeights;
  /** The search index: each item's vector in the encoder's space, L2-normalised, [items, dim]. */
  targets: Float32Array;
  epochLoss: number[];
  /** Views per epoch. */
  examples: number;
}

const PUNCT_ONLY = /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]+$/u;

/** Which token ids carry a trainable vector (not special, not punctuation, not a stop word). */
export function trainableTokens(vocab: Vocab): Uint8Array {
  return Uint8Array.from(vocab.tokens, (t, i) => (i < SPECIAL_TOKENS.length || PUNCT_ONLY.test(t.replace(/^##/, '')) || STOP_WORDS.has(t) ? 0 : 1));
}

/** L2-normalised copy of row-major [n, dim] vectors (zero rows stay zero). */
export function normalizeRows(v: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length / dim; i++) {
    let n = 0;
    for (let d = 0; d < dim; d++) n += v[i * dim + d]! ** 2;
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let d = 0; d < dim; d++) out[i * dim + d] = v[i * dim + d]! * inv;
  }
  return out;
}

/** An item's words, each as its (trainable) piece ids, grouped by field. */
function itemWords(t: ItemText, vocab: Vocab, trainable: Uint8Array): number[][][] {
  return fieldsOf(t)
    .map((f) => words(f).map((w) => wordPiece(w, vocab).filter((id) => trainable[id] === 1)).filter((p) => p.length > 0))
    .filter((f) => f.length > 0);
}

/** An item's category name and its single attributes (brand, each tag), as trainable piece ids. */
function attributesOf(t: ItemText, vocab: Vocab, trainable: Uint8Array): { category: number[]; attributes: number[][] } {
  const ids = (text: string): number[] => words(text).flatMap((w) => wordPiece(w, vocab)).filter((id) => trainable[id] === 1);
  return { category: ids(t.categoryName), attributes: [t.brand, ...t.tags.map((x) => x.replace(/-/g, ' '))].map(ids).filter((a) => a.length > 0) };
}

/** Every trainable piece id of an item's text. */
function itemTokens(fields: number[][][]): number[] {
  return fields.flat(2);
}

/**
 * Every trainable piece id of an item's text (repeats kept): what its index row sums.
 *
 * @example const tokens = textTokens(text, vocab, trainableTokens(vocab));
 */
export function textTokens(t: ItemText, vocab: Vocab, trainable: Uint8Array): number[] {
  return itemTokens(itemWords(t, vocab, trainable));
}

/** How an index row mixes its two blocks ({@link EncoderOptions}). */
export type IndexMix = Pick<EncoderOptions, 'recWeight' | 'textWeight'>;

/**
 * Writes one item's row of the search index into `out[base … base + R + Dt)`:
 * [recWeight · its normalised recommender vector ; textWeight · the normalised sum of its tokens'
 * text blocks], normalised. `table` is the token table [vocab, R + Dt]; `rec[recBase …]` the
 * item's normalised recommender vector; `textSum` scratch of Dt values. The trainer refreshes the
 * index with it, and `inpage update-catalog` encodes new and changed items with the same code.
 */
export function indexRow(tokens: readonly number[], rec: Float32Array, recBase: number, table: Float64Array, R: number, Dt: number, mix: IndexMix, out: Float64Array, base: number, textSum: Float64Array): void {
  const D = R + Dt;
  textSum.fill(0);
  for (const t of tokens) for (let d = 0; d < Dt; d++) textSum[d] = textSum[d]! + table[t * D + R + d]!;
  let tn = 0;
  for (let d = 0; d < Dt; d++) tn += textSum[d]! ** 2;
  const tInv = tn > 0 ? mix.textWeight / Math.sqrt(tn) : 0;
  let n = 0;
  for (let d = 0; d < R; d++) { out[base + d] = mix.recWeight * rec[recBase + d]!; n += out[base + d]! ** 2; }
  for (let d = 0; d < Dt; d++) { out[base + R + d] = textSum[d]! * tInv; n += out[base + R + d]! ** 2; }
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let d = 0; d < D; d++) out[base + d] = out[base + d]! * inv;
}

/**
 * Trains the encoder. `itemVectors` ([items, recDim], catalogue order) are the recommender's
 * vectors; items with `train[i] === 0` are held out: never an example, never a candidate of the
 * softmax, and their text never reaches the vocabulary, so the token table does not depend on
 * their text at all (they are in the returned index, encoded from their text, as at search time).
 * Deterministic in `opts.seed`.
 *
 * @example const fit = fitEncoder(texts, recommenderWeights.inVec, 32, DEFAULT_ENCODER_OPTIONS);
 */
export function fitEncoder(texts: readonly ItemText[], itemVectors: Float32Array, recDim: number, opts: Readonly<EncoderOptions>, train?: Uint8Array, onEpoch?: (epoch: number, loss: number) => void): EncoderFit {
  const N = texts.length;
  if (itemVectors.length !== N * recDim) throw new Error(`encoder: ${N} items × ${recDim} dims need ${N * recDim} vector values, got ${itemVectors.length}`);
  const used = texts.map((_, i) => train === undefined || train[i] === 1);
  const vocab = learnVocab(texts.filter((_, i) => used[i]).flatMap(fieldsOf), { maxSize: opts.vocabSize });
  const trainable = trainableTokens(vocab);
  const V = vocab.tokens.length;
  const R = recDim;
  const Dt = Math.max(0, opts.textDim);
  const D = R + Dt;
  const rec = normalizeRows(itemVectors, R);
  const rng = new Prng(opts.seed);
  const E = new Float64Array(V * D);
  for (let t = 0; t < V; t++) if (trainable[t] === 1) for (let d = 0; d < D; d++) E[t * D + d] = (rng.nextFloat() - 0.5) / D;
  const G = new Float64Array(V * D).fill(1e-8);
  const fields = texts.map((t) => itemWords(t, vocab, trainable));
  const tokensOf = fields.map(itemTokens);
  const attrs = texts.map((t) => attributesOf(t, vocab, trainable));
  // The softmax runs over training items only: `pool[c]` is the item of candidate c.
  const pool = Int32Array.from(texts.flatMap((_, i) => (used[i] && fields[i]!.length > 0 ? [i] : [])));
  const M = pool.length;
  const slotOf = new Int32Array(N).fill(-1);
  pool.forEach((i, c) => { slotOf[i] = c; });
  const byCategory = new Map<string, number[]>();
  pool.forEach((i, c) => { const list = byCategory.get(texts[i]!.category); if (list) list.push(c); else byCategory.set(texts[i]!.category, [c]); });
  // Which candidates have each token (bitsets over the pool): a view's right answers are the
  // candidates having all of its tokens.
  const W = (M + 31) >>> 5;
  const has = new Uint32Array(V * W);
  pool.forEach((i, c) => { for (const t of tokensOf[i]!) has[t * W + (c >>> 5)]! |= 1 << (c & 31); });
  const positive = new Uint32Array(W);
  const order = Array.from(pool);
  // The index: [recWeight · rec ; textWeight · normalised text sum], normalised.
  const index = new Float64Array(N * D);
  const textSum = new Float64Array(Dt);
  const refreshIndex = (): void => {
    for (let i = 0; i < N; i++) indexRow(tokensOf[i]!, rec, i * R, E, R, Dt, opts, index, i * D, textSum);
  };
  refreshIndex();
  const f = new Float64Array(D);
  const q = new Float64Array(D);
  const gq = new Float64Array(D);
  const gf = new Float64Array(D);
  const gu = new Float64Array(Dt);
  const full = opts.negatives <= 0 || opts.negatives >= M - 1;
  const cand = new Int32Array(full ? M : opts.negatives + 1);
  const logits = new Float64Array(cand.length);
  const isPos = new Uint8Array(cand.length);
  const epochLoss: number[] = [];
  let examples = 0;
  let sinceRefresh = 0;
  const view: number[] = [];

  const sampleView = (i: number, kind: number): void => {
    const fw = fields[i]!;
    view.length = 0;
    const a = attrs[i]!;
    if (kind === 2 && a.category.length > 0 && a.attributes.length > 0) {
      // What shoppers type most: an attribute or two and the kind of thing ("waterproof tents").
      const first = rng.int(a.attributes.length);
      view.push(...a.category, ...a.attributes[first]!);
      if (a.attributes.length > 1 && rng.nextFloat() < opts.attributePairs) {
        const second = (first + 1 + rng.int(a.attributes.length - 1)) % a.attributes.length;
        view.push(...a.attributes[second]!);
      }
      return;
    }
    if (kind !== 0) {
      const all = fw.flat();
      const n = 1 + rng.int(Math.min(3, all.length));
      for (let k = 0; k < n; k++) view.push(...all[rng.int(all.length)]!);
      return;
    }
    for (const field of fw) {
      if (rng.nextFloat() >= opts.fieldKeep) continue;
      for (const w of field) if (rng.nextFloat() < opts.wordKeep) view.push(...w);
    }
    if (view.length === 0) {
      const field = fw[rng.int(fw.length)]!;
      view.push(...field[rng.int(field.length)]!);
    }
  };

  /** Marks in `positive` the candidates having every token of the view. */
  const positivesOfView = (): void => {
    for (let w = 0; w < W; w++) positive[w] = 0xffffffff;
    for (const t of view) for (let w = 0; w < W; w++) positive[w]! &= has[t * W + w]!;
  };

  const adagrad = (row: number, from: number, grad: Float64Array, scale: number, lr: number): void => {
    const base = row * D + from;
    for (let d = 0; d < grad.length; d++) {
      const g = grad[d]! * scale;
      G[base + d] = G[base + d]! + g * g;
      E[base + d] = E[base + d]! - (lr * g) / Math.sqrt(G[base + d]!);
    }
  };

  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let a = order.length - 1; a > 0; a--) {
      const b = rng.int(a + 1);
      [order[a], order[b]] = [order[b]!, order[a]!];
    }
    const lr = opts.learningRate;
    let loss = 0;
    let count = 0;
    for (const i of order) {
      const self = slotOf[i]!;
      for (let v = 0; v < opts.views; v++) {
        if (++sinceRefresh >= opts.refresh) { refreshIndex(); sinceRefresh = 0; }
        sampleView(i, v % 3);
        f.fill(0);
        for (const t of view) for (let d = 0; d < D; d++) f[d] = f[d]! + E[t * D + d]!;
        let norm = 0;
        for (let d = 0; d < D; d++) norm += f[d]! ** 2;
        norm = Math.sqrt(norm);
        if (norm < 1e-12) continue;
        for (let d = 0; d < D; d++) q[d] = f[d]! / norm;
        if (opts.sharedPositives) positivesOfView();
        const isRight = (c: number): boolean => (opts.sharedPositives ? (positive[c >>> 5]! & (1 << (c & 31))) !== 0 : c === self);
        if (full) for (let c = 0; c < M; c++) cand[c] = c;
        else {
          cand[0] = self;
          const peers = byCategory.get(texts[i]!.category)!;
          for (let k = 1; k < cand.length; k++) {
            let c: number;
            let tries = 0;
            do {
              if (peers.length > 1 && rng.nextFloat() < opts.sameCategory) c = peers[rng.int(peers.length)]!;
              else c = rng.int(M);
            } while ((c === self || (opts.sharedPositives && isRight(c))) && ++tries < 8);
            cand[k] = c;
          }
        }
        let max = -Infinity;
        for (let k = 0; k < cand.length; k++) {
          const base = pool[cand[k]!]! * D;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[d]! * index[base + d]!;
          logits[k] = opts.scale * dot;
          if (logits[k]! > max) max = logits[k]!;
          isPos[k] = cand[k] === self || isRight(cand[k]!) ? 1 : 0;
        }
        let z = 0;
        let zPos = 0;
        for (let k = 0; k < cand.length; k++) {
          logits[k] = Math.exp(logits[k]! - max);
          z += logits[k]!;
          if (isPos[k] === 1) zPos += logits[k]!;
        }
        loss -= Math.log(zPos / z + 1e-12);
        count++;
        // dL/dlogit_k = p_k − [k right] · (its share of the right answers' mass).
        // Query side: dL/dq = scale · Σ_k (dL/dlogit_k) v_k, through the normalisation into the view's rows.
        gq.fill(0);
        let gSelf = 0;
        for (let k = 0; k < cand.length; k++) {
          const g = logits[k]! / z - (isPos[k] === 1 ? logits[k]! / zPos : 0);
          if (cand[k] === self) gSelf += g;
          if (Math.abs(g) < 1e-9) continue;
          const base = pool[cand[k]!]! * D;
          for (let d = 0; d < D; d++) gq[d] = gq[d]! + g * index[base + d]!;
        }
        let dot = 0;
        for (let d = 0; d < D; d++) dot += gq[d]! * q[d]!;
        for (let d = 0; d < D; d++) gf[d] = (opts.scale * (gq[d]! - dot * q[d]!)) / norm;
        for (const t of view) adagrad(t, 0, gf, 1, lr);
        // Item side (the view's own item only; the rest are refreshed): its text block towards the query.
        if (Dt > 0 && opts.textWeight > 0 && gSelf < 0) {
          textSum.fill(0);
          for (const t of tokensOf[i]!) for (let d = 0; d < Dt; d++) textSum[d] = textSum[d]! + E[t * D + R + d]!;
          let tn = 0;
          for (let d = 0; d < Dt; d++) tn += textSum[d]! ** 2;
          tn = Math.sqrt(tn);
          if (tn > 1e-12) {
            // v's text block ≈ textWeight · u/|u| (the overall normalisation is held fixed here).
            let ud = 0;
            for (let d = 0; d < Dt; d++) ud += (opts.scale * gSelf * q[R + d]!) * (textSum[d]! / tn);
            for (let d = 0; d < Dt; d++) gu[d] = (opts.textWeight * (opts.scale * gSelf * q[R + d]! - ud * (textSum[d]! / tn))) / tn;
            for (const t of tokensOf[i]!) adagrad(t, R, gu, 1, lr);
          }
        }
      }
    }
    examples = count;
    epochLoss.push(loss / Math.max(1, count));
    onEpoch?.(epoch, loss / Math.max(1, count));
  }
  refreshIndex();
  return { weights: { vocab, dim: D, table: Float32Array.from(E), maxLength: opts.maxLength }, targets: Float32Array.from(index), epochLoss, examples };
}
