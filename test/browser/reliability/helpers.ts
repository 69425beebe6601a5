/**
 * Shared by the reliability specs: figures reporting, a per-page request log (Playwright's
 * `page.on('request')` sees the dedicated worker's requests too), and CDP access to the engine's
 * worker (heap, GC, WebAssembly memory) — Playwright has no CDP session for workers, so we use
 * the page session's non-flat auto-attach and `Target.sendMessageToTarget`.
 */
import type { CDPSession, Page, Request, TestInfo } from '@playwright/test';

/**
 * Print one `RELIABILITY {...}` JSON line (figures, never asserted on) and attach it to the
 * test's annotations so the JSON reporter keeps it too.
 */
export function report(info: TestInfo, name: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ test: name, project: info.project.name, ...figures });
  console.log(`RELIABILITY ${line}`);
  info.annotations.push({ type: 'RELIABILITY', description: line });
}

/** One request the page (or its workers) made. */
export interface SeenRequest {
  url: string;
  /** When Node heard of it (ms since epoch); see `browserStart` for the browser's own clock. */
  at: number;
  request: Request;
}

/** Start logging every request of `page`, its frames and its dedicated workers. */
export function logRequests(page: Page): SeenRequest[] {
  const seen: SeenRequest[] = [];
  page.on('request', (r) => seen.push({ url: r.url(), at: Date.now(), request: r }));
  return seen;
}

/**
 * When the browser started the request (its own clock, ms since epoch), free of the jitter of
 * events reaching Node; falls back to `at` when the browser gave no timing.
 */
export function browserStart(r: SeenRequest): number {
  const t = r.request.timing().startTime;
  return t > 0 ? t : r.at;
}

/** How many logged requests have exactly this path (query ignored). */
export function countPath(seen: readonly SeenRequest[], path: string): number {
  return seen.filter((r) => new URL(r.url).pathname === path).length;
}

/** Heap figures of one JS context, from CDP `Runtime.getHeapUsage`. */
export interface HeapUsage {
  usedSize: number;
  totalSize: number;
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
}

interface Attached {
  sessionId: string;
  targetInfo: { type: string; url: string; targetId: string };
}

/**
 * CDP for the page and its dedicated workers. `attach()` once; workers started later are
 * attached automatically and detach when they end.
 */
export class DebugTargets {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly workers = new Map<string, Attached>();

  private constructor(readonly page: CDPSession) {
    page.on('Target.attachedToTarget', (e) => {
      const a = e as unknown as Attached;
      if (a.targetInfo.type === 'worker') this.workers.set(a.sessionId, a);
    });
    page.on('Target.detachedFromTarget', (e) => { this.workers.delete((e as { sessionId: string }).sessionId); });
    page.on('Target.receivedMessageFromTarget', (e) => {
      const msg = JSON.parse((e as { message: string }).message) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
    });
  }

  static async attach(page: Page): Promise<DebugTargets> {
    const session = await page.context().newCDPSession(page);
    const t = new DebugTargets(session);
    await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    return t;
  }

  /** The one live worker's session id (throws when there is none or several). */
  workerSession(): string {
    const ids = [...this.workers.keys()];
    if (ids.length !== 1) throw new Error(`expected one attached worker, found ${ids.length}`);
    return ids[0]!;
  }

  /** Send a CDP command to a worker target. */
  toWorker<T>(sessionId: string, method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.page.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  }

  /** Full GC, then heap usage, of the page. */
  async pageHeap(): Promise<HeapUsage> {
    await this.page.send('HeapProfiler.collectGarbage');
    return this.page.send('Runtime.getHeapUsage') as Promise<HeapUsage>;
  }

  /** Full GC, then heap usage, of the worker. */
  async workerHeap(sessionId = this.workerSession()): Promise<HeapUsage> {
    await this.toWorker(sessionId, 'HeapProfiler.collectGarbage');
    return this.toWorker<HeapUsage>(sessionId, 'Runtime.getHeapUsage');
  }

  /**
   * Bytes of every live `WebAssembly.Memory` in the worker (ORT's heap lives there, outside the
   * JS heap figures), found with `Runtime.queryObjects` on the Memory prototype.
   */
  async workerWasmMemory(sessionId = this.workerSession()): Promise<{ count: number; bytes: number }> {
    type Remote = { result: { objectId?: string; value?: unknown } };
    const proto = await this.toWorker<Remote>(sessionId, 'Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
    const list = await this.toWorker<{ objects: { objectId: string } }>(sessionId, 'Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
    const sum = await this.toWorker<Remote>(sessionId, 'Runtime.callFunctionOn', {
      objectId: list.objects.objectId, returnByValue: true,
      functionDeclaration: 'function () { return { count: this.length, bytes: this.reduce((n, m) => n + m.buffer.byteLength, 0) }; }',
    });
    for (const id of [proto.result.objectId, list.objects.objectId]) {
      if (id) await this.toWorker(sessionId, 'Runtime.releaseObject', { objectId: id });
    }
    return sum.result.value as { count: number; bytes: number };
  }

  /** Worker targets the browser still knows (after `dispose()` there should be none). */
  async liveWorkerTargets(): Promise<string[]> {
    const { targetInfos } = await this.page.send('Target.getTargets') as { targetInfos: { type: string; url: string }[] };
    return targetInfos.filter((t) => t.type === 'worker').map((t) => t.url);
  }
}

/** mulberry32, the same PRNG the test models use: seeded, 32-bit, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Float32 data as base64 (compact for page.evaluate; decode in the page with atob). */
export function f32ToBase64(data: Float32Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}
