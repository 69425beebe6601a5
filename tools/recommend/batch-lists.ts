/**
 * A chunk of subscribers' lists in a few model runs: the lists `subscriberList` builds one visitor
 * at a time with the page's `recommendList`, built here from the same pieces (list.ts:
 * `listExclusions`, `listMask`, `listResult`; the page's strategies' reasons and top-k) but with
 * each subscriber's model inputs written straight into one `[rows, …]` batch that is reused run
 * after run. What it saves is the per-visitor cost around a model this small (a 2,400-float bias
 * array, input tensors and a promise chain per subscriber, and their garbage), not any step of
 * the list: test/unit/recommend-batch-lists.test.ts holds both paths equal over every strategy and
 * filter the CLI has.
 *
 * @example
 * const lists = new BatchLists(pkg, { strategy: 'for-you', k: 6, excludeSeen: true, exclude: [] }, Date.now());
 * const rows = await lists.build(subscribers);
 */
import { excluding, restrictToCategories, type Candidates } from '../../src/recommend/candidates.ts';
import { listExclusions, listMask, listResult, planOf, type ListPackage } from '../../src/recommend/list.ts';
import type { ListPlan } from '../../src/recommend/list-plan.ts';
import { forYouReason, similarReason, type Reason } from '../../src/recommend/reasons.ts';
import type { RuledCandidates } from '../../src/recommend/rules.ts';
import { topOfRow, trending, type StrategyContext } from '../../src/recommend/strategies.ts';
import type { Tensor } from '../../src/tensor.ts';
import { fillWeights, type Step } from '../../src/recommend/weights.ts';
import type { SubscriberHistory } from './histories.ts';
import { subscriberRequest, type BatchRequest, type ListKind, type SubscriberList } from './subscriber-list.ts';

/** Rows of one model run: at most 256, and at most 16 MB of bias (as tools/recommend/node-engine.ts). */
function rowsPerRun(items: number): number {
  return Math.max(1, Math.min(256, Math.floor(4_000_000 / Math.max(1, items))));
}

/** A subscriber waiting for its row of a run. */
interface Waiting {
  slot: number;
  id: string;
  list: ListKind;
  plan: ListPlan;
  personalised: boolean;
  reason: (index: number) => Reason;
}

/** One run's inputs, filled row by row; every row asks the model for the same `kk`. */
interface Batch {
  kk: number;
  rows: number;
  items: BigInt64Array;
  weights: Float32Array;
  bias: Float32Array;
  waiting: Waiting[];
}

/** No merchandising rules (a batch request has none): what `applyRules` returns then. */
const unruled = (cand: Candidates): RuledCandidates => ({ cand, pins: [], boosted: new Map() });

/** Builds chunks of subscribers' lists for one package and request, reusing its batch buffers. */
export class BatchLists {
  readonly #pkg: ListPackage;
  readonly #req: BatchRequest;
  readonly #now: number;
  readonly #cap: number;
  /** Batches by `kk`: one in practice (`min(k, items)`), another only for a list with fewer allowed items. */
  readonly #batches = new Map<number, Batch>();
  /** Pins and boosts of a list without rules (listResult reads only those). */
  readonly #noRules = unruled({ bias: new Float32Array(0), allowed: 0 });

  constructor(pkg: ListPackage, req: BatchRequest, now: number) {
    this.#pkg = pkg;
    this.#req = req;
    this.#now = now;
    this.#cap = rowsPerRun(pkg.manifest.dims.items);
  }

  /** The lists of `subs`, in their order. */
  async build(subs: readonly SubscriberHistory[]): Promise<SubscriberList[]> {
    const out: SubscriberList[] = new Array(subs.length);
    for (let slot = 0; slot < subs.length; slot++) {
      const full = this.#one(subs[slot]!, slot, out);
      if (full !== undefined) await this.#run(full, out);
    }
    for (const b of this.#batches.values()) await this.#run(b, out);
    return out;
  }

  /** Builds `sub`'s list, or queues its model row; returns a batch that is full and must run now. */
  #one(sub: SubscriberHistory, slot: number, out: SubscriberList[]): Batch | undefined {
    const pkg = this.#pkg;
    const { items, manifest } = pkg;
    const { visitor, request, personal } = subscriberRequest(pkg, sub, this.#req);
    const list = personal ? 'personal' : 'trending';
    const { history, exclude, anchor } = listExclusions(pkg, visitor, request);
    const plan = planOf(request);
    const base = listMask(pkg, request.filter);
    const k = request.k;
    if (request.strategy === 'trending' || history.length === 0) {
      // recommendList's 'trending', and forYou's fallback for an empty history: no model run.
      const cand = excluding(base, exclude);
      const ctx: StrategyContext = { manifest, items, model: pkg.model, steps: history, now: this.#now, signal: undefined };
      out[slot] = { id: sub.id, list, recs: listResult(items, trending(ctx, cand, k), unruled(cand), plan, k, false) };
      return undefined;
    }
    // Written into the next row of the usual batch; moved to another batch if its kk differs.
    const N = manifest.dims.items;
    const main = this.#batch(Math.min(k, N));
    const row = main.bias.subarray(main.rows * N, (main.rows + 1) * N);
    let cand = excluding(base, exclude, row);
    let steps: readonly Step[] = history;
    let reason = (index: number): Reason => forYouReason(items, history, index);
    const similar = request.strategy === 'similar';
    if (similar) {
      // strategies.ts `similar`: the anchor's category only, the anchor as the one step.
      cand = restrictToCategories(items, cand, new Map([[items.category[anchor] ?? -1, 0]]), k);
      if (cand.bias !== row) row.set(cand.bias);
      steps = [{ item: anchor, code: 1, time: this.#now }];
      reason = () => similarReason(items, anchor);
    }
    const kk = Math.min(k, cand.allowed, N);
    const waiting: Waiting = { slot, id: sub.id, list, plan, personalised: !similar, reason };
    if (kk <= 0) {
      out[slot] = { id: sub.id, list, recs: listResult(items, [], unruled(cand), plan, k, waiting.personalised) };
      return undefined;
    }
    let b = main;
    if (kk !== main.kk) {
      b = this.#batch(kk);
      b.bias.set(row, b.rows * N);
    }
    const L = manifest.dims.history;
    fillWeights(steps, manifest.weighting, L, b.items.subarray(b.rows * L, (b.rows + 1) * L), b.weights.subarray(b.rows * L, (b.rows + 1) * L), true);
    b.rows++;
    b.waiting.push(waiting);
    return b.rows === this.#cap ? b : undefined;
  }

  #batch(kk: number): Batch {
    let b = this.#batches.get(kk);
    if (b === undefined) {
      const { history: L, items: N } = this.#pkg.manifest.dims;
      b = { kk, rows: 0, items: new BigInt64Array(this.#cap * L), weights: new Float32Array(this.#cap * L), bias: new Float32Array(this.#cap * N), waiting: [] };
      this.#batches.set(kk, b);
    }
    return b;
  }

  /** Runs a batch's rows (the same feeds `historyFeeds` builds, stacked) and finishes their lists. */
  async #run(b: Batch, out: SubscriberList[]): Promise<void> {
    if (b.rows === 0) return;
    const { manifest, items, model } = this.#pkg;
    const { history: L, items: N } = manifest.dims;
    const rows = b.rows;
    const feeds: Record<string, Tensor> = {
      [manifest.inputs.items]: { type: 'int64', dims: [rows, L], data: b.items.subarray(0, rows * L) },
      [manifest.inputs.weights]: { type: 'float32', dims: [rows, L], data: b.weights.subarray(0, rows * L) },
      [manifest.inputs.bias]: { type: 'float32', dims: [rows, N], data: b.bias.subarray(0, rows * N) },
      [manifest.inputs.k]: { type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(b.kk)) },
    };
    const waiting = b.waiting;
    b.rows = 0;
    b.waiting = [];
    const res = await model.run(feeds);
    const idx = res[manifest.outputs.indices];
    const sc = res[manifest.outputs.scores];
    if (idx?.type !== 'int64' || sc?.type !== 'float32' || idx.data.length !== rows * b.kk) {
      throw new Error(`The recommender model did not return '${manifest.outputs.indices}' (int64) and '${manifest.outputs.scores}' (float32) for ${rows} rows of ${b.kk}; is ${manifest.model} the file this manifest was written for?`);
    }
    waiting.forEach((w, r) => {
      const top = topOfRow(idx.data as BigInt64Array, sc.data as Float32Array, r * b.kk, (r + 1) * b.kk);
      const scored = top.map((t) => ({ ...t, reason: w.reason(t.index) }));
      out[w.slot] = { id: w.id, list: w.list, recs: listResult(items, scored, this.#noRules, w.plan, this.#req.k, w.personalised) };
    });
  }
}
