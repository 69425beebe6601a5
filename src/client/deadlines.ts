/**
 * Many call timeouts, few timers. A burst of 256 runs with the same timeout would otherwise arm
 * and clear 256 timers, about 2 ms of a 25 ms burst on the page. Timeouts armed within the same
 * SLOT_MS window with the same length share one timer, which fires at the end of the window
 * plus that length: never early, at most SLOT_MS late (nothing in Inpage needs a timeout
 * sharper than that; the defaults are tens of seconds).
 */
export const SLOT_MS = 10;

interface Slot {
  timer: ReturnType<typeof setTimeout>;
  entries: Set<() => void>;
}

export class Deadlines {
  private readonly slots = new Map<string, Slot>();

  /** Call `fire` once `ms` have passed, unless the returned function is called first. */
  add(ms: number, fire: () => void): () => void {
    const now = performance.now();
    const window = Math.floor(now / SLOT_MS);
    const key = `${ms}@${window}`;
    let slot = this.slots.get(key);
    if (!slot) {
      const entries = new Set<() => void>();
      // Every entry of this slot was armed before the window's end, so firing at end + ms is
      // never early for any of them.
      const timer = setTimeout(() => {
        this.slots.delete(key);
        for (const f of entries) f();
      }, (window + 1) * SLOT_MS + ms - now);
      slot = { timer, entries };
      this.slots.set(key, slot);
    }
    const s = slot;
    s.entries.add(fire);
    return () => {
      if (!s.entries.delete(fire) || s.entries.size > 0) return;
      clearTimeout(s.timer);
      if (this.slots.get(key) === s) this.slots.delete(key);
    };
  }

  /** Timers currently armed (for tests). */
  get armed(): number {
    return this.slots.size;
  }
}
