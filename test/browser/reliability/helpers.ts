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

/** What `DebugTargets.workerSnapshot` reports. */
export interface WorkerSnapshot {
  objectBytes: number;
  arrayBuffers: { count: number; totalBytes: number; largestBytes: number };
  byKind: Map<string, { count: number; bytes: number }>;
}

/** The kinds that grew most from `a` to `b` (for a failure message). */
export function topGrowth(a: WorkerSnapshot, b: WorkerSnapshot, n = 8): string[] {
  return [...b.byKind].map(([k, v]) => ({ k, bytes: v.bytes - (a.byKind.get(k)?.bytes ?? 0), count: v.count - (a.byKind.get(k)?.count ?? 0) }))
    .filter((d) => d.bytes > 0).sort((x, y) => y.bytes - x.bytes).slice(0, n).map((d) => `${d.k} +${d.bytes} B (+${d.count})`);
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
  private onEvent: ((method: string, params: unknown) => void) | undefined;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly workers = new Map<string, Attached>();

  private constructor(readonly page: CDPSession) {
    page.on('Target.attachedToTarget', (e) => {
      const a = e as unknown as Attached;
      if (a.targetInfo.type === 'worker') this.workers.set(a.sessionId, a);
    });
    page.on('Target.detachedFromTarget', (e) => { this.workers.delete((e as { sessionId: string }).sessionId); });
    page.on('Target.receivedMessageFromTarget', (e) => {
      const msg = JSON.parse((e as { message: string }).message) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) {
        if (msg.method) this.onEvent?.(msg.method, msg.params);
        return;
      }
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
   * A heap snapshot of the worker (which also forces a full GC), summarised:
   *  - `objectBytes`: JS objects, closures, arrays, strings, numbers — what a leak grows; compiled
   *    code, object shapes and native backing stores are left out (tier-up keeps adding code for
   *    thousands of runs: seen as InstructionStream/TrustedByteArray growth with no object growth);
   *  - `arrayBuffers`: array-buffer backing stores ('system / JSArrayBufferData'), which are not in
   *    `usedSize`; ORT's WebAssembly.Memory is the largest of them. (`Runtime.queryObjects` on
   *    WebAssembly.Memory.prototype would be direct, but in a worker target it never answers and
   *    the target detaches — seen with Chromium 156.)
   *  - `byKind`: `type:name` → { count, bytes }, for diagnosing growth.
   */
  async workerSnapshot(sessionId = this.workerSession()): Promise<WorkerSnapshot> {
    const chunks: string[] = [];
    this.onEvent = (method, params) => {
      if (method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push((params as { chunk: string }).chunk);
    };
    try {
      await this.toWorker(sessionId, 'HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    } finally {
      this.onEvent = undefined;
    }
    const snap = JSON.parse(chunks.join('')) as {
      snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[];
    };
    const fields = snap.snapshot.meta.node_fields;
    const [iType, iName, iSize] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
    const types = snap.snapshot.meta.node_types[0];
    const OBJECT_TYPES = new Set(['object', 'closure', 'array', 'string', 'concatenated string', 'sliced string', 'number', 'regexp', 'symbol', 'bigint']);
    const out: WorkerSnapshot = { objectBytes: 0, arrayBuffers: { count: 0, totalBytes: 0, largestBytes: 0 }, byKind: new Map() };
    for (let i = 0; i < snap.nodes.length; i += fields.length) {
      const type = types[snap.nodes[i + iType]!]!;
      const name = snap.strings[snap.nodes[i + iName]!]!;
      const size = snap.nodes[i + iSize]!;
      if (OBJECT_TYPES.has(type)) out.objectBytes += size;
      if (type === 'native' && name === 'system / JSArrayBufferData') {
        out.arrayBuffers.count++;
        out.arrayBuffers.totalBytes += size;
        out.arrayBuffers.largestBytes = Math.max(out.arrayBuffers.largestBytes, size);
      }
      const key = `${type}:${name.slice(0, 80)}`;
      const e = out.byKind.get(key) ?? { count: 0, bytes: 0 };
      e.count++;
      e.bytes += size;
      out.byKind.set(key, e);
    }
    return out;
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
