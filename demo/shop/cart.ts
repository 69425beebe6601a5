/** The cart: product id → quantity, kept in localStorage so it survives reloads. */

const KEY = 'waypoint:cart';

export type CartLines = ReadonlyMap<string, number>;

function read(): Map<string, number> {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, unknown>;
    return new Map(Object.entries(raw).filter((e): e is [string, number] => Number.isInteger(e[1]) && (e[1] as number) > 0));
  } catch {
    return new Map(); // blocked storage or a corrupt value: start empty rather than break the shop
  }
}

export class Cart {
  private lines = read();
  private readonly listeners = new Set<() => void>();

  get items(): CartLines { return this.lines; }

  get count(): number {
    let n = 0;
    for (const q of this.lines.values()) n += q;
    return n;
  }

  /** Newest-added id (the anchor for "Complete the look" on the cart page). */
  get last(): string | undefined {
    return [...this.lines.keys()].at(-1);
  }

  add(id: string, qty = 1): void {
    const now = (this.lines.get(id) ?? 0) + qty;
    this.lines.delete(id); // re-insert so it becomes the newest line
    if (now > 0) this.lines.set(id, now);
    this.save();
  }

  set(id: string, qty: number): void {
    if (qty > 0) this.lines.set(id, qty); else this.lines.delete(id);
    this.save();
  }

  clear(): void {
    this.lines.clear();
    this.save();
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private save(): void {
    try { localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(this.lines))); } catch { /* memory only */ }
    for (const fn of this.listeners) fn();
  }
}
