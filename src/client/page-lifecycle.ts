/**
 * Whether the page is parked in the back/forward cache, as one connection sees it. A Web Lock
 * request made while the page is parked (a worker reply queued during the freeze runs as the
 * browser thaws the page, before the restore has committed) counts as contention on a lock the
 * parked page holds, and Chromium then evicts the page instead of restoring it
 * ('weblocks-contention', seen in the marketing-page spec when the visitor left mid-start).
 * Work that must not run while parked waits here for `pageshow`.
 */

/** The part of a window this needs (absent in workers and Node: then the page is never parked). */
interface LifecycleTarget {
  addEventListener(type: 'pagehide' | 'pageshow', listener: (ev: PageTransitionEvent) => void): void;
  removeEventListener(type: 'pagehide' | 'pageshow', listener: (ev: PageTransitionEvent) => void): void;
}

/** Tracks pagehide (persisted) → pageshow; runs deferred work once the page is shown again. */
export class PageLifecycle {
  private parked = false;
  private waiting: (() => void)[] = [];
  private readonly target: LifecycleTarget | undefined;

  constructor(scope: unknown = globalThis) {
    const s = scope as Partial<LifecycleTarget> & { document?: unknown };
    this.target = typeof s.addEventListener === 'function' && s.document !== undefined ? (s as LifecycleTarget) : undefined;
    this.target?.addEventListener('pagehide', this.onHide);
    this.target?.addEventListener('pageshow', this.onShow);
  }

  /** Runs `work` now, or at the next `pageshow` if the page is parked in the back/forward cache. */
  whenShown(work: () => void): void {
    if (this.parked) this.waiting.push(work);
    else work();
  }

  /** Stops listening; deferred work that has not run is dropped. */
  dispose(): void {
    this.target?.removeEventListener('pagehide', this.onHide);
    this.target?.removeEventListener('pageshow', this.onShow);
    this.waiting = [];
  }

  // A pagehide that is not persisted is a real unload: nothing will be shown again.
  private readonly onHide = (ev: PageTransitionEvent): void => { if (ev.persisted) this.parked = true; };

  private readonly onShow = (): void => {
    this.parked = false;
    const work = this.waiting;
    this.waiting = [];
    for (const w of work) w();
  };
}
