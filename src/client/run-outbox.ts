/**
 * Coalesces the runs a page issues in one task into one message to the worker. 256 concurrent
 * `model.run()` calls then cost one postMessage each way instead of 256, and the worker's
 * batcher sees all of them at once, so they stack into full micro-batches instead of whatever
 * happened to arrive before the worker's next turn. A lone call still goes out in the same
 * task (a microtask later), so sequential callers pay nothing.
 */
import { transfer, type Remote } from 'comlink';
import type { HostApi, Reply, RunFromWorker, RunToWorker } from '../protocol.ts';
import { transferablesOf } from '../transfer.ts';

interface Queued {
  call: RunToWorker;
  resolve(r: Reply<RunFromWorker>): void;
  reject(e: unknown): void;
}

export class RunOutbox {
  private queued: Queued[] = [];
  private scheduled = false;

  constructor(private readonly remote: Remote<HostApi>) {}

  /** Queue a run; resolves with the worker's reply for this call. */
  submit(call: RunToWorker): Promise<Reply<RunFromWorker>> {
    return new Promise((resolve, reject) => {
      this.queued.push({ call, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Drop a call that has not been sent yet; false when it already left (abort it in the worker then). */
  withdraw(callId: number): boolean {
    const i = this.queued.findIndex((q) => q.call.callId === callId);
    if (i < 0) return false;
    this.queued.splice(i, 1);
    return true;
  }

  private flush(): void {
    this.scheduled = false;
    const items = this.queued;
    this.queued = [];
    if (items.length === 0) return;
    const calls = items.map((q) => q.call);
    this.remote.runMany(transfer(calls, calls.flatMap((c) => transferablesOf(c.feeds)))).then(
      (replies) => items.forEach((q, i) => q.resolve(replies[i] ?? { ok: false, error: { code: 'INTERNAL', message: 'The worker sent fewer replies than calls.' } })),
      (e: unknown) => items.forEach((q) => q.reject(e)),
    );
  }
}
