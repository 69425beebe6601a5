/**
 * Handing the event loop back during long work on the page, so it is never one long task (a
 * task over 50 ms delays input and paint). Pure; shared by the body reader and the item table.
 */

/** How long one slice of work may run before it yields: well under the 50 ms of a long task. */
export const SLICE_MS = 8;

/**
 * Resolves after other tasks had their turn: `scheduler.yield()` where there is one (Chromium),
 * else a 0 ms timer. A chain of already-resolved awaits never does: microtasks all run in the
 * current task.
 *
 * @example if (performance.now() > until) await nextTask();
 */
export function nextTask(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return typeof s?.yield === 'function' ? s.yield() : new Promise((r) => setTimeout(r, 0));
}
