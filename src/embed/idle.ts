/**
 * "Not before idle": the loader's rule for anything heavier than defining the element. The page's
 * own rendering and scripts come first. Both waits are bounded by `timeoutMs`, so a page that
 * never finishes loading (a hanging tracker pixel) or is never idle still gets its
 * recommendations (requestIdleCallback's `timeout`; Safari lacks the API, a timer stands in).
 */

/**
 * Resolves once the document has loaded (or `timeoutMs` passed) and the main thread was idle.
 *
 * @example await whenIdle(window); // then start the worker
 */
export function whenIdle(win: Window, timeoutMs = 3000): Promise<void> {
  const loaded = win.document.readyState === 'complete'
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
      win.addEventListener('load', () => resolve(), { once: true });
      win.setTimeout(resolve, timeoutMs);
    });
  return loaded.then(() => new Promise<void>((resolve) => {
    if (typeof win.requestIdleCallback === 'function') win.requestIdleCallback(() => resolve(), { timeout: timeoutMs });
    else win.setTimeout(resolve, 1);
  }));
}
