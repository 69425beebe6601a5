/**
 * What every worker method shares: answering with a `Reply` (never throwing across comlink),
 * and the registry of calls in flight so the page can cancel one by id.
 */
import { InpageError, toInpageError, type ErrorCode } from '../errors.ts';
import type { Reply } from '../protocol.ts';

/** Runs `work` and turns its outcome into a `Reply`; a failure becomes a typed wire error. */
export async function settle<T>(fallback: ErrorCode, context: string, work: () => Promise<T>): Promise<Reply<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    return { ok: false, error: toInpageError(e, fallback, context).toWire() };
  }
}

/** Calls in flight by the page's call id, each with the signal `abort(callId)` fires. */
export class CallRegistry {
  private readonly calls = new Map<number, AbortController>();

  /** Runs `work` with a signal the page can fire by `callId` while it runs. */
  async with<T>(callId: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ctrl = new AbortController();
    this.calls.set(callId, ctrl);
    try {
      return await work(ctrl.signal);
    } finally {
      this.calls.delete(callId);
    }
  }

  /** Cancel a call; a no-op for unknown or finished calls. */
  abort(callId: number): void {
    this.calls.get(callId)?.abort(new InpageError('ABORTED', 'Aborted by the caller.'));
  }
}
