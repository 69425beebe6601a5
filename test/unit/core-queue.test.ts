/**
 * SerialQueue: one job at a time, in order; abort before start skips the job; abort while
 * running answers the caller at once but the queue still waits for the job.
 */
import { describe, expect, it } from 'vitest';
import { InpageError } from '../../src/errors.ts';
import { SerialQueue } from '../../src/scheduling/serial-queue.ts';
import { deferred, rejected, settledWithin } from './helpers/catch.ts';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SerialQueue', () => {
  it('runs jobs strictly one at a time, in the order they were added', async () => {
    const q = new SerialQueue();
    let running = 0;
    let maxRunning = 0;
    const order: number[] = [];
    const jobs = [30, 5, 20, 0, 10].map((ms, i) => q.add(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      order.push(i);
      await tick(ms);
      running--;
      return i * 10;
    }));
    expect(q.size).toBe(5);
    expect(await Promise.all(jobs)).toEqual([0, 10, 20, 30, 40]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(maxRunning).toBe(1);
    await tick();
    expect(q.size).toBe(0);
  });

  it('does not start a job before the previous one has settled', async () => {
    const q = new SerialQueue();
    const first = deferred<string>();
    let secondStarted = false;
    const a = q.add(() => first.promise);
    const b = q.add(async () => { secondStarted = true; return 'b'; });
    await tick(10);
    expect(secondStarted).toBe(false);
    first.resolve('a');
    expect(await a).toBe('a');
    expect(await b).toBe('b');
  });

  it('never runs a queued job aborted before its turn, and rejects it with ABORTED at once', async () => {
    const q = new SerialQueue();
    const first = deferred();
    let ran = false;
    const a = q.add(() => first.promise);
    const ctrl = new AbortController();
    const b = q.add(async () => { ran = true; }, ctrl.signal);
    const c = q.add(async () => 'c');
    ctrl.abort();
    // Answered while the first job is still running.
    expect(await settledWithin(b, 50)).toBe('rejected');
    expect((await rejected(b)).code).toBe('ABORTED');
    first.resolve();
    await a;
    expect(await c).toBe('c');
    expect(ran).toBe(false);
  });

  it('never runs a job whose signal was aborted before add', async () => {
    const q = new SerialQueue();
    let ran = false;
    const e = await rejected(q.add(async () => { ran = true; }, AbortSignal.abort()));
    expect(e.code).toBe('ABORTED');
    expect(ran).toBe(false);
  });

  it('passes an InpageError abort reason through as the rejection', async () => {
    const q = new SerialQueue();
    const gate = deferred();
    void q.add(() => gate.promise);
    const ctrl = new AbortController();
    const p = q.add(async () => 1, ctrl.signal);
    const reason = new InpageError('TIMEOUT', 'the caller gave up');
    ctrl.abort(reason);
    expect(await rejected(p)).toBe(reason);
    gate.resolve();
  });

  it("answers a running job's caller at once on abort, and the next job still waits for it", async () => {
    const q = new SerialQueue();
    const job = deferred<string>();
    let started = false;
    let finished = false;
    const ctrl = new AbortController();
    const a = q.add(async () => { started = true; const v = await job.promise; finished = true; return v; }, ctrl.signal);
    let nextStarted = false;
    const b = q.add(async () => { nextStarted = true; return 'next'; });
    await tick();
    expect(started).toBe(true);
    ctrl.abort();
    expect(await settledWithin(a, 50)).toBe('rejected');
    expect((await rejected(a)).code).toBe('ABORTED');
    // The aborted job is still running (WASM cannot be interrupted): the next must not overlap it.
    await tick(10);
    expect(nextStarted).toBe(false);
    job.resolve('late');
    expect(await b).toBe('next');
    expect(finished).toBe(true);
  });

  it('a throwing job rejects its own caller and does not block the next', async () => {
    const q = new SerialQueue();
    const boom = new Error('boom');
    const a = q.add(async () => { throw boom; });
    const s = q.add(() => { throw new Error('sync throw'); });
    const b = q.add(async () => 'after');
    await expect(a).rejects.toBe(boom);
    await expect(s).rejects.toThrow('sync throw');
    expect(await b).toBe('after');
    await tick();
    expect(q.size).toBe(0);
  });
});
