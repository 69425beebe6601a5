/**
 * Shared call timeouts: one timer per timeout length whether calls come in a burst or one after
 * another; none fires early; a cancelled one never fires; the timer ends once nothing is left.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadlines } from '../../src/client/deadlines.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Deadlines', () => {
  afterEach(() => { vi.restoreAllMocks(); });

  it('arms one timer for a burst of equal timeouts, and fires each no earlier than asked', async () => {
    const d = new Deadlines();
    const fired: number[] = [];
    const start = performance.now();
    for (let i = 0; i < 256; i++) d.add(30, () => fired.push(performance.now() - start));
    expect(d.armed).toBe(1);
    await sleep(90);
    expect(fired).toHaveLength(256);
    for (const t of fired) expect(t).toBeGreaterThanOrEqual(30 - 1); // timers may round down by < 1 ms
    expect(d.armed).toBe(0);
  });

  it('one timer serves calls made one after another (each cancelled before the next is armed)', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const d = new Deadlines();
    for (let i = 0; i < 100; i++) d.add(60_000, () => { throw new Error('must not fire'); })();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(d.armed).toBe(1);
  });

  it('keeps different lengths apart', () => {
    const d = new Deadlines();
    d.add(1_000, () => {});
    d.add(2_000, () => {});
    d.add(1_000, () => {});
    expect(d.armed).toBe(2);
  });

  it('never fires a cancelled timeout, fires the ones behind it on time, then ends its timer', async () => {
    const d = new Deadlines();
    const fired: string[] = [];
    const offA = d.add(40, () => fired.push('a'));
    await sleep(20);
    d.add(40, () => fired.push('b')); // due 20 ms after a
    offA(); // the timer still points at a's deadline; it fires, finds a dead, re-arms for b
    offA(); // twice: harmless
    await sleep(30); // past a's deadline, before b's (timers fire in deadline order)
    expect(fired).toEqual([]);
    await sleep(40);
    expect(fired).toEqual(['b']);
    expect(d.armed).toBe(0);
  });

  it('a timeout that fires may arm another of the same length without a second timer', async () => {
    const d = new Deadlines();
    const fired: string[] = [];
    d.add(10, () => { fired.push('first'); d.add(10, () => fired.push('second')); });
    await sleep(60);
    expect(fired).toEqual(['first', 'second']);
    expect(d.armed).toBe(0);
  });
});
