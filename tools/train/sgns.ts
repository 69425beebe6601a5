/**
 * Item vectors from sessions: item2vec-style skip-gram with negative sampling, in the form the
 * exported model scores with. Each context is the visitor's recent steps, pooled with the same
 * event-type and recency weights the page sends (`fillWeights`); the target is the next new item.
 * So training optimises exactly `u · out[j]` of `reference.ts`, and event types weight both the
 * context (a carted item pulls harder) and the loss (a purchase target counts more).
 *
 * An item's vector is the sum of parameter rows: its own id row plus rows shared by its content
 * features (brand, category, tags, price band), as in Meta-Prod2Vec / LightFM. Shared rows carry
 * what sessions teach about a brand or a price band to every item that has it, so an item with few
 * events still gets a sensible vector, and taste transfers across items that never co-occurred.
 */
import { Prng } from '../onnx/prng.ts';
import { EVENT_TYPES, type Weighting } from '../../src/recommend/weights.ts';
import type { Sessions } from './sessions.ts';

/** Hyper-parameters of {@link trainEmbeddings}. */
export interface SgnsOptions {
  dim: number;
  /** Planned epochs: the learning rate decays linearly over them. */
  epochs: number;
  /** Negative samples per positive. */
  negatives: number;
  /** Starting learning rate, decayed linearly to 1% of it. */
  learningRate: number;
  /**
   * When set, the learning rate instead decays continuously by this factor per epoch (floored at
   * 1% of the start), so a run stopped early at any epoch has annealed as far as it went.
   */
  decayPerEpoch?: number;
  /** Steps of history in a context (= the model's L). */
  maxHistory: number;
  /** Same as the scorer's `shrink`. */
  shrink: number;
  seed: number;
  weighting: Readonly<Weighting>;
}

/**
 * Which parameter rows make up each item's vector: rows `cols[i]` scaled by `vals[i]`. Row `i`
 * (the item's own id row) should be among them.
 */
export interface ItemRows {
  /** Rows in the parameter table (items + shared feature rows). */
  rows: number;
  cols: readonly Int32Array[];
  vals: readonly Float32Array[];
}

/** Each item is its own single row: plain item2vec. */
export function idRows(items: number): ItemRows {
  return {
    rows: items,
    cols: Array.from({ length: items }, (_, i) => Int32Array.of(i)),
    vals: Array.from({ length: items }, () => Float32Array.of(1)),
  };
}

/** Trained item vectors ([N, D], composed from rows) and each item's step count. */
export interface Embeddings {
  inVec: Float32Array;
  outVec: Float32Array;
  counts: Float64Array;
  /** Training examples per epoch. */
  examples: number;
}

/** Negative sampler: a table over items with mass ∝ count^0.75 (word2vec's unigram power). */
function negativeTable(counts: Float64Array, size: number): Int32Array {
  const table = new Int32Array(size);
  let total = 0;
  for (const c of counts) total += Math.pow(c, 0.75);
  let j = 0;
  let acc = counts.length > 0 ? Math.pow(counts[0]!, 0.75) / total : 1;
  for (let i = 0; i < size; i++) {
    table[i] = j;
    while ((i + 1) / size > acc && j < counts.length - 1) {
      j++;
      acc += Math.pow(counts[j]!, 0.75) / total;
    }
  }
  return table;
}

/** Writes item `i`'s vector (Σ val·row) into `dst`. */
function compose(table: Float64Array, rows: ItemRows, i: number, D: number, dst: Float64Array): void {
  dst.fill(0);
  const cols = rows.cols[i]!;
  const vals = rows.vals[i]!;
  for (let a = 0; a < cols.length; a++) {
    const base = cols[a]! * D;
    const v = vals[a]!;
    for (let d = 0; d < D; d++) dst[d] = dst[d]! + v * table[base + d]!;
  }
}

/** Adds `scale · val · grad` to every row of item `i`. */
function spread(table: Float64Array, rows: ItemRows, i: number, D: number, grad: Float64Array, scale: number): void {
  const cols = rows.cols[i]!;
  const vals = rows.vals[i]!;
  for (let a = 0; a < cols.length; a++) {
    const base = cols[a]! * D;
    const v = vals[a]! * scale;
    for (let d = 0; d < D; d++) table[base + d] = table[base + d]! + v * grad[d]!;
  }
}

/** Indices of steps that are training targets: not the first step, and an item new to the session. */
function targetSteps(sessions: Sessions): Int32Array {
  const targets: number[] = [];
  const seen = new Set<number>();
  for (let s = 0; s < sessions.count; s++) {
    const from = sessions.offsets[s]!;
    const to = sessions.offsets[s + 1]!;
    seen.clear();
    for (let t = from; t < to; t++) {
      const item = sessions.item[t]!;
      if (t > from && !seen.has(item)) targets.push(t);
      seen.add(item);
    }
  }
  return Int32Array.from(targets);
}

/**
 * Trains context and candidate vectors one epoch at a time, so a caller can score a validation
 * split between epochs and stop early. Deterministic in `opts.seed`: one thread, a seeded example
 * order per epoch and seeded negatives. The learning rate decays linearly over `opts.epochs`
 * (the planned budget) to 1% of its start, whether or not training stops before.
 *
 * @example
 * const t = new SgnsTrainer(sessions, N, rows, opts);
 * for (let e = 0; e < opts.epochs; e++) t.epoch();
 * const { inVec, outVec } = t.vectors();
 */
export class SgnsTrainer {
  readonly counts: Float64Array;
  /** Training examples per epoch. */
  readonly examples: number;
  readonly #sessions: Sessions;
  readonly #items: number;
  readonly #rows: ItemRows;
  readonly #opts: Readonly<SgnsOptions>;
  readonly #rng: Prng;
  readonly #inTable: Float64Array;
  readonly #outTable: Float64Array;
  readonly #table: Int32Array;
  readonly #order: Int32Array;
  readonly #sessionOf: Int32Array;
  #step = 0;
  #epochs = 0;

  constructor(sessions: Sessions, items: number, rows: ItemRows, opts: Readonly<SgnsOptions>) {
    const D = opts.dim;
    this.#sessions = sessions;
    this.#items = items;
    this.#rows = rows;
    this.#opts = opts;
    this.#rng = new Prng(opts.seed);
    // Parameters train in float64 (no float32 round-trips in the hot loop; validation metrics were
    // the same to 4 decimals as with float32) and are handed out as float32, the model's type.
    this.#inTable = new Float64Array(rows.rows * D);
    for (let i = 0; i < this.#inTable.length; i++) this.#inTable[i] = (this.#rng.nextFloat() - 0.5) / D;
    this.#outTable = new Float64Array(rows.rows * D);
    this.counts = new Float64Array(items);
    for (let i = 0; i < sessions.item.length; i++) this.counts[sessions.item[i]!]!++;
    this.#table = negativeTable(this.counts, Math.max(1 << 16, items * 64));
    this.#order = targetSteps(sessions);
    this.examples = this.#order.length;
    this.#sessionOf = new Int32Array(sessions.item.length);
    for (let s = 0; s < sessions.count; s++) this.#sessionOf.fill(s, sessions.offsets[s]!, sessions.offsets[s + 1]!);
  }

  /** Epochs run so far. */
  get epochs(): number {
    return this.#epochs;
  }

  /**
   * Runs one epoch over every training example; returns its mean loss. With `rate`, the epoch
   * runs at that multiple of the starting learning rate instead of the planned schedule (how a
   * caller that lowers the rate on a validation plateau drives it).
   */
  epoch(rate?: number): number {
    const opts = this.#opts;
    const sessions = this.#sessions;
    const rows = this.#rows;
    const rng = this.#rng;
    const order = this.#order;
    const D = opts.dim;
    const L = opts.maxHistory;
    const typeWeight = EVENT_TYPES.map((t) => opts.weighting.event[t]);
    const meanType = typeWeight.reduce((a, b) => a + b, 0) / typeWeight.length;
    const perMs = opts.weighting.halfLifeHours > 0 ? Math.LN2 / (opts.weighting.halfLifeHours * 3_600_000) : 0;
    const decay = Float64Array.from({ length: L }, (_, age) => Math.pow(opts.weighting.stepDecay, age));
    const u = new Float64Array(D);
    const gradU = new Float64Array(D);
    const vec = new Float64Array(D);
    const gradOut = new Float64Array(D);
    const ctxItem = new Int32Array(L);
    const ctxW = new Float64Array(L);
    const totalSteps = Math.max(1, opts.epochs * order.length);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const a = order[i]!;
      order[i] = order[j]!;
      order[j] = a;
    }
    let loss = 0;
    for (let e = 0; e < order.length; e++, this.#step++) {
      const t = order[e]!;
      const from = Math.max(sessions.offsets[this.#sessionOf[t]!]!, t - L);
      const n = t - from;
      // Ages from the newest context step, as the page measures them (fillWeights).
      const newest = sessions.time[t - 1]!;
      let total = 0;
      for (let c = 0; c < n; c++) {
        const p = t - 1 - c;
        const w = typeWeight[sessions.code[p]!]! * decay[c]! * Math.exp(-perMs * Math.max(0, newest - sessions.time[p]!));
        ctxItem[c] = sessions.item[p]!;
        ctxW[c] = w;
        total += w;
      }
      const scale = 1 / Math.max(total + opts.shrink, 1e-6);
      u.fill(0);
      for (let c = 0; c < n; c++) {
        compose(this.#inTable, rows, ctxItem[c]!, D, vec);
        const w = ctxW[c]! * scale;
        for (let d = 0; d < D; d++) u[d] = u[d]! + w * vec[d]!;
      }
      gradU.fill(0);
      const progress = rate ?? (opts.decayPerEpoch === undefined ? 1 - this.#step / totalSteps : Math.pow(opts.decayPerEpoch, this.#step / Math.max(1, order.length)));
      const lr = opts.learningRate * Math.max(0.01, progress) * (typeWeight[sessions.code[t]!]! / meanType);
      const target = sessions.item[t]!;
      for (let k = 0; k <= opts.negatives; k++) {
        const j = k === 0 ? target : this.#table[rng.int(this.#table.length)]!;
        if (k > 0 && j === target) continue;
        compose(this.#outTable, rows, j, D, vec);
        let dot = 0;
        for (let d = 0; d < D; d++) dot += u[d]! * vec[d]!;
        const sig = dot > 20 ? 1 : dot < -20 ? 0 : 1 / (1 + Math.exp(-dot));
        loss -= k === 0 ? Math.log(sig + 1e-9) : Math.log(1 - sig + 1e-9);
        const g = lr * ((k === 0 ? 1 : 0) - sig);
        for (let d = 0; d < D; d++) {
          gradU[d] = gradU[d]! + g * vec[d]!;
          gradOut[d] = g * u[d]!;
        }
        spread(this.#outTable, rows, j, D, gradOut, 1);
      }
      for (let c = 0; c < n; c++) spread(this.#inTable, rows, ctxItem[c]!, D, gradU, ctxW[c]! * scale);
    }
    this.#epochs++;
    return loss / Math.max(1, order.length);
  }

  /** The current item vectors ([N, D] each, composed from their rows), as float32. */
  vectors(): { inVec: Float32Array; outVec: Float32Array } {
    const D = this.#opts.dim;
    const inVec = new Float32Array(this.#items * D);
    const outVec = new Float32Array(this.#items * D);
    const vec = new Float64Array(D);
    for (let i = 0; i < this.#items; i++) {
      compose(this.#inTable, this.#rows, i, D, vec);
      inVec.set(vec, i * D);
      compose(this.#outTable, this.#rows, i, D, vec);
      outVec.set(vec, i * D);
    }
    return { inVec, outVec };
  }
}

/**
 * Trains context and candidate vectors for `opts.epochs` epochs (see {@link SgnsTrainer}).
 *
 * @example const emb = trainEmbeddings(sessions, N, idRows(N), opts);
 */
export function trainEmbeddings(
  sessions: Sessions,
  items: number,
  rows: ItemRows,
  opts: Readonly<SgnsOptions>,
  onEpoch?: (epoch: number, loss: number) => void,
): Embeddings {
  const trainer = new SgnsTrainer(sessions, items, rows, opts);
  for (let e = 0; e < opts.epochs; e++) {
    const loss = trainer.epoch();
    onEpoch?.(e, loss);
  }
  return { ...trainer.vectors(), counts: trainer.counts, examples: trainer.examples };
}
