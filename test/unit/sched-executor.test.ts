/**
 * The executor in front of ORT: one job at a time; runs before load steps; loads take turns
 * oldest first; a load step that has waited long enough goes before runs; a queued job whose
 * signal fires never starts; a failing job does not block the next.
 */
import { describe, expect, it } from 'vitest';
import { Executor } from '../../src/scheduling/executor.ts';
import { deferred, rejected } from './helpers/catch.ts';

/** A job that records its start and end in `log` and finishes when `gate` resolves. */
function job(log: string[], name: string, gate?: Promise<void>): () => Promise<string> {
  return async () => {
    log.push(`start ${name}`);
    await (gate ?? Promise.resolve());
    log.push(`end ${name}`);
    return name;
  };
}

describe('Executor', () => {
  it('runs one job at a time', async () => {
    const ex = new Executor();
    const log: string[] = [];
    const g = deferred();
    const a = ex.add('run', job(log, 'a', g.promise));
    const b = ex.add('run', job(log, 'b'));
    await Promise.resolve();
    expect(log).toEqual(['start a']);
    g.resolve();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('gives runs their turn before waiting load steps, so a model answers while another loads', async () => {
    const ex = new Executor();
    const log: string[] = [];
    const g = deferred();
    const first = ex.add({ load: 1 }, job(log, 'build', g.promise));
    const steps = [ex.add({ load: 1 }, job(log, 'warm-up')), ex.add({ load: 1 }, job(log, 'measure'))];
    const runs = [ex.add('run', job(log, 'run1')), ex.add('run', job(log, 'run2'))];
    g.resolve();
    await Promise.all([first, ...steps, ...runs]);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start build', 'start run1', 'start run2', 'start warm-up', 'start measure']);
  });

  it('finishes the older load first: three loads started together do not all finish at the end', async () => {
    const ex = new Executor();
    const log: string[] = [];
    const g = deferred();
    const blocker = ex.add('run', job(log, 'busy', g.promise));
    // Each load queues its steps as the previous one finishes, interleaved with the others.
    const load = async (n: number): Promise<void> => {
      for (const step of ['build', 'warm', 'measure']) await ex.add({ load: n }, job(log, `${step}${n}`));
    };
    const loads = [load(1), load(2), load(3)];
    g.resolve();
    await Promise.all([blocker, ...loads]);
    const order = log.filter((l) => l.startsWith('end') && l !== 'end busy').map((l) => l.slice(4));
    expect(order.indexOf('measure1')).toBeLessThan(order.indexOf('build2'));
    expect(order.indexOf('measure2')).toBeLessThan(order.indexOf('build3'));
  });

  it('a load step that has waited loadAgeMs goes before runs (a stream of runs never starves a load)', async () => {
    let now = 0;
    const ex = new Executor({ loadAgeMs: 100, now: () => now });
    const log: string[] = [];
    const g = deferred();
    const busy = ex.add('run', job(log, 'busy', g.promise));
    const load = ex.add({ load: 1 }, job(log, 'build'));
    const run = ex.add('run', job(log, 'run'));
    now = 150; // the build step has now waited 150 ms
    g.resolve();
    await Promise.all([busy, load, run]);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start busy', 'start build', 'start run']);
  });

  it('never starts a queued step whose signal fired, and rejects it with ABORTED at once', async () => {
    const ex = new Executor();
    const log: string[] = [];
    const g = deferred();
    const busy = ex.add('run', job(log, 'busy', g.promise));
    const ctrl = new AbortController();
    const step = ex.add({ load: 1, signal: ctrl.signal }, job(log, 'build'));
    ctrl.abort();
    expect((await rejected(step)).code).toBe('ABORTED');
    g.resolve();
    await busy;
    expect(log).toEqual(['start busy', 'end busy']);
    expect((await rejected(ex.add({ load: 2, signal: AbortSignal.abort() }, job(log, 'never')))).code).toBe('ABORTED');
  });

  it('answers a running step\'s caller at once on abort, and the next job still waits for it', async () => {
    const ex = new Executor();
    const log: string[] = [];
    const g = deferred();
    const ctrl = new AbortController();
    const step = ex.add({ load: 1, signal: ctrl.signal }, job(log, 'build', g.promise));
    const next = ex.add('run', job(log, 'run'));
    await Promise.resolve();
    ctrl.abort();
    expect((await rejected(step)).code).toBe('ABORTED');
    expect(log).toEqual(['start build']);
    g.resolve();
    await next;
    expect(log).toEqual(['start build', 'end build', 'start run', 'end run']);
  });

  it('a throwing job rejects its own caller and does not block the next', async () => {
    const ex = new Executor();
    const bad = ex.add('run', () => { throw new Error('sync throw'); });
    const bad2 = ex.add('run', () => Promise.reject(new Error('async throw')));
    const good = ex.add('run', async () => 7);
    await expect(bad).rejects.toThrow('sync throw');
    await expect(bad2).rejects.toThrow('async throw');
    expect(await good).toBe(7);
    expect(ex.stats.runs).toBe(3);
  });
});
