/**
 * A `WorkerLike` over one end of a Node `MessageChannel`, with a host object exposed by comlink
 * on the other end: the page client and the worker host in one process (DESIGN.md, house style 3).
 */
import { expose } from 'comlink';
import type { WorkerLike } from '../../../src/client/connection.ts';

type Listener = (ev: MessageEvent & ErrorEvent) => void;

export interface PortWorker extends WorkerLike {
  /** Times `terminate()` was called. */
  readonly terminated: number;
  /** Fire an `error` event on the page side, as a Worker does when its script throws. */
  crash(message: string): void;
  /** Close both ports (idempotent). */
  close(): void;
}

/** Expose `host` on a fresh channel and return the page-side end as a `WorkerLike`. */
export function portWorker(host: object): PortWorker {
  const { port1, port2 } = new MessageChannel();
  expose(host, port1);
  port2.start();
  const errorListeners = new Set<Listener>();
  let terminated = 0;
  const close = (): void => {
    port1.close();
    port2.close();
  };
  return {
    get terminated() { return terminated; },
    postMessage: (message, transfer) => port2.postMessage(message, transfer),
    addEventListener: (type, listener) => {
      if (type === 'error') errorListeners.add(listener);
      else port2.addEventListener(type, listener as unknown as EventListener);
    },
    removeEventListener: (type, listener) => {
      if (type === 'error') errorListeners.delete(listener);
      else port2.removeEventListener(type, listener as unknown as EventListener);
    },
    terminate: () => {
      terminated++;
      close();
    },
    crash: (message) => {
      const ev = { type: 'error', message, preventDefault: () => {} } as unknown as MessageEvent & ErrorEvent;
      for (const l of [...errorListeners]) l(ev);
    },
    close,
  };
}
