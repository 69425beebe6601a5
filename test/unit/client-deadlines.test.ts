/**
 * Shared call timeouts: many timeouts armed together cost one timer, none fires early, each
 * fires at most SLOT_MS late, and a cancelled one never fires.
 */
import { describe, expect, it } from 'vitest';
import { Deadlines, SLOT_MS } from '../../src/client/deadlines.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Deadlines', () => {
  it('arms one timer for a burst of equal timeouts, and fires each no earlier than asked', async () => {
    const d = new Deadlines();
    const fired: number[] = [];
    const start = performance.now();
    for (let i = 0; i < 256; i++) d.add(30, () => fired.push(performance.now() - start));
    expect(d.armed).toBeLessThanOrEqual(2); // one window, or two if the burst straddled a boundary
    await sleep(30 + SLOT_MS + 40);
    expect(fired).toHaveLength(256);
    for (const t of fired) expect(t).toBeGreaterThanOrEqual(30 - 1); // timers may round down by < 1 ms
    expect(d.armed).toBe(0);
  });

  it('keeps different lengths apart', () => {
    const d = new Deadlines();
    const off = [d.add(1_000, () => {}), d.add(2_000, () => {})];
    expect(d.armed).toBe(2);
    off.forEach((f) => f());
    expect(d.armed).toBe(0);
  });

  it('never fires a cancelled timeout, and clears the timer once the last one of its slot goes', async () => {
    const d = new Deadlines();
    let a = 0;
    let b = 0;
    const offA = d.add(20, () => { a++; });
    const offB = d.add(20, () => { b++; });
    offA();
    expect(d.armed).toBe(1); // b still waits
    await sleep(20 + SLOT_MS + 30);
    expect([a, b]).toEqual([0, 1]);
    offB(); // after firing: harmless
    const offC = d.add(5_000, () => { a++; });
    offC();
    offC(); // twice: harmless
    expect(d.armed).toBe(0);
  });
});
