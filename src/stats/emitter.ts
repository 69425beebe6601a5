/**
 * A tiny typed event emitter, one per engine (no global bus: two SDK copies on a page must not
 * hear each other). A listener that throws does not stop the others; its error goes to
 * `onError`, by default rethrown asynchronously so it still reaches the console and `window.onerror`.
 *
 * @example
 * const events = new Emitter<{ stats: EngineStats; error: InpageError }>();
 * const off = events.on('stats', (s) => render(s));
 * events.emit('stats', counter.snapshot());
 * off();
 */
export type Listener<T> = (payload: T) => void;

/** Options of `new Emitter()`. */
export interface EmitterOptions {
  /** Gets a listener's error. Default: rethrow it in a microtask (reaches `window.onerror`). */
  onError?: (error: unknown) => void;
}

/** Typed events: `Events` maps each event type to its payload. */
export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();
  private readonly onError: (error: unknown) => void;

  constructor(opts: EmitterOptions = {}) {
    this.onError = opts.onError ?? ((e) => queueMicrotask(() => { throw e; }));
  }

  /** Listen to `type`; returns the function that stops listening. */
  on<K extends keyof Events>(type: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) { set = new Set(); this.listeners.set(type, set); }
    set.add(fn as Listener<never>);
    return () => { this.listeners.get(type)?.delete(fn as Listener<never>); };
  }

  /** Call every listener of `type` with `payload`, in subscription order. */
  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.listeners.get(type);
    if (!set) return;
    // A copy: listeners may unsubscribe (or subscribe others) while we iterate.
    for (const fn of [...set] as Listener<Events[K]>[]) {
      try { fn(payload); } catch (e) { this.onError(e); }
    }
  }

  /** How many listeners `type` has (all types when omitted). */
  listenerCount(type?: keyof Events): number {
    if (type !== undefined) return this.listeners.get(type)?.size ?? 0;
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  /** Remove every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
