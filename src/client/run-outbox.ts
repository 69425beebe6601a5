/**
 * Coalesces the runs a page issues in one task into few messages to the worker: one for the
 * calls that travel alone, one per stacked call. 256 concurrent `model.run()` calls then cost a
 * handful of postMessages each way instead of 256, and a lone call still goes out in the same
 * task (a microtask later), so sequential callers pay nothing.
 *
 * Runs on a batching model are stacked here, on the page, before they travel: calls that could
 * share a session run (same model, same trailing shapes and shared-input values) become one
 * call with one tensor per input, up to the model's maxBatch rows, and the answer is split back
 * per caller. Moving thousands of small tensors between threads is what a burst of small
 * requests costs most (each buffer is transferred and each object cloned, both ways), so this
 * is what lets batching pay off in wall time and not only in session time. A group leaves as
 * soon as it is full, while the page is still taking the rest of the burst, so stacking and the
 * session runs overlap. The worker's batcher still merges whatever arrives from separate tasks.
 *
 * A stacked call carries the rows each caller owns (`members`). If its run fails for a reason of
 * its own (a request the model chokes on), the worker's batcher runs each caller's rows alone and
 * answers per caller (`parts`), so only the culprit fails and nothing is re-sent from here. A
 * caller that aborts is answered at once by its guard; its rows still ride along and are dropped.
 */
import { transfer, type Remote } from 'comlink';
import type { HostApi, PartsFromWorker, Reply, RunFromWorker, RunToWorker } from '../protocol.ts';
import { rowsOf, sameGroup, splitOutputs, stackFeeds, type BatchLayout, type StackAlloc } from '../scheduling/batch-tensors.ts';
import { transferablesOf } from '../transfer.ts';

/** How a model's calls may be stacked on the page (absent: never). */
export interface PageBatching {
  layout: BatchLayout;
  maxBatch: number;
}

interface Queued {
  call: RunToWorker;
  batching: PageBatching | undefined;
  resolve(r: Reply<RunFromWorker>): void;
  reject(e: unknown): void;
}

/** A stacked call in flight: its members, so an abort can find it. */
interface Group {
  id: number;
  members: Queued[];
  withdrawn: Set<number>;
}

/** Stacked inputs smaller than this are allocated fresh (small allocations are cheap). */
const POOL_MIN_BYTES = 64 * 1024;
/** Buffers kept for reuse: enough for a burst's groups in flight, bounded in memory. */
const POOL_MAX = 8;

/**
 * Stacked input buffers the worker handed back after their run (`returnInputs`). A fresh
 * multi-megabyte buffer costs a page fault per 4 KB on first write (0.5 ms for 600 KB here,
 * most of stacking a recommender group); a reused one is memory already touched. The buffers
 * are ours alone: transferred away and back, never seen by a caller.
 */
class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  readonly alloc: StackAlloc = (ctor, length) => {
    const bytes = length * (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (bytes >= POOL_MIN_BYTES) {
      // A detached buffer has byteLength 0, so a size match is also a live buffer.
      const i = this.free.findIndex((b) => b.byteLength === bytes);
      if (i >= 0) return new (ctor as unknown as new (b: ArrayBuffer) => ReturnType<StackAlloc>)(this.free.splice(i, 1)[0]!);
    }
    return new ctor(length);
  };

  /** Keep what came back (anything else in the reply is ignored). */
  give(buffers: unknown): void {
    if (!Array.isArray(buffers)) return;
    for (const b of buffers) {
      if (!(b instanceof ArrayBuffer) || b.byteLength < POOL_MIN_BYTES) continue;
      this.free.push(b);
      if (this.free.length > POOL_MAX) this.free.shift();
    }
  }
}

/** A group still filling on the page. */
interface Open {
  members: Queued[];
  rows: number;
}

export class RunOutbox {
  /** Calls that travel alone, waiting for this task's flush. */
  private singles: Queued[] = [];
  /** Groups still filling. Few are open at once (usually one per model). */
  private open: Open[] = [];
  private scheduled = false;
  /** Stacked calls get negative ids: the page's own call ids are positive. */
  private groupIds = 0;
  private readonly inFlight = new Map<number, Group>();
  private readonly pool = new BufferPool();

  constructor(private readonly remote: Remote<HostApi>) {}

  /**
   * Queue a run; resolves with the worker's reply for this call. A group that reaches maxBatch
   * rows leaves at once, so the worker computes it while the page is still taking the rest of
   * the burst; everything else leaves at the end of the task (a microtask later).
   */
  submit(call: RunToWorker, batching?: PageBatching): Promise<Reply<RunFromWorker>> {
    return new Promise((resolve, reject) => {
      const q: Queued = { call, batching, resolve, reject };
      if (batching) this.join(q, batching); else this.singles.push(q);
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /**
   * Drop a call that has not been sent yet. False when it already left alone (abort it in the
   * worker then); true when it left stacked with others: its rows are simply dropped, and the
   * stacked call is aborted in the worker once every member has gone.
   */
  withdraw(callId: number): boolean {
    const i = this.singles.findIndex((q) => q.call.callId === callId);
    if (i >= 0) {
      this.singles.splice(i, 1);
      return true;
    }
    for (const [gi, g] of this.open.entries()) {
      const mi = g.members.findIndex((q) => q.call.callId === callId);
      if (mi < 0) continue;
      const [q] = g.members.splice(mi, 1);
      g.rows -= rowsOf(q!.call.feeds, q!.batching!.layout);
      if (g.members.length === 0) this.open.splice(gi, 1);
      return true;
    }
    for (const g of this.inFlight.values()) {
      if (!g.members.some((m) => m.call.callId === callId)) continue;
      g.withdrawn.add(callId);
      if (g.withdrawn.size === g.members.length) void this.remote.abort(g.id);
      return true;
    }
    return false;
  }

  /** Add a call to its open group (compared in place with the group's first member). */
  private join(q: Queued, batching: PageBatching): void {
    const rows = rowsOf(q.call.feeds, batching.layout);
    let i = this.open.findIndex((g) => g.members[0]!.call.modelId === q.call.modelId && sameGroup(g.members[0]!.call.feeds, q.call.feeds, batching.layout));
    if (i >= 0 && this.open[i]!.rows + rows > batching.maxBatch) {
      this.close(this.open.splice(i, 1)[0]!);
      i = -1;
    }
    const g = i >= 0 ? this.open[i]! : { members: [], rows: 0 };
    if (i < 0) this.open.push(g);
    g.members.push(q);
    g.rows += rows;
    if (g.rows >= batching.maxBatch && g.members.length > 1) this.close(this.open.splice(this.open.indexOf(g), 1)[0]!);
  }

  /** A group that takes no more calls: a lone member waits for the flush, others leave now. */
  private close(g: Open): void {
    if (g.members.length === 1) this.singles.push(g.members[0]!);
    else this.dispatch(g.members);
  }

  private flush(): void {
    this.scheduled = false;
    const open = this.open;
    this.open = [];
    const stacked: Queued[][] = [];
    for (const g of open) {
      if (g.members.length === 1) this.singles.push(g.members[0]!);
      else stacked.push(g.members);
    }
    const singles = this.singles;
    this.singles = [];
    if (singles.length > 0) this.send(singles.map((q) => q.call), singles.map((q) => (r) => q.resolve(single(r))), singles);
    for (const members of stacked) this.dispatch(members);
  }

  /** Stack a group into one call and send it on its own (the worker can start on it at once). */
  private dispatch(members: Queued[]): void {
    const layout = members[0]!.batching!.layout;
    const id = --this.groupIds;
    const group: Group = { id, members, withdrawn: new Set() };
    this.inFlight.set(id, group);
    const feeds = stackFeeds(members.map((m) => m.call.feeds), layout, this.pool.alloc);
    const call: RunToWorker = { callId: id, modelId: members[0]!.call.modelId, feeds, members: members.map((m) => rowsOf(m.call.feeds, layout)), returnInputs: true };
    this.send([call], [(r) => {
      this.inFlight.delete(id);
      if (r?.ok) this.pool.give(r.value.spent);
      this.answerGroup(group, layout, r);
    }], members, [id]);
  }

  private send(calls: RunToWorker[], answer: ((r: Reply<RunFromWorker | PartsFromWorker> | undefined) => void)[], all: Queued[], groupIds: number[] = []): void {
    this.remote.runMany(transfer(calls, calls.flatMap((c) => transferablesOf(c.feeds)))).then(
      (replies) => answer.forEach((a, i) => a(replies[i])),
      (e: unknown) => {
        for (const id of groupIds) this.inFlight.delete(id);
        all.forEach((q) => q.reject(e));
      },
    );
  }

  private answerGroup(g: Group, layout: BatchLayout, r: Reply<RunFromWorker | PartsFromWorker> | undefined): void {
    if (r === undefined) { g.members.forEach((m) => m.resolve(missing())); return; }
    if (!r.ok) { g.members.forEach((m) => m.resolve(r)); return; }
    const { timing, backend } = r.value;
    // The worker saw one request; the run served every member (plus any it merged with).
    const batchSize = g.members.length + timing.batchSize - 1;
    if ('parts' in r.value) {
      // The stacked run failed and the worker ran each caller's rows alone: one reply each. A
      // padded input's rows ran at the group's length, so outputs are trimmed back per caller.
      const { parts } = r.value;
      g.members.forEach((m, i) => {
        const part = parts[i];
        if (part === undefined) { m.resolve(missing()); return; }
        if (!part.ok) { m.resolve(part); return; }
        const [own] = splitOutputs(part.value, [m.call.feeds], layout);
        m.resolve({ ok: true, value: { outputs: own!, backend, timing: { ...timing, batchSize: 1 } } });
      });
      return;
    }
    const parts = splitOutputs(r.value.outputs, g.members.map((m) => m.call.feeds), layout);
    g.members.forEach((m, i) => m.resolve({ ok: true, value: { outputs: parts[i]!, backend, timing: { ...timing, batchSize } } }));
  }
}

/** A call that travelled alone is answered whole (the worker splits only stacked calls). */
function single(r: Reply<RunFromWorker | PartsFromWorker> | undefined): Reply<RunFromWorker> {
  if (r === undefined) return missing();
  if (r.ok && 'parts' in r.value) return { ok: false, error: { code: 'INTERNAL', message: 'The worker answered a single call per member.' } };
  return r as Reply<RunFromWorker>;
}

function missing(): Reply<RunFromWorker> {
  return { ok: false, error: { code: 'INTERNAL', message: 'The worker sent fewer replies than calls.' } };
}
