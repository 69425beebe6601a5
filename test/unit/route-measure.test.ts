/**
 * Measured backend choice: the faster backend wins, near-ties go to the preferred one, verdict
 * keys separate what must not share a verdict, and measureSessions times both sessions
 * interleaved (fake clock: performance.now() is stubbed and each run advances it).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionHandle } from '../../src/backends/types.ts';
import { measureSessions, pickFaster, verdictKey } from '../../src/routing/measure.ts';
import type { Tensors } from '../../src/tensor.ts';
import type { BackendName } from '../../src/types.ts';

describe('pickFaster', () => {
  it('picks the clear winner whatever is preferred', () => {
    expect(pickFaster({ webgpu: 10, wasm: 5 }, 'webgpu')).toBe('wasm');
    expect(pickFaster({ webgpu: 10, wasm: 5 }, 'wasm')).toBe('wasm');
    expect(pickFaster({ webgpu: 2, wasm: 5 }, 'wasm')).toBe('webgpu');
  });

  it('gives a tie within 5 % to the preferred backend', () => {
    expect(pickFaster({ webgpu: 5.2, wasm: 5 }, 'webgpu')).toBe('webgpu');
    expect(pickFaster({ webgpu: 5, wasm: 5 }, 'webgpu')).toBe('webgpu');
    expect(pickFaster({ webgpu: 5, wasm: 5 }, 'wasm')).toBe('wasm');
    expect(pickFaster({ webgpu: 100, wasm: 104.9 }, 'wasm')).toBe('wasm');
  });

  it('just beyond 5 % the faster one wins', () => {
    expect(pickFaster({ webgpu: 5.3, wasm: 5 }, 'webgpu')).toBe('wasm');
    expect(pickFaster({ webgpu: 100, wasm: 105.1 }, 'wasm')).toBe('webgpu');
  });

  it('missing entries: nothing measured → preferred; preferred missing → the one measured', () => {
    expect(pickFaster({}, 'webgpu')).toBe('webgpu');
    expect(pickFaster({}, 'wasm')).toBe('wasm');
    expect(pickFaster({ wasm: 7 }, 'webgpu')).toBe('wasm');
    expect(pickFaster({ webgpu: 7 }, 'wasm')).toBe('webgpu');
    expect(pickFaster({ webgpu: 7 }, 'webgpu')).toBe('webgpu');
  });
});

describe('verdictKey', () => {
  const nv = { vendor: 'nvidia', architecture: 'ampere', description: 'RTX 3080' };

  it('is stable for the same inputs', () => {
    expect(verdictKey('ab12', nv, 4)).toBe(verdictKey('ab12', { ...nv }, 4));
  });

  it('differs per model hash, adapter (each field) and thread count', () => {
    const keys = [
      verdictKey('ab12', nv, 4),
      verdictKey('cd34', nv, 4),
      verdictKey('ab12', { ...nv, vendor: 'amd' }, 4),
      verdictKey('ab12', { ...nv, architecture: 'ada' }, 4),
      verdictKey('ab12', { ...nv, description: 'RTX 4090' }, 4),
      verdictKey('ab12', undefined, 4),
      verdictKey('ab12', nv, 1),
      verdictKey('ab12', undefined, 1),
      verdictKey('ab12', nv, 14),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('does not confuse thread counts that share digits', () => {
    expect(verdictKey('ab12', nv, 1)).not.toBe(verdictKey('ab12', nv, 11));
    expect(verdictKey('ab1', nv, 21)).not.toBe(verdictKey('ab12', nv, 1));
  });
});

/** A fake clock: performance.now() returns `clock.now`; runs advance it. */
const clock = { now: 0 };

afterEach(() => {
  vi.restoreAllMocks();
});

function useFakeClock(): void {
  clock.now = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => clock.now);
}

/**
 * A session whose n-th run (0-based, all runs counted) takes `ms(n)` of fake time, and which
 * records itself in `log` when it runs.
 */
function fakeSession(backend: BackendName, ms: (n: number) => number, log: string[]): SessionHandle & { feedsSeen: Tensors[] } {
  let n = 0;
  const feedsSeen: Tensors[] = [];
  return {
    backend,
    inputs: [],
    outputs: [],
    feedsSeen,
    run: async (feeds) => {
      feedsSeen.push(feeds);
      log.push(backend);
      await Promise.resolve();
      clock.now += ms(n++);
      return {};
    },
    release: () => Promise.resolve(),
  };
}

const feeds = (): Tensors => ({ x: { type: 'float32', dims: [1, 1], data: new Float32Array(1) } });

describe('measureSessions (fake clock)', () => {
  it('reports each backend\'s median, the slower one higher', async () => {
    useFakeClock();
    const log: string[] = [];
    const a = fakeSession('webgpu', () => 2, log);
    const b = fakeSession('wasm', () => 5, log);
    const res = await measureSessions(a, b, feeds);
    expect(res.medians).toEqual({ webgpu: 2, wasm: 5 });
    expect(pickFaster(res.medians, 'webgpu')).toBe('webgpu');
  });

  it('leaves warm-up out of the medians and takes the median of the timed runs only', async () => {
    useFakeClock();
    const log: string[] = [];
    // Call 0 = warm-up (very slow: compilation), call 1 = calibration, then 5 timed runs.
    const aTimes = [1000, 5, 3, 1, 2, 100, 4];
    const bTimes = [2000, 5, 10, 20, 30, 40, 1000];
    const a = fakeSession('webgpu', (n) => aTimes[n]!, log);
    const b = fakeSession('wasm', (n) => bTimes[n]!, log);
    const res = await measureSessions(a, b, feeds, { minRuns: 5, maxRuns: 5 });
    expect(res.runs).toBe(5);
    expect(res.medians).toEqual({ webgpu: 3, wasm: 30 });
  });

  it('averages the middle two for an even number of runs', async () => {
    useFakeClock();
    const log: string[] = [];
    const aTimes = [50, 5, 1, 2, 3, 100];
    const bTimes = [50, 5, 8, 6, 7, 9];
    const res = await measureSessions(fakeSession('webgpu', (n) => aTimes[n]!, log), fakeSession('wasm', (n) => bTimes[n]!, log), feeds, { minRuns: 4, maxRuns: 4 });
    expect(res.runs).toBe(4);
    expect(res.medians).toEqual({ webgpu: 2.5, wasm: 7.5 });
  });

  it('chooses the run count from the slower side\'s calibration and the budget', async () => {
    useFakeClock();
    const log: string[] = [];
    const a = fakeSession('webgpu', () => 2, log);
    const b = fakeSession('wasm', () => 5, log);
    const res = await measureSessions(a, b, feeds, { budgetMs: 150 });
    expect(res.runs).toBe(30); // 150 ms / 5 ms
    // 1 warm-up + 1 calibration + `runs` timed runs on each side; fresh feeds each time.
    expect(a.feedsSeen).toHaveLength(2 + res.runs);
    expect(b.feedsSeen).toHaveLength(2 + res.runs);
    expect(new Set([...a.feedsSeen, ...b.feedsSeen]).size).toBe(2 * (2 + res.runs));
  });

  it('keeps runs within [minRuns, maxRuns] (defaults 5 and 40)', async () => {
    const cases: { ms: number; opts: Parameters<typeof measureSessions>[3]; want: number }[] = [
      { ms: 100, opts: {}, want: 5 }, // 150/100 → 1, raised to minRuns
      { ms: 1, opts: {}, want: 40 }, // 150/1 → 150, capped at maxRuns
      { ms: 0, opts: {}, want: 40 }, // instant runs: no division by zero, capped
      { ms: 10, opts: { budgetMs: 1000, minRuns: 3, maxRuns: 7 }, want: 7 },
      { ms: 10, opts: { budgetMs: 10, minRuns: 3, maxRuns: 7 }, want: 3 },
      { ms: 10, opts: { budgetMs: 55, minRuns: 3, maxRuns: 7 }, want: 5 },
    ];
    for (const c of cases) {
      useFakeClock();
      const log: string[] = [];
      const res = await measureSessions(fakeSession('webgpu', () => c.ms / 2, log), fakeSession('wasm', () => c.ms, log), feeds, c.opts);
      expect(res.runs, JSON.stringify(c)).toBe(c.want);
      expect(log.filter((x) => x === 'webgpu')).toHaveLength(2 + c.want);
      expect(log.filter((x) => x === 'wasm')).toHaveLength(2 + c.want);
      vi.restoreAllMocks();
    }
  });

  it('interleaves the two sessions, alternating which goes first', async () => {
    useFakeClock();
    const log: string[] = [];
    const res = await measureSessions(fakeSession('webgpu', () => 1, log), fakeSession('wasm', () => 3, log), feeds, { minRuns: 6, maxRuns: 6 });
    expect(res.runs).toBe(6);
    const A = 'webgpu';
    const B = 'wasm';
    expect(log).toEqual([
      A, B, // warm-up
      A, B, // calibration
      A, B, B, A, A, B, B, A, A, B, B, A, // timed, interleaved
    ]);
    // Never more than two runs of one side in a row.
    for (let i = 2; i < log.length; i++) expect(log[i] === log[i - 1] && log[i] === log[i - 2]).toBe(false);
  });
});

describe('measureSessions (real time)', () => {
  it('orders the medians of a fast and a slow session', async () => {
    const log: string[] = [];
    const slow = (backend: BackendName, ms: number): SessionHandle => ({
      backend, inputs: [], outputs: [],
      run: async () => { log.push(backend); await new Promise((r) => setTimeout(r, ms)); return {}; },
      release: () => Promise.resolve(),
    });
    const res = await measureSessions(slow('webgpu', 12), slow('wasm', 1), feeds, { budgetMs: 60, minRuns: 3, maxRuns: 10 });
    expect(res.runs).toBeGreaterThanOrEqual(3);
    expect(res.runs).toBeLessThanOrEqual(10);
    expect(res.medians['wasm']!).toBeLessThan(res.medians['webgpu']!);
    expect(res.medians['webgpu']!).toBeGreaterThanOrEqual(10);
    expect(pickFaster(res.medians, 'webgpu')).toBe('wasm');
    expect(log).toHaveLength(2 * (2 + res.runs));
  });
});
