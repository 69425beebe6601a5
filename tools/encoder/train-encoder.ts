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
 * "attribute + category name" views — because shoppers type fragments, not product records. The
 * loss is a softmax over items (all of them, or sampled negatives, half of them from the item's
 * own category) of `scale · cos(text, item)`.
 *
 * Special and punctuation tokens keep zero vectors: they add nothing to the normalised mean.
 */
import { Prng } from '../onnx/prng.ts';
import { fieldsOf, type ItemText } from './catalog-text.ts';
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
}

/**
 * What `inpage train` uses. Chosen on the demo shop on a tuning split of its own (held-out items
 * and queries of seed 2, which `inpage eval` does not report): BM25 0.681 Recall@10; an index of
 * recommender vectors only (textDim 0) 0.57; textDim 32/64/96 at scale 12–32 gave 0.68–0.72;
 * adding "attribute + category" views 0.725; half of the negatives from the item's own category
 * 0.757 (a quarter 0.740, three quarters 0.712; 10 epochs × 9 views instead of 6 × 6 did not help).
 */
export const DEFAULT_ENCODER_OPTIONS: Readonly<EncoderOptions> = Object.freeze({
  seed: 7,
  epochs: 6,
  views: 6,
  negatives: 128,
  learningRate: 0.2,
  scale: 24,
  vocabSize: 3000,
  maxLength: 64,
  fieldKeep: 0.5,
  wordKeep: 0.7,
  textDim: 64,
  recWeight: 1,
  textWeight: 2,
  refresh: 1024,
  sameCategory: 0.5,
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

/** Which token ids carry a trainable vector (not special, not punctuation). */
export function trainableTokens(vocab: Vocab): Uint8Array {
  return Uint8Array.from(vocab.tokens, (t, i) => (i < SPECIAL_TOKENS.length || PUNCT_ONLY.test(t.replace(/^##/, '')) ? 0 : 1));
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
 * Trains the encoder. `itemVectors` ([items, recDim], catalogue order) are the recommender's
 * vectors; items with `train[i] === 0` are never used as examples (held out) but are in the index
 * and the softmax. Deterministic in `opts.seed`.
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
  const examplesOf = fields.map((w, i) => (used[i] ? w : []));
  const attrs = texts.map((t) => attributesOf(t, vocab, trainable));
  const byCategory = new Map<string, number[]>();
  texts.forEach((t, j) => { const list = byCategory.get(t.category); if (list) list.push(j); else byCategory.set(t.category, [j]); });
  const order = examplesOf.flatMap((w, i) => (w.length > 0 ? [i] : []));
  // The index: [recWeight · rec ; textWeight · normalised text sum], normalised.
  const index = new Float64Array(N * D);
  const textSum = new Float64Array(Dt);
  const refreshIndex = (): void => {
    for (let i = 0; i < N; i++) {
      const base = i * D;
      textSum.fill(0);
      for (const t of tokensOf[i]!) for (let d = 0; d < Dt; d++) textSum[d] = textSum[d]! + E[t * D + R + d]!;
      let tn = 0;
      for (let d = 0; d < Dt; d++) tn += textSum[d]! ** 2;
      const tInv = tn > 0 ? opts.textWeight / Math.sqrt(tn) : 0;
      let n = 0;
      for (let d = 0; d < R; d++) { index[base + d] = opts.recWeight * rec[i * R + d]!; n += index[base + d]! ** 2; }
      for (let d = 0; d < Dt; d++) { index[base + R + d] = textSum[d]! * tInv; n += index[base + R + d]! ** 2; }
      const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
      for (let d = 0; d < D; d++) index[base + d] = index[base + d]! * inv;
    }
  };
  refreshIndex();
  const f = new Float64Array(D);
  const q = new Float64Array(D);
  const gq = new Float64Array(D);
  const gf = new Float64Array(D);
  const gu = new Float64Array(Dt);
  const full = opts.negatives <= 0 || opts.negatives >= N - 1;
  const cand = new Int32Array(full ? N : opts.negatives + 1);
  const logits = new Float64Array(cand.length);
  const epochLoss: number[] = [];
  let examples = 0;
  let sinceRefresh = 0;
  const view: number[] = [];

  const sampleView = (i: number, kind: number): void => {
    const fw = examplesOf[i]!;
    view.length = 0;
    const a = attrs[i]!;
    if (kind === 2 && a.category.length > 0 && a.attributes.length > 0) {
      // What shoppers type most: one attribute and the kind of thing ("waterproof tents").
      view.push(...a.category, ...a.attributes[rng.int(a.attributes.length)]!);
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
        if (full) for (let j = 0; j < N; j++) cand[j] = j;
        else {
          cand[0] = i;
          const peers = byCategory.get(texts[i]!.category)!;
          for (let k = 1; k < cand.length; k++) {
            let j: number;
            if (peers.length > 1 && rng.nextFloat() < opts.sameCategory) {
              do j = peers[rng.int(peers.length)]!; while (j === i);
            } else {
              j = rng.int(N - 1);
              if (j >= i) j++;
            }
            cand[k] = j;
          }
        }
        let max = -Infinity;
        for (let c = 0; c < cand.length; c++) {
          const base = cand[c]! * D;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[d]! * index[base + d]!;
          logits[c] = opts.scale * dot;
          if (logits[c]! > max) max = logits[c]!;
        }
        let z = 0;
        for (let c = 0; c < cand.length; c++) { logits[c] = Math.exp(logits[c]! - max); z += logits[c]!; }
        const pos = full ? i : 0;
        const pPos = logits[pos]! / z;
        loss -= Math.log(pPos + 1e-12);
        count++;
        // Query side: dL/dq = scale · (Σ p_c v_c − v_i), through the normalisation into the view's rows.
        gq.fill(0);
        for (let c = 0; c < cand.length; c++) {
          const p = logits[c]! / z - (c === pos ? 1 : 0);
          if (Math.abs(p) < 1e-9) continue;
          const base = cand[c]! * D;
          for (let d = 0; d < D; d++) gq[d] = gq[d]! + p * index[base + d]!;
        }
        let dot = 0;
        for (let d = 0; d < D; d++) dot += gq[d]! * q[d]!;
        for (let d = 0; d < D; d++) gf[d] = (opts.scale * (gq[d]! - dot * q[d]!)) / norm;
        for (const t of view) adagrad(t, 0, gf, 1, lr);
        // Item side (positive only; negatives are refreshed): its text block towards the query.
        if (Dt > 0 && opts.textWeight > 0) {
          textSum.fill(0);
          for (const t of tokensOf[i]!) for (let d = 0; d < Dt; d++) textSum[d] = textSum[d]! + E[t * D + R + d]!;
          let tn = 0;
          for (let d = 0; d < Dt; d++) tn += textSum[d]! ** 2;
          tn = Math.sqrt(tn);
          if (tn > 1e-12) {
            // v's text block ≈ textWeight · u/|u| (the overall normalisation is held fixed here).
            let ud = 0;
            for (let d = 0; d < Dt; d++) ud += (-opts.scale * (1 - pPos) * q[R + d]!) * (textSum[d]! / tn);
            for (let d = 0; d < Dt; d++) gu[d] = (opts.textWeight * (-opts.scale * (1 - pPos) * q[R + d]! - ud * (textSum[d]! / tn))) / tn;
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
