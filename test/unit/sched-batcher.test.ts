/**
 * Batcher: concurrent requests merge into one run, each caller gets exactly its own rows, runs
 * never overlap, maxBatch holds, abort and a failing batch-mate sink only their own caller.
 * The "model" is a fake sum-per-row over float32 [rows, d] with an artificial async delay.
 */
import { describe, expect, it } from 'vitest';
import { InpageError } from '../../src/errors.ts';
import { batchLayout, type BatchLayout } from '../../src/scheduling/batch-tensors.ts';
import type { RunTiming } from '../../src/scheduling/batcher.ts';
import { tensorBatcher } from '../../src/scheduling/tensor-policy.ts';
import type { Tensor, Tensors } from '../../src/tensor.ts';
import { deferred, rejected, settledWithin } from './helpers/catch.ts';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

const POISON = 666;

/** The layout of the fake model: x [batch, d] → sum [batch, 1]. */
function layout(): BatchLayout {
  const l = batchLayout([{ name: 'x', type: 'float32', dims: ['batch', 'd'] }], [{ name: 'sum', type: 'float32', dims: ['batch', 1] }]);
  if (typeof l === 'string') throw new Error(l);
  return l;
}

/** A request of `rows` rows of width `d`; row r of request `id` is [id*100 + r, 1, 1, …]. */
function request(id: number, rows: number, d = 4): Tensors {
  const data = new Float32Array(rows * d).fill(1);
  for (let r = 0; r < rows; r++) data[r * d] = id * 100 + r;
  return { x: { type: 'float32', dims: [rows, d], data } };
}

/** What the model must answer for `request(id, rows, d)`. */
function expectedSums(id: number, rows: number, d = 4): number[] {
  return Array.from({ length: rows }, (_, r) => id * 100 + r + (d - 1));
}

interface FakeModel {
  run: (feeds: Tensors) => Promise<Tensors>;
  /** The `x` of each run, in call order. */
  calls: Tensor[];
  maxConcurrent: number;
  /** Resolves when the n-th run (1-based) starts. */
  started: (n: number) => Promise<void>;
  /** When set, each run awaits this before answering. */
  gate: Promise<void> | undefined;
}

function fakeModel(delayMs = 3): FakeModel {
  let concurrent = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const m: FakeModel = {
    calls: [],
    maxConcurrent: 0,
    gate: undefined,
    started: (n) => (m.calls.length >= n ? Promise.resolve() : new Promise((resolve) => { waiters.push({ n, resolve }); })),
    run: async (feeds) => {
      concurrent++;
      m.maxConcurrent = Math.max(m.maxConcurrent, concurrent);
      try {
        const x = feeds['x']!;
        m.calls.push(x);
        for (const w of waiters.filter((w) => w.n <= m.calls.length)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
        await tick(delayMs);
        if (m.gate) await m.gate;
        const [rows = 0, d = 0] = x.dims;
        const xs = x.data as Float32Array;
        if (xs.includes(POISON)) throw new Error('poisoned input');
        const sum = new Float32Array(rows);
        for (let r = 0; r < rows; r++) for (let k = 0; k < d; k++) sum[r]! += xs[r * d + k]!;
        return { sum: { type: 'float32', dims: [rows, 1], data: sum } };
      } finally {
        concurrent--;
      }
    },
  };
  return m;
}

const sums = (r: { output: Tensors }): number[] => Array.from(r.output['sum']!.data as Float32Array);
const rowsOfCall = (x: Tensor): number => x.dims[0] ?? 0;
/** The ids (first value of each row / 100, rounded down) present in a run's input. */
const idsIn = (x: Tensor): number[] => {
  const [rows = 0, d = 0] = x.dims;
  const xs = x.data as Float32Array;
  return [...new Set(Array.from({ length: rows }, (_, r) => Math.floor(xs[r * d]! / 100)))];
};

describe('Batcher: merging', () => {
  it('merges concurrent submits into fewer runs; each caller gets exactly its own rows', async () => {
    const m = fakeModel();
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    expect(b.enabled).toBe(true);
    const rows = [1, 3, 2, 1, 2, 3, 1, 1, 2, 3];
    const results = await Promise.all(rows.map((n, id) => b.submit(request(id, n))));

    results.forEach((res, id) => {
      expect(res.output['sum']!.dims).toEqual([rows[id], 1]);
      expect(sums(res)).toEqual(expectedSums(id, rows[id]!));
    });
    expect(m.calls.length).toBeLessThan(rows.length);
    expect(m.maxConcurrent).toBe(1);
    expect(Math.max(...results.map((r) => r.timing.batchSize))).toBeGreaterThan(1);
    // Every submitted row ran exactly once.
    expect(m.calls.reduce((n, x) => n + rowsOfCall(x), 0)).toBe(rows.reduce((a, c) => a + c, 0));
    expect(b.waiting).toBe(0);
  });

  it('reports timing: batchSize and batchRows of the shared run, non-negative times', async () => {
    const m = fakeModel(5);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const results = await Promise.all([b.submit(request(0, 2)), b.submit(request(1, 1)), b.submit(request(2, 3))]);
    expect(m.calls).toHaveLength(1);
    for (const r of results) {
      expect(r.timing).toMatchObject<Partial<RunTiming>>({ batchSize: 3, batchRows: 6 });
      expect(r.timing.queuedMs).toBeGreaterThanOrEqual(0);
      expect(r.timing.computeMs).toBeGreaterThanOrEqual(4); // the fake model sleeps 5 ms
    }
  });

  it('a lone request runs alone without waiting the whole window', async () => {
    const m = fakeModel(0);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 500 });
    const t0 = performance.now();
    const r = await b.submit(request(7, 2));
    expect(performance.now() - t0).toBeLessThan(250);
    expect(sums(r)).toEqual(expectedSums(7, 2));
    expect(r.timing.batchSize).toBe(1);
  });

  /** Submits after one task-queue turn, the way a second page task's message would arrive. */
  const nextTask = (): Promise<void> => new Promise((r) => { const ch = new MessageChannel(); ch.port1.onmessage = () => { ch.port1.close(); r(); }; ch.port2.postMessage(0); });

  it('a caller that never overlapped does not wait a turn: a request in a later task runs separately', async () => {
    const m = fakeModel(0);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 50 });
    const first = b.submit(request(1, 1));
    await nextTask();
    const second = b.submit(request(2, 1));
    const [r1, r2] = await Promise.all([first, second]);
    expect(r1.timing.batchSize).toBe(1);
    expect(sums(r2)).toEqual(expectedSums(2, 1));
  });

  it('once callers overlap, an idle session waits for companions from later tasks (within maxWaitMs)', async () => {
    const m = fakeModel(0);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 50 });
    await Promise.all([b.submit(request(1, 1)), b.submit(request(2, 1))]); // an overlap
    const first = b.submit(request(3, 1));
    await nextTask();
    const second = b.submit(request(4, 1));
    const [r1, r2] = await Promise.all([first, second]);
    expect(r1.timing.batchSize).toBe(2);
    expect(sums(r1)).toEqual(expectedSums(3, 1));
    expect(sums(r2)).toEqual(expectedSums(4, 1));
  });

  it('requests arriving while a run is in progress go together in the next run', async () => {
    const m = fakeModel();
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 5 });
    const gate = deferred();
    m.gate = gate.promise;
    const first = b.submit(request(0, 1));
    await m.started(1);
    const later = [1, 2, 3, 4].map((id) => b.submit(request(id, 1)));
    expect(b.waiting).toBe(4);
    gate.resolve();
    const all = await Promise.all([first, ...later]);
    all.forEach((r, id) => expect(sums(r)).toEqual(expectedSums(id, 1)));
    expect(m.calls).toHaveLength(2);
    expect(idsIn(m.calls[1]!)).toEqual([1, 2, 3, 4]);
    expect(m.maxConcurrent).toBe(1);
  });

  it('respects maxBatch: no run has more rows than maxBatch, and all rows are answered', async () => {
    const m = fakeModel(1);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20, maxBatch: 4 });
    const rows = [1, 3, 2, 1, 2, 3, 1, 1, 2, 3, 2, 1];
    const results = await Promise.all(rows.map((n, id) => b.submit(request(id, n))));
    results.forEach((res, id) => expect(sums(res)).toEqual(expectedSums(id, rows[id]!)));
    for (const x of m.calls) expect(rowsOfCall(x)).toBeLessThanOrEqual(4);
    for (const r of results) expect(r.timing.batchRows).toBeLessThanOrEqual(4);
    expect(m.calls.reduce((n, x) => n + rowsOfCall(x), 0)).toBe(rows.reduce((a, c) => a + c, 0));
    expect(m.calls.length).toBeLessThan(rows.length);
    expect(m.maxConcurrent).toBe(1);
  });

  it('still runs a single request larger than maxBatch (alone)', async () => {
    const m = fakeModel(1);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20, maxBatch: 2 });
    const [big, small] = await Promise.all([b.submit(request(1, 5)), b.submit(request(2, 1))]);
    expect(sums(big)).toEqual(expectedSums(1, 5));
    expect(sums(small)).toEqual(expectedSums(2, 1));
    expect(m.calls.map(rowsOfCall)).toEqual([5, 1]);
  });
});

describe('Batcher: batching off', () => {
  for (const [label, make] of [
    ['maxWaitMs: 0', (run: FakeModel['run']) => tensorBatcher(run, layout(), { maxWaitMs: 0 })],
    ['maxBatch: 1', (run: FakeModel['run']) => tensorBatcher(run, layout(), { maxBatch: 1 })],
    ['no layout', (run: FakeModel['run']) => tensorBatcher(run, undefined)],
  ] as const) {
    it(`${label}: one request per run, first in first out, never overlapping`, async () => {
      const m = fakeModel(1);
      const b = make(m.run);
      expect(b.enabled).toBe(false);
      const rows = [2, 1, 3, 1, 2];
      const results = await Promise.all(rows.map((n, id) => b.submit(request(id, n))));
      results.forEach((res, id) => {
        expect(sums(res)).toEqual(expectedSums(id, rows[id]!));
        expect(res.timing.batchSize).toBe(1);
        expect(res.timing.batchRows).toBe(rows[id]);
      });
      expect(m.calls.map((x) => idsIn(x))).toEqual([[0], [1], [2], [3], [4]]);
      expect(m.maxConcurrent).toBe(1);
    });
  }
});

describe('Batcher: abort', () => {
  it('an already-aborted signal rejects with ABORTED and never runs', async () => {
    const m = fakeModel();
    const b = tensorBatcher(m.run, layout());
    const e = await rejected(b.submit(request(0, 1), AbortSignal.abort()));
    expect(e.code).toBe('ABORTED');
    await tick(10);
    expect(m.calls).toHaveLength(0);
  });

  it('aborting queued callers rejects only them; their rows never reach the model', async () => {
    const m = fakeModel();
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const ctrls = [0, 1, 2, 3, 4].map(() => new AbortController());
    const ps = ctrls.map((c, id) => b.submit(request(id, 2), c.signal));
    ctrls[1]!.abort();
    ctrls[3]!.abort();
    const settled = await Promise.allSettled(ps);
    for (const id of [0, 2, 4]) {
      const s = settled[id]!;
      expect(s.status).toBe('fulfilled');
      if (s.status === 'fulfilled') expect(sums(s.value)).toEqual(expectedSums(id, 2));
    }
    for (const id of [1, 3]) {
      const s = settled[id]!;
      expect(s.status).toBe('rejected');
      if (s.status === 'rejected') {
        expect(s.reason).toBeInstanceOf(InpageError);
        expect((s.reason as InpageError).code).toBe('ABORTED');
      }
    }
    const ran = m.calls.flatMap(idsIn);
    expect(ran.sort()).toEqual([0, 2, 4]);
  });

  it('aborting a caller while its batch runs rejects it at once; batch-mates still resolve correctly', async () => {
    const m = fakeModel();
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const gate = deferred();
    m.gate = gate.promise;
    const ctrls = [0, 1, 2].map(() => new AbortController());
    const ps = ctrls.map((c, id) => b.submit(request(id, id + 1), c.signal));
    await m.started(1);
    expect(m.calls).toHaveLength(1);
    expect(idsIn(m.calls[0]!)).toEqual([0, 1, 2]); // all three are in the running batch
    ctrls[1]!.abort();
    // Rejected while the run is still held by the gate.
    expect(await settledWithin(ps[1]!, 50)).toBe('rejected');
    expect((await rejected(ps[1]!)).code).toBe('ABORTED');
    expect(await settledWithin(ps[0]!, 5)).toBe('pending');
    gate.resolve();
    expect(sums(await ps[0]!)).toEqual(expectedSums(0, 1));
    expect(sums(await ps[2]!)).toEqual(expectedSums(2, 3));
    expect(m.calls).toHaveLength(1);
  });

  it('aborting everything queued leaves the batcher usable', async () => {
    const m = fakeModel();
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const c = new AbortController();
    const ps = [b.submit(request(0, 1), c.signal), b.submit(request(1, 1), c.signal)];
    c.abort();
    for (const p of ps) expect((await rejected(p)).code).toBe('ABORTED');
    const r = await b.submit(request(2, 2));
    expect(sums(r)).toEqual(expectedSums(2, 2));
    expect(m.calls.flatMap(idsIn)).toEqual([2]);
  });

  it('an InpageError abort reason (e.g. a timeout) is passed through as is', async () => {
    const m = fakeModel();
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const c = new AbortController();
    const p = b.submit(request(0, 1), c.signal);
    c.abort(new InpageError('TIMEOUT', 'run took too long'));
    expect((await rejected(p)).code).toBe('TIMEOUT');
  });
});

describe('Batcher: failures', () => {
  it('a batch that throws is retried per request, so only the poisoned request fails', async () => {
    const m = fakeModel(1);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const reqs = [request(0, 2), request(1, 1), request(2, 3), request(3, 1)];
    (reqs[2]!['x']!.data as Float32Array)[5] = POISON;
    const settled = await Promise.allSettled(reqs.map((f) => b.submit(f)));
    for (const id of [0, 1, 3]) {
      const s = settled[id]!;
      expect(s.status).toBe('fulfilled');
      if (s.status === 'fulfilled') {
        expect(sums(s.value)).toEqual(expectedSums(id, id === 0 ? 2 : 1));
        expect(s.value.timing.batchSize).toBe(1); // answered by the solo retry
      }
    }
    const bad = settled[2]!;
    expect(bad.status).toBe('rejected');
    if (bad.status === 'rejected') expect(String((bad.reason as Error).message)).toContain('poisoned');
    // One failed batch run, then one solo run each.
    expect(m.calls).toHaveLength(1 + reqs.length);
    expect(rowsOfCall(m.calls[0]!)).toBe(7);
    expect(m.maxConcurrent).toBe(1);
  });

  it('a non-Error thrown by the run reaches the caller as RUN_FAILED', async () => {
    const b = tensorBatcher(() => Promise.reject('ort said no'), layout());
    const e = await rejected(b.submit(request(0, 1)));
    expect(e.code).toBe('RUN_FAILED');
    expect(e.message).toContain('ort said no');
  });

  it('keeps serving after a failed run', async () => {
    const m = fakeModel(1);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const poison = request(0, 1);
    (poison['x']!.data as Float32Array)[0] = POISON;
    await expect(b.submit(poison)).rejects.toThrow('poisoned');
    const r = await b.submit(request(4, 2));
    expect(sums(r)).toEqual(expectedSums(4, 2));
  });
});

describe('Batcher: incompatible shapes', () => {
  it('does not merge requests of different trailing dims, but answers all of them', async () => {
    const m = fakeModel(1);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const specs: [id: number, rows: number, d: number][] = [[0, 1, 4], [1, 2, 3], [2, 2, 4], [3, 1, 3], [4, 1, 5]];
    const results = await Promise.all(specs.map(([id, rows, d]) => b.submit(request(id, rows, d))));
    results.forEach((res, i) => {
      const [id, rows, d] = specs[i]!;
      expect(res.output['sum']!.dims).toEqual([rows, 1]);
      expect(sums(res)).toEqual(expectedSums(id, rows, d));
    });
    // One run per width, each holding only that width's requests.
    expect(m.calls).toHaveLength(3);
    const byWidth = new Map(m.calls.map((x) => [x.dims[1], idsIn(x).sort()]));
    expect(byWidth).toEqual(new Map([[4, [0, 2]], [3, [1, 3]], [5, [4]]]));
    expect(m.maxConcurrent).toBe(1);
  });
});

/** Rows of several callers stacked into one request, as the page stacks a group. */
function group(ids: number[], rows: number[]): Tensors {
  const parts = ids.map((id, i) => request(id, rows[i]!)['x']!.data as Float32Array);
  const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { data.set(p, at); at += p.length; }
  return { x: { type: 'float32', dims: [rows.reduce((a, b) => a + b, 0), 4], data } };
}

describe('Batcher: groups stacked by the page', () => {
  it('answers a group whole when its run succeeds, in one run', async () => {
    const m = fakeModel(1);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const a = await b.submitGroup(group([1, 2, 3], [2, 1, 1]), [2, 1, 1]);
    if (!('output' in a)) throw new Error('expected a whole answer');
    expect(sums(a)).toEqual([...expectedSums(1, 2), ...expectedSums(2, 1), ...expectedSums(3, 1)]);
    expect(m.calls).toHaveLength(1);
  });

  it('isolates a failing group by its callers\' rows: only the culprit fails, with the rows it owns', async () => {
    const m = fakeModel(1);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const g = group([1, 2, 3], [2, 1, 2]);
    (g['x']!.data as Float32Array)[2 * 4 + 1] = POISON; // in caller 2's row
    const a = await b.submitGroup(g, [2, 1, 2]);
    if (!('parts' in a)) throw new Error('expected per-caller parts');
    expect(a.parts.map((p) => p.ok)).toEqual([true, false, true]);
    const own = (i: number): number[] => { const p = a.parts[i]!; return p.ok ? Array.from(p.output['sum']!.data as Float32Array) : []; };
    expect(own(0)).toEqual(expectedSums(1, 2));
    expect(own(2)).toEqual(expectedSums(3, 2));
    const bad = a.parts[1]!;
    if (!bad.ok) expect(String((bad.error as Error).message)).toContain('poisoned');
    // The failed group run, then each caller's rows alone.
    expect(m.calls.map(rowsOfCall)).toEqual([5, 2, 1, 2]);
  });

  it('a group merged with other requests: a failure isolates the group per caller and the others per request', async () => {
    const m = fakeModel(1);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const g = group([1, 2], [1, 1]);
    (g['x']!.data as Float32Array)[4 + 2] = POISON; // caller 2
    const [ga, single] = await Promise.all([b.submitGroup(g, [1, 1]), b.submit(request(5, 1))]);
    expect(m.calls.map(rowsOfCall)).toEqual([3, 1, 1, 1]);
    if (!('parts' in ga)) throw new Error('expected per-caller parts');
    expect(ga.parts.map((p) => p.ok)).toEqual([true, false]);
    expect(sums(single)).toEqual(expectedSums(5, 1));
  });

  it('rejects members that do not add up to the rows with INPUT_INVALID, before running', async () => {
    const m = fakeModel(1);
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    for (const members of [[1, 1], [3, 0], [1.5, 1.5], []]) {
      const e = await rejected(b.submitGroup(group([1, 2], [2, 1]), members));
      expect(e.code).toBe('INPUT_INVALID');
    }
    expect(m.calls).toHaveLength(0);
  });

  it('close() rejects what is queued with its error and waits for the run in progress', async () => {
    const m = fakeModel(1);
    let open!: () => void;
    m.gate = new Promise((r) => { open = r; });
    const b = tensorBatcher(m.run, layout(), { maxWaitMs: 20 });
    const running = b.submit(request(1, 1));
    await m.started(1);
    const queued = b.submit(request(2, 1));
    let closed = false;
    const closing = b.close(new InpageError('DISPOSED', 'gone')).then(() => { closed = true; });
    expect((await rejected(queued)).code).toBe('DISPOSED');
    await tick(5);
    expect(closed).toBe(false); // the run in progress is not over
    open();
    await closing;
    expect(sums(await running)).toEqual(expectedSums(1, 1));
    expect((await rejected(b.submit(request(3, 1)))).code).toBe('DISPOSED');
  });
});
