/**
 * The page-side outbox: runs issued in one task travel together (one message for the calls
 * that go alone, one per stacked call); concurrent runs of a batching model are stacked into one
 * call per compatible group (up to maxBatch rows) and split back exactly; a failing stacked call is never re-sent (the worker answers per caller); aborted members are dropped.
 * The worker is a fake that sums each row, so every caller's answer can be checked.
 */
import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { RunOutbox, type PageBatching } from '../../src/client/run-outbox.ts';
import type { HostApi, PartsFromWorker, Reply, RunFromWorker, RunToWorker } from '../../src/protocol.ts';
import { batchLayout } from '../../src/scheduling/batch-tensors.ts';
import type { Tensors } from '../../src/tensor.ts';

const POISON = 666;

function batching(maxBatch = 64): PageBatching {
  const layout = batchLayout(
    [{ name: 'x', type: 'float32', dims: ['batch', 'd'] }, { name: 'k', type: 'int64', dims: [1] }],
    [{ name: 'sum', type: 'float32', dims: ['batch', 1] }],
  );
  if (typeof layout === 'string') throw new Error(layout);
  return { layout, maxBatch };
}

/** `rows` rows of width d, every value `id` (a row of POISON makes the fake model throw). */
function feeds(id: number, rows = 1, d = 2, k = 3): Tensors {
  return { x: { type: 'float32', dims: [rows, d], data: new Float32Array(rows * d).fill(id) }, k: { type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(k)) } };
}

/** A fake worker: answers each call with the row sums of x (× k), records what it was sent. */
function fakeRemote() {
  const messages: RunToWorker[][] = [];
  const aborted: number[] = [];
  const remote = {
    runMany: async (calls: RunToWorker[]): Promise<Reply<RunFromWorker | PartsFromWorker>[]> => {
      messages.push(calls);
      await Promise.resolve();
      return calls.map((c) => {
        const x = c.feeds['x']!;
        const [rows = 0, d = 0] = x.dims;
        const xs = x.data as Float32Array;
        if (xs.includes(POISON) && c.members !== undefined) {
          // Like the worker's batcher: the group's run failed, so each caller's rows ran alone.
          const k = Number((c.feeds['k']!.data as BigInt64Array)[0]);
          let row = 0;
          const parts = c.members.map((n) => {
            const own = xs.subarray(row * d, (row + n) * d);
            row += n;
            if (own.includes(POISON)) return { ok: false as const, error: { code: 'RUN_FAILED' as const, message: 'poisoned row' } };
            const sum = new Float32Array(n);
            for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) sum[r]! += own[r * d + j]! * k;
            return { ok: true as const, value: { sum: { type: 'float32' as const, dims: [n, 1], data: sum } } };
          });
          return { ok: true, value: { parts, backend: 'wasm', timing: { queuedMs: 0, computeMs: 1, batchSize: 1, batchRows: rows } } };
        }
        if (xs.includes(POISON)) return { ok: false, error: { code: 'RUN_FAILED', message: 'poisoned row' } };
        const k = Number((c.feeds['k']!.data as BigInt64Array)[0]);
        const sum = new Float32Array(rows);
        for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) sum[r]! += xs[r * d + j]! * k;
        // Like the worker: a call that asks gets its input buffers back once its run is over.
        const spent = c.returnInputs ? [xs.buffer as ArrayBuffer] : undefined;
        return { ok: true, value: { outputs: { sum: { type: 'float32', dims: [rows, 1], data: sum } }, backend: 'wasm', timing: { queuedMs: 0, computeMs: 1, batchSize: 1, batchRows: rows }, ...(spent ? { spent } : {}) } };
      });
    },
    abort: async (id: number) => { aborted.push(id); },
  };
  return { remote: remote as unknown as Remote<HostApi>, messages, aborted };
}

const sums = (r: Reply<RunFromWorker>): number[] => (r.ok ? Array.from(r.value.outputs['sum']!.data as Float32Array) : []);

describe('RunOutbox', () => {
  it('stacks concurrent calls of a batching model into one call and gives each caller its own rows', async () => {
    const w = fakeRemote();
    const box = new RunOutbox(w.remote);
    const b = batching();
    const replies = await Promise.all([1, 2, 3, 4].map((id) => box.submit({ callId: id, modelId: 'm', feeds: feeds(id, id) }, b)));
    expect(w.messages).toHaveLength(1);
    expect(w.messages[0]).toHaveLength(1);
    expect(w.messages[0]![0]!.feeds['x']!.dims).toEqual([10, 2]);
    replies.forEach((r, i) => {
      const id = i + 1;
      expect(sums(r)).toEqual(Array.from({ length: id }, () => id * 2 * 3));
      expect(r.ok && r.value.timing.batchSize).toBe(4);
    });
  });

  it('keeps groups apart by model, trailing shape and shared value, and caps a group at maxBatch rows', async () => {
    const w = fakeRemote();
    const box = new RunOutbox(w.remote);
    const b = batching(4);
    const calls = [
      box.submit({ callId: 1, modelId: 'm', feeds: feeds(1, 2) }, b),
      box.submit({ callId: 2, modelId: 'm', feeds: feeds(2, 2) }, b),
      box.submit({ callId: 3, modelId: 'm', feeds: feeds(3, 1) }, b), // over maxBatch 4: next group
      box.submit({ callId: 4, modelId: 'm', feeds: feeds(4, 1, 2, 5) }, b), // k differs
      box.submit({ callId: 5, modelId: 'm', feeds: feeds(5, 1, 3) }, b), // width differs
      box.submit({ callId: 6, modelId: 'other', feeds: feeds(6, 1) }, b),
      box.submit({ callId: 7, modelId: 'm', feeds: feeds(7, 1) }), // no batching: alone
      box.submit({ callId: 8, modelId: 'm', feeds: feeds(8, 1) }, b), // joins call 3
    ];
    const replies = await Promise.all(calls);
    // {1,2} filled maxBatch and left at once, in a message of its own; at the end of the task
    // the calls that go alone share one message, and the unfinished group {3,8} leaves in its own.
    expect(w.messages.map((m) => m.map((c) => c.callId).sort((a, c) => a - c))).toEqual([[-1], [4, 5, 6, 7], [-2]]);
    const sent = w.messages.flat();
    expect(sent.map((c) => c.feeds['x']!.dims[0]!).sort((a, c) => a - c)).toEqual([1, 1, 1, 1, 2, 4]); // {1,2}, {3,8}, {4}, {5}, {6}, {7}
    expect(Math.max(...sent.map((c) => c.feeds['x']!.dims[0]!))).toBeLessThanOrEqual(4);
    const want = [[6, 6], [12, 12], [18], [40], [45], [36], [42], [48]];
    replies.forEach((r, i) => expect(sums(r), `call ${i + 1}`).toEqual(want[i]));
  });

  it('sends a group the moment it reaches maxBatch, while the burst is still being submitted', async () => {
    const w = fakeRemote();
    const box = new RunOutbox(w.remote);
    const b = batching(2);
    const calls = [box.submit({ callId: 1, modelId: 'm', feeds: feeds(1) }, b), box.submit({ callId: 2, modelId: 'm', feeds: feeds(2) }, b)];
    expect(w.messages).toHaveLength(1); // no microtask has run yet: it left inside submit()
    calls.push(box.submit({ callId: 3, modelId: 'm', feeds: feeds(3) }, b));
    expect(w.messages).toHaveLength(1); // call 3 waits for company until the end of the task
    const replies = await Promise.all(calls);
    expect(w.messages.map((m) => m.map((c) => c.callId))).toEqual([[-1], [3]]);
    expect(replies.map(sums)).toEqual([[6], [12], [18]]);
  });

  it('stacks the next group into the input buffer the worker handed back (large ones only), overwriting every row', async () => {
    const w = fakeRemote();
    const box = new RunOutbox(w.remote);
    const b = batching();
    const wide = 20_000; // 80 KB a row: two rows stack into 160 KB, worth reusing
    const burst = (ids: number[], d: number) => Promise.all(ids.map((id) => box.submit({ callId: id, modelId: 'm', feeds: feeds(id, 1, d) }, b)));
    await burst([1, 2], wide);
    const sent = (i: number) => w.messages[i]![0]!;
    expect(sent(0).returnInputs).toBe(true);
    const reused = sent(0).feeds['x']!.data.buffer;
    const again = await burst([5, 7], wide);
    expect(sent(1).feeds['x']!.data.buffer).toBe(reused);
    expect(again.map(sums)).toEqual([[5 * wide * 3], [7 * wide * 3]]); // no row of the first burst left
    await burst([3, 4], 2); // small: a fresh buffer
    expect(sent(2).feeds['x']!.data.buffer).not.toBe(reused);
  });

  it('never re-sends a failing stacked call: it carries each caller\'s rows, and the per-caller answers reach only their callers', async () => {
    const w = fakeRemote();
    const box = new RunOutbox(w.remote);
    const b = batching();
    const replies = await Promise.all([1, POISON, 3].map((id, i) => box.submit({ callId: i + 1, modelId: 'm', feeds: feeds(id) }, b)));
    expect(w.messages).toHaveLength(1);
    expect(w.messages[0]!.map((c) => c.members)).toEqual([[1, 1, 1]]);
    expect(sums(replies[0]!)).toEqual([6]);
    expect(replies[1]).toMatchObject({ ok: false, error: { code: 'RUN_FAILED' } });
    expect(sums(replies[2]!)).toEqual([18]);
  });

  it('does not retry failures of the whole call (the worker crashed, the model was disposed)', async () => {
    const w = fakeRemote();
    const box = new RunOutbox({ runMany: async (calls: RunToWorker[]) => { w.messages.push(calls); return calls.map(() => ({ ok: false, error: { code: 'DISPOSED', message: 'gone' } })); } } as unknown as Remote<HostApi>);
    const replies = await Promise.all([1, 2].map((id) => box.submit({ callId: id, modelId: 'm', feeds: feeds(id) }, batching())));
    expect(w.messages).toHaveLength(1);
    replies.forEach((r) => expect(r).toMatchObject({ ok: false, error: { code: 'DISPOSED' } }));
  });

  it('withdraws a queued call before it leaves; a stacked member in flight is dropped, and the stacked call aborted once all are gone', async () => {
    const w = fakeRemote();
    const box = new RunOutbox(w.remote);
    const b = batching();
    const p1 = box.submit({ callId: 1, modelId: 'm', feeds: feeds(1) }, b);
    void box.submit({ callId: 2, modelId: 'm', feeds: feeds(2) }, b);
    expect(box.withdraw(2)).toBe(true); // still queued: never sent
    void box.submit({ callId: 3, modelId: 'm', feeds: feeds(3) }, b);
    await Promise.resolve();
    expect(w.messages[0]!.map((c) => c.feeds['x']!.dims[0])).toEqual([2]); // calls 1 and 3
    const groupId = w.messages[0]![0]!.callId;
    expect(box.withdraw(3)).toBe(true);
    expect(w.aborted).toEqual([]);
    expect(box.withdraw(1)).toBe(true);
    expect(w.aborted).toEqual([groupId]);
    await p1;
    expect(box.withdraw(99)).toBe(false);
  });

  it('a lone call travels as it is (its buffers transferred, not copied)', async () => {
    const w = fakeRemote();
    const box = new RunOutbox(w.remote);
    const f = feeds(5);
    const r = await box.submit({ callId: 1, modelId: 'm', feeds: f }, batching());
    expect(w.messages[0]![0]!.callId).toBe(1);
    expect(w.messages[0]![0]!.feeds).toBe(f);
    expect(sums(r)).toEqual([30]);
  });

  it('a transport failure rejects every call in the message', async () => {
    const box = new RunOutbox({ runMany: async () => { throw new Error('port closed'); } } as unknown as Remote<HostApi>);
    const settled = await Promise.allSettled([1, 2, 3].map((id) => box.submit({ callId: id, modelId: 'm', feeds: feeds(id) }, id === 3 ? undefined : batching())));
    settled.forEach((s) => expect(s.status).toBe('rejected'));
  });
});
